// A port of asyncio/taskgroups.py (3.12); the comments there explain each
// branch, the key ones are repeated here.

#include "aio/tasks/task_group.hpp"

#include <algorithm>

#include "aio/core/detail/loop_access.hpp"

namespace aio {

// Reacts to a child's completion on the next loop turn, as asyncio's done
// callbacks do: children that finish in the same turn all count before the
// group aborts (two failing together are both reported).
struct TaskGroup::ChildListener final : detail::DoneListener, detail::Runnable {
    TaskGroup* group;
    AnyTask task;
    bool queued = false;
    ChildListener(TaskGroup* g, AnyTask t) : group(g), task(std::move(t)) {}
    ~ChildListener() {
        if (queued) detail::LoopAccess::remove_ready(*task.state()->loop(), this);
    }
    void on_done(detail::FutureBase&) noexcept override {
        queued = true;
        detail::LoopAccess::push_ready(*task.state()->loop(), this);
    }
    void run() override {
        queued = false;
        try {
            group->on_task_done(*task.state());
        } catch (...) {
            task.state()->loop()->call_exception_handler(
                {"error in a TaskGroup done callback", std::current_exception(), task.get_name(), {}});
        }
    }
    std::string describe() const override { return "<TaskGroup done callback of " + task.get_name() + ">"; }
    void discard() noexcept override { queued = false; }
};

TaskGroup::TaskGroup() = default;

TaskGroup::~TaskGroup() {
    // Only reached with children left if the frame is destroyed by a closing
    // loop; the listeners unlink themselves.
}

void TaskGroup::enter() {
    if (entered_) throw RuntimeError("TaskGroup has already been entered");
    parent_ = &detail::require_current_task();
    entered_ = true;
    if (cancel_on_enter_) cancel();
}

void TaskGroup::check_can_spawn() const {
    if (!entered_) throw RuntimeError("TaskGroup has not been entered");
    if (exiting_ && tasks_.empty()) throw RuntimeError("TaskGroup is finished");
    if (aborting_) throw RuntimeError("TaskGroup is shutting down");
}

void TaskGroup::adopt(AnyTask t) {
    detail::TaskBase* s = t.state();
    tasks_.insert(s);
    auto l = std::make_unique<ChildListener>(this, std::move(t));
    s->add_listener(l.get());
    listeners_.push_back(std::move(l));
}

void TaskGroup::abort() noexcept {
    aborting_ = true;
    for (detail::TaskBase* t : tasks_)
        if (!t->done()) t->cancel();
}

void TaskGroup::on_task_done(detail::TaskBase& t) {
    tasks_.erase(&t);
    if (on_completed_ && tasks_.empty() && !on_completed_->done()) on_completed_->set_result();
    if (t.cancelled()) return;
    std::exception_ptr e = t.peek_exception();
    if (!e) return;
    t.mark_retrieved();
    errors_.push_back(e);
    if (parent_->done()) {
        parent_->loop()->call_exception_handler(
            {"Task has errored out but its parent task is already done", e, t.describe(), t.creation_site()});
        return;
    }
    if (!aborting_ && !parent_cancel_requested_) {
        // The body is still running something: cancel the parent task to stop
        // it, and undo that cancellation in exit().
        abort();
        parent_cancel_requested_ = true;
        parent_->cancel();
    }
}

Coro<void> TaskGroup::exit(std::exception_ptr body_error) {
    exiting_ = true;
    bool body_cancelled = is_cancelled_error(body_error);
    std::exception_ptr propagate_cancel = body_cancelled ? body_error : nullptr;
    // The parent is being cancelled, or the body failed: stop the children.
    if (body_error && !aborting_) abort();

    // A loop: the wait can be cancelled several times if the parent task is
    // cancelled repeatedly, or once while our own cancellation is in flight.
    std::exception_ptr pending_cancel;
    while (!tasks_.empty()) {
        if (!on_completed_) on_completed_.emplace(*parent_->loop());
        try {
            co_await *on_completed_;
        } catch (const CancelledError&) {
            pending_cancel = std::current_exception();
            if (!aborting_) {
                // The parent task is being cancelled while children still run.
                propagate_cancel = pending_cancel;
                abort();
            }
        }
        on_completed_.reset();
    }
    listeners_.clear();

    if (parent_cancel_requested_) {
        // We cancelled the parent ourselves, so we *must* uncancel it.
        if (parent_->uncancel() == 0)
            propagate_cancel = nullptr;  // no other cancellation is pending
        else if (!propagate_cancel)
            propagate_cancel = pending_cancel;  // the rest is not ours: keep it
    }

    // CancelledError propagates, unless there are other errors: those win.
    if (propagate_cancel && errors_.empty()) std::rethrow_exception(propagate_cancel);
    if (body_error && !body_cancelled) errors_.push_back(body_error);
    if (!errors_.empty()) {
        // An outside cancellation must not be lost behind the ExceptionGroup:
        // uncancel and re-cancel keeps the count stable and re-arms it for the
        // parent's next await (Python 3.13).
        if (parent_->cancelling() > 0) {
            parent_->uncancel();
            parent_->cancel();
        }
        auto errors = std::move(errors_);
        errors_.clear();
        throw ExceptionGroup("unhandled errors in a TaskGroup", std::move(errors));
    }
}

void TaskGroup::cancel() noexcept {
    if (!entered_) {
        cancel_on_enter_ = true;
        return;
    }
    if (exiting_ && tasks_.empty()) return;
    if (!aborting_) {
        abort();
        if (!parent_cancel_requested_) {
            parent_cancel_requested_ = true;
            parent_->cancel();
        }
    }
}

}  // namespace aio
