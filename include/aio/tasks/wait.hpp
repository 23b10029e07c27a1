#pragma once
/// aio::wait — asyncio.wait.
///
/// ```
/// auto [done, pending] = co_await aio::wait(tasks, aio::FIRST_COMPLETED, 5s);
/// ```
/// Waits until the condition holds or the timeout passes; never raises
/// TimeoutError and never cancels anything: the caller decides what to do with
/// `pending`. Cancel safety: cancelling the awaiter leaves the tasks running.

#include <chrono>
#include <optional>
#include <stdexcept>
#include <vector>

#include "aio/core/task.hpp"
#include "aio/tasks/detail/wait_waiter.hpp"

namespace aio {

using ReturnWhen = detail::ReturnWhen;
inline constexpr ReturnWhen FIRST_COMPLETED = ReturnWhen::first_completed;
inline constexpr ReturnWhen FIRST_EXCEPTION = ReturnWhen::first_exception;
inline constexpr ReturnWhen ALL_COMPLETED = ReturnWhen::all_completed;

template <class TaskT>
struct WaitResult {
    std::vector<TaskT> done;
    std::vector<TaskT> pending;
};

/// Waits for `tasks` (Task<T> or AnyTask). Throws aio::ValueError if empty, as asyncio does.
template <class TaskT>
Coro<WaitResult<TaskT>> wait(std::vector<TaskT> tasks, ReturnWhen return_when = ALL_COMPLETED,
                             std::optional<Duration> timeout = std::nullopt) {
    if (tasks.empty()) throw ValueError("Set of Tasks/Futures is empty.");
    std::vector<detail::Ref<detail::FutureBase>> refs;
    refs.reserve(tasks.size());
    for (auto& t : tasks) refs.emplace_back(t.state());
    std::optional<TimePoint> deadline;
    if (timeout) deadline = get_running_loop().time() + *timeout;
    co_await detail::WaitWaiter(std::move(refs), return_when, deadline);
    WaitResult<TaskT> out;
    for (auto& t : tasks) (t.done() ? out.done : out.pending).push_back(std::move(t));
    co_return out;
}

template <class TaskT, class Rep, class Period>
Coro<WaitResult<TaskT>> wait(std::vector<TaskT> tasks, ReturnWhen return_when,
                             std::chrono::duration<Rep, Period> timeout) {
    return wait(std::move(tasks), return_when, std::optional<Duration>(std::chrono::ceil<Duration>(timeout)));
}

}  // namespace aio
