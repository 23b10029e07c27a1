#include "aio/time/timeout.hpp"

namespace aio {

void Timeout::enter() {
    if (state_ != State::created) throw RuntimeError("Timeout has already been entered");
    task_ = &detail::require_current_task();
    state_ = State::entered;
    cancelling_ = task_->cancelling();
    reschedule(when_);
}

void Timeout::reschedule(std::optional<TimePoint> when) {
    if (state_ != State::entered) {
        if (state_ == State::created) throw RuntimeError("Timeout has not been entered");
        throw RuntimeError("Cannot change state of " +
                           std::string(state_ == State::exited ? "finished" : "expiring") + " Timeout");
    }
    when_ = when;
    cancel_handles();
    if (!when) return;
    EventLoop& loop = *task_->loop();
    if (*when <= loop.time()) {
        // call_soon, as asyncio: the expiry must be queued ahead of the task's
        // own wake-up if the work merely yields (sleep(0)).
        Handle h = loop.call_soon([this] { on_timeout(); });
        soon_handle_ = h;
    } else {
        handle_ = loop.call_at(*when, [this] { on_timeout(); });
    }
}

void Timeout::on_timeout() noexcept {
    task_->cancel();
    state_ = State::expiring;
    handle_ = TimerHandle();
    soon_handle_ = Handle();
}

void Timeout::cancel_handles() noexcept {
    handle_.cancel();
    handle_ = TimerHandle();
    soon_handle_.cancel();
    soon_handle_ = Handle();
}

bool Timeout::exit(bool cancelled) noexcept {
    cancel_handles();
    if (state_ == State::expiring) {
        state_ = State::expired;
        // Only the timeout whose own cancel() is the last outstanding one may
        // claim the CancelledError (nested scopes expiring together).
        if (task_->uncancel() <= cancelling_ && cancelled) return true;
    } else if (state_ == State::entered) {
        state_ = State::exited;
    }
    return false;
}

}  // namespace aio
