#pragma once
// Awaiting a Future<T> or Task<T> from a task (asyncio's Task.__wakeup path).

#include <coroutine>
#include <optional>
#include <type_traits>
#include <variant>

#include "aio/core/detail/task_base.hpp"

namespace aio::detail {

template <class T>
using Stored = std::conditional_t<std::is_void_v<T>, std::monostate, T>;

/// Typed result storage shared by FutureState<T> and TaskState<T>.
template <class T>
struct ValueStore {
    std::optional<Stored<T>> value_;
};
/// A void result needs no storage: the state's status says it all.
template <>
struct ValueStore<void> {};

/// Whether `co_await std::move(handle)` moves the result out: only when it
/// cannot be copied, so awaiting never consumes a copyable result.
template <class T>
inline constexpr bool move_on_rvalue_await = !std::is_void_v<T> && !std::is_copy_constructible_v<T>;

/// Suspends the current task until the state `S` (a FutureBase with a
/// ValueStore) is done. The result is copied out, as asyncio hands every
/// awaiter the same object; `Move` (used for move-only results awaited as an
/// rvalue) moves it out instead. Cancelling the waiting task cancels the awaited
/// future or task too (asyncio semantics); the waiter then resumes when that
/// one has actually finished.
template <class S, class T, bool Move>
class ResultAwaiter final : public SuspendPoint, public DoneListener {
public:
    explicit ResultAwaiter(Ref<S> s) noexcept : s_(std::move(s)) {}
    ResultAwaiter(ResultAwaiter&& o) noexcept : s_(std::move(o.s_)) {}

    bool await_ready() const noexcept { return s_->done(); }
    void await_suspend(std::coroutine_handle<> h) {
        if (static_cast<FutureBase*>(s_.get()) == static_cast<FutureBase*>(current_task_ptr()))
            throw RuntimeError("a task cannot await itself");
        suspend_here(h);
        s_->add_listener(this);
    }
    T await_resume() {
        unlink();
        resume_check();
        s_->check_result();
        if constexpr (!std::is_void_v<T>) {
            if constexpr (Move)
                return std::move(*s_->value_);
            else
                return *s_->value_;
        }
    }

    bool cancel_wait(const std::string& msg) noexcept override { return s_->cancel(msg); }
    std::string describe_wait() const override { return s_->describe(); }
    void on_done(FutureBase&) noexcept override { task_->wake(); }

private:
    Ref<S> s_;
};

}  // namespace aio::detail
