#include "aio/tasks/detail/gather_waiter.hpp"

namespace aio::detail {

GatherWaiter::GatherWaiter(std::vector<Ref<TaskBase>> children, bool settled)
    : tasks_(std::move(children)), children_(tasks_.size()), settled_(settled) {
    for (std::size_t i = 0; i < tasks_.size(); ++i) {
        children_[i].owner = this;
        children_[i].task = tasks_[i].get();
    }
}

GatherWaiter::~GatherWaiter() {
    for (auto& c : children_) c.unlink();
}

bool GatherWaiter::await_ready() noexcept {
    // Children already done count now, in argument order.
    for (auto& c : children_) {
        if (c.task->done()) {
            ++finished_;
            if (!complete_ && settle(*c.task)) complete_ = true;
            if (complete_) break;
        }
    }
    if (!complete_ && finished_ == children_.size()) complete_ = true;
    if (complete_) {
        for (auto& c : children_) c.task->mark_retrieved();
    }
    return complete_;
}

void GatherWaiter::await_suspend(std::coroutine_handle<> h) {
    suspend_here(h);
    suspended_ = true;
    for (auto& c : children_)
        if (!c.task->done()) c.task->add_listener(&c);
}

void GatherWaiter::await_resume() {
    for (auto& c : children_) c.unlink();
    resume_check();
    if (error_) std::rethrow_exception(error_);
}

bool GatherWaiter::settle(TaskBase& c) noexcept {
    if (!settled_) {
        if (c.cancelled()) {
            error_ = std::make_exception_ptr(c.make_cancelled_error());
            return true;
        }
        if (auto& e = c.peek_exception()) {
            c.mark_retrieved();
            error_ = e;
            return true;
        }
    }
    if (finished_ == children_.size()) {
        if (cancel_requested_) error_ = std::make_exception_ptr(CancelledError(c.cancel_message()));
        return true;
    }
    return false;
}

void GatherWaiter::child_done(Child& c) noexcept {
    ++finished_;
    if (complete_) return;
    if (settle(*c.task)) finish();
}

void GatherWaiter::finish() noexcept {
    complete_ = true;
    // Children still running may fail later; like asyncio's _done_callback,
    // the gather counts their errors as retrieved.
    for (auto& c : children_) c.task->mark_retrieved();
    task_->wake();
}

bool GatherWaiter::cancel_wait(const std::string& msg) noexcept {
    bool any = false;
    for (auto& c : children_)
        if (c.task->cancel(msg)) any = true;
    if (any) cancel_requested_ = true;
    return any;
}

std::string GatherWaiter::describe_wait() const {
    return "gather of " + std::to_string(children_.size()) + " (" + std::to_string(finished_) + " done)";
}

}  // namespace aio::detail
