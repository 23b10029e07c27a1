#include "io/fd_transport.hpp"

#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "aio/core/exceptions.hpp"
#include "aio/core/os_errors.hpp"
#include "aio/io/sendfile.hpp"
#include "aio/io/server.hpp"
#include "io/fd_wait.hpp"
#include "io/socket_ops.hpp"
#include "io/transport_start.hpp"
#include "sys/errors.hpp"

namespace aio::io {

namespace {

// One read buffer per thread, shared by every transport of the loop: data_received() hands out a
// view of it, so a connection costs no buffer of its own while idle (uvloop does the same).
constexpr std::size_t kReadBufferSize = 256 * 1024;

char* read_buffer() {
    thread_local std::unique_ptr<char[]> buf(new char[kReadBufferSize]);
    return buf.get();
}

// Errors that are the peer's doing: reported to the protocol, not logged (asyncio's
// _FATAL_ERROR_IGNORE).
bool is_connection_error(int err) {
    return err == EPIPE || err == ECONNRESET || err == ECONNABORTED || err == ESHUTDOWN ||
           err == ETIMEDOUT || err == EHOSTUNREACH || err == ENETUNREACH;
}

}  // namespace

FdTransport::FdTransport(EventLoop& loop, sys::Fd fd, std::shared_ptr<BaseProtocol> protocol, Kind kind)
    : loop_(&loop),
      fd_(std::move(fd)),
      protocol_(std::move(protocol)),
      stream_protocol_(dynamic_cast<Protocol*>(protocol_.get())),
      buffered_protocol_(dynamic_cast<BufferedProtocol*>(protocol_.get())),
      reg_(loop, this),
      kind_(kind) {
    if (kind_ == Kind::socket) set_nodelay(fd_.get());
    if (kind_ != Kind::read_pipe) ignore_sigpipe();
}

FdTransport::~FdTransport() { reg_.clear(fd_.get()); }

void FdTransport::start(std::optional<Future<void>> waiter) {
    self_ = shared_from_this();
    auto closed_error = [] {
        return ConnectionAbortedError(ECONNABORTED, "transport closed before connection_made");
    };
    auto lose = [this](std::exception_ptr e, bool waiter_told) {
        if (!waiter_told) report("protocol.connection_made() failed", e);
        force_close(e);
    };
    auto ready = [this] { update_watch(); };
    connection_made_soon({*loop_, *this, protocol_, closing_, started_}, std::move(waiter),
                         closed_error, lose, ready);
}

// ---- reading --------------------------------------------------------------------------------

void FdTransport::on_io(backend::Event::Set events) noexcept {
    using backend::Event;
    if (lost_scheduled_) return;  // a stale event for a transport on its way out
    if (events & Event::writable) {
        write_ready();
        if (lost_scheduled_) return;
    }
    if (events & (Event::readable | Event::hangup | Event::error)) {
        if (can_read() && reading_ && !closing_ && !eof_) {
            read_ready();
        } else if (kind_ == Kind::write_pipe && (events & (Event::hangup | Event::error))) {
            // The reader of our pipe is gone (asyncio's _UnixWritePipeTransport._read_ready).
            if (get_write_buffer_size() != 0)
                force_close(sys::make_os_error(EPIPE, "write pipe"));
            else
                force_close(nullptr);
        } else if ((events & Event::error) && !(events & Event::writable)) {
            int err = 0;
            socklen_t len = sizeof err;
            if (kind_ == Kind::socket && ::getsockopt(fd_.get(), SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err)
                fatal_error(sys::make_os_error(err, "socket error"), "Fatal error on transport");
        }
    }
}

void FdTransport::read_ready() noexcept {
    char* buf = read_buffer();
    std::size_t size = kReadBufferSize;
    if (buffered_protocol_) {
        // asyncio's _read_ready__get_buffer: ask for the buffer first, then read into it.
        try {
            std::span<char> b = buffered_protocol_->get_buffer(0);
            if (b.empty()) throw RuntimeError("get_buffer() returned an empty buffer");
            buf = b.data();
            size = b.size();
        } catch (...) {
            auto e = std::current_exception();
            report("protocol.get_buffer() failed", e);
            force_close(e);
            return;
        }
    }
    long n = sys::retry_eintr([&] { return ::read(fd_.get(), buf, size); });
    if (n < 0) {
        int err = static_cast<int>(-n);
        if (err == EAGAIN || err == EWOULDBLOCK) return;
        if (kind_ != Kind::socket && err == EIO) n = 0;  // a pty whose other side closed: EOF
        else {
            fatal_error(sys::make_os_error(err, "read"), "Fatal read error on transport");
            return;
        }
    }
    if (n == 0) {
        eof_ = true;
        if (kind_ == Kind::read_pipe) {
            // A pipe has no half-close: EOF ends it (asyncio's _UnixReadPipeTransport).
            try {
                if (stream_protocol_) stream_protocol_->eof_received();
            } catch (...) {
                report("protocol.eof_received() failed", std::current_exception());
            }
            closing_ = true;
            update_watch();
            schedule_connection_lost(nullptr);
            return;
        }
        bool keep_open = false;
        try {
            keep_open = stream_protocol_ && stream_protocol_->eof_received();
        } catch (...) {
            auto e = std::current_exception();
            report("protocol.eof_received() failed", e);
            force_close(e);
            return;
        }
        if (keep_open)
            update_watch();  // stop reading; writing goes on until close()
        else
            close();
        return;
    }
    try {
        if (buffered_protocol_)
            buffered_protocol_->buffer_updated(static_cast<std::size_t>(n));
        else if (stream_protocol_)
            stream_protocol_->data_received(std::string_view(buf, static_cast<std::size_t>(n)));
    } catch (...) {
        auto e = std::current_exception();
        report(buffered_protocol_ ? "protocol.buffer_updated() failed" : "protocol.data_received() failed", e);
        force_close(e);
    }
}

void FdTransport::pause_reading() {
    if (closing_ || !reading_) return;
    reading_ = false;
    update_watch();
}

void FdTransport::resume_reading() {
    if (closing_ || reading_) return;
    reading_ = true;
    update_watch();
}

// ---- writing --------------------------------------------------------------------------------

long FdTransport::send_bytes(const char* data, std::size_t n) noexcept {
    if (kind_ == Kind::socket)
        return sys::retry_eintr([&] { return ::send(fd_.get(), data, n, MSG_NOSIGNAL); });
    return sys::retry_eintr([&] { return ::write(fd_.get(), data, n); });
}

void FdTransport::write(std::string_view data) {
    if (eof_pending_ || eof_written_) throw RuntimeError("Cannot call write() after write_eof()");
    if (sendfile_) throw RuntimeError("unable to write; sendfile is in progress");
    if (data.empty()) return;
    if (lost_scheduled_ || closing_) {
        // asyncio: "socket.send() raised exception." after 5 such writes; the data is dropped.
        if (++writes_after_close_ == 5)
            loop_->warn("aio: write() on a closed transport; the data is dropped");
        return;
    }
    if (wbuf_.size() == wpos_) {
        long n = send_bytes(data.data(), data.size());
        if (n < 0) {
            int err = static_cast<int>(-n);
            if (err != EAGAIN && err != EWOULDBLOCK) {
                fatal_error(sys::make_os_error(err, "write"), "Fatal write error on transport");
                return;
            }
            n = 0;
        }
        if (static_cast<std::size_t>(n) == data.size()) return;
        data.remove_prefix(static_cast<std::size_t>(n));
        wbuf_.clear();
        wpos_ = 0;
    }
    wbuf_.append(data);
    update_watch();
    maybe_pause_protocol();
}

void FdTransport::writelines(std::span<const std::string_view> pieces) {
    if (pieces.size() == 1) return write(pieces[0]);
    if (eof_pending_ || eof_written_) throw RuntimeError("Cannot call writelines() after write_eof()");
    if (sendfile_) throw RuntimeError("unable to write; sendfile is in progress");
    if (lost_scheduled_ || closing_ || wbuf_.size() != wpos_ || pieces.size() > 64) {
        for (auto p : pieces) write(p);
        return;
    }
    // Nothing buffered: one writev (sendmsg for sockets) for all the pieces.
    iovec iov[64];
    std::size_t total = 0, count = 0;
    for (auto p : pieces) {
        if (p.empty()) continue;
        iov[count].iov_base = const_cast<char*>(p.data());
        iov[count].iov_len = p.size();
        total += p.size();
        ++count;
    }
    if (count == 0) return;
    long n;
    if (kind_ == Kind::socket) {
        msghdr msg{};
        msg.msg_iov = iov;
        msg.msg_iovlen = count;
        n = sys::retry_eintr([&] { return ::sendmsg(fd_.get(), &msg, MSG_NOSIGNAL); });
    } else {
        n = sys::retry_eintr([&] { return ::writev(fd_.get(), iov, static_cast<int>(count)); });
    }
    if (n < 0) {
        int err = static_cast<int>(-n);
        if (err != EAGAIN && err != EWOULDBLOCK) {
            fatal_error(sys::make_os_error(err, "write"), "Fatal write error on transport");
            return;
        }
        n = 0;
    }
    if (static_cast<std::size_t>(n) == total) return;
    wbuf_.clear();
    wpos_ = 0;
    std::size_t skip = static_cast<std::size_t>(n);
    for (std::size_t i = 0; i < count; ++i) {
        std::string_view p(static_cast<const char*>(iov[i].iov_base), iov[i].iov_len);
        if (skip >= p.size()) {
            skip -= p.size();
            continue;
        }
        wbuf_.append(p.substr(skip));
        skip = 0;
    }
    update_watch();
    maybe_pause_protocol();
}

void FdTransport::write_ready() noexcept {
    std::size_t pending = wbuf_.size() - wpos_;
    if (pending != 0) {
        long n = send_bytes(wbuf_.data() + wpos_, pending);
        if (n < 0) {
            int err = static_cast<int>(-n);
            if (err == EAGAIN || err == EWOULDBLOCK) return;
            wbuf_.clear();
            wpos_ = 0;
            fatal_error(sys::make_os_error(err, "write"), "Fatal write error on transport");
            return;
        }
        wpos_ += static_cast<std::size_t>(n);
        if (wpos_ != wbuf_.size()) {
            // Reclaim the sent prefix once it dominates, so a long-lived buffer stays small.
            if (wpos_ > 64 * 1024 && wpos_ * 2 > wbuf_.size()) {
                wbuf_.erase(0, wpos_);
                wpos_ = 0;
            }
            maybe_resume_protocol();
            return;
        }
        wbuf_.clear();
        if (wbuf_.capacity() > 1024 * 1024) wbuf_.shrink_to_fit();
        wpos_ = 0;
    }
    if (sendfile_ && !sendfile_step()) return;  // the file goes on when the socket is writable
    update_watch();
    maybe_resume_protocol();
    if (closing_) {
        schedule_connection_lost(nullptr);
    } else if (eof_pending_ && !eof_written_) {
        eof_written_ = true;
        if (kind_ == Kind::socket)
            ::shutdown(fd_.get(), SHUT_WR);
        else
            close();  // a pipe's write_eof() is its close
    }
}

void FdTransport::write_eof() {
    if (closing_ || eof_pending_) return;
    if (kind_ == Kind::read_pipe) throw RuntimeError("write_eof() on a read pipe");
    eof_pending_ = true;
    if (wbuf_.size() == wpos_ && !sendfile_) {
        eof_written_ = true;
        if (kind_ == Kind::socket)
            ::shutdown(fd_.get(), SHUT_WR);
        else
            close();
    }
}

void FdTransport::set_write_buffer_limits(std::size_t high, std::size_t low) {
    if (low > high) throw ValueError("write buffer limits: high (" + std::to_string(high) + ") must be >= low (" + std::to_string(low) + ")");
    high_ = high;
    low_ = low;
    maybe_pause_protocol();
}

void FdTransport::maybe_pause_protocol() noexcept {
    if (protocol_paused_ || get_write_buffer_size() <= high_) return;
    protocol_paused_ = true;
    try {
        protocol_->pause_writing();
    } catch (...) {
        report("protocol.pause_writing() failed", std::current_exception());
    }
}

void FdTransport::maybe_resume_protocol() noexcept {
    if (!protocol_paused_ || get_write_buffer_size() > low_) return;
    protocol_paused_ = false;
    try {
        protocol_->resume_writing();
    } catch (...) {
        report("protocol.resume_writing() failed", std::current_exception());
    }
}

// ---- sendfile -------------------------------------------------------------------------------

Future<std::size_t> FdTransport::start_sendfile(int file_fd, std::uint64_t offset, std::optional<std::size_t> count) {
    if (closing_ || lost_scheduled_) throw RuntimeError("Transport is closing");
    if (kind_ == Kind::read_pipe) throw RuntimeError("sendfile() on a read pipe");
    if (eof_pending_ || eof_written_) throw RuntimeError("Cannot call sendfile() after write_eof()");
    if (sendfile_) throw RuntimeError("sendfile is already in progress");
    Future<std::size_t> done(*loop_);
    sendfile_.emplace(SendfileJob{file_fd, offset, offset, count, done});
    // A cancelled send stops at once, so the transport can be written to again.
    std::weak_ptr<BaseTransport> weak = weak_from_this();
    auto stop_if_cancelled = [weak](const Future<std::size_t>& f) {
        auto self = weak.lock();
        if (!self || !f.cancelled()) return;
        auto* t = dynamic_cast<FdTransport*>(self.get());
        if (!t) return;
        if (t->sendfile_ && t->sendfile_->done.cancelled()) {
            t->finish_sendfile(nullptr);
            t->update_watch();
            if (t->closing_ && t->wbuf_.size() == t->wpos_) t->schedule_connection_lost(nullptr);
        }
    };
    done.add_done_callback(stop_if_cancelled);
    if (wbuf_.size() == wpos_ && started_) {
        if (sendfile_step()) return done;
    }
    update_watch();
    return done;
}

// Sends what the socket takes now. True once the job is over (its future is then done).
bool FdTransport::sendfile_step() noexcept {
    SendfileJob& job = *sendfile_;
    if (job.done.done()) {  // cancelled by its awaiter: stop where it is
        finish_sendfile(nullptr);
        return true;
    }
    // At most 4 MiB per turn, so a fast reader cannot keep the loop on one transport.
    for (std::size_t budget = 4 << 20; budget != 0;) {
        std::size_t want = job.remaining ? std::min(*job.remaining, budget) : budget;
        if (want == 0) break;
        auto off = static_cast<off_t>(job.offset);
        long n = sys::retry_eintr([&] { return ::sendfile(fd_.get(), job.file, &off, want); });
        if (n < 0) {
            int err = static_cast<int>(-n);
            if (err == EAGAIN || err == EWOULDBLOCK) return false;
            // As asyncio: a failure before the first byte means "use the fallback".
            if (job.offset == job.start)
                finish_sendfile(std::make_exception_ptr(SendfileNotAvailableError(
                    std::string("sendfile(2) failed: ") + std::strerror(err))));
            else
                finish_sendfile(sys::make_os_error(err, "sendfile"));
            return true;
        }
        if (n == 0) break;  // the end of the file
        job.offset += static_cast<std::uint64_t>(n);
        budget -= std::min(budget, static_cast<std::size_t>(n));
        if (job.remaining) *job.remaining -= static_cast<std::size_t>(n);
        if (budget == 0) return false;  // more next turn: the writable interest stays on
    }
    finish_sendfile(nullptr);
    return true;
}

void FdTransport::finish_sendfile(std::exception_ptr exc) noexcept {
    SendfileJob job = std::move(*sendfile_);
    sendfile_.reset();
    std::size_t sent = static_cast<std::size_t>(job.offset - job.start);
    if (sent != 0) ::lseek(job.file, static_cast<off_t>(job.offset), SEEK_SET);
    try {
        if (exc)
            job.done.set_exception(exc);
        else
            job.done.set_result(sent);
    } catch (...) {
    }
}

// ---- closing --------------------------------------------------------------------------------

void FdTransport::close() {
    if (closing_) return;
    closing_ = true;
    update_watch();
    if (wbuf_.size() == wpos_ && !sendfile_) schedule_connection_lost(nullptr);
}

void FdTransport::abort() { force_close(nullptr); }

void FdTransport::fatal_error(std::exception_ptr exc, const char* what) noexcept {
    int err = 0;
    try {
        std::rethrow_exception(exc);
    } catch (const OSError& e) {
        err = e.errno_code();
    } catch (...) {
    }
    if (!is_connection_error(err)) report(what, exc);
    force_close(exc);
}

void FdTransport::force_close(std::exception_ptr exc) noexcept {
    if (lost_scheduled_) return;
    wbuf_.clear();
    wpos_ = 0;
    if (sendfile_) {
        finish_sendfile(exc ? exc
                            : std::make_exception_ptr(ConnectionAbortedError(ECONNABORTED, "the transport was aborted during sendfile")));
    }
    closing_ = true;
    update_watch();
    schedule_connection_lost(std::move(exc));
}

void FdTransport::schedule_connection_lost(std::exception_ptr exc) noexcept {
    if (lost_scheduled_) return;
    lost_scheduled_ = true;
    reg_.clear(fd_.get());
    try {
        loop_->call_soon([this, exc = std::move(exc)] { call_connection_lost(exc); });
    } catch (...) {
        // The loop is closed: nobody will run the callback, so deliver it now.
        call_connection_lost(std::move(exc));
    }
}

void FdTransport::call_connection_lost(std::exception_ptr exc) noexcept {
    auto keep = std::move(self_);  // `this` may go when this function returns
    if (started_) {
        try {
            protocol_->connection_lost(exc);
        } catch (...) {
            report("protocol.connection_lost() failed", std::current_exception());
        }
    }
    fd_.reset();
    if (server_) server_->detach(this);
}

void FdTransport::update_watch() noexcept {
    if (lost_scheduled_ || !started_ || !fd_) return;
    backend::Interest::Set want = backend::Interest::none;
    if (can_read() && reading_ && !closing_ && !eof_) want |= backend::Interest::readable;
    if (wbuf_.size() != wpos_ || sendfile_) want |= backend::Interest::writable;
    try {
        reg_.set(fd_.get(), want, kind_ == Kind::write_pipe);
    } catch (...) {
        // The backend refuses the fd (epoll: a regular file): there is no way to wait on it.
        auto e = std::current_exception();
        report("cannot watch the transport's file descriptor", e);
        if (!lost_scheduled_) {
            lost_scheduled_ = true;
            try {
                loop_->call_soon([this, e] { call_connection_lost(e); });
            } catch (...) {
            }
        }
    }
}

void FdTransport::set_protocol(std::shared_ptr<BaseProtocol> protocol) {
    if (!protocol) throw ValueError("set_protocol(): null protocol");
    protocol_ = std::move(protocol);
    stream_protocol_ = dynamic_cast<Protocol*>(protocol_.get());
    buffered_protocol_ = dynamic_cast<BufferedProtocol*>(protocol_.get());
}

std::any FdTransport::get_extra_info(std::string_view name) const {
    if (!fd_) return {};
    if (kind_ == Kind::socket) {
        if (name == "socket") return fd_.get();
        if (name == "peername") {
            if (peername_.empty()) peername_ = peer_address(fd_.get());
            return peername_;
        }
        if (name == "sockname") {
            if (sockname_.empty()) sockname_ = local_address(fd_.get());
            return sockname_;
        }
    } else if (name == "pipe") {
        return fd_.get();
    }
    return {};
}

void FdTransport::report(const char* message, std::exception_ptr exc) noexcept {
    ExceptionContext ctx;
    ctx.message = message;
    ctx.exception = std::move(exc);
    loop_->call_exception_handler(ctx);
}

}  // namespace aio::io
