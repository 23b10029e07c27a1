#pragma once
// The untyped core of wait() and as_completed(): listens to N futures and an
// optional deadline.

#include <coroutine>
#include <optional>
#include <vector>

#include "aio/core/detail/task_base.hpp"

namespace aio::detail {

enum class ReturnWhen { first_completed, first_exception, all_completed };

class WaitWaiter final : public SuspendPoint, public TimerNode {
public:
    WaitWaiter(std::vector<Ref<FutureBase>> futures, ReturnWhen when, std::optional<TimePoint> deadline);
    WaitWaiter(const WaitWaiter&) = delete;
    ~WaitWaiter();

    bool await_ready() noexcept { return satisfied(); }
    void await_suspend(std::coroutine_handle<> h);
    void await_resume();

    bool cancel_wait(const std::string& msg) noexcept override;
    std::string describe_wait() const override;
    void fire() noexcept override;

private:
    struct Child final : DoneListener {
        WaitWaiter* owner = nullptr;
        void on_done(FutureBase& f) noexcept override { owner->child_done(f); }
    };
    bool satisfied() const noexcept;
    void child_done(FutureBase& f) noexcept;
    void stop_waiting() noexcept;

    std::vector<Ref<FutureBase>> futures_;
    std::vector<Child> children_;
    std::optional<TimePoint> deadline_;
    ReturnWhen return_when_;
    bool woken_ = false;
    bool abandoned_ = false;
};

}  // namespace aio::detail
