#pragma once
/// aio::timeout / aio::timeout_at — asyncio.timeout, asyncio.timeout_at.
///
/// asyncio's `async with asyncio.timeout(5): await work()` becomes
/// ```
/// co_await aio::timeout(5s, work());
/// co_await aio::timeout(5s, [&](aio::Timeout& cm) -> aio::Coro<> {
///     cm.reschedule(cm.when().value() + 5s);   // reschedulable
///     co_await work();
/// });
/// ```
/// The awaitable runs in the current task (no new task). When the deadline
/// passes, the current task is cancelled; the CancelledError that unwinds the
/// awaited work is turned into TimeoutError once it reaches this timeout, so
/// the work is always cancelled and finished before TimeoutError is raised.
/// Nested timeouts report the one that expired (asyncio 3.12's counting rule).
/// Cancel safety: a cancellation from outside passes through untouched.

#include <chrono>
#include <concepts>
#include <optional>
#include <type_traits>

#include "aio/core/awaitable.hpp"
#include "aio/core/coro.hpp"
#include "aio/core/detail/task_base.hpp"
#include "aio/core/handle.hpp"

namespace aio {

/// The state of one timeout scope (asyncio.Timeout).
class Timeout {
public:
    explicit Timeout(std::optional<TimePoint> when) noexcept : when_(when) {}
    Timeout(const Timeout&) = delete;
    Timeout& operator=(const Timeout&) = delete;
    ~Timeout() { cancel_handles(); }

    /// The deadline (loop time), or nullopt for none.
    std::optional<TimePoint> when() const noexcept { return when_; }
    /// Moves the deadline (nullopt: no deadline). RuntimeError unless the scope
    /// is active and has not expired.
    void reschedule(std::optional<TimePoint> when);
    /// True once the deadline has passed and cancelled the scope.
    bool expired() const noexcept { return state_ == State::expiring || state_ == State::expired; }

    // Driven by timeout_at(); public for custom scopes.
    void enter();
    /// Leaves the scope; returns true if the CancelledError in flight (if
    /// `cancelled` is true) must become TimeoutError.
    bool exit(bool cancelled) noexcept;

private:
    enum class State { created, entered, expiring, expired, exited };
    void on_timeout() noexcept;
    void cancel_handles() noexcept;

    std::optional<TimePoint> when_;
    detail::TaskBase* task_ = nullptr;
    TimerHandle handle_;
    Handle soon_handle_;  // the expiry, when the deadline had already passed
    int cancelling_ = 0;
    State state_ = State::created;
};

namespace detail {

template <class X>
decltype(auto) make_scope_awaitable(X& x, Timeout& cm) {
    if constexpr (std::invocable<X&, Timeout&>)
        return x(cm);
    else
        return std::move(x);
}

template <class X>
using scope_result_t =
    std::remove_cvref_t<await_result_t<decltype(make_scope_awaitable(std::declval<X&>(), std::declval<Timeout&>()))>>;

}  // namespace detail

/// Runs `x` (an awaitable, or a callable taking `Timeout&` and returning one)
/// with a deadline at `when` (nullopt: none). Throws TimeoutError on expiry.
template <class X>
Coro<detail::scope_result_t<X>> timeout_at(std::optional<TimePoint> when, X x) {
    using R = detail::scope_result_t<X>;
    Timeout cm(when);
    cm.enter();
    bool to_timeout = false;
    try {
        if constexpr (std::is_void_v<R>) {
            co_await detail::make_scope_awaitable(x, cm);
            cm.exit(false);
            co_return;
        } else {
            R r = co_await detail::make_scope_awaitable(x, cm);
            cm.exit(false);
            co_return r;
        }
    } catch (const CancelledError&) {
        to_timeout = cm.exit(true);
        if (!to_timeout) throw;
    } catch (...) {
        cm.exit(false);
        throw;
    }
    throw TimeoutError();
}

/// Like timeout_at, with a deadline `delay` from now (nullopt: none).
template <class X>
Coro<detail::scope_result_t<X>> timeout(std::optional<Duration> delay, X x) {
    std::optional<TimePoint> when;
    if (delay) when = get_running_loop().time() + *delay;
    return timeout_at(when, std::move(x));
}
template <class Rep, class Period, class X>
Coro<detail::scope_result_t<X>> timeout(std::chrono::duration<Rep, Period> delay, X x) {
    return timeout(std::optional<Duration>(std::chrono::ceil<Duration>(delay)), std::move(x));
}

}  // namespace aio
