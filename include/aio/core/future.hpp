#pragma once
/// aio::Future<T> — asyncio.Future: a result that will be set later, awaitable
/// by any number of tasks.
///
/// ```
/// auto fut = loop.create_future<int>();
/// loop.call_later(10ms, [fut]() mutable { fut.set_result(42); });
/// int v = co_await fut;
/// ```
/// Cancel safety: cancelling a task that awaits a future cancels the future
/// (asyncio semantics); use aio::shield to prevent that.

#include <exception>
#include <utility>

#include "aio/core/detail/result_awaiter.hpp"
#include "aio/core/event_loop.hpp"

namespace aio {

namespace detail {

template <class T>
class FutureState final : public FutureBase, public ValueStore<T> {
public:
    using FutureBase::FutureBase;

    template <class... U>
    void set_result(U&&... v) {
        if (done()) throw InvalidStateError("set_result() on a future that is done");
        if constexpr (!std::is_void_v<T>) this->value_.emplace(std::forward<U>(v)...);
        finish(FutureStatus::finished);
    }
};

}  // namespace detail

template <class T = void>
class Future {
public:
    using State = detail::FutureState<T>;

    /// A future bound to the running loop (RuntimeError if none).
    Future() : Future(get_running_loop()) {}
    explicit Future(EventLoop& loop) : s_(detail::Ref<State>::adopt(new State(&loop))) {}
    explicit Future(detail::Ref<State> s) noexcept : s_(std::move(s)) {}

    bool done() const noexcept { return s_->done(); }
    bool cancelled() const noexcept { return s_->cancelled(); }
    /// Cancels the future and schedules its callbacks; false if already done.
    bool cancel(const std::string& msg = {}) { return s_->cancel(msg); }

    /// Marks the future done with a value. Throws InvalidStateError if done.
    template <class... U>
    void set_result(U&&... v) {
        s_->set_result(std::forward<U>(v)...);
    }
    /// Marks the future done with an exception. Throws InvalidStateError if done.
    void set_exception(std::exception_ptr e) { s_->set_exception(std::move(e)); }
    template <class E>
    void set_exception(E&& e) {
        s_->set_exception(std::make_exception_ptr(std::forward<E>(e)));
    }

    /// The value; rethrows the exception; CancelledError if cancelled;
    /// InvalidStateError if pending.
    decltype(auto) result() const {
        s_->check_result();
        if constexpr (!std::is_void_v<T>) return static_cast<const T&>(*s_->value_);
    }
    /// The exception, or null. CancelledError if cancelled; InvalidStateError if pending.
    std::exception_ptr exception() const { return s_->exception(); }

    /// Calls `fn(future)` via call_soon once done.
    template <class F>
    CallbackId add_done_callback(F fn) {
        return s_->add_callback([fn = std::move(fn), s = s_]() mutable { fn(Future(s)); });
    }
    std::size_t remove_done_callback(CallbackId id) noexcept { return s_->remove_callback(id); }
    EventLoop& get_loop() const noexcept { return *s_->loop(); }

    auto operator co_await() const& { return detail::ResultAwaiter<State, T, false>(s_); }
    auto operator co_await() && {
        return detail::ResultAwaiter<State, T, detail::move_on_rvalue_await<T>>(std::move(s_));
    }

    State* state() const noexcept { return s_.get(); }
    friend bool operator==(const Future& a, const Future& b) noexcept { return a.s_ == b.s_; }

private:
    detail::Ref<State> s_;
};

template <class T>
Future<T> EventLoop::create_future() {
    check_open();
    return Future<T>(*this);
}

}  // namespace aio
