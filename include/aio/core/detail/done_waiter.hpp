#pragma once
// Waits for a future or task to be done without touching it: cancelling the
// waiting task abandons the wait but does not cancel the target. The building
// block of shield() and of cancel-and-wait in wait_for().

#include <coroutine>

#include "aio/core/detail/task_base.hpp"

namespace aio::detail {

class DoneWaiter final : public SuspendPoint, public DoneListener {
public:
    explicit DoneWaiter(Ref<FutureBase> target) noexcept : target_(std::move(target)) {}
    DoneWaiter(DoneWaiter&& o) noexcept : target_(std::move(o.target_)) {}

    bool await_ready() const noexcept { return target_->done(); }
    void await_suspend(std::coroutine_handle<> h) {
        suspend_here(h);
        target_->add_listener(this);
    }
    /// Throws CancelledError if the waiting task was cancelled; otherwise
    /// returns with the target done (its outcome untouched).
    void await_resume() {
        unlink();
        resume_check();
        if (abandoned_) throw task_->make_cancelled_error();
    }

    bool cancel_wait(const std::string&) noexcept override {
        unlink();
        abandoned_ = true;
        task_->wake();
        return true;
    }
    std::string describe_wait() const override { return "done of " + target_->describe(); }
    void on_done(FutureBase&) noexcept override { task_->wake(); }

private:
    Ref<FutureBase> target_;
    bool abandoned_ = false;
};

/// `co_await wait_done(x)` waits until `x` (a Task or Future) is done.
template <class X>
DoneWaiter wait_done(const X& x) {
    return DoneWaiter(Ref<FutureBase>(x.state()));
}

}  // namespace aio::detail
