#include "aio/sync/semaphore.hpp"

#include <cstdio>

namespace aio {

Semaphore::Semaphore(std::int64_t value) : Semaphore(value, -1) {}

Semaphore::Semaphore(std::int64_t value, std::int64_t bound) : value_(value), bound_(bound) {
    if (value < 0) throw ValueError("Semaphore initial value must be >= 0");
}

void Semaphore::release() {
    if (bound_ >= 0 && value_ >= bound_)
        throw ValueError("BoundedSemaphore released too many times");
    ++value_;
    wake_next();
}

void Semaphore::wake_next() noexcept {
    while (value_ > 0 && !waiters_.empty()) {
        --value_;
        ++in_flight_;
        waiters_.pop_front_as<detail::GrantWaiter>()->grant();
    }
}

namespace detail {

SemaphoreAwaiter::~SemaphoreAwaiter() {
    dequeue();
    if (granted) {  // frame destroyed before it ran (loop closing)
        --sem_->in_flight_;
        ++sem_->value_;
        sem_->wake_next();
    }
}

bool SemaphoreAwaiter::await_ready() noexcept {
    if (sem_->locked()) return false;
    --sem_->value_;
    return true;
}

void SemaphoreAwaiter::await_suspend(std::coroutine_handle<> h) {
    suspend_here(h);
    waiting_task = task_;
    sem_->waiters_.push_back(this);
}

SemaphoreGuard SemaphoreAwaiter::await_resume() {
    if (!task_) return SemaphoreGuard(*sem_);  // the fast path
    bool cancel = task_->take_cancel_request() || cancelled_;
    if (granted) {
        granted = false;
        --sem_->in_flight_;
        // Cancelled after it was handed a permit: give it back.
        if (cancel) ++sem_->value_;
        // asyncio's acquire() finally: newcomers may have queued behind us
        // while a permit was free.
        sem_->wake_next();
    }
    if (cancel) throw task_->make_cancelled_error();
    return SemaphoreGuard(*sem_);
}

bool SemaphoreAwaiter::cancel_wait(const std::string&) noexcept {
    dequeue();
    cancelled_ = true;
    task_->wake();
    return true;
}

std::string SemaphoreAwaiter::describe_wait() const {
    char buf[80];
    std::snprintf(buf, sizeof buf, "Semaphore.acquire (value %lld, %zu waiting)",
                  static_cast<long long>(sem_->value()), sem_->n_waiting());
    return buf;
}

}  // namespace detail
}  // namespace aio
