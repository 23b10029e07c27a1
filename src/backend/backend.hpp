#pragma once
// The private seam between the loop and the OS readiness/completion
// mechanism (libuv's internal.h, Seastar's reactor_backend). The loop only
// polls, wakes and counts; the I/O layer registers watchers. epoll now;
// io_uring can be added behind the same interface, chosen at run time.

#include <cstdint>
#include <memory>

#include "aio/core/clock.hpp"

namespace aio::backend {

/// Receives readiness events for one file descriptor.
class IoWatcher {
public:
    /// `events` is a mask of EPOLLIN/EPOLLOUT/EPOLLERR/EPOLLHUP bits.
    virtual void on_io(std::uint32_t events) noexcept = 0;

protected:
    ~IoWatcher() = default;
};

class Backend {
public:
    virtual ~Backend() = default;
    /// Waits up to `timeout` (negative: no limit) and dispatches what became
    /// ready. Returns the number of events dispatched (wake-ups included).
    virtual int poll(Duration timeout) = 0;
    /// Interrupts a poll() in progress or the next one. Safe from any thread.
    virtual void wakeup() noexcept = 0;
    /// Starts or changes watching `fd` for `events`; throws OSError.
    virtual void watch(int fd, std::uint32_t events, IoWatcher* w) = 0;
    /// Stops watching `fd` (a no-op if it is not watched).
    virtual void unwatch(int fd) noexcept = 0;
    /// File descriptors watched for the I/O layer (the wake-up fd excluded).
    virtual std::size_t watched() const noexcept = 0;
};

/// The best backend for this system.
std::unique_ptr<Backend> make_backend();

}  // namespace aio::backend
