#pragma once
/// aio::Barrier — asyncio.Barrier: `parties` tasks wait for each other, then
/// all go on together; the barrier can be used again (cyclic).
///
/// ```
/// aio::Barrier barrier(3);
/// aio::Coro<void> worker(aio::Barrier& b) {   // 3 tasks run this
///     co_await load_part();
///     std::size_t i = co_await b.wait();        // 0, 1, 2 in arrival order
///     if (i == 0) log("everybody loaded");
/// }
/// ```
/// The states are asyncio's: filling (tasks arrive), draining (the barrier
/// tripped; released tasks leave; newcomers wait until all have left),
/// resetting (reset() with tasks inside: they get BrokenBarrierError as they
/// leave; newcomers wait), broken (abort(): every wait raises
/// BrokenBarrierError until reset()).
///
/// Not thread-safe (one loop per thread). The barrier must outlive every task
/// waiting on it.

#include <coroutine>
#include <cstddef>
#include <string>

#include "aio/core/coro.hpp"
#include "aio/core/detail/task_base.hpp"
#include "aio/sync/detail/grant_waiter.hpp"
#include "aio/sync/exceptions.hpp"

namespace aio {

class Barrier;

namespace detail {

/// Waits for the barrier's next state change (asyncio's Condition.wait under
/// the barrier's lock; the loop is single-threaded, so no lock is needed).
class BarrierChangeAwaiter final : public SuspendPoint, public GrantWaiter {
public:
    explicit BarrierChangeAwaiter(Barrier& b) noexcept : barrier_(&b) {}
    ~BarrierChangeAwaiter() { dequeue(); }

    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> h);
    void await_resume();

    bool cancel_wait(const std::string& msg) noexcept override;
    std::string describe_wait() const override;

private:
    Barrier* barrier_;
    bool cancelled_ = false;
};

}  // namespace detail

/// A cyclic barrier for `parties` tasks (asyncio.Barrier).
class Barrier {
public:
    /// A barrier that trips when `parties` tasks wait on it.
    /// Throws: ValueError("parties must be > 0") if `parties` is 0.
    explicit Barrier(std::size_t parties);
    Barrier(const Barrier&) = delete;
    Barrier& operator=(const Barrier&) = delete;

    /// Waits until `parties()` tasks wait, then all return; returns this
    /// task's arrival index, 0 .. parties()-1 (the last to arrive gets
    /// parties()-1 and does not suspend). A task arriving while the barrier
    /// drains or resets first waits for that to end.
    ///
    /// Throws: BrokenBarrierError if the barrier is broken (abort()) when the
    /// task arrives, or is aborted or reset while it waits (also after it
    /// tripped, if this task had not left yet: asyncio's rule).
    /// CancelledError if the task is cancelled.
    ///
    /// **Cancel safety:** a cancelled waiter leaves as if it never arrived:
    /// n_waiting() drops by one, the barrier is not broken, and the remaining
    /// parties trip it with one more arrival. Cancelled after the barrier
    /// tripped, it still raises CancelledError; the others are released all
    /// the same.
    ///
    /// ```
    /// std::size_t i = co_await barrier.wait();
    /// ```
    Coro<std::size_t> wait();

    /// Returns the barrier to the empty, filling state. Tasks inside it (waiting,
    /// or released but not yet run) get BrokenBarrierError; newcomers wait
    /// until they have left. Also mends a broken barrier. (asyncio's reset()
    /// is a coroutine; here nothing needs awaiting.)
    ///
    /// ```
    /// barrier.reset();
    /// ```
    void reset() noexcept;

    /// Breaks the barrier: every task inside it and every later wait() gets
    /// BrokenBarrierError, until reset(). (A coroutine in asyncio.)
    ///
    /// ```
    /// barrier.abort();
    /// ```
    void abort() noexcept;

    /// The number of tasks needed to trip the barrier.
    std::size_t parties() const noexcept { return parties_; }
    /// The number of tasks waiting for the barrier to trip (0 while draining).
    std::size_t n_waiting() const noexcept { return state_ == State::filling ? count_ : 0; }
    /// True after abort(), until reset().
    bool broken() const noexcept { return state_ == State::broken; }

private:
    friend class detail::BarrierChangeAwaiter;
    enum class State : unsigned char { filling, draining, resetting, broken };

    /// A task leaves the barrier; the last one out ends draining/resetting.
    void leave() noexcept;
    /// Wakes every task waiting for a state change (asyncio's notify_all).
    void notify_all() noexcept;
    detail::BarrierChangeAwaiter changed() noexcept { return detail::BarrierChangeAwaiter(*this); }

    detail::WaitQueue waiters_;
    std::size_t parties_;
    std::size_t count_ = 0;  // tasks inside wait(), between arrival and leaving
    State state_ = State::filling;
};

}  // namespace aio
