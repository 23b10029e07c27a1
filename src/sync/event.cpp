#include "aio/sync/event.hpp"

namespace aio {

void Event::set() noexcept {
    if (set_) return;
    set_ = true;
    while (auto* w = waiters_.pop_front_as<detail::GrantWaiter>()) w->grant();
}

namespace detail {

void EventWaitAwaiter::await_suspend(std::coroutine_handle<> h) {
    suspend_here(h);
    waiting_task = task_;
    event_->waiters_.push_back(this);
}

void EventWaitAwaiter::await_resume() {
    resume_check();  // cancelled after set() woke it: the wake-up was not a resource
    if (cancelled_) throw task_->make_cancelled_error();
}

bool EventWaitAwaiter::cancel_wait(const std::string&) noexcept {
    dequeue();
    cancelled_ = true;
    task_->wake();
    return true;
}

}  // namespace detail
}  // namespace aio
