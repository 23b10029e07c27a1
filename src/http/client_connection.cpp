#include "http/client_connection.hpp"

#include <cstring>
#include <vector>

#include "aio/time/timeout.hpp"

namespace aio::http::detail {

namespace {
// A head (start line and header section, ParserLimits' 8 KiB each) fits in the first buffer.
constexpr std::size_t kInitialBuffer = 16 * 1024;
// Past this much unread, the transport stops reading until the body's reader catches up.
constexpr std::size_t kHighWater = 256 * 1024;

// Buffers of idle connections, kept for the next connection that reads on this thread: an idle
// pooled connection holds none, yet a busy pool does not pay malloc and free per response.
constexpr std::size_t kSpareBuffers = 64;
thread_local std::vector<std::unique_ptr<char[]>> t_spare_buffers;

std::unique_ptr<char[]> take_buffer(std::size_t size) {
    if (size == kInitialBuffer && !t_spare_buffers.empty()) {
        auto b = std::move(t_spare_buffers.back());
        t_spare_buffers.pop_back();
        return b;
    }
    return std::make_unique_for_overwrite<char[]>(size);  // not zeroed: the socket fills it
}

void give_back(std::unique_ptr<char[]> b, std::size_t size) noexcept {
    if (size != kInitialBuffer || t_spare_buffers.size() >= kSpareBuffers) return;
    try {
        t_spare_buffers.push_back(std::move(b));
    } catch (...) {
        // Out of memory: the buffer is freed.
    }
}
}  // namespace

ClientProtocol::~ClientProtocol() {
    if (buf_) give_back(std::move(buf_), cap_);
}

std::span<char> ClientProtocol::get_buffer(std::size_t sizehint) {
    std::size_t want = sizehint > 0 ? sizehint : 4096;
    if (!buf_) {
        cap_ = std::max(kInitialBuffer, want);
        buf_ = take_buffer(cap_);
        rd_ = wr_ = 0;
    }
    if (cap_ - wr_ < want && !pinned_ && rd_ > 0) {
        // Nothing views the consumed bytes (a head's fields were copied out): slide the rest down.
        std::memmove(buf_.get(), buf_.get() + rd_, wr_ - rd_);
        wr_ -= rd_;
        rd_ = 0;
    }
    if (cap_ - wr_ < want / 2 + 1) {
        std::size_t cap = std::max(cap_ * 2, wr_ - rd_ + want);
        auto grown = std::make_unique_for_overwrite<char[]>(cap);
        std::memcpy(grown.get(), buf_.get() + rd_, wr_ - rd_);
        wr_ -= rd_;
        rd_ = 0;
        give_back(std::move(buf_), cap_);
        buf_ = std::move(grown);
        cap_ = cap;
        if (pinned_) moved_ = true;
    }
    return {buf_.get() + wr_, cap_ - wr_};
}

void ClientProtocol::buffer_updated(std::size_t nbytes) {
    wr_ += nbytes;
    received_ += nbytes;
    if (wr_ - rd_ >= kHighWater && transport_ && !paused_) {
        transport_->pause_reading();
        paused_ = true;
    }
    wake();
}

bool ClientProtocol::eof_received() {
    eof_ = true;
    wake();
    return false;
}

void ClientProtocol::connection_lost(std::exception_ptr exc) {
    lost_ = true;
    error_ = std::move(exc);
    transport_ = nullptr;
    wake();
}

void ClientProtocol::consume(std::size_t n) noexcept {
    rd_ += n;
    if (rd_ == wr_ && !pinned_) rd_ = wr_ = 0;
    if (paused_ && wr_ - rd_ < kHighWater / 2 && transport_) {
        paused_ = false;
        transport_->resume_reading();
    }
}

Coro<void> ClientProtocol::wait_more(std::optional<TimePoint> deadline) {
    if (more_.is_set()) {
        more_.clear();
        co_return;
    }
    if (at_eof()) co_return;
    if (deadline) {
        co_await aio::timeout_at(deadline, more_.wait());
    } else {
        co_await more_.wait();
    }
    more_.clear();
}

void ClientProtocol::drop_buffer() noexcept {
    if (rd_ != wr_) return;
    if (buf_) give_back(std::move(buf_), cap_);
    buf_.reset();
    cap_ = rd_ = wr_ = 0;
    more_.clear();
}

void Connection::close() noexcept {
    if (transport && !transport->is_closing()) transport->abort();
}

}  // namespace aio::http::detail
