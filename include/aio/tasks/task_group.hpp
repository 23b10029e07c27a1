#pragma once
/// aio::TaskGroup — asyncio.TaskGroup (3.12 semantics).
///
/// asyncio's `async with TaskGroup() as tg:` becomes
/// ```
/// co_await aio::task_group([&](aio::TaskGroup& tg) -> aio::Coro<> {
///     tg.create_task(fetch(a));
///     tg.create_task(fetch(b));
///     co_return;
/// });   // waits for every child; raises ExceptionGroup if any failed
/// ```
/// The first child failure cancels the other children and the body; the
/// group waits for all of them and raises every error together in an
/// ExceptionGroup. No child outlives the group. A cancellation of the
/// awaiting task from outside cancels the children and then propagates.

#include <exception>
#include <string>
#include <unordered_set>
#include <vector>

#include "aio/core/future.hpp"
#include "aio/core/source_location.hpp"
#include "aio/core/task.hpp"

namespace aio {

class TaskGroup {
public:
    TaskGroup();
    TaskGroup(const TaskGroup&) = delete;
    TaskGroup& operator=(const TaskGroup&) = delete;
    ~TaskGroup();

    /// Starts `coro` as a child task. RuntimeError if the group has not been
    /// entered, has finished, or is shutting down after a failure (the
    /// coroutine is then dropped without running).
    template <class T>
    Task<T> create_task(Coro<T> coro, std::string_view name = {}, SourceLocation where = SourceLocation::current()) {
        check_can_spawn();
        Task<T> t = parent_->loop()->create_task(std::move(coro), name, where);
        adopt(AnyTask(t));
        return t;
    }

    /// Cancels every child and the body; the group then exits without
    /// raising CancelledError (Python 3.14's TaskGroup.cancel()). Before
    /// entry, the group is cancelled on entry; after exit, a no-op.
    void cancel() noexcept;

    /// Children not finished yet.
    std::size_t size() const noexcept { return tasks_.size(); }

    // asyncio's __aenter__ / __aexit__, driven by task_group().
    void enter();
    /// Waits for every child. `body_error` is what the body threw (or null).
    Coro<void> exit(std::exception_ptr body_error);

private:
    struct ChildListener;
    void check_can_spawn() const;
    void adopt(AnyTask t);
    void on_task_done(detail::TaskBase& t);
    void abort() noexcept;

    detail::TaskBase* parent_ = nullptr;
    std::vector<std::unique_ptr<ChildListener>> listeners_;
    std::unordered_set<detail::TaskBase*> tasks_;
    std::vector<std::exception_ptr> errors_;
    std::optional<Future<void>> on_completed_;
    bool entered_ = false;
    bool exiting_ = false;
    bool aborting_ = false;
    bool parent_cancel_requested_ = false;
    bool cancel_on_enter_ = false;
};

/// Runs `body(tg, args...)` with a fresh TaskGroup and waits for all its children.
///
/// `args` are copied into the group's frame and passed to `body` as lvalues, so that the body can
/// be a lambda without captures: that spelling is also correct with g++ 12, which destroys a
/// lambda's by-value captures twice when the lambda is written inside the co_await
/// (docs/toolchain.md).
/// ```
/// co_await aio::task_group([](aio::TaskGroup& tg, const std::string& host) -> aio::Coro<> {
///     tg.create_task(fetch(host + "/a"));
///     co_return;
/// }, host);
/// ```
template <class F, class... Args>
Coro<void> task_group(F body, Args... args) {
    TaskGroup tg;
    tg.enter();
    std::exception_ptr error;
    try {
        co_await body(tg, args...);
    } catch (...) {
        error = std::current_exception();
    }
    co_await tg.exit(error);
}

}  // namespace aio
