#pragma once
/// aio::wait_for — asyncio.wait_for (3.12 semantics).
///
/// ```
/// try { auto page = co_await aio::wait_for(fetch(url), 10s); }
/// catch (const aio::TimeoutError&) { ... }
/// ```
/// On expiry the awaited work is cancelled and waited for to its end, then
/// TimeoutError is raised: a timeout never leaves work running behind the
/// caller's back. A coroutine runs inside the caller's task; a Task is
/// cancelled through the await.

#include <chrono>
#include <optional>

#include "aio/core/detail/done_waiter.hpp"
#include "aio/core/task.hpp"
#include "aio/time/timeout.hpp"

namespace aio {

namespace detail {
template <class A>
Coro<std::remove_cvref_t<await_result_t<A>>> await_in_coro(A a) {
    co_return co_await std::move(a);
}

template <class A>
auto as_task(A&& a) {
    if constexpr (requires { a.release(); }) {
        return get_running_loop().create_task(std::move(a));
    } else if constexpr (requires { a.state(); a.done(); }) {
        return std::forward<A>(a);  // a Task or a Future
    } else {
        return get_running_loop().create_task(await_in_coro(std::move(a)));  // any awaitable
    }
}
}  // namespace detail

/// Awaits `aw` (Coro, Task or Future) for at most `delay`; nullopt waits forever.
template <class A>
Coro<std::remove_cvref_t<await_result_t<A>>> wait_for(A aw, std::optional<Duration> delay) {
    using R = std::remove_cvref_t<await_result_t<A>>;
    if (delay && *delay <= Duration::zero()) {
        // asyncio: no time at all. Give the work a task, and if it is not
        // already done, cancel it, wait for it, and report a timeout.
        auto t = detail::as_task(std::move(aw));
        if (!t.done()) {
            t.cancel();
            // asyncio's _cancel_and_wait: our own cancellation propagates.
            co_await detail::wait_done(t);
            if (t.cancelled()) throw TimeoutError();
        }
        if constexpr (std::is_void_v<R>)
            t.result();
        else if constexpr (std::is_copy_constructible_v<R>)
            co_return R(t.result());
        else
            co_return std::move(const_cast<R&>(t.result()));  // move-only: one owner can take it
    } else {
        co_return co_await timeout(delay, std::move(aw));
    }
}

template <class A, class Rep, class Period>
Coro<std::remove_cvref_t<await_result_t<A>>> wait_for(A aw, std::chrono::duration<Rep, Period> delay) {
    return wait_for(std::move(aw), std::optional<Duration>(std::chrono::ceil<Duration>(delay)));
}

}  // namespace aio
