#include "io/pipes_file_transport.hpp"

#include <unistd.h>

#include <cerrno>
#include <string>

#include "aio/core/exceptions.hpp"
#include "aio/exec/to_thread.hpp"
#include "io/transport_start.hpp"
#include "sys/errors.hpp"

namespace aio::io {

namespace {

constexpr std::size_t kChunk = 64 * 1024;

void report_to(EventLoop& loop, const char* message, std::exception_ptr exc) noexcept {
    ExceptionContext ctx;
    ctx.message = message;
    ctx.exception = std::move(exc);
    loop.call_exception_handler(ctx);
}

RuntimeError closed_before_made() {
    return RuntimeError("transport closed before connection_made");
}

}  // namespace

// ---- FileReadTransport ----------------------------------------------------------------------

FileReadTransport::FileReadTransport(EventLoop& loop, sys::Fd fd, std::shared_ptr<BaseProtocol> protocol)
    : loop_(&loop), fd_(std::make_shared<sys::Fd>(std::move(fd))), protocol_(std::move(protocol)) {}

void FileReadTransport::start(Future<void> waiter) {
    self_ = std::shared_ptr<FileReadTransport>(shared_from_this(), this);
    auto close_and_lose = [this](std::exception_ptr e, bool) {
        closing_ = true;
        lose(e);
    };
    // The reader starts after the waiter is set, so that whoever awaited it can pause_reading()
    // before the first read.
    auto running = [this] {
        if (!closing_) reader_ = loop_->create_task(read_loop(self_), "file read transport");
    };
    connection_made_soon({*loop_, *this, protocol_, closing_, started_}, std::move(waiter),
                         closed_before_made, close_and_lose, NoStep{}, running);
}

Coro<void> FileReadTransport::read_loop(std::shared_ptr<FileReadTransport> self) {
    try {
        while (!self->closing_) {
            if (!self->reading_) {
                self->resumed_.clear();
                co_await self->resumed_.wait();
                continue;
            }
            // The job owns a reference to the descriptor: close() cannot close it mid-read.
            // (A named job, not a lambda temporary in the co_await: g++ 12 destroys such
            // temporaries twice.)
            auto job = [fd = self->fd_] {
                std::string buf(kChunk, '\0');
                long n = sys::retry_eintr([&] { return ::read(fd->get(), buf.data(), buf.size()); });
                if (n < 0) sys::raise_os_error(static_cast<int>(-n), "read");
                buf.resize(static_cast<std::size_t>(n));
                return buf;
            };
            std::string chunk = co_await to_thread(job);
            if (self->closing_) break;
            auto* stream = dynamic_cast<Protocol*>(self->protocol_.get());
            if (chunk.empty()) {
                try {
                    if (stream) stream->eof_received();
                } catch (...) {
                    self->report("protocol.eof_received() failed", std::current_exception());
                }
                self->closing_ = true;
                self->lose(nullptr);
                co_return;
            }
            try {
                if (stream) stream->data_received(chunk);
            } catch (...) {
                auto e = std::current_exception();
                self->report("protocol.data_received() failed", e);
                self->closing_ = true;
                self->lose(e);
                co_return;
            }
        }
    } catch (const CancelledError&) {
        // close() cancels us and has scheduled connection_lost. Anyone else cancelling us (aio::run
        // draining the loop's tasks) closes the transport, so its descriptor is not left behind.
        if (!self->closing_) {
            self->closing_ = true;
            self->lose(nullptr);
            throw;
        }
    } catch (...) {
        auto e = std::current_exception();
        self->report("Fatal read error on file transport", e);
        self->closing_ = true;
        self->lose(e);
    }
}

void FileReadTransport::close() {
    if (closing_) return;
    closing_ = true;
    if (reader_ && !reader_->done()) reader_->cancel();
    lose(nullptr);
}

void FileReadTransport::lose(std::exception_ptr exc) noexcept {
    if (lost_) return;
    lost_ = true;
    auto deliver = [this, exc] {
        auto keep = std::move(self_);
        if (!started_) return;
        try {
            protocol_->connection_lost(exc);
        } catch (...) {
            report("protocol.connection_lost() failed", std::current_exception());
        }
    };
    try {
        loop_->call_soon(deliver);
    } catch (...) {
        deliver();  // the loop is closed
    }
}

void FileReadTransport::pause_reading() {
    if (closing_) return;
    reading_ = false;
}

void FileReadTransport::resume_reading() {
    if (closing_ || reading_) return;
    reading_ = true;
    resumed_.set();
}

void FileReadTransport::write(std::string_view) { throw RuntimeError("write() on a read pipe transport"); }
void FileReadTransport::write_eof() { throw RuntimeError("write_eof() on a read pipe transport"); }
void FileReadTransport::set_write_buffer_limits(std::size_t high, std::size_t low) {
    if (low > high) throw ValueError("write buffer limits: high must be >= low");
}

std::any FileReadTransport::get_extra_info(std::string_view name) const {
    if (name == "pipe" && *fd_) return fd_->get();
    return {};
}

void FileReadTransport::set_protocol(std::shared_ptr<BaseProtocol> protocol) {
    if (!protocol) throw ValueError("set_protocol(): null protocol");
    protocol_ = std::move(protocol);
}

void FileReadTransport::report(const char* message, std::exception_ptr exc) noexcept {
    report_to(*loop_, message, std::move(exc));
}

// ---- FileWriteTransport ---------------------------------------------------------------------

FileWriteTransport::FileWriteTransport(EventLoop& loop, sys::Fd fd, std::shared_ptr<BaseProtocol> protocol)
    : loop_(&loop), fd_(std::move(fd)), protocol_(std::move(protocol)) {}

void FileWriteTransport::start(Future<void> waiter) {
    self_ = std::shared_ptr<FileWriteTransport>(shared_from_this(), this);
    auto close_and_lose = [this](std::exception_ptr e, bool) {
        closing_ = true;
        lose(e);
    };
    connection_made_soon({*loop_, *this, protocol_, closing_, started_}, std::move(waiter),
                         closed_before_made, close_and_lose);
}

void FileWriteTransport::write(std::string_view data) {
    if (closing_ || !fd_) return;  // dropped, as FdTransport drops writes after close()
    while (!data.empty()) {
        long n = sys::retry_eintr([&] { return ::write(fd_.get(), data.data(), data.size()); });
        if (n < 0) {
            auto e = sys::make_os_error(static_cast<int>(-n), "write");
            report_to(*loop_, "Fatal write error on file transport", e);
            closing_ = true;
            lose(e);
            return;
        }
        data.remove_prefix(static_cast<std::size_t>(n));
    }
}

void FileWriteTransport::close() {
    if (closing_) return;
    closing_ = true;
    lose(nullptr);
}

void FileWriteTransport::lose(std::exception_ptr exc) noexcept {
    if (lost_) return;
    lost_ = true;
    auto deliver = [this, exc] {
        auto keep = std::move(self_);
        fd_.reset();
        if (!started_) return;
        try {
            protocol_->connection_lost(exc);
        } catch (...) {
            report_to(*loop_, "protocol.connection_lost() failed", std::current_exception());
        }
    };
    try {
        loop_->call_soon(deliver);
    } catch (...) {
        deliver();
    }
}

void FileWriteTransport::set_write_buffer_limits(std::size_t high, std::size_t low) {
    if (low > high) throw ValueError("write buffer limits: high must be >= low");
    high_ = high;
    low_ = low;
}

std::any FileWriteTransport::get_extra_info(std::string_view name) const {
    if (name == "pipe" && fd_) return fd_.get();
    return {};
}

void FileWriteTransport::set_protocol(std::shared_ptr<BaseProtocol> protocol) {
    if (!protocol) throw ValueError("set_protocol(): null protocol");
    protocol_ = std::move(protocol);
}

}  // namespace aio::io
