#pragma once
/// aio::Semaphore and aio::BoundedSemaphore — asyncio's: a counter of permits
/// that tasks take and give back, for example to cap concurrent requests.
///
/// ```
/// aio::Semaphore slots(10);                      // at most 10 fetches at a time
/// aio::Coro<std::string> fetch_limited(std::string url) {
///     auto permit = co_await slots.acquire();     // asyncio: async with slots:
///     co_return co_await fetch(url);
/// }                                               // permit given back here
/// ```
///
/// Fairness: FIFO, asyncio's scheme. release() hands the permit to the first
/// waiter at once (value() does not go up) and wakes it; a free permit is not
/// taken by a newcomer while earlier tasks wait or have been handed a permit
/// but have not run yet ("wait for others to start even if _value > 0").
///
/// Not thread-safe (one loop per thread). The semaphore must outlive every
/// task waiting on it.

#include <coroutine>
#include <cstddef>
#include <cstdint>
#include <string>

#include "aio/core/detail/task_base.hpp"
#include "aio/sync/detail/grant_waiter.hpp"
#include "aio/sync/detail/release_guard.hpp"
#include "aio/sync/exceptions.hpp"

namespace aio {

class Semaphore;

/// Owns the permit taken by `co_await sem.acquire()`; gives it back on
/// destruction. `permit.release()` gives it back early; movable.
using SemaphoreGuard = detail::ReleaseGuard<Semaphore>;

namespace detail {

/// The awaiter of Semaphore::acquire(): a queue node in the awaiting frame.
class SemaphoreAwaiter final : public SuspendPoint, public GrantWaiter {
public:
    explicit SemaphoreAwaiter(Semaphore& s) noexcept : sem_(&s) {}
    /// Only before the co_await (wait_for and timeout move the awaitable).
    SemaphoreAwaiter(SemaphoreAwaiter&& o) noexcept : sem_(o.sem_) {}
    /// A frame destroyed while queued leaves the queue; one destroyed after it
    /// was handed a permit but before it ran gives the permit back.
    ~SemaphoreAwaiter();

    bool await_ready() noexcept;
    void await_suspend(std::coroutine_handle<> h);
    SemaphoreGuard await_resume();

    bool cancel_wait(const std::string& msg) noexcept override;
    std::string describe_wait() const override;

private:
    Semaphore* sem_;
    bool cancelled_ = false;
};

}  // namespace detail

/// A semaphore (asyncio.Semaphore): acquire() takes one of value() permits,
/// waiting in FIFO order while there is none; release() gives one back.
class Semaphore {
public:
    /// A semaphore with `value` permits.
    /// Throws: ValueError if `value` is negative.
    explicit Semaphore(std::int64_t value = 1);
    Semaphore(const Semaphore&) = delete;
    Semaphore& operator=(const Semaphore&) = delete;

    /// Takes a permit: at once (no suspension) if one is free and nobody is
    /// ahead, else in FIFO order. Returns a guard that gives it back at the
    /// end of its scope.
    ///
    /// Keep the guard: `co_await sem.acquire();` alone gives the permit back at
    /// the end of the statement (clang warns through [[nodiscard]]; g++ 12 does
    /// not check the result of a co_await). For asyncio's manual style, detach
    /// the guard and call release() by hand:
    /// `(co_await sem.acquire()).detach(); ... sem.release();`.
    ///
    /// Throws: CancelledError if the task is cancelled while it waits.
    /// RuntimeError outside a task (when it has to wait).
    ///
    /// **Cancel safety:** a cancelled waiter takes nothing: cancelled while
    /// queued, it leaves the queue; handed a permit and cancelled before it
    /// ran, it gives the permit back (to the next waiter, if any) before
    /// CancelledError is raised.
    ///
    /// ```
    /// auto permit = co_await sem.acquire();
    /// co_await use_the_resource();
    /// ```
    [[nodiscard]] detail::SemaphoreAwaiter acquire() noexcept {
        return detail::SemaphoreAwaiter(*this);
    }

    /// Gives a permit back: to the first waiter (woken), or to the counter.
    /// On a plain Semaphore this may raise the value above the initial one
    /// (asyncio semantics).
    ///
    /// Throws: ValueError("BoundedSemaphore released too many times") on a
    /// BoundedSemaphore at its initial value.
    ///
    /// ```
    /// sem.release();
    /// ```
    void release();

    /// True if acquire() would have to wait: no free permit, or tasks ahead.
    bool locked() const noexcept { return value_ == 0 || !waiters_.empty() || in_flight_ > 0; }

    /// The free permits.
    std::int64_t value() const noexcept { return value_; }

    /// How many tasks are queued for a permit.
    std::size_t n_waiting() const noexcept { return waiters_.size(); }

protected:
    Semaphore(std::int64_t value, std::int64_t bound);

private:
    friend class detail::SemaphoreAwaiter;
    /// Hands free permits to the first waiters.
    void wake_next() noexcept;

    detail::WaitQueue waiters_;
    std::int64_t value_;
    std::int64_t bound_;         // BoundedSemaphore's initial value; -1 if unbounded
    std::size_t in_flight_ = 0;  // waiters handed a permit that have not run yet
};

/// A semaphore that refuses to go above its initial value
/// (asyncio.BoundedSemaphore): releasing more than was acquired is an error.
///
/// ```
/// aio::BoundedSemaphore pool(4);
/// auto permit = co_await pool.acquire();
/// ```
class BoundedSemaphore : public Semaphore {
public:
    /// Throws: ValueError if `value` is negative.
    explicit BoundedSemaphore(std::int64_t value = 1) : Semaphore(value, value) {}
};

}  // namespace aio
