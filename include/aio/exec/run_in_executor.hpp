#pragma once
/// aio::run_in_executor — asyncio's loop.run_in_executor(executor, func, *args): runs blocking
/// code on a thread pool and hands its result to the loop as an aio::Future.
///
/// ```
/// aio::ThreadPoolExecutor pool(4);
/// aio::Future<std::size_t> f = aio::run_in_executor(pool, long_task, "aa");  // queued now
/// std::size_t n = co_await f;
/// auto g = aio::run_in_executor(nullptr, long_task, "a");   // the loop's default executor
/// g.add_done_callback([](aio::Future<std::size_t> done) { ... });
/// ```
/// EventLoop belongs to the core layer, so this is a free function on the running loop rather
/// than a member. The loop's default executor is created on first use and shut down by
/// aio::run (loop.run_shutdown_hooks() joins the workers on a helper thread while the loop keeps
/// delivering results). A loop driven by hand should call `loop.run_shutdown_hooks()` (or await
/// aio::shutdown_default_executor()) before it is closed; otherwise close() shuts the executor
/// down without waiting, as asyncio's close() does, and the calls still in flight end cancelled.

#include <memory>

#include "aio/core/coro.hpp"
#include "aio/core/event_loop.hpp"
#include "aio/core/future.hpp"
#include "aio/exec/detail/exec_call.hpp"
#include "aio/exec/detail/exec_loop_state.hpp"
#include "aio/exec/thread_pool_executor.hpp"

namespace aio {

/// Runs `f(args...)` on `executor` (null: the running loop's default executor) and returns a
/// future for its result. `f` is any callable; it and `args` are copied (decayed) and moved into
/// the call, on a worker thread — pass `std::ref` to share an object. The job is queued at once
/// (eager, like asyncio). The result, or the exception `f` throws (of any type), reaches the
/// future through the loop's call_soon_threadsafe, so awaiting it rethrows on the loop thread.
/// The blocking work never runs on the loop thread.
///
/// Throws RuntimeError when no loop is running, when `executor` was shut down, or when the
/// default executor was shut down (aio::shutdown_default_executor).
///
/// Cancel safety: cancelling the future (or a task awaiting it) before a worker took the job
/// means it never runs. Once it started, the awaiter gets CancelledError at once while `f`
/// finishes on its thread; its result is then dropped (destroyed on the worker or the loop
/// thread). If the executor is shut down with cancel_futures, queued jobs end their futures
/// cancelled.
///
/// ```
/// auto words = co_await aio::run_in_executor(&pool, [](std::string p) { return count(p); }, path);
/// ```
template <class F, class... Args>
Future<detail::call_result_t<F, Args...>> run_in_executor(ThreadPoolExecutor* executor, F f,
                                                          Args... args) {
    using R = detail::call_result_t<F, Args...>;
    auto& state = detail::ExecLoopState::of(get_running_loop());
    ThreadPoolExecutor& ex = executor ? *executor : state.default_executor();
    return detail::submit_call<R>(state, ex, detail::bind_call(std::move(f), std::move(args)...));
}

/// run_in_executor(&executor, f, args...).
template <class F, class... Args>
Future<detail::call_result_t<F, Args...>> run_in_executor(ThreadPoolExecutor& executor, F f,
                                                          Args... args) {
    return run_in_executor(&executor, std::move(f), std::move(args)...);
}

/// The running loop's default executor (a ThreadPoolExecutor of default_max_workers() threads
/// named "aio_<n>"), created on first use; run_in_executor(nullptr, ...) and to_thread() use it.
/// Throws RuntimeError when no loop is running or after shutdown_default_executor().
/// ```
/// std::size_t n = aio::get_default_executor().num_threads();
/// ```
ThreadPoolExecutor& get_default_executor();

/// asyncio's loop.set_default_executor(): `executor` becomes the running loop's default
/// executor; aio::run shuts it down (wait=true) with the loop. A previous default executor is
/// released without being shut down (its destructor waits for its jobs).
/// Throws RuntimeError when no loop is running; InvalidStateError for a null executor.
/// ```
/// aio::set_default_executor(std::make_shared<aio::ThreadPoolExecutor>(8));
/// ```
void set_default_executor(std::shared_ptr<ThreadPoolExecutor> executor);

/// asyncio's loop.shutdown_default_executor(): waits until the default executor has run every
/// queued job and its threads have exited, joining them on a helper thread so the loop keeps
/// running. Later uses of the default executor throw RuntimeError. aio::run calls it.
///
/// Throws RuntimeError when no loop is running.
///
/// Cancel safety: cancelling the awaiter stops the waiting only; the executor still shuts down
/// (on the helper thread).
/// ```
/// co_await aio::shutdown_default_executor();   // every to_thread() job has finished
/// ```
Coro<void> shutdown_default_executor();

}  // namespace aio
