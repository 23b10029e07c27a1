#pragma once
/// The loop's notion of time: a monotonic clock, replaceable by a virtual one
/// in tests (see aio/testing/virtual_clock.hpp).

#include <chrono>

namespace aio {

using Duration = std::chrono::nanoseconds;
/// A point on the loop's monotonic clock (`loop.time()`).
using TimePoint = std::chrono::time_point<std::chrono::steady_clock, Duration>;

/// Where an event loop reads the time. The default is the steady clock; a
/// virtual clock jumps to the next timer whenever the loop has nothing to do.
class Clock {
public:
    virtual ~Clock() = default;
    virtual TimePoint now() const noexcept = 0;
    /// Called when the loop is idle (no ready callbacks, no I/O events) and its
    /// next timer is due at `next`. A virtual clock moves to `next` and returns
    /// true; a real clock returns false and the loop sleeps until then.
    virtual bool advance_idle(TimePoint next) noexcept = 0;
    /// True for clocks that do not follow real time.
    virtual bool is_virtual() const noexcept = 0;
};

/// The real monotonic clock (CLOCK_MONOTONIC).
class SteadyClock final : public Clock {
public:
    TimePoint now() const noexcept override { return std::chrono::steady_clock::now(); }
    bool advance_idle(TimePoint) noexcept override { return false; }
    bool is_virtual() const noexcept override { return false; }
    static SteadyClock& instance() noexcept;
};

/// Seconds as a double, for printing and for asyncio-style arithmetic.
inline double to_seconds(Duration d) noexcept { return std::chrono::duration<double>(d).count(); }

}  // namespace aio
