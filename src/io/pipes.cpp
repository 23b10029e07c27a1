// connect_read_pipe / connect_write_pipe, the stream helpers over them, and stdin.

#include "aio/io/pipes.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "aio/core/exceptions.hpp"
#include "aio/core/future.hpp"
#include "backend/backend.hpp"
#include "io/fd_transport.hpp"
#include "io/fd_wait.hpp"
#include "io/pipes_file_transport.hpp"
#include "io/socket_ops.hpp"
#include "io/stream_protocol.hpp"
#include "sys/errors.hpp"
#include "sys/syscall.hpp"

namespace aio {

namespace {

struct NullWatcher final : backend::IoWatcher {
    void on_io(std::uint32_t) noexcept override {}
};

// Whether the loop's backend can wait on `fd`: epoll refuses regular files and devices without
// poll support (/dev/null) with EPERM. A directory is refused here, at once: every read of it
// would fail with EISDIR.
bool can_watch(EventLoop& loop, int fd, const char* what) {
    struct stat st {};
    if (::fstat(fd, &st) != 0) sys::raise_os_error(errno, what);
    if (S_ISDIR(st.st_mode)) sys::raise_os_error(EISDIR, what);
    if (S_ISREG(st.st_mode)) return false;
    NullWatcher probe;
    auto& be = io::backend_of(loop);
    try {
        be.watch(fd, 0, &probe);
    } catch (const OSError& e) {
        if (e.errno_code() == EPERM) return false;
        throw;
    }
    be.unwatch(fd);
    return true;
}

void set_cloexec(int fd) {
    int fl = ::fcntl(fd, F_GETFD);
    if (fl < 0 || ::fcntl(fd, F_SETFD, fl | FD_CLOEXEC) < 0) sys::raise_os_error(errno, "fcntl(FD_CLOEXEC)");
}

template <class Polled, class Threaded>
Coro<std::shared_ptr<Transport>> connect_pipe(std::shared_ptr<BaseProtocol> protocol, int fd, io::FdTransport::Kind kind) {
    sys::Fd owned(fd);  // ours from here on, closed on every failure below
    const char* what = kind == io::FdTransport::Kind::read_pipe ? "connect_read_pipe" : "connect_write_pipe";
    if (fd < 0) sys::raise_os_error(EBADF, what);
    EventLoop& loop = get_running_loop();
    Future<void> waiter(loop);
    std::shared_ptr<Transport> transport;
    if (can_watch(loop, fd, what)) {
        io::make_nonblocking(fd);
        auto t = std::make_shared<io::FdTransport>(loop, std::move(owned), std::move(protocol), kind);
        t->start(waiter);
        transport = std::move(t);
    } else {
        set_cloexec(fd);
        auto t = std::make_shared<Threaded>(loop, std::move(owned), std::move(protocol));
        t->start(waiter);
        transport = std::move(t);
    }
    try {
        co_await waiter;
    } catch (...) {
        transport->close();
        throw;
    }
    co_return transport;
}

// A descriptor for stdin that aio may make non-blocking without touching anyone else's: a new
// open file for a pipe or a tty, else a dup of 0. A stdin that cannot be read is an OSError
// here, before any transport exists: closed (`prog <&-`: EBADF), open for writing only (EBADF),
// a directory (`prog < /`: IsADirectoryError).
int private_stdin() {
    struct stat st {};
    if (::fstat(STDIN_FILENO, &st) != 0) {
        if (errno == EBADF) sys::raise_os_error(EBADF, "stdin is closed");
        sys::raise_os_error(errno, "stdin");
    }
    if (S_ISDIR(st.st_mode)) sys::raise_os_error(EISDIR, "stdin");
    int mode = ::fcntl(STDIN_FILENO, F_GETFL);
    if (mode >= 0 && (mode & O_ACCMODE) == O_WRONLY) sys::raise_os_error(EBADF, "stdin is open for writing only");
    if (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode)) {
        int fd = sys::above_stdio(::open("/proc/self/fd/0", O_RDONLY | O_NOCTTY | O_CLOEXEC));
        if (fd >= 0) return fd;
    }
    int fd = ::fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3);  // aio's descriptors are >= 3 (sys::above_stdio)
    if (fd < 0) sys::raise_os_error(errno, "dup(stdin)");
    return fd;
}

}  // namespace

namespace detail {

Coro<std::shared_ptr<Transport>> connect_read_pipe_impl(std::shared_ptr<Protocol> protocol, int fd) {
    return connect_pipe<io::FdTransport, io::FileReadTransport>(std::move(protocol), fd, io::FdTransport::Kind::read_pipe);
}

Coro<std::shared_ptr<Transport>> connect_write_pipe_impl(std::shared_ptr<BaseProtocol> protocol, int fd) {
    return connect_pipe<io::FdTransport, io::FileWriteTransport>(std::move(protocol), fd, io::FdTransport::Kind::write_pipe);
}

}  // namespace detail

Coro<StreamReader> open_read_pipe(int fd, std::size_t limit) {
    StreamReader reader(limit);
    auto protocol = std::make_shared<detail::StreamReaderProtocol>(reader);
    co_await detail::connect_read_pipe_impl(protocol, fd);
    co_return reader;
}

Coro<StreamWriter> open_write_pipe(int fd) {
    auto protocol = std::make_shared<detail::StreamReaderProtocol>(std::nullopt);
    auto transport = co_await detail::connect_write_pipe_impl(protocol, fd);
    co_return StreamWriter(std::move(transport), std::move(protocol), std::nullopt);
}

Coro<StreamReader> stdin_reader(std::size_t limit) { co_return co_await open_read_pipe(private_stdin(), limit); }

AsyncGenerator<std::string> lines_of(StreamReader reader, bool keepends) {
    for (;;) {
        std::string line = co_await reader.readline();
        if (line.empty()) co_return;
        if (!keepends && line.back() == '\n') line.pop_back();
        co_yield std::move(line);
    }
}

AsyncGenerator<std::string> stdin_lines(bool keepends) {
    StreamReader reader = co_await stdin_reader();
    for (;;) {
        std::string line = co_await reader.readline();
        if (line.empty()) co_return;
        if (!keepends && line.back() == '\n') line.pop_back();
        co_yield std::move(line);
    }
}

}  // namespace aio
