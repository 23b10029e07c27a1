#include "aio/sync/lock.hpp"

#include <cstdio>

#include "aio/core/event_loop.hpp"

namespace aio {

void Lock::release() {
    if (!locked_) throw RuntimeError("Lock is not acquired.");
    hand_off();
}

void Lock::hand_off() noexcept {
    if (auto* w = waiters_.pop_front_as<detail::GrantWaiter>())
        w->grant();  // stays locked: the lock now belongs to w
    else
        locked_ = false;
}

void Lock::enqueue(detail::GrantWaiter* w) noexcept {
    if (!locked_) {
        locked_ = true;
        w->grant();
    } else {
        waiters_.push_back(w);
    }
}

namespace detail {

LockAwaiterBase::~LockAwaiterBase() {
    dequeue();
    if (granted) lock_->hand_off();  // frame destroyed before it ran (loop closing)
}

bool LockAwaiterBase::await_ready() noexcept {
    if (lock_->locked_) return false;
    lock_->locked_ = true;
    return true;
}

void LockAwaiterBase::await_suspend(std::coroutine_handle<> h) {
    suspend_here(h);
    waiting_task = task_;
    lock_->waiters_.push_back(this);
}

void LockAwaiterBase::finish() {
    if (!task_) return;  // the fast path
    // take_cancel_request(): cancelled after it was handed the lock, before
    // it ran (asyncio's Lock.acquire: "if not self._locked: _wake_up_first()").
    if (task_->take_cancel_request() || cancelled_) {
        if (granted) {
            granted = false;
            lock_->hand_off();
        }
        throw task_->make_cancelled_error();
    }
    granted = false;  // the lock is the caller's now
}

bool LockAwaiterBase::cancel_wait(const std::string&) noexcept {
    dequeue();
    cancelled_ = true;
    task_->wake();
    return true;
}

std::string LockAwaiterBase::describe_wait() const {
    char buf[64];
    std::snprintf(buf, sizeof buf, "Lock.acquire (%zu waiting)", lock_->n_waiting());
    return buf;
}

}  // namespace detail
}  // namespace aio
