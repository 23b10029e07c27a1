#pragma once
/// aio::testing::VirtualClock — deterministic, instant tests of timer logic
/// (Tokio's time::pause with auto-advance).
///
/// A loop on a virtual clock never sleeps: whenever it has nothing ready and
/// no I/O event, time jumps to its next timer. A test of "retry every 30 s, give
/// up after 5 min" runs in microseconds and always takes the same path.
///
/// ```
/// aio::testing::VirtualClock clock;
/// int r = aio::run(main_coro(), {.clock = &clock});
/// // or: aio::testing::run_virtual(main_coro());
/// ```

#include <chrono>

#include "aio/core/clock.hpp"
#include "aio/core/run.hpp"

namespace aio::testing {

class VirtualClock final : public Clock {
public:
    /// Starts at `start` (by default the real time now, so values look familiar).
    explicit VirtualClock(TimePoint start = std::chrono::steady_clock::now()) noexcept : now_(start) {}
    TimePoint now() const noexcept override { return now_; }
    bool advance_idle(TimePoint next) noexcept override {
        if (next > now_) now_ = next;
        return true;
    }
    bool is_virtual() const noexcept override { return true; }
    /// Moves time forward by hand (never backwards).
    void advance(Duration d) noexcept {
        if (d > Duration::zero()) now_ += d;
    }

private:
    TimePoint now_;
};

/// aio::run on a fresh virtual clock.
template <class T>
T run_virtual(Coro<T> main, RunOptions options = {}) {
    VirtualClock clock;
    options.clock = &clock;
    return aio::run(std::move(main), std::move(options));
}

}  // namespace aio::testing
