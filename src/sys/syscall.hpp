#pragma once
// Syscall helpers: EINTR is retried here, once, for everyone; errors leave as
// -errno inside aio and become exceptions only at the API (sys/errors.hpp).

#include <cerrno>
#include <unistd.h>

namespace aio::sys {

/// Calls `f()` until it does not fail with EINTR; returns its result, or
/// -errno on failure.
template <class F>
inline long retry_eintr(F&& f) noexcept {
    for (;;) {
        long r = static_cast<long>(f());
        if (r >= 0) return r;
        if (errno != EINTR) return -errno;
    }
}

/// Every descriptor aio creates goes through this (epoll, eventfd, sockets, accepted
/// connections, pipes, pidfds, reopened stdin): aio's own descriptors never take 0, 1 or 2.
/// A program started with one of those closed gets the lowest free number from the kernel, and
/// then its "stdin" would be aio's epoll descriptor, or its stdout a socket.
///
/// Pass what the creating call returned: a descriptor >= 3, or a failure (< 0, errno left
/// as the call set it), comes back unchanged, so `retry_eintr` still sees EINTR. A descriptor
/// below 3 is moved to the lowest free number >= 3, close-on-exec (as every descriptor aio makes
/// is; the file status flags, O_NONBLOCK included, are shared by the copy), and the low one is
/// closed. Returns -1 with errno set if the move fails (EMFILE), having closed the low one.
int above_stdio(int fd) noexcept;

/// pipe2(2) with both ends through above_stdio(); 0, or -1 with errno set (nothing left open).
int pipe2_above_stdio(int fds[2], int flags) noexcept;

/// An owned file descriptor, closed on destruction.
class Fd {
public:
    Fd() noexcept = default;
    explicit Fd(int fd) noexcept : fd_(fd) {}
    Fd(Fd&& o) noexcept : fd_(o.release()) {}
    Fd& operator=(Fd&& o) noexcept {
        if (this != &o) reset(o.release());
        return *this;
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() { reset(); }
    int get() const noexcept { return fd_; }
    explicit operator bool() const noexcept { return fd_ >= 0; }
    int release() noexcept {
        int fd = fd_;
        fd_ = -1;
        return fd;
    }
    void reset(int fd = -1) noexcept {
        if (fd_ >= 0) ::close(fd_);  // close() is not retried on EINTR: the fd is gone either way
        fd_ = fd;
    }

private:
    int fd_ = -1;
};

}  // namespace aio::sys
