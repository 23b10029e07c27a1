#pragma once
/// aio::to_thread — asyncio.to_thread(func, *args): runs a blocking call on the loop's default
/// executor and awaits its result.
///
/// ```
/// std::string body = co_await aio::to_thread(read_file, path);
/// auto [a, b] = co_await aio::gather(aio::to_thread(work, 1), aio::to_thread(work, 2));
/// ```

#include <utility>

#include "aio/core/coro.hpp"
#include "aio/exec/run_in_executor.hpp"

namespace aio {

/// A coroutine that runs `f(args...)` on the running loop's default executor and returns its
/// result or rethrows its exception (of any type). Lazy, like asyncio's (an `async def`): the
/// job is queued when the coroutine is first awaited or run as a task; `f` and `args` are
/// copied (decayed) into the coroutine.
///
/// Throws what `f` throws; RuntimeError after shutdown_default_executor().
///
/// Cancel safety: cancelling the awaiting task before a worker took the job means `f` never
/// runs; once it started, the awaiter gets CancelledError at once and `f` finishes on its
/// thread, its result dropped.
///
/// ```
/// int n = co_await aio::to_thread([](int x) { return slow_square(x); }, 7);
/// ```
template <class F, class... Args>
Coro<detail::call_result_t<F, Args...>> to_thread(F f, Args... args) {
    co_return co_await run_in_executor(nullptr, std::move(f), std::move(args)...);
}

}  // namespace aio
