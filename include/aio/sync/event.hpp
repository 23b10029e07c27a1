#pragma once
/// aio::Event — asyncio.Event: a flag that tasks wait for.
///
/// ```
/// aio::Event ready;
/// // task A                     // task B
/// co_await ready.wait();        ready.set();   // wakes every waiter
/// ```
/// Not thread-safe (one loop per thread; from another thread, use
/// loop.call_soon_threadsafe([&] { ready.set(); })). The event must outlive
/// every task waiting on it.

#include <coroutine>
#include <cstddef>
#include <string>

#include "aio/core/detail/task_base.hpp"
#include "aio/sync/detail/grant_waiter.hpp"

namespace aio {

class Event;

namespace detail {

/// The awaiter of Event::wait(): a queue node in the awaiting frame.
class EventWaitAwaiter final : public SuspendPoint, public GrantWaiter {
public:
    explicit EventWaitAwaiter(Event& ev) noexcept : event_(&ev) {}
    /// Only before the co_await (wait_for and timeout move the awaitable).
    EventWaitAwaiter(EventWaitAwaiter&& o) noexcept : event_(o.event_) {}
    ~EventWaitAwaiter() { dequeue(); }

    bool await_ready() const noexcept;
    void await_suspend(std::coroutine_handle<> h);
    void await_resume();

    bool cancel_wait(const std::string& msg) noexcept override;
    std::string describe_wait() const override { return "Event.wait"; }

private:
    Event* event_;
    bool cancelled_ = false;
};

}  // namespace detail

/// An event flag: wait() suspends until set() (asyncio.Event).
class Event {
public:
    Event() noexcept = default;
    Event(const Event&) = delete;
    Event& operator=(const Event&) = delete;

    /// True once set() was called, until clear().
    bool is_set() const noexcept { return set_; }

    /// Sets the flag and wakes every task waiting in wait(); later waits
    /// return at once until clear(). No-op if already set.
    ///
    /// ```
    /// ev.set();
    /// ```
    void set() noexcept;

    /// Resets the flag: later wait() calls block until the next set(). Tasks
    /// already woken by set() stay woken.
    ///
    /// ```
    /// ev.clear();
    /// ```
    void clear() noexcept { set_ = false; }

    /// Waits until the flag is set; returns at once (no suspension) if it
    /// already is.
    ///
    /// Throws: CancelledError if the task is cancelled while it waits (also
    /// when set() had already woken it but it had not run yet). RuntimeError
    /// outside a task (when it has to wait).
    ///
    /// **Cancel safety:** a cancelled waiter leaves the queue; set() wakes all
    /// waiters, so nothing is taken from the others and nothing is lost.
    ///
    /// ```
    /// co_await aio::timeout(5s, ev.wait());   // asyncio.wait_for(ev.wait(), 5)
    /// ```
    [[nodiscard]] detail::EventWaitAwaiter wait() noexcept {
        return detail::EventWaitAwaiter(*this);
    }

    /// How many tasks are waiting.
    std::size_t n_waiting() const noexcept { return waiters_.size(); }

private:
    friend class detail::EventWaitAwaiter;
    detail::WaitQueue waiters_;
    bool set_ = false;
};

inline bool detail::EventWaitAwaiter::await_ready() const noexcept { return event_->set_; }

}  // namespace aio
