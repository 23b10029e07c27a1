#pragma once
/// aio::schedule — run a job every `interval` (the asyncio recipe
/// `schedule(func, interval)`, with the two cadences periodic jobs need).
///
/// ```
/// auto poller = aio::schedule([&]() -> aio::Coro<> { co_await poll_feeds(); }, 3s);
/// ...
/// poller.cancel();
/// ```
/// Two cadences:
/// - Cadence::fixed_delay: wait `interval` after each run ends (the recipe's
///   `await func(); await sleep(interval)`); runs never overlap.
/// - Cadence::fixed_rate: run at start + k * interval, measured on the loop's
///   clock, so time spent in the job does not accumulate as drift. A run that
///   overruns skips the ticks it missed instead of bunching them up.
/// An exception thrown by one run is reported to the loop's exception handler
/// and the schedule goes on. Cancel the returned task to stop it.

#include <chrono>
#include <string>
#include <type_traits>
#include <utility>

#include "aio/core/awaitable.hpp"
#include "aio/core/source_location.hpp"
#include "aio/core/task.hpp"
#include "aio/time/sleep.hpp"

namespace aio {

enum class Cadence { fixed_delay, fixed_rate };

struct ScheduleOptions {
    Cadence cadence = Cadence::fixed_delay;
    /// Run once at start (true, as the recipe does) or wait one interval first.
    bool run_immediately = true;
    /// The task's name ("" = Task-N).
    std::string name{};
};

namespace detail {
void report_periodic_error(std::exception_ptr e, Duration interval) noexcept;
/// The next fixed-rate deadline after `now`: start + k * interval, k minimal.
TimePoint next_tick(TimePoint start, Duration interval, TimePoint now) noexcept;

template <class F>
Coro<void> run_periodic(F func, Duration interval, Cadence cadence, bool run_immediately) {
    EventLoop& loop = get_running_loop();
    TimePoint start = loop.time();
    if (!run_immediately) {
        start += interval;
        co_await sleep_until(start);
    }
    for (;;) {
        try {
            if constexpr (Awaitable<std::invoke_result_t<F&>>)
                co_await func();
            else
                func();
        } catch (const CancelledError&) {
            throw;
        } catch (...) {
            report_periodic_error(std::current_exception(), interval);
        }
        if (cadence == Cadence::fixed_delay)
            co_await sleep(interval);
        else
            co_await sleep_until(next_tick(start, interval, loop.time()));
    }
}
}  // namespace detail

/// Runs `func()` (a coroutine function or a plain callable) every `interval`
/// in a new task; returns the task. Throws aio::ValueError if
/// `interval` is not positive.
template <class F, class Rep, class Period>
Task<void> schedule(F func, std::chrono::duration<Rep, Period> interval, ScheduleOptions options = {},
                    SourceLocation where = SourceLocation::current()) {
    auto d = std::chrono::ceil<Duration>(interval);
    if (d <= Duration::zero()) throw ValueError("aio::schedule: interval must be positive");
    return get_running_loop().create_task(
        detail::run_periodic(std::move(func), d, options.cadence, options.run_immediately),
        std::move(options.name), where);
}

}  // namespace aio
