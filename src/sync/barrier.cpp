#include "aio/sync/barrier.hpp"

namespace aio {

Barrier::Barrier(std::size_t parties) : parties_(parties) {
    if (parties == 0) throw ValueError("parties must be > 0");
}

// A port of asyncio's Barrier.wait with its _block, _release, _wait and _exit.
Coro<std::size_t> Barrier::wait() {
    while (state_ == State::draining || state_ == State::resetting) co_await changed();
    if (state_ == State::broken) throw BrokenBarrierError("Barrier aborted");
    std::size_t index = count_++;
    try {
        if (index + 1 == parties_) {
            state_ = State::draining;  // trip: release the others
            notify_all();
        } else {
            while (state_ == State::filling) co_await changed();
            if (state_ == State::broken || state_ == State::resetting)
                throw BrokenBarrierError("Abort or reset of barrier");
        }
    } catch (...) {
        leave();
        throw;
    }
    leave();
    co_return index;
}

void Barrier::leave() noexcept {
    if (--count_ > 0) return;
    if (state_ == State::draining || state_ == State::resetting) state_ = State::filling;
    notify_all();
}

void Barrier::reset() noexcept {
    state_ = count_ > 0 ? State::resetting : State::filling;
    notify_all();
}

void Barrier::abort() noexcept {
    state_ = State::broken;
    notify_all();
}

void Barrier::notify_all() noexcept {
    while (auto* w = waiters_.pop_front_as<detail::GrantWaiter>()) w->grant();
}

namespace detail {

void BarrierChangeAwaiter::await_suspend(std::coroutine_handle<> h) {
    suspend_here(h);
    waiting_task = task_;
    barrier_->waiters_.push_back(this);
}

void BarrierChangeAwaiter::await_resume() {
    resume_check();
    if (cancelled_) throw task_->make_cancelled_error();
}

bool BarrierChangeAwaiter::cancel_wait(const std::string&) noexcept {
    dequeue();
    cancelled_ = true;
    task_->wake();
    return true;
}

std::string BarrierChangeAwaiter::describe_wait() const {
    return "Barrier.wait (" + std::to_string(barrier_->count_) + "/" +
           std::to_string(barrier_->parties_) + ")";
}

}  // namespace detail
}  // namespace aio
