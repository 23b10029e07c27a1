#pragma once
// The exec layer's per-loop state (asyncio's BaseEventLoop._default_executor): the loop's
// LoopLink, its default executor, and the run_in_executor() calls still in flight. A loop
// extension (aio/core/detail/loop_extension.hpp) of order 1: shut down after the async
// generators, whose cleanup may still use executors.

#include <memory>
#include <string>

#include "aio/core/coro.hpp"
#include "aio/core/detail/loop_extension.hpp"
#include "aio/core/event_loop.hpp"
#include "aio/exec/detail/loop_link.hpp"
#include "aio/exec/thread_pool_executor.hpp"

namespace aio::detail {

class ExecWatchBase;

class ExecLoopState final : public LoopExtension {
public:
    explicit ExecLoopState(EventLoop& loop);
    /// The loop is closing without shutdown() having run (asyncio's close()): detaches the
    /// link, shuts the default executor down without waiting (its workers finish the queued
    /// jobs and exit on their own), and cancels the futures of calls still in flight.
    ~ExecLoopState() override;

    /// The state of `loop`, created on first use. Call on the loop's thread.
    static ExecLoopState& of(EventLoop& loop);

    EventLoop& loop() const noexcept { return *loop_; }
    const std::shared_ptr<LoopLink>& link() const noexcept { return link_; }

    /// The default executor, created on first use.
    /// Throws RuntimeError once shutdown_default_executor() was called.
    ThreadPoolExecutor& default_executor();
    void set_default_executor(std::shared_ptr<ThreadPoolExecutor> executor);
    /// Hands the default executor over for shutdown (null if none was created); later
    /// default_executor() calls throw.
    std::shared_ptr<ThreadPoolExecutor> take_default_executor() noexcept;

    // run_in_executor() calls whose future is not done yet (loop thread only).
    void add_watch(ExecWatchBase* w) noexcept;
    void remove_watch(ExecWatchBase* w) noexcept;

    /// Joins the default executor (the loop keeps running meanwhile, so results still reach
    /// their futures), cancels the futures of calls still in flight, detaches the link.
    void shutdown(EventLoop& loop) noexcept override;

private:
    void cancel_watches(const char* msg) noexcept;

    EventLoop* loop_;
    std::shared_ptr<LoopLink> link_;
    std::shared_ptr<ThreadPoolExecutor> default_;
    ExecWatchBase* watches_ = nullptr;
    bool default_shut_down_ = false;
};

/// Shuts `executor` down with wait=true on a helper thread and completes when it has joined,
/// so the loop never blocks on the join (asyncio's shutdown_default_executor).
Coro<void> join_executor(ExecLoopState& state, std::shared_ptr<ThreadPoolExecutor> executor);

}  // namespace aio::detail
