#pragma once
/// aio::Lock — asyncio.Lock: a mutual-exclusion lock for tasks of one loop.
///
/// ```
/// aio::Lock lock;
/// {
///     auto guard = co_await lock.acquire();   // asyncio: async with lock:
///     co_await write_record(file);
/// }                                           // released here
/// ```
///
/// Fairness: FIFO, by direct handoff. release() with waiters hands the lock to
/// the first waiter (locked() stays true) and wakes it; a task that calls
/// acquire() meanwhile queues behind. So no task barges ahead of one that waits,
/// the same order asyncio's scheme gives (there, release() unlocks, but a new
/// acquire() still queues while a woken waiter has not run).
///
/// Not thread-safe (one loop per thread, as in asyncio). The lock must outlive
/// every task waiting on it.

#include <coroutine>
#include <cstddef>
#include <string>

#include "aio/core/detail/task_base.hpp"
#include "aio/sync/detail/grant_waiter.hpp"
#include "aio/sync/detail/release_guard.hpp"

namespace aio {

class Lock;
class Condition;

/// Owns the lock taken by `co_await lock.acquire()`; releases it on
/// destruction. `guard.release()` releases it early; movable.
using LockGuard = detail::ReleaseGuard<Lock>;

namespace detail {

class ConditionWaitAwaiter;

/// The awaiter of Lock::acquire() and Lock::lock(): a queue node in the
/// awaiting frame.
class LockAwaiterBase : public SuspendPoint, public GrantWaiter {
public:
    explicit LockAwaiterBase(Lock& lock) noexcept : lock_(&lock) {}
    /// Only before the co_await (wait_for and timeout move the awaitable).
    LockAwaiterBase(LockAwaiterBase&& o) noexcept : lock_(o.lock_) {}
    /// A frame destroyed while queued leaves the queue; one destroyed after it
    /// was handed the lock but before it ran passes the lock on.
    ~LockAwaiterBase();

    /// The fast path: takes a free lock without suspending (asyncio does not
    /// yield either).
    bool await_ready() noexcept;
    void await_suspend(std::coroutine_handle<> h);

    bool cancel_wait(const std::string& msg) noexcept override;
    std::string describe_wait() const override;

protected:
    /// Raises CancelledError if the task was cancelled, after passing on a
    /// lock it was handed; otherwise the caller holds the lock.
    void finish();

    Lock* lock_;

private:
    bool cancelled_ = false;
};

template <bool Guarded>
class LockAwaiter final : public LockAwaiterBase {
public:
    using LockAwaiterBase::LockAwaiterBase;
    auto await_resume() {
        finish();
        if constexpr (Guarded) return LockGuard(*lock_);
    }
};

}  // namespace detail

/// A lock that tasks acquire in FIFO order (asyncio.Lock). Not reentrant,
/// not owned: any task may release it (as in asyncio).
class Lock {
public:
    Lock() noexcept = default;
    Lock(const Lock&) = delete;
    Lock& operator=(const Lock&) = delete;

    /// Acquires the lock: at once if it is free and nobody waits (no
    /// suspension), else after the tasks queued before this one. Returns a
    /// guard that releases it at the end of its scope.
    ///
    /// Keep the guard: `co_await lock.acquire();` alone releases the lock at the
    /// end of the statement (clang warns through [[nodiscard]]; g++ 12 does not
    /// check the result of a co_await).
    ///
    /// Throws: CancelledError if the task is cancelled while it waits.
    /// RuntimeError outside a task (when it has to wait).
    ///
    /// **Cancel safety:** a cancelled waiter never ends up holding the lock and
    /// never blocks the next one: cancelled while queued, it leaves the queue;
    /// handed the lock and cancelled before it ran, it passes the lock to the
    /// next waiter (or unlocks) before CancelledError is raised.
    ///
    /// ```
    /// auto guard = co_await lock.acquire();
    /// ++shared_counter;
    /// guard.release();   // early, optional
    /// ```
    [[nodiscard]] detail::LockAwaiter<true> acquire() noexcept {
        return detail::LockAwaiter<true>(*this);
    }

    /// Releases the lock: hands it to the first waiter (which is woken) or
    /// unlocks it. Any task may release (asyncio semantics).
    ///
    /// Throws: RuntimeError("Lock is not acquired.") if the lock is not locked.
    ///
    /// ```
    /// co_await lock.lock();   // or: auto g = co_await lock.acquire(); ... g.release();
    /// lock.release();
    /// ```
    void release();

    /// True while some task holds the lock (or it was handed to a waiter that
    /// has not run yet).
    bool locked() const noexcept { return locked_; }

    /// Like acquire(), without a guard: pair it with release() or unlock()
    /// (std::mutex naming; asyncio's `await lock.acquire()` ... `lock.release()`).
    ///
    /// Throws and **Cancel safety:** as acquire().
    ///
    /// ```
    /// co_await lock.lock();
    /// try { co_await work(); } catch (...) { lock.unlock(); throw; }
    /// lock.unlock();
    /// ```
    [[nodiscard]] detail::LockAwaiter<false> lock() noexcept {
        return detail::LockAwaiter<false>(*this);
    }

    /// Same as release().
    void unlock() { release(); }

    /// How many tasks are queued for the lock (not counting one it was handed
    /// to that has not run yet).
    std::size_t n_waiting() const noexcept { return waiters_.size(); }

private:
    friend class detail::LockAwaiterBase;
    friend class detail::ConditionWaitAwaiter;
    friend class Condition;

    /// Queues `w`, or grants it the lock at once if the lock is free.
    void enqueue(detail::GrantWaiter* w) noexcept;
    /// release() without the check: to the first waiter, or unlocked.
    void hand_off() noexcept;

    // Invariant (direct handoff): !locked_ implies waiters_.empty().
    detail::WaitQueue waiters_;
    bool locked_ = false;
};

}  // namespace aio
