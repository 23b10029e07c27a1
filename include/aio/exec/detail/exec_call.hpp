#pragma once
// How run_in_executor() joins a job on a worker thread to a Future on the loop.
//
// ExecCall (shared by the worker and the loop, std::shared_ptr) holds the callable and, once it
// ran, its outcome; the worker posts it back through the LoopLink. ExecWatch lives on the loop
// side only: it holds the future, listens for it being done (a cancelled future cancels the job
// if no worker took it yet) and puts the outcome into it. Nothing a worker may destroy refers to
// loop objects (Ref counts are not atomic), and the watch is found through ExecCall::watch_,
// which only the loop thread touches and which is null once the future is done: an outcome that
// arrives after the awaiter gave up is dropped.

#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include "aio/core/detail/frame_pool.hpp"
#include "aio/core/detail/result_awaiter.hpp"
#include "aio/core/future.hpp"
#include "aio/core/task.hpp"
#include "aio/exec/detail/exec_loop_state.hpp"
#include "aio/exec/detail/loop_link.hpp"
#include "aio/exec/thread_pool_executor.hpp"

namespace aio::detail {

/// The loop side of one call: a node of ExecLoopState's list while the future is pending, then
/// a Runnable that frees itself on a later loop turn (it cannot free the future's last
/// reference from inside FutureBase::finish, which is still running).
class ExecWatchBase : public DoneListener, public Runnable, public PoolAllocated {
public:
    ExecWatchBase(EventLoop& loop, ExecLoopState& owner) noexcept : owner_(&owner), loop_(&loop) {}
    virtual ~ExecWatchBase();

    /// Cancels the future (loop shutdown, or the executor dropped the job).
    virtual void cancel_future(const std::string& msg) noexcept = 0;

    void run() override { delete this; }
    void discard() noexcept override { delete this; }
    std::string describe() const override { return "<run_in_executor cleanup>"; }

    ExecWatchBase* list_prev_ = nullptr;
    ExecWatchBase* list_next_ = nullptr;
    ExecLoopState* owner_;

protected:
    /// Called once the future is done: leaves the list, frees this on a later turn.
    void retire() noexcept;
    EventLoop* loop_;
};

template <class R>
class ExecWatch;

template <class R>
class ExecCall : public WorkItem, public std::enable_shared_from_this<ExecCall<R>> {
public:
    explicit ExecCall(std::shared_ptr<LoopLink> link) noexcept : link_(std::move(link)) {}

    // Written by the worker before it posts, read on the loop thread after (the post orders them).
    std::optional<Stored<R>> value_;
    std::exception_ptr error_;
    // Loop thread only.
    ExecWatch<R>* watch_ = nullptr;

    void on_dropped() noexcept override {
        post([self = this->shared_from_this()] {
            if (self->watch_) self->watch_->cancel_future("the executor was shut down");
        });
    }

protected:
    /// Worker thread: hands the outcome to the loop (dropped if the loop is gone).
    void send_outcome() noexcept {
        post([self = this->shared_from_this()] {
            if (self->watch_) self->watch_->complete(*self);
        });
    }

private:
    template <class Fn>
    void post(Fn fn) noexcept {
        try {
            link_->post(std::function<void()>(std::move(fn)));
        } catch (...) {  // out of memory: the outcome is lost, as if the loop were gone
        }
    }
    std::shared_ptr<LoopLink> link_;
};

template <class R, class Fn>
class ExecCallImpl final : public ExecCall<R> {
public:
    ExecCallImpl(std::shared_ptr<LoopLink> link, Fn fn)
        : ExecCall<R>(std::move(link)), fn_(std::move(fn)) {}

    void run() noexcept override {
        try {
            if constexpr (std::is_void_v<R>) {
                (*fn_)();
                this->value_.emplace();
            } else {
                this->value_.emplace((*fn_)());
            }
        } catch (...) {
            this->error_ = std::current_exception();
        }
        fn_.reset();  // the callable and its arguments die on the worker, before the outcome leaves
        this->send_outcome();
    }

private:
    std::optional<Fn> fn_;
};

template <class R>
class ExecWatch final : public ExecWatchBase {
public:
    ExecWatch(EventLoop& loop, ExecLoopState& owner, Ref<FutureState<R>> future,
              std::shared_ptr<ExecCall<R>> call) noexcept
        : ExecWatchBase(loop, owner), future_(std::move(future)), call_(std::move(call)) {}

    /// Links the watch: from now on it owns itself.
    void attach() noexcept {
        call_->watch_ = this;
        owner_->add_watch(this);
        future_->add_listener(this);
    }

    /// The job's outcome arrived (loop thread). The future is pending: once it is done the watch
    /// is detached from the call.
    void complete(ExecCall<R>& c) noexcept {
        FutureState<R>& f = *future_;
        try {
            if (c.error_) {
                // Moved out, so the exception's last reference is dropped on the loop thread
                // (libstdc++ counts exception_ptr references where ThreadSanitizer cannot see).
                std::exception_ptr e = std::exchange(c.error_, nullptr);
                if (is_cancelled_error(e))  // a future cannot hold CancelledError: cancel it
                    f.cancel(cancel_message_of(e));
                else
                    f.set_exception(std::move(e));
            } else if constexpr (std::is_void_v<R>) {
                f.set_result();
            } else {
                f.set_result(std::move(*c.value_));
            }
        } catch (...) {  // the value's move constructor threw
            try {
                if (!f.done()) f.set_exception(std::current_exception());
            } catch (...) {
            }
        }
    }

    void cancel_future(const std::string& msg) noexcept override {
        try {
            future_->cancel(msg);
        } catch (...) {
        }
    }

    void on_done(FutureBase& f) noexcept override {
        if (f.cancelled()) call_->try_cancel();  // not started yet: it never will be
        call_->watch_ = nullptr;
        retire();
    }

private:
    Ref<FutureState<R>> future_;
    std::shared_ptr<ExecCall<R>> call_;
};

/// Queues `fn` on `executor` and returns the future its outcome will reach.
template <class R, class Fn>
Future<R> submit_call(ExecLoopState& state, ThreadPoolExecutor& executor, Fn fn) {
    EventLoop& loop = state.loop();
    auto call = std::make_shared<ExecCallImpl<R, Fn>>(state.link(), std::move(fn));
    Future<R> future(loop);
    auto* watch = new ExecWatch<R>(loop, state, Ref<FutureState<R>>(future.state()), call);
    try {
        executor.submit_item(call);
    } catch (...) {
        delete watch;
        throw;
    }
    // The outcome cannot arrive before this: it is delivered by a later loop turn.
    watch->attach();
    return future;
}

}  // namespace aio::detail
