// loop.sendfile / loop.sock_sendfile, as asyncio's base_events and unix_events write them: the
// kernel path first (sendfile(2)), and on SendfileNotAvailableError, if allowed, reading the file
// on the default executor and writing it with the transport's flow control.

#include "aio/io/sendfile.hpp"

#include <fcntl.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <memory>
#include <string>

#include "aio/core/os_errors.hpp"
#include "aio/exec/to_thread.hpp"
#include "aio/io/protocol.hpp"
#include "aio/io/sock.hpp"
#include "aio/sync/event.hpp"
#include "io/fd_transport.hpp"
#include "io/fd_wait.hpp"
#include "sys/errors.hpp"
#include "sys/syscall.hpp"

namespace aio {

namespace {

// asyncio's constants.SENDFILE_FALLBACK_READBUFFER_SIZE.
constexpr std::size_t kFallbackBlock = 256 * 1024;
// One sendfile(2) call sends at most this much (Linux caps a call near 2 GiB anyway).
constexpr std::size_t kNativeChunk = std::size_t(1) << 30;

void check_params(std::uint64_t offset, const std::optional<std::size_t>& count) {
    if (count && *count == 0) throw ValueError("count must be a positive integer (got 0)");
    if (offset > static_cast<std::uint64_t>(LLONG_MAX))
        throw ValueError("offset must be a non-negative integer (got " + std::to_string(offset) + ")");
}

/// Raises SendfileNotAvailableError unless `fd` is a regular file (asyncio does the same before
/// it tries), and OSError for a descriptor that is not open.
void check_regular_file(int fd) {
    struct stat st {};
    if (::fstat(fd, &st) != 0) sys::raise_os_error(errno, "sendfile: the file");
    if (!S_ISREG(st.st_mode)) throw SendfileNotAvailableError("not a regular file");
}

/// Sets the file's position after the last byte sent, however the send ends (asyncio seeks the
/// file object in a finally block).
struct FilePosition {
    int fd;
    std::uint64_t start;
    std::uint64_t sent = 0;
    ~FilePosition() {
        if (sent != 0) ::lseek(fd, static_cast<off_t>(start + sent), SEEK_SET);
    }
};

/// Pauses a transport's reading for the duration of a send, as asyncio does.
struct ReadingPaused {
    Transport& t;
    bool was_reading;
    explicit ReadingPaused(Transport& tr) : t(tr), was_reading(tr.is_reading()) {
        if (was_reading) t.pause_reading();
    }
    ~ReadingPaused() {
        if (was_reading && !t.is_closing()) {
            try {
                t.resume_reading();
            } catch (...) {
            }
        }
    }
};

/// Stands in for the transport's protocol while the fallback writes (asyncio's
/// _SendfileFallbackProtocol): it learns the transport's flow control, passes everything else on,
/// and gives the protocol back with the pause state it missed.
class FallbackProtocol final : public Protocol {
public:
    explicit FallbackProtocol(std::shared_ptr<BaseProtocol> original)
        : original_(std::move(original)), stream_(dynamic_cast<Protocol*>(original_.get())) {}

    void data_received(std::string_view data) override {
        if (stream_) stream_->data_received(data);
    }
    bool eof_received() override { return stream_ && stream_->eof_received(); }
    void connection_lost(std::exception_ptr exc) override {
        lost_ = exc ? exc : std::make_exception_ptr(ConnectionError(ECONNRESET, "Connection is closed by peer"));
        wake_.set();
        original_->connection_lost(exc);
    }
    void pause_writing() override {
        if (first_ == Flow::none) first_ = Flow::paused;
        last_ = Flow::paused;
    }
    void resume_writing() override {
        if (first_ == Flow::none) first_ = Flow::resumed;
        last_ = Flow::resumed;
        wake_.set();
    }

    /// Returns once the transport takes more bytes; raises if the connection is lost. Above the
    /// high-water mark the transport is paused, whether or not this protocol saw it pause.
    Coro<void> drain(Transport& t) {
        for (;;) {
            if (lost_) std::rethrow_exception(lost_);
            bool paused = last_ == Flow::paused || t.get_write_buffer_size() > t.get_write_buffer_limits().first;
            if (!paused) co_return;
            wake_.clear();
            co_await wake_.wait();
        }
    }

    /// Gives `t` its protocol back, telling it of a pause or resume it missed: a first resume
    /// means it was paused when the send began.
    void restore(Transport& t) {
        if (!lost_) t.set_protocol(original_);
        if (first_ == Flow::none || lost_) return;
        bool paused_before = first_ == Flow::resumed;
        bool paused_now = last_ == Flow::paused;
        try {
            if (paused_before && !paused_now) original_->resume_writing();
            if (!paused_before && paused_now) original_->pause_writing();
        } catch (...) {
        }
    }

private:
    enum class Flow : unsigned char { none, paused, resumed };
    std::shared_ptr<BaseProtocol> original_;
    Protocol* stream_;
    std::exception_ptr lost_;
    Event wake_;
    Flow first_ = Flow::none, last_ = Flow::none;
};

/// Reads up to `n` bytes from the file's position, on the default executor (a regular file may
/// block on disk). Sequential reads, as asyncio's file.readinto, so a pipe works too.
Coro<std::size_t> read_block(int fd, char* buf, std::size_t n) {
    auto read_some = [fd, buf, n] { return sys::retry_eintr([&] { return ::read(fd, buf, n); }); };
    long r = co_await to_thread(read_some);
    if (r < 0) sys::raise_os_error(static_cast<int>(-r), "sendfile: reading the file");
    co_return static_cast<std::size_t>(r);
}

/// The fallback reads from the file's position: put it at `offset` first (asyncio's file.seek).
void seek_to(int fd, std::uint64_t offset) {
    if (offset != 0 && ::lseek(fd, static_cast<off_t>(offset), SEEK_SET) < 0) sys::raise_os_error(errno, "sendfile: seek");
}

std::size_t next_block(const std::optional<std::size_t>& count, std::uint64_t sent, std::size_t block) {
    return count ? std::min<std::size_t>(block, *count - static_cast<std::size_t>(sent)) : block;
}

Coro<std::size_t> transport_fallback(Transport& t, int file, std::uint64_t offset, std::optional<std::size_t> count) {
    seek_to(file, offset);
    FilePosition pos{file, offset};
    ReadingPaused paused(t);
    auto proto = std::make_shared<FallbackProtocol>(t.get_protocol());
    t.set_protocol(proto);
    std::string buf(kFallbackBlock, '\0');
    std::exception_ptr failure;
    try {
        for (;;) {
            std::size_t want = next_block(count, pos.sent, buf.size());
            if (want == 0) break;
            std::size_t got = co_await read_block(file, buf.data(), want);
            if (got == 0) break;  // the end of the file
            co_await proto->drain(t);
            t.write(std::string_view(buf.data(), got));
            pos.sent += got;
        }
    } catch (...) {
        failure = std::current_exception();
    }
    proto->restore(t);
    if (failure) std::rethrow_exception(failure);
    co_return static_cast<std::size_t>(pos.sent);
}

void check_stream_socket(int sock) {
    int type = 0;
    socklen_t len = sizeof type;
    if (::getsockopt(sock, SOL_SOCKET, SO_TYPE, &type, &len) != 0) sys::raise_os_error(errno, "sock_sendfile");
    if (type != SOCK_STREAM) throw ValueError("only SOCK_STREAM type sockets are supported");
    int flags = ::fcntl(sock, F_GETFL);
    if (flags < 0) sys::raise_os_error(errno, "sock_sendfile");
    if (!(flags & O_NONBLOCK)) throw ValueError("sock_sendfile: the socket must be non-blocking");
}

Coro<std::size_t> sock_native(int sock, int file, std::uint64_t offset, std::optional<std::size_t> count) {
    check_regular_file(file);
    FilePosition pos{file, offset};
    for (;;) {
        std::size_t want = next_block(count, pos.sent, kNativeChunk);
        if (want == 0) break;
        auto off = static_cast<off_t>(offset + pos.sent);
        long n = sys::retry_eintr([&] { return ::sendfile(sock, file, &off, want); });
        if (n == -EAGAIN || n == -EWOULDBLOCK) {
            co_await io::FdWait(sock, backend::Interest::writable, "sock_sendfile");
            continue;
        }
        if (n < 0) {
            int err = static_cast<int>(-n);
            if (pos.sent == 0) throw SendfileNotAvailableError(std::string("sendfile(2) failed: ") + std::strerror(err));
            sys::raise_os_error(err, "sock_sendfile");
        }
        if (n == 0) break;  // the end of the file
        pos.sent += static_cast<std::uint64_t>(n);
    }
    co_return static_cast<std::size_t>(pos.sent);
}

Coro<std::size_t> sock_fallback(int sock, int file, std::uint64_t offset, std::optional<std::size_t> count) {
    seek_to(file, offset);
    FilePosition pos{file, offset};
    std::string buf(kFallbackBlock, '\0');
    for (;;) {
        std::size_t want = next_block(count, pos.sent, buf.size());
        if (want == 0) break;
        std::size_t got = co_await read_block(file, buf.data(), want);
        if (got == 0) break;
        co_await sock_sendall(sock, std::string_view(buf.data(), got));
        pos.sent += got;
    }
    co_return static_cast<std::size_t>(pos.sent);
}

}  // namespace

Coro<std::size_t> sendfile(Transport& transport, int file_fd, std::uint64_t offset, std::optional<std::size_t> count,
                           bool fallback) {
    check_params(offset, count);
    if (transport.is_closing()) throw RuntimeError("Transport is closing");
    auto* fdt = dynamic_cast<io::FdTransport*>(&transport);
    if (!fdt && !fallback)
        throw RuntimeError("fallback is disabled and native sendfile is not supported for this transport");
    if (fdt) {
        try {
            check_regular_file(file_fd);
            ReadingPaused paused(transport);
            Future<std::size_t> done = fdt->start_sendfile(file_fd, offset, count);
            co_return co_await done;
        } catch (const SendfileNotAvailableError&) {
            if (!fallback) throw;
        }
    }
    co_return co_await transport_fallback(transport, file_fd, offset, count);
}

Coro<std::size_t> sock_sendfile(int sock, int file_fd, std::uint64_t offset, std::optional<std::size_t> count,
                                bool fallback) {
    check_params(offset, count);
    check_stream_socket(sock);
    try {
        co_return co_await sock_native(sock, file_fd, offset, count);
    } catch (const SendfileNotAvailableError&) {
        if (!fallback) throw;
    }
    co_return co_await sock_fallback(sock, file_fd, offset, count);
}

}  // namespace aio
