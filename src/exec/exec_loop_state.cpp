#include "aio/exec/detail/exec_loop_state.hpp"

#include <utility>

#include "aio/core/detail/loop_access.hpp"
#include "aio/core/task.hpp"
#include "aio/exec/detail/exec_call.hpp"

namespace aio::detail {

// ---- ExecWatchBase ----------------------------------------------------------------------------

ExecWatchBase::~ExecWatchBase() {
    if (owner_) owner_->remove_watch(this);
}

void ExecWatchBase::retire() noexcept {
    if (owner_) {
        owner_->remove_watch(this);
        owner_ = nullptr;
    }
    // A future finished after its loop closed (nothing will run again) leaks its watch.
    if (!loop_->is_closed()) LoopAccess::push_ready(*loop_, this);
}

// ---- ExecLoopState ----------------------------------------------------------------------------

ExecLoopState::ExecLoopState(EventLoop& loop)
    : loop_(&loop), link_(std::make_shared<LoopLink>(loop)) {}

ExecLoopState::~ExecLoopState() {
    link_->detach();  // workers' late outcomes are dropped from now on
    if (default_) abandon_executor(*default_);
    cancel_watches("the event loop is closed");
}

ExecLoopState& ExecLoopState::of(EventLoop& loop) {
    static const LoopExtensionKey key(1);  // after async generators (0), whose cleanup may use it
    return loop_extension<ExecLoopState>(loop, key,
                                         [&] { return std::make_unique<ExecLoopState>(loop); });
}

ThreadPoolExecutor& ExecLoopState::default_executor() {
    if (default_shut_down_) throw RuntimeError("Executor shutdown has been called");
    if (!default_)
        default_ =
            std::make_shared<ThreadPoolExecutor>(ThreadPoolExecutor::default_max_workers(), "aio");
    return *default_;
}

void ExecLoopState::set_default_executor(std::shared_ptr<ThreadPoolExecutor> executor) {
    if (!executor) throw InvalidStateError("set_default_executor() needs an executor");
    default_ = std::move(executor);
}

std::shared_ptr<ThreadPoolExecutor> ExecLoopState::take_default_executor() noexcept {
    default_shut_down_ = true;
    return std::move(default_);
}

void ExecLoopState::add_watch(ExecWatchBase* w) noexcept {
    w->list_prev_ = nullptr;
    w->list_next_ = watches_;
    if (watches_) watches_->list_prev_ = w;
    watches_ = w;
}

void ExecLoopState::remove_watch(ExecWatchBase* w) noexcept {
    if (w->list_prev_)
        w->list_prev_->list_next_ = w->list_next_;
    else if (watches_ == w)
        watches_ = w->list_next_;
    else
        return;  // not linked
    if (w->list_next_) w->list_next_->list_prev_ = w->list_prev_;
    w->list_prev_ = w->list_next_ = nullptr;
}

void ExecLoopState::shutdown(EventLoop& loop) noexcept {
    if (auto executor = take_default_executor()) {
        try {
            loop.run_until_complete(join_executor(*this, std::move(executor)));
        } catch (...) {
            loop.call_exception_handler({"error while shutting down the default executor",
                                         std::current_exception(),
                                         {},
                                         {}});
        }
    }
    // Calls still running on other executors: their awaiters are gone (every task has ended),
    // so end the futures now; the workers' late outcomes are dropped.
    cancel_watches("the event loop is shutting down");
    link_->detach();
}

void ExecLoopState::cancel_watches(const char* msg) noexcept {
    while (ExecWatchBase* w = watches_) {
        remove_watch(w);
        w->owner_ = nullptr;
        w->cancel_future(msg);
    }
}

Coro<void> join_executor(ExecLoopState& state, std::shared_ptr<ThreadPoolExecutor> executor) {
    // The helper pool's one thread joins the executor. The job holds the helper too, so a
    // cancelled join frees it on the helper thread instead of blocking the loop.
    auto helper = std::make_shared<ThreadPoolExecutor>(1, "aio-shutdown");
    Future<void> joined =
        submit_call<void>(state, *helper, [executor = std::move(executor), helper]() mutable {
            executor->shutdown(true);
            executor.reset();
            helper.reset();
        });
    co_await joined;
}

}  // namespace aio::detail
