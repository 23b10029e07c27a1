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
