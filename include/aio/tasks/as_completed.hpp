#pragma once
/// aio::as_completed — asyncio.as_completed.
///
/// ```
/// auto ac = aio::as_completed(std::move(tasks), 10s);
/// while (ac.has_next()) {
///     int first = co_await ac.next();   // results in completion order
/// }
/// ```
/// `next()` returns the result of the next task to finish (or rethrows its
/// exception). When the timeout passes, each task still running becomes one
/// TimeoutError from next() (the tasks are not cancelled), so a loop over
/// has_next() always ends. Cancel safety: a cancelled next() loses no result:
/// the task it would have returned stays queued for the following call.

#include <chrono>
#include <deque>
#include <optional>
#include <vector>

#include "aio/core/task.hpp"
#include "aio/tasks/gather.hpp"

namespace aio {

template <class T>
class AsCompleted {
public:
    template <class A>
    AsCompleted(std::vector<A> items, std::optional<Duration> timeout)
        : tasks_(detail::to_tasks(items)), listeners_(tasks_.size()) {
        for (std::size_t i = 0; i < tasks_.size(); ++i) {
            listeners_[i].owner = this;
            listeners_[i].index = i;
            if (tasks_[i].done()) {
                ready_.push_back(i);
            } else {
                tasks_[i].state()->add_listener(&listeners_[i]);
                ++unfinished_;
            }
        }
        // As asyncio: the deadline is a loop timer, not a property of next().
        // When it passes, every task still running turns into a TimeoutError slot.
        if (timeout && unfinished_ != 0) timer_ = get_running_loop().call_later(*timeout, [this] { on_timeout(); });
    }
    AsCompleted(const AsCompleted&) = delete;
    AsCompleted& operator=(const AsCompleted&) = delete;
    ~AsCompleted() { timer_.cancel(); }

    /// True while some slot has not been handed out yet (one per task).
    bool has_next() const noexcept { return handed_ < tasks_.size(); }

    /// The next task to finish (it is done when returned). Throws TimeoutError
    /// for each slot left when the timeout passed; InvalidStateError once every
    /// slot was handed out.
    Coro<Task<T>> next_task() {
        if (!has_next()) throw InvalidStateError("as_completed: every result was handed out");
        if (ready_.empty()) co_await NextAwaiter{this};
        std::optional<std::size_t> slot = ready_.front();
        ready_.pop_front();
        ++handed_;
        if (!slot) throw TimeoutError();
        co_return tasks_[*slot];
    }
    /// The result of the next task to finish; rethrows its exception.
    Coro<T> next() {
        Task<T> t = co_await next_task();
        if constexpr (std::is_void_v<T>)
            t.result();
        else
            co_return t.result();
    }

private:
    struct Listener final : detail::DoneListener {
        AsCompleted* owner = nullptr;
        std::size_t index = 0;
        void on_done(detail::FutureBase&) noexcept override { owner->child_done(index); }
    };

    struct NextAwaiter final : detail::SuspendPoint {
        AsCompleted* owner;
        bool abandoned = false;
        explicit NextAwaiter(AsCompleted* o) noexcept : owner(o) {}
        NextAwaiter(NextAwaiter&& o) noexcept : owner(o.owner) {}
        ~NextAwaiter() { detach(); }
        bool await_ready() const noexcept { return !owner->ready_.empty(); }
        void await_suspend(std::coroutine_handle<> h) {
            suspend_here(h);
            owner->waiter_ = this;
        }
        void await_resume() {
            detach();
            resume_check();
            if (abandoned) throw task_->make_cancelled_error();
        }
        void detach() noexcept {
            if (owner->waiter_ == this) owner->waiter_ = nullptr;
        }
        void wake_once() noexcept {
            detach();
            task_->wake();
        }
        bool cancel_wait(const std::string&) noexcept override {
            abandoned = true;
            wake_once();
            return true;
        }
        std::string describe_wait() const override { return "as_completed"; }
    };

    void child_done(std::size_t i) noexcept {
        ready_.push_back(i);
        if (--unfinished_ == 0) timer_.cancel();
        if (waiter_) waiter_->wake_once();
    }
    void on_timeout() noexcept {
        for (auto& l : listeners_) {
            if (!l.linked()) continue;
            l.unlink();
            ready_.push_back(std::nullopt);
        }
        unfinished_ = 0;
        if (waiter_) waiter_->wake_once();
    }

    std::vector<Task<T>> tasks_;
    std::vector<Listener> listeners_;
    std::deque<std::optional<std::size_t>> ready_;  // nullopt: a slot lost to the timeout
    TimerHandle timer_;
    NextAwaiter* waiter_ = nullptr;
    std::size_t unfinished_ = 0;
    std::size_t handed_ = 0;
};

/// Iterates over `items` (Coro<T> or Task<T>) in completion order.
template <class A>
auto as_completed(std::vector<A> items, std::optional<Duration> timeout = std::nullopt) {
    return AsCompleted<typename detail::GatherArg<A>::value>(std::move(items), timeout);
}
template <class A, class Rep, class Period>
auto as_completed(std::vector<A> items, std::chrono::duration<Rep, Period> timeout) {
    return AsCompleted<typename detail::GatherArg<A>::value>(
        std::move(items), std::optional<Duration>(std::chrono::ceil<Duration>(timeout)));
}

}  // namespace aio
