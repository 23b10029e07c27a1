#include "aio/queues/detail/queue_core.hpp"

#include "aio/core/exceptions.hpp"
#include "aio/queues/queue_errors.hpp"

namespace aio::detail {

// ---- QueueWaiter ---------------------------------------------------------------

// Only a waiter still in a wait list can give up in place. A woken one (handed
// an item, granted a slot) returns false: its task then raises CancelledError
// when it runs, and its await_resume() gives back what it was handed.
bool QueueWaiter::cancel_wait(const std::string&) noexcept {
    if (state_ != State::waiting) return false;
    unlink();
    wake_with(State::cancelled);
    return true;
}

std::string QueueWaiter::describe_wait() const {
    switch (kind_) {
        case Kind::get:
            return "Queue.get";
        case Kind::put:
            return "Queue.put";
        case Kind::join:
            return "Queue.join";
    }
    return "Queue";
}

// ---- QueueJoinAwaiter ----------------------------------------------------------

void QueueJoinAwaiter::await_suspend(std::coroutine_handle<> h) { wait_on(core_->joiners_, h); }

void QueueJoinAwaiter::await_resume() {
    if (state_ == State::idle) return;  // nothing was unfinished: no suspension
    resume_check();
    if (state_ == State::ready) return;
    if (state_ == State::cancelled) throw task_->make_cancelled_error();
    throw QueueShutDown("the queue was destroyed while join() waited");
}

// ---- QueueCore -----------------------------------------------------------------

QueueCore::~QueueCore() {
    // Waiters still here outlive the queue (a lifetime bug in the program):
    // make them forget it, and wake the ones still blocked so they do not hang.
    auto detach = [](WaitList& list, bool wake) noexcept {
        while (QueueWaiter* w = list.pop_front()) {
            w->core_ = nullptr;
            if (wake) w->wake_with(QueueWaiter::State::shut_down);
        }
    };
    detach(getters_, true);
    detach(putters_, true);
    detach(joiners_, true);
    detach(handed_, false);   // keep their items; they return them normally
    detach(granted_, false);  // they see the queue gone and throw QueueShutDown
}

void QueueCore::task_done() {
    if (unfinished_ == 0) throw ValueError("task_done() called too many times");
    if (--unfinished_ == 0) wake_joiners();
}

void QueueCore::wake_joiners() noexcept {
    while (QueueWaiter* w = joiners_.pop_front()) w->wake_with(QueueWaiter::State::ready);
}

void QueueCore::wake_for_shutdown() noexcept {
    while (QueueWaiter* w = getters_.pop_front()) w->wake_with(QueueWaiter::State::shut_down);
    while (QueueWaiter* w = putters_.pop_front()) w->wake_with(QueueWaiter::State::shut_down);
}

std::string QueueCore::describe(const char* kind, std::size_t qsize) const {
    std::string out = "<";
    out += kind;
    out += " maxsize=" + std::to_string(maxsize_);
    if (qsize) out += " qsize=" + std::to_string(qsize);
    if (!getters_.empty()) out += " _getters[" + std::to_string(getters_.size()) + "]";
    if (!putters_.empty()) out += " _putters[" + std::to_string(putters_.size()) + "]";
    if (unfinished_) out += " tasks=" + std::to_string(unfinished_);
    if (shutdown_) out += " shutdown";
    out += ">";
    return out;
}

}  // namespace aio::detail
