#include "aio/core/detail/task_base.hpp"

#include <cstdio>
#include <string>

#include "aio/core/task.hpp"
#include "core/loop_impl.hpp"

namespace aio::detail {

void TaskBase::set_initial_name(std::string_view name) { extra().name = std::string(name); }

TaskBase::~TaskBase() {
    if (suspended_ && loop()) unpark();  // cannot happen while the loop holds its reference; kept safe
    if (coro_) coro_.destroy();
}

void throw_not_in_task() {
    throw RuntimeError("aio awaitables must be awaited inside a task (use aio::run or create_task)");
}

std::string cancel_message_of(const std::exception_ptr& e) {
    try {
        std::rethrow_exception(e);
    } catch (const CancelledError& c) {
        return c.message();
    } catch (...) {
        return {};
    }
}

// asyncio's Task.__step. Never throws: the coroutine's exceptions end up in
// its promise, and the awaiters' exceptions are raised inside the coroutine.
void TaskBase::run() {
    if (done()) return;  // destroyed by a closing loop while queued
    EventLoop* loop = this->loop();
    if (!started_) {
        started_ = true;
        if (must_cancel_) {
            // Cancelled before its first step: the body never runs.
            must_cancel_ = false;
            coro_.destroy();
            coro_ = {};
            finish_cancelled(cancel_message());
            release();  // the loop's reference
            return;
        }
        resume_ = coro_;
    } else if (must_cancel_) {
        must_cancel_ = false;
        throw_cancel_ = true;
    }
    loop->current_task_ = this;
    resume_.resume();
    loop->current_task_ = nullptr;
    if (coro_.done()) {
        complete_from_coro();
        release();  // the loop's reference; may free this task
        return;
    }
    // cancel() was called while the task ran: pass it to what it now awaits.
    if (Waiter* w = waiting_on(); must_cancel_ && w && w->cancel_wait(cancel_message())) must_cancel_ = false;
}

bool TaskBase::cancel(const std::string& msg) {
    if (done()) return false;
    if (num_cancels_requested_ != UINT16_MAX) ++num_cancels_requested_;
    // Kept on the task too, so any awaiter can raise make_cancelled_error().
    set_cancel_message(msg);
    if (Waiter* w = waiting_on(); w && w->cancel_wait(msg)) return true;
    must_cancel_ = true;
    return true;
}

int TaskBase::uncancel() noexcept {
    if (num_cancels_requested_ > 0) {
        --num_cancels_requested_;
        if (num_cancels_requested_ == 0) must_cancel_ = false;
    }
    return static_cast<int>(num_cancels_requested_);
}

void TaskBase::finish_cancelled(const std::string& msg) noexcept {
    try {
        set_cancel_message(msg);
    } catch (...) {  // out of memory for the message: cancel without it
    }
    finish(FutureStatus::cancelled);
}

void TaskBase::finish_with_exception(std::exception_ptr e) noexcept {
    try {
        store_exception(std::move(e));
    } catch (...) {  // no memory to keep the exception: report it rather than lose it silently
        std::fputs("aio: out of memory while storing a task's exception; the task ends cancelled\n", stderr);
        finish(FutureStatus::cancelled);
        return;
    }
    finish(FutureStatus::finished);
}

void TaskBase::destroy_pending() noexcept {
    if (done()) return;
    ExceptionContext ctx;
    ctx.message = "Task was destroyed but it is pending!";
    ctx.task = describe();
    ctx.source = creation_site();
    loop()->call_exception_handler(ctx);
    add_ref();
    if (coro_) {
        auto h = coro_;
        coro_ = {};
        h.destroy();
    }
    if (suspended_) unpark();
    finish_cancelled("the event loop was closed");
    release();  // the loop's reference
    release();  // ours
}

std::string TaskBase::get_name() const {
    if (const FutureExtra* x = extra_ptr(); x && !x->name.empty()) return x->name;
    return "Task-" + std::to_string(id_);
}

void TaskBase::set_name(std::string name) { extra().name = std::move(name); }

std::string TaskBase::awaiting() const {
    Waiter* w = waiting_on();
    return w ? w->describe_wait() : std::string();
}

std::string TaskBase::describe() const {
    std::string out = "<Task ";
    out += cancelled() ? "cancelled" : done() ? "finished" : "pending";
    out += " name='" + get_name() + "'";
    SourceLocation site = creation_site();
    if (*site.file_name()) out += " created at " + std::string(site.file_name()) + ":" + std::to_string(site.line());
    if (Waiter* w = waiting_on()) out += " awaiting " + w->describe_wait();
    out += ">";
    return out;
}

}  // namespace aio::detail
