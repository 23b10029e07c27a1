#pragma once
/// aio::Task<T> — asyncio.Task: a coroutine scheduled to run concurrently.
///
/// ```
/// aio::Task<int> t = aio::create_task(fetch(url), "fetch");
/// ...
/// int n = co_await t;   // awaitable by any number of tasks
/// ```
/// The loop keeps every pending task alive, so dropping the handle never stops
/// a fire-and-forget task; a task that fails and is never awaited is reported
/// to the loop's exception handler. Cancel safety: cancelling a task that
/// awaits this one cancels this one too; use aio::shield to prevent that.

#include <string>
#include <string_view>
#include <utility>

#include "aio/core/coro.hpp"
#include "aio/core/detail/result_awaiter.hpp"
#include "aio/core/event_loop.hpp"
#include "aio/core/source_location.hpp"

namespace aio {

namespace detail {

/// The message of the CancelledError held by `e` ("" if none).
std::string cancel_message_of(const std::exception_ptr& e);

template <class T>
class TaskState final : public TaskBase, public ValueStore<T> {
public:
    using handle_type = typename Coro<T>::handle_type;
    TaskState(EventLoop* loop, handle_type h, std::string_view name, SourceLocation where)
        : TaskBase(loop, h, name, where) {}

private:
    void complete_from_coro() noexcept override {
        auto h = handle_type::from_address(coro_.address());
        auto& p = h.promise();
        if (p.has_exception()) {
            bool cancellation = p.is_cancellation();
            std::exception_ptr e = p.take_exception();
            if (cancellation)
                finish_cancelled(cancel_message_of(e));
            else
                finish_with_exception(std::move(e));
        } else if (must_cancel_) {
            // cancel() came after the coroutine's last suspension: the task still
            // ends cancelled, as in asyncio.
            must_cancel_ = false;
            finish_cancelled(cancel_message());
        } else {
            try {
                if constexpr (!std::is_void_v<T>) this->value_.emplace(p.take());
            } catch (...) {  // T's move constructor threw
                h.destroy();
                coro_ = {};
                finish_with_exception(std::current_exception());
                return;
            }
            h.destroy();
            coro_ = {};
            finish(FutureStatus::finished);
            return;
        }
        h.destroy();
        coro_ = {};
    }
};

}  // namespace detail

/// A type-erased task handle: what all_tasks() and current_task() return.
class AnyTask {
public:
    AnyTask() noexcept = default;
    explicit AnyTask(detail::Ref<detail::TaskBase> s) noexcept : s_(std::move(s)) {}

    explicit operator bool() const noexcept { return bool(s_); }
    bool done() const noexcept { return s_->done(); }
    bool cancelled() const noexcept { return s_->cancelled(); }
    bool cancel(const std::string& msg = {}) { return s_->cancel(msg); }
    int cancelling() const noexcept { return s_->cancelling(); }
    int uncancel() noexcept { return s_->uncancel(); }
    std::string get_name() const { return s_->get_name(); }
    void set_name(std::string name) { s_->set_name(std::move(name)); }
    SourceLocation creation_site() const noexcept { return s_->creation_site(); }
    /// What the task is suspended on right now ("" when not suspended).
    std::string awaiting() const { return s_->awaiting(); }
    /// The exception, or null; CancelledError if cancelled; InvalidStateError if pending.
    std::exception_ptr exception() const { return s_->exception(); }
    EventLoop& get_loop() const noexcept { return *s_->loop(); }

    /// Waits for the task; rethrows its exception; discards its value.
    auto operator co_await() const { return detail::ResultAwaiter<detail::TaskBase, void, false>(s_); }

    detail::TaskBase* state() const noexcept { return s_.get(); }
    friend bool operator==(const AnyTask& a, const AnyTask& b) noexcept { return a.s_ == b.s_; }

protected:
    detail::Ref<detail::TaskBase> s_;
};

template <class T = void>
class Task : public AnyTask {
public:
    using State = detail::TaskState<T>;
    using value_type = T;

    Task() noexcept = default;
    explicit Task(detail::Ref<State> s) noexcept : AnyTask(detail::Ref<detail::TaskBase>(std::move(s))) {}

    /// The value; rethrows the exception; CancelledError if cancelled;
    /// InvalidStateError if pending.
    decltype(auto) result() const {
        state()->check_result();
        if constexpr (!std::is_void_v<T>) return static_cast<const T&>(*state()->value_);
    }
    /// Calls `fn(task)` via call_soon once done.
    template <class F>
    CallbackId add_done_callback(F fn) {
        return s_->add_callback([fn = std::move(fn), s = detail::Ref<State>(state())]() mutable {
            fn(Task(s));
        });
    }
    std::size_t remove_done_callback(CallbackId id) noexcept { return s_->remove_callback(id); }

    /// The task's result (a copy). For a move-only result,
    /// `co_await std::move(task)` moves it out of the task.
    auto operator co_await() const& {
        return detail::ResultAwaiter<State, T, false>(detail::Ref<State>(state()));
    }
    auto operator co_await() && {
        return detail::ResultAwaiter<State, T, detail::move_on_rvalue_await<T>>(detail::Ref<State>(state()));
    }

    State* state() const noexcept { return static_cast<State*>(s_.get()); }
};

template <class T>
Task<T> EventLoop::create_task(Coro<T> coro, std::string_view name, SourceLocation where) {
    check_open();
    if (!coro.valid()) throw InvalidStateError("create_task() of an empty Coro");
    // The new state's first reference is the loop's, dropped at completion.
    auto* s = new detail::TaskState<T>(this, coro.release(), name, where);
    push_ready(s);
    return Task<T>(detail::Ref<detail::TaskState<T>>(s));
}

/// Schedules `coro` as a task on the running loop (asyncio.create_task).
template <class T>
Task<T> create_task(Coro<T> coro, std::string_view name = {},
                    SourceLocation where = SourceLocation::current()) {
    return get_running_loop().create_task(std::move(coro), name, where);
}

/// The running task (empty outside a task).
AnyTask current_task();
/// Every pending task of the running loop.
std::vector<AnyTask> all_tasks();

/// Wraps a coroutine into a task; returns a task unchanged (asyncio.ensure_future).
template <class T>
Task<T> ensure_future(Coro<T> coro, SourceLocation where = SourceLocation::current()) {
    return get_running_loop().create_task(std::move(coro), {}, where);
}
template <class T>
Task<T> ensure_future(Task<T> task) {
    return task;
}

template <class T>
T EventLoop::run_until_complete(Coro<T> coro) {
    // asyncio's order: refuse before wrapping, so the coroutine never runs.
    check_open();
    if (running_) throw RuntimeError("This event loop is already running");
    if (detail::t_running_loop) throw RuntimeError("Cannot run the event loop while another loop is running");
    return run_until_complete(create_task(std::move(coro)));
}

template <class T>
T EventLoop::run_until_complete(Task<T> task) {
    if (task.state()->loop() != this) throw RuntimeError("the task belongs to another loop");
    if (!task.done()) {
        CallbackId id = task.state()->add_callback([this] { stop(); });
        try {
            run_forever();
        } catch (...) {
            task.state()->remove_callback(id);
            throw;
        }
        task.state()->remove_callback(id);
        if (!task.done()) throw RuntimeError("Event loop stopped before Future completed.");
    }
    if constexpr (std::is_void_v<T>) {
        task.result();
    } else if constexpr (detail::move_on_rvalue_await<T>) {
        task.state()->check_result();
        return std::move(*task.state()->value_);
    } else {
        return task.result();  // the task keeps its result, as in asyncio
    }
}

}  // namespace aio
