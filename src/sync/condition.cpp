#include "aio/sync/condition.hpp"

namespace aio {

void Condition::notify(std::size_t n) {
    if (!lock_->locked()) throw RuntimeError("cannot notify on un-acquired lock");
    wake(n);
}

void Condition::wake(std::size_t n) noexcept {
    for (; n > 0; --n) {
        auto* w = waiters_.pop_front_as<detail::ConditionWaitAwaiter>();
        if (!w) break;
        w->notified_ = true;
        w->start_reacquire();
    }
}

namespace detail {

ConditionWaitAwaiter::~ConditionWaitAwaiter() {
    dequeue();
    if (granted) cond_->lock_->hand_off();  // frame destroyed before it ran (loop closing)
}

bool ConditionWaitAwaiter::await_ready() const {
    if (!cond_->lock_->locked()) throw RuntimeError("cannot wait on un-acquired lock");
    return false;
}

void ConditionWaitAwaiter::await_suspend(std::coroutine_handle<> h) {
    suspend_here(h);
    waiting_task = task_;
    phase_ = Phase::waiting;
    cond_->waiters_.push_back(this);
    cond_->lock_->hand_off();
}

void ConditionWaitAwaiter::start_reacquire() noexcept {
    phase_ = Phase::reacquiring;
    cond_->lock_->enqueue(this);
}

void ConditionWaitAwaiter::await_resume() {
    // Woken only by the lock being granted: the task holds the lock again.
    granted = false;
    if (task_->take_cancel_request() || cancelled_) {
        // asyncio's Condition.wait: a task that may have been notified wakes
        // another one instead; we hold the lock, as notify() requires.
        if (notified_) cond_->wake(1);
        throw task_->make_cancelled_error();
    }
}

bool ConditionWaitAwaiter::cancel_wait(const std::string&) noexcept {
    cancelled_ = true;
    // Not woken yet: re-acquire the lock first, CancelledError comes after.
    if (phase_ == Phase::waiting) {
        dequeue();
        start_reacquire();
    }
    return true;
}

std::string ConditionWaitAwaiter::describe_wait() const {
    return phase_ == Phase::reacquiring ? "Condition.wait (re-acquiring the lock)"
                                        : "Condition.wait";
}

}  // namespace detail
}  // namespace aio
