#pragma once
/// aio::shield — asyncio.shield.
///
/// ```
/// auto saved = co_await aio::shield(save_to_disk(data));
/// ```
/// Cancelling the awaiting task raises CancelledError in it at once, but the
/// shielded work (a task, owned by the loop) runs on to completion. If the
/// shielded task itself is cancelled, the awaiter sees CancelledError too.
///
/// A coroutine becomes a task when shield() is called, as asyncio's shield
/// wraps it with ensure_future: it starts on the next loop iteration whether
/// or not the shield is awaited yet. Called with no loop running, the task is
/// made when the loop starts the shield.

#include "aio/core/detail/done_waiter.hpp"
#include "aio/core/task.hpp"

namespace aio {

/// Awaits `task` without letting a cancellation of the awaiter reach it.
template <class T>
Coro<T> shield(Task<T> task) {
    co_await detail::wait_done(task);
    if constexpr (std::is_void_v<T>)
        task.result();
    else
        co_return task.result();
}

namespace detail {
template <class T>
Coro<T> shield_later(Coro<T> coro) {
    Task<T> task = get_running_loop().create_task(std::move(coro));  // named: g++ 12
    co_return co_await shield(std::move(task));
}
}  // namespace detail

/// Wraps `coro` in a task and shields it.
template <class T>
Coro<T> shield(Coro<T> coro) {
    if (!detail::t_running_loop) return detail::shield_later(std::move(coro));
    return shield(get_running_loop().create_task(std::move(coro)));
}

}  // namespace aio
