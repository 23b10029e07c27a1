#pragma once
// The untyped core of gather(): waits on N child tasks with asyncio's
// _GatheringFuture rules.

#include <coroutine>
#include <exception>
#include <vector>

#include "aio/core/detail/task_base.hpp"

namespace aio::detail {

class GatherWaiter final : public SuspendPoint {
public:
    /// `settled`: asyncio's return_exceptions=True.
    GatherWaiter(std::vector<Ref<TaskBase>> children, bool settled);
    GatherWaiter(const GatherWaiter&) = delete;
    ~GatherWaiter();

    bool await_ready() noexcept;
    void await_suspend(std::coroutine_handle<> h);
    /// Rethrows the first child error (not settled) or CancelledError if the
    /// gather itself was cancelled; otherwise every child is done.
    void await_resume();

    bool cancel_wait(const std::string& msg) noexcept override;
    std::string describe_wait() const override;

private:
    struct Child final : DoneListener {
        GatherWaiter* owner = nullptr;
        TaskBase* task = nullptr;
        void on_done(FutureBase&) noexcept override { owner->child_done(*this); }
    };
    void child_done(Child& c) noexcept;
    /// Decides whether the gather is complete after `c` finished; sets error_.
    bool settle(TaskBase& c) noexcept;
    void finish() noexcept;

    std::vector<Ref<TaskBase>> tasks_;
    std::vector<Child> children_;
    std::exception_ptr error_;
    std::size_t finished_ = 0;
    bool settled_;
    bool cancel_requested_ = false;
    bool complete_ = false;
    bool suspended_ = false;
};

}  // namespace aio::detail
