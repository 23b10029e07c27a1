#pragma once
/// aio::run — asyncio.run: the entry point of an aio program; aio::run_main, the same for
/// main(), with an escaping exception printed as one line instead of std::terminate.
///
/// ```
/// aio::Coro<int> main_coro() { co_await aio::sleep(1s); co_return 0; }
/// int main(int, char** argv) { return aio::run_main(argv[0], main_coro()); }
/// ```

#include <exception>
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

/// aio::run for main(): an exception that escapes `main` (or aio::run itself) becomes one line
/// on stderr and exit status 1, where an uncaught exception would end the program in
/// std::terminate ("terminate called after throwing an instance of ...", SIGABRT, a core dump).
/// The line is `<program>: <describe_exception(e)>`, `<program>` being the last component of
/// `argv0`: "prog: connect(127.0.0.1:1): Connection refused" (an ExceptionGroup adds an indented
/// line per sub-exception). Otherwise returns main's result (0 for a Coro<void>). Python prints a
/// traceback and exits 1; aio has no traceback to print.
///
/// Catch what you can handle inside `main` and let the rest escape to here. Tasks that fail
/// unawaited are reported through the loop's exception handler, as with aio::run, and do not
/// change the exit status.
///
/// ```
/// int main(int argc, char** argv) {
///     return aio::run_main(argv[0], main_coro(argc, argv));
/// }
/// // $ PATH=/nonexistent prog
/// // prog: cannot run 'seq': No such file or directory          (exit status 1)
/// ```
int run_main(const char* argv0, Coro<int> main, RunOptions options = {}) noexcept;
/// The same for a `main` that returns nothing: exit status 0, or 1 after the line on stderr.
int run_main(const char* argv0, Coro<void> main, RunOptions options = {}) noexcept;

namespace detail {
/// Prints "<program>: <describe_exception(e)>" on stderr for run_main; returns 1.
int report_escaped(const char* argv0, const std::exception_ptr& e) noexcept;
}  // namespace detail

}  // namespace aio
