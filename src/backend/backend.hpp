#pragma once
// The private seam between the loop and the OS readiness/completion
// mechanism (libuv's internal.h, Seastar's reactor_backend). The loop only
// polls, wakes and counts; the I/O layer registers watchers. Everything above
// this header speaks its own interest and event bits: only src/backend/ knows
// epoll (scripts/check_layers.sh fails the build's tests otherwise), so an
// io_uring backend (multishot IORING_OP_POLL_ADD takes the same poll bits)
// can be added behind the same interface, chosen at run time.

#include <cstdint>
#include <memory>

#include "aio/core/clock.hpp"

namespace aio::backend {

/// What a watcher asks to be told about: a bit set of these. Level-triggered:
/// a watcher is told on every poll while the condition holds.
struct Interest {
    using Set = std::uint32_t;
    static constexpr Set none = 0;
    static constexpr Set readable = 1u << 0;
    static constexpr Set writable = 1u << 1;
};

/// What a poll found for one watched fd: a bit set of these. `error` and
/// `hangup` are reported whatever the interest, even none (a write pipe
/// watched for nothing still learns that its reader has gone).
struct Event {
    using Set = std::uint32_t;
    static constexpr Set readable = 1u << 0;
    static constexpr Set writable = 1u << 1;
    static constexpr Set error = 1u << 2;
    static constexpr Set hangup = 1u << 3;
};

/// Receives readiness events for one file descriptor.
class IoWatcher {
public:
    /// `events`: what became ready (Event bits).
    virtual void on_io(Event::Set events) noexcept = 0;

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
    /// Starts watching `fd` for `interest` (Interest bits), or changes what it
    /// is watched for. Throws OSError: EPERM for a file that cannot be waited
    /// on (a regular file, /dev/null), EBADF for a bad fd.
    virtual void watch(int fd, Interest::Set interest, IoWatcher* w) = 0;
    /// Stops watching `fd` (a no-op if it is not watched).
    virtual void unwatch(int fd) noexcept = 0;
    /// File descriptors watched for the I/O layer (the wake-up fd excluded).
    virtual std::size_t watched() const noexcept = 0;
};

/// The best backend for this system.
std::unique_ptr<Backend> make_backend();

}  // namespace aio::backend
