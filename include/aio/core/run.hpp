#pragma once
/// aio::run — asyncio.run: the entry point of an aio program.
///
/// ```
/// aio::Coro<int> main_coro() { co_await aio::sleep(1s); co_return 0; }
/// int main() { return aio::run(main_coro()); }
/// ```

#include <functional>

#include "aio/core/clock.hpp"
#include "aio/core/event_loop.hpp"
#include "aio/core/task.hpp"

namespace aio {

struct RunOptions {
    /// Turns on the loop's debug mode (slow-callback warnings).
    bool debug = false;
    /// A clock for the loop, e.g. aio::testing::VirtualClock; null = steady clock.
    Clock* clock = nullptr;
    /// Installed as the loop's exception handler when set.
    EventLoop::ExceptionHandler exception_handler{};
};

namespace detail {
void configure_run_loop(EventLoop& loop, const RunOptions& options);
/// asyncio.runners: cancels every task left, waits for them, reports their
/// errors, runs the loop's shutdown hooks, closes the loop.
void finish_run(EventLoop& loop) noexcept;
}  // namespace detail

/// Creates a loop, runs `main` to completion, then cancels and drains every
/// task left, shuts down executors and closes the loop. Returns main's result
/// or rethrows its exception. Throws RuntimeError if a loop already runs on
/// this thread.
template <class T>
T run(Coro<T> main, RunOptions options = {}) {
    if (running_loop()) throw RuntimeError("aio::run() cannot be called from a running event loop");
    EventLoop loop = options.clock ? EventLoop(*options.clock) : EventLoop();
    detail::configure_run_loop(loop, options);
    try {
        if constexpr (std::is_void_v<T>) {
            loop.run_until_complete(std::move(main));
            detail::finish_run(loop);
        } else {
            T result = loop.run_until_complete(std::move(main));
            detail::finish_run(loop);
            return result;
        }
    } catch (...) {
        detail::finish_run(loop);
        throw;
    }
}

}  // namespace aio
