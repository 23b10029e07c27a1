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
    handle_.cancel();
    handle_ = TimerHandle();
    if (!when) return;
    EventLoop& loop = *task_->loop();
    if (*when <= loop.time()) {
        // asyncio uses call_soon here: the expiry still waits for the next turn.
        handle_ = loop.call_at(loop.time(), [this] { on_timeout(); });
    } else {
        handle_ = loop.call_at(*when, [this] { on_timeout(); });
    }
}

void Timeout::on_timeout() noexcept {
    task_->cancel();
    state_ = State::expiring;
    handle_ = TimerHandle();
}

bool Timeout::exit(bool cancelled) noexcept {
    handle_.cancel();
    handle_ = TimerHandle();
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
