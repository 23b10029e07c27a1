#pragma once
/// aio::Condition — asyncio.Condition: wait for a notification, under a Lock.
///
/// ```
/// aio::Condition cond;            // or aio::Condition cond(shared_lock);
/// std::deque<Job> jobs;
/// // consumer                                   // producer
/// auto g = co_await cond.acquire();             auto g = co_await cond.acquire();
/// co_await cond.wait_for([&] { return !jobs.empty(); });
/// Job j = pop(jobs);                            jobs.push_back(j); cond.notify();
/// ```
/// Not thread-safe (one loop per thread). The condition (and its lock) must
/// outlive every task waiting on it.

#include <coroutine>
#include <cstddef>
#include <optional>
#include <string>
#include <type_traits>

#include "aio/core/coro.hpp"
#include "aio/core/detail/task_base.hpp"
#include "aio/sync/detail/grant_waiter.hpp"
#include "aio/sync/lock.hpp"

namespace aio {

class Condition;

namespace detail {

/// The awaiter of Condition::wait(). One node, in the condition's queue
/// until notified (or cancelled), then in the lock's queue until it holds the
/// lock again; the task is suspended once and woken once, holding the lock.
class ConditionWaitAwaiter final : public SuspendPoint, public GrantWaiter {
public:
    explicit ConditionWaitAwaiter(Condition& c) noexcept : cond_(&c) {}
    /// Only before the co_await (wait_for and timeout move the awaitable).
    ConditionWaitAwaiter(ConditionWaitAwaiter&& o) noexcept : cond_(o.cond_) {}
    ~ConditionWaitAwaiter();

    /// Throws RuntimeError if the lock is not held.
    bool await_ready() const;
    void await_suspend(std::coroutine_handle<> h);
    void await_resume();

    bool cancel_wait(const std::string& msg) noexcept override;
    std::string describe_wait() const override;

private:
    friend class aio::Condition;
    enum class Phase : unsigned char { idle, waiting, reacquiring };

    /// Leaves the condition's queue for the lock's (granted at once if free).
    void start_reacquire() noexcept;

    Condition* cond_;
    Phase phase_ = Phase::idle;
    bool notified_ = false;
    bool cancelled_ = false;
};

}  // namespace detail

/// A condition variable for tasks (asyncio.Condition), bound to a Lock: its
/// own by default, or one shared with other conditions or code.
class Condition {
public:
    /// A condition with a lock of its own.
    Condition() : own_lock_(std::in_place), lock_(&*own_lock_) {}
    /// A condition using `lock`, which must outlive it.
    explicit Condition(Lock& lock) noexcept : lock_(&lock) {}
    Condition(const Condition&) = delete;
    Condition& operator=(const Condition&) = delete;

    /// Acquires the underlying lock; see Lock::acquire() (same guard, same
    /// FIFO order, same cancel safety).
    ///
    /// ```
    /// auto guard = co_await cond.acquire();
    /// ```
    [[nodiscard]] detail::LockAwaiter<true> acquire() noexcept { return lock_->acquire(); }
    /// Releases the underlying lock. Throws RuntimeError if it is not locked.
    void release() { lock_->release(); }
    /// True while the underlying lock is held.
    bool locked() const noexcept { return lock_->locked(); }
    /// The underlying lock.
    Lock& get_lock() noexcept { return *lock_; }

    /// Releases the lock, waits until notify() or notify_all() wakes this task,
    /// then re-acquires the lock and returns, holding it (asyncio semantics).
    /// Always suspends. Notified tasks re-acquire the lock in notification
    /// order; a notification is a hint, so re-check your condition (or use
    /// wait_for()).
    ///
    /// Throws: RuntimeError("cannot wait on un-acquired lock") if the lock is
    /// not held. CancelledError if the task is cancelled — raised only once the
    /// lock is held again.
    ///
    /// **Cancel safety:** a cancelled wait re-acquires the lock BEFORE the
    /// CancelledError propagates, as asyncio does, even if cancelled again while
    /// re-acquiring (one CancelledError is raised), so a guard or
    /// release() after it stays correct. A task that was notified and then
    /// cancelled passes its notification to the next waiter, so no wake-up is
    /// lost (asyncio 3.13's rule).
    ///
    /// ```
    /// auto g = co_await cond.acquire();
    /// while (queue.empty()) co_await cond.wait();
    /// ```
    [[nodiscard]] detail::ConditionWaitAwaiter wait() noexcept {
        return detail::ConditionWaitAwaiter(*this);
    }

    /// Waits until `predicate()` is truthy, calling wait() in between; returns
    /// the predicate's last value. Returns at once (lock not needed, no
    /// suspension) if the predicate is truthy already.
    ///
    /// Throws: as wait(), and what `predicate` throws.
    ///
    /// **Cancel safety:** as wait(): on cancellation the lock is held again.
    ///
    /// ```
    /// auto g = co_await cond.acquire();
    /// co_await cond.wait_for([&] { return !queue.empty(); });
    /// ```
    template <class Predicate>
    Coro<std::remove_cvref_t<std::invoke_result_t<Predicate&>>> wait_for(Predicate predicate) {
        auto result = predicate();
        while (!result) {
            co_await wait();
            result = predicate();
        }
        co_return result;
    }

    /// Wakes up to `n` waiting tasks, in the order they started waiting. Each
    /// returns from wait() once it holds the lock again, so not before the
    /// notifier releases it.
    ///
    /// Throws: RuntimeError("cannot notify on un-acquired lock") if the lock is
    /// not held.
    ///
    /// ```
    /// queue.push_back(item);
    /// cond.notify();
    /// ```
    void notify(std::size_t n = 1);

    /// Wakes every waiting task. Throws: as notify().
    ///
    /// ```
    /// shutting_down = true;
    /// cond.notify_all();
    /// ```
    void notify_all() { notify(waiters_.size()); }

    /// How many tasks wait for a notification (not those re-acquiring the lock).
    std::size_t n_waiting() const noexcept { return waiters_.size(); }

private:
    friend class detail::ConditionWaitAwaiter;
    /// Moves up to `n` waiters to the lock's queue. The lock must be held.
    void wake(std::size_t n) noexcept;

    std::optional<Lock> own_lock_;
    Lock* lock_;
    detail::WaitQueue waiters_;
};

}  // namespace aio
