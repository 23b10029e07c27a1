#pragma once
// The untyped half of Task<T> (asyncio's Task.__step, cancel, cancelling,
// uncancel) and SuspendPoint, the base of every awaiter that suspends a task.

#include <coroutine>
#include <cstdint>
#include "aio/core/source_location.hpp"
#include <string>
#include <string_view>

#include "aio/core/detail/future_base.hpp"
#include "aio/core/detail/loop_access.hpp"
#include "aio/core/event_loop.hpp"

namespace aio::detail {

/// A task drives one root coroutine. Invariant (as in asyncio's tasks.py):
/// while pending, a task is either in the ready queue (waiting_on_ is null) or
/// suspended on exactly one Waiter (waiting_on_), or running right now. The
/// loop holds one reference from creation to completion, so a dropped Task
/// handle never stops a task.
class TaskBase : public FutureBase {
public:
    TaskBase(EventLoop* loop, std::coroutine_handle<> coro, std::string_view name, SourceLocation where)
        : FutureBase(loop),
          id_(static_cast<std::uint32_t>(loop->next_task_id_++)),
          coro_(coro),
          site_(pack_site(where)) {
        if (!name.empty()) set_initial_name(name);
    }
    ~TaskBase() override;

    /// One step: resumes the coroutine where it suspended (asyncio's __step).
    void run() override;
    std::string describe() const override;
    TaskBase* as_task() noexcept override { return this; }
    /// Used by a closing loop: destroys the frame of a task that never
    /// finished (its destructors run), reports it, marks it cancelled.
    void destroy_pending() noexcept;
    /// asyncio 3.11's Task.cancel(msg): asks what the task awaits to give up,
    /// or arranges for CancelledError at the next resumption. False if done.
    bool cancel(const std::string& msg = {}) override;
    int cancelling() const noexcept { return static_cast<int>(num_cancels_requested_); }
    int uncancel() noexcept;

    std::string get_name() const;
    void set_name(std::string name);
    /// The N of the default name "Task-N". It counts tasks created on the loop
    /// and wraps after 2^32 of them (names are for people; nothing relies on
    /// them being unique, as in asyncio, where set_name can repeat a name).
    std::uint32_t id() const noexcept { return id_; }
    /// File and line of the create_task call (the function name is not kept).
    SourceLocation creation_site() const noexcept {
        return SourceLocation{reinterpret_cast<const char*>(site_ & kSiteFileMask), "",
                              static_cast<unsigned>(site_ >> kSiteLineShift)};
    }
    /// What the task is suspended on, for introspection ("" if not suspended).
    std::string awaiting() const;

    // ---- the awaiter protocol ----
    /// Marks the task suspended on `w`; the loop resumes `h` once woken.
    void suspend_on(Waiter* w, std::coroutine_handle<> h) noexcept {
        park(w);
        resume_ = h;
    }
    /// Schedules the next step. Called exactly once per suspension.
    void wake() noexcept {
        if (suspended_) unpark();
        LoopAccess::push_ready(*loop(), this);
    }
    /// What the task is suspended on, or null when it is ready or running.
    Waiter* waiting_on() const noexcept { return suspended_ ? reinterpret_cast<Waiter*>(next_ready_) : nullptr; }
    /// True once if this resumption must raise CancelledError.
    bool take_cancel_request() noexcept {
        bool r = throw_cancel_;
        throw_cancel_ = false;
        return r;
    }

protected:
    /// The root coroutine ended: move its outcome into the task, free the frame.
    virtual void complete_from_coro() noexcept = 0;
    void finish_cancelled(const std::string& msg) noexcept;
    void finish_with_exception(std::exception_ptr e) noexcept;
    const char* kind() const noexcept override { return "Task"; }
    void set_initial_name(std::string_view name);

private:
    friend class aio::EventLoop;
    /// A suspended task is in no ready queue, so the queue's link holds the
    /// Waiter instead (a pointer round trip through Runnable*). The loop's
    /// list of suspended tasks lets all_tasks() and close() find it.
    void park(Waiter* w) noexcept {
        slot_ = loop()->suspended_tasks_.add(this);
        next_ready_ = reinterpret_cast<Runnable*>(w);
        suspended_ = true;
    }
    void unpark() noexcept {
        loop()->suspended_tasks_.remove(slot_);
        suspended_ = false;
        next_ready_ = nullptr;
    }
    // The creation site in one word: the file name's address in the low 48
    // bits (user-space addresses on x86-64 and AArch64 fit), the line above it.
    static constexpr unsigned kSiteLineShift = 48;
    static constexpr std::uintptr_t kSiteFileMask = (std::uintptr_t(1) << kSiteLineShift) - 1;
    static std::uintptr_t pack_site(SourceLocation where) noexcept {
        auto file = reinterpret_cast<std::uintptr_t>(where.file_name());
        if (file == 0 || (file & ~kSiteFileMask)) file = reinterpret_cast<std::uintptr_t>("");
        std::uintptr_t line = where.line() < 0xFFFF ? where.line() : 0xFFFF;
        return file | line << kSiteLineShift;
    }

    // Every spawned task pays for each field here; spawn_batch in bench/
    // counts the bytes. The cancel count fills FutureBase's tail padding
    // (cancel() requests past 65535 are not counted).
    std::uint16_t num_cancels_requested_ = 0;
    std::uint32_t id_;
    std::uint32_t slot_ = 0;  // index in the loop's suspended list, while suspended_

protected:
    std::coroutine_handle<> coro_;

private:
    std::coroutine_handle<> resume_;
    std::uintptr_t site_;
};

/// The running task, or null outside a task.
inline TaskBase* current_task_ptr() noexcept {
    EventLoop* loop = t_running_loop;
    return loop ? LoopAccess::current_task(*loop) : nullptr;
}
[[noreturn]] void throw_not_in_task();
/// The running task; throws RuntimeError outside one.
inline TaskBase& require_current_task() {
    if (TaskBase* t = current_task_ptr()) return *t;
    throw_not_in_task();
}

/// Base of awaiters that suspend the current task on something cancellable.
/// Usage: call suspend_here(h) in await_suspend, resume_check() first thing in
/// await_resume, and implement cancel_wait() to undo the wait and wake().
class SuspendPoint : public Waiter {
protected:
    void suspend_here(std::coroutine_handle<> h) {
        task_ = &require_current_task();
        task_->suspend_on(this, h);
    }
    /// Raises the task's pending cancellation, if any.
    void resume_check() {
        if (task_ && task_->take_cancel_request()) throw task_->make_cancelled_error();
    }
    TaskBase* task_ = nullptr;

    ~SuspendPoint() = default;
};

}  // namespace aio::detail
