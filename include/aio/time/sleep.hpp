#pragma once
/// aio::sleep — asyncio.sleep.
///
/// ```
/// co_await aio::sleep(500ms);
/// co_await aio::sleep(0s);   // yields to the loop once
/// ```
/// Cancel safety: cancelling the sleeping task removes the timer and raises
/// CancelledError at the co_await; nothing is left behind.

#include <chrono>

#include "aio/core/detail/task_base.hpp"

namespace aio {

namespace detail {

class SleepAwaiter final : public SuspendPoint, public TimerNode {
public:
    /// `yield_only`: sleep(0), a bare yield to the loop (asyncio's __sleep0).
    SleepAwaiter(TimePoint when, bool yield_only) noexcept : yield_only_(yield_only) { when_ = when; }
    SleepAwaiter(SleepAwaiter&& o) noexcept : yield_only_(o.yield_only_) { when_ = o.when_; }
    ~SleepAwaiter() {
        if (in_heap()) LoopAccess::remove_timer(*task_->loop(), this);
    }

    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> h) {
        suspend_here(h);
        if (yield_only_)
            task_->wake();  // not cancellable while queued: cancel() sets must_cancel
        else
            LoopAccess::add_timer(*task_->loop(), this);
    }
    void await_resume() {
        resume_check();
        if (cancelled_) throw task_->make_cancelled_error();
    }

    void fire() noexcept override { task_->wake(); }
    bool cancel_wait(const std::string&) noexcept override {
        LoopAccess::remove_timer(*task_->loop(), this);
        cancelled_ = true;
        task_->wake();
        return true;
    }
    std::string describe_wait() const override;

private:
    bool yield_only_;
    bool cancelled_ = false;
};

}  // namespace detail

/// Suspends the current task for `delay`; a zero or negative delay yields once.
template <class Rep, class Period>
detail::SleepAwaiter sleep(std::chrono::duration<Rep, Period> delay) {
    auto d = std::chrono::ceil<Duration>(delay);
    if (d <= Duration::zero()) return detail::SleepAwaiter(TimePoint{}, true);
    return detail::SleepAwaiter(get_running_loop().time() + d, false);
}

/// Suspends the current task until `when` (loop time).
inline detail::SleepAwaiter sleep_until(TimePoint when) {
    return detail::SleepAwaiter(when, when <= get_running_loop().time());
}

}  // namespace aio
