// The server connection's body side: reading a request body in place (BodyDecoder over the
// read buffer), taking the connection over, and the StreamResponse writes with back-pressure.
// The rest of the connection is in server_connection.cpp.

#include <algorithm>

#include "aio/core/exceptions.hpp"
#include "aio/core/os_errors.hpp"
#include "server_connection.hpp"

namespace aio::http::detail {

// ---- the body ----------------------------------------------------------------------------

Coro<bool> ServerConnection::read_body(std::string& out, std::size_t max) {
    if (max == 0) co_return !body_done();
    if (!carry_.empty()) {
        std::size_t n = std::min(max, carry_.size());
        out.append(carry_, 0, n);
        carry_.erase(0, n);
        co_return true;
    }
    for (;;) {
        if (body_.done()) co_return false;
        if (phase_ == Phase::taken) throw RuntimeError("the connection was taken over");
        maybe_send_continue();
        if (body_pos_ < len_) {
            auto step = body_.decode(std::string_view(buf_ + body_pos_, len_ - body_pos_));
            if (body_.failed()) {
                must_close_ = true;
                throw HTTPException(status_of(body_.error()), std::string(name(body_.error())));
            }
            body_pos_ += step.consumed;
            if (!step.data.empty()) {
                std::size_t n = std::min(max, step.data.size());
                out.append(step.data.substr(0, n));
                if (n < step.data.size()) carry_.assign(step.data.substr(n));
                maybe_resume_reading();
                co_return true;
            }
            if (step.consumed != 0) continue;
        }
        if (eof_ || lost_) {
            body_.finish_eof();
            if (body_.failed()) {
                must_close_ = true;
                throw HTTPException(400, "the connection ended inside the request body");
            }
            continue;
        }
        if (body_timed_out_) {
            must_close_ = true;
            throw HTTPException(408, "the request body took too long");
        }
        // The bytes read so far are consumed: make room and read more.
        if (len_ == cap_) compact();
        maybe_resume_reading();
        waiting_body_ = true;
        since_ = state_->now;
        try {
            co_await wait_wake();
        } catch (...) {
            waiting_body_ = false;
            throw;
        }
        waiting_body_ = false;
    }
}

Coro<std::string> ServerConnection::read_whole(bool limited) {
    const RequestHead& h = parser_.head();
    std::uint64_t limit = state_->options.client_max_size;
    if (limited && h.body == BodyKind::length && h.content_length > limit) {
        must_close_ = true;
        throw HTTPException(413, "Request Entity Too Large");
    }
    std::string out;
    if (h.body == BodyKind::length) out.reserve(static_cast<std::size_t>(h.content_length));
    while (co_await read_body(out, 64 * 1024)) {
        if (limited && out.size() > limit) {
            must_close_ = true;
            throw HTTPException(413, "Request Entity Too Large");
        }
    }
    co_return out;
}

TakenOver ServerConnection::take_over() {
    if (response_started_) throw RuntimeError("take_over() after a response was started");
    if (!transport_) throw ConnectionResetError(ECONNRESET, "the client disconnected");
    TakenOver t;
    t.tail = carry_;
    t.tail.append(buf_ + body_pos_, len_ - body_pos_);
    t.transport = std::dynamic_pointer_cast<Transport>(transport_->shared_from_this());
    response_started_ = true;
    phase_ = Phase::taken;
    // Reading stops until the new protocol is in place; its owner calls resume_reading().
    transport_->pause_reading();
    transport_ = nullptr;
    // The head lives in upgrade_head_ and the bytes after it are in t.tail: the buffer can go.
    if (upgrade_head_ && buf_) {
        state_->give_buffer(buf_);
        buf_ = nullptr;
        cap_ = start_ = len_ = body_pos_ = 0;
    }
    return t;
}

// ---- streaming ---------------------------------------------------------------------------

void ServerConnection::start_stream(StreamResponse& s, Request&, std::string_view head) {
    if (response_started_) throw RuntimeError("a response was already started for this request");
    if (!transport_) throw ConnectionResetError(ECONNRESET, "the client disconnected");
    response_started_ = true;
    (void)s;
    transport_->write(head);
}

Coro<void> ServerConnection::write_chunk(std::string_view framing, std::string_view data, std::string_view tail) {
    if (!transport_ || lost_) throw ConnectionResetError(ECONNRESET, "the client disconnected");
    std::string_view pieces[3] = {framing, data, tail};
    transport_->writelines(pieces);
    co_await drain();
}

Coro<void> ServerConnection::drain() {
    while (write_paused_) {
        if (!transport_ || lost_) throw ConnectionResetError(ECONNRESET, "the client disconnected");
        co_await wait_wake();
    }
    if (!transport_ || lost_) throw ConnectionResetError(ECONNRESET, "the client disconnected");
}

void ServerConnection::finish_stream(bool complete) noexcept {
    stream_complete_ = complete;
    if (!complete) must_close_ = true;
}

}  // namespace aio::http::detail
