#pragma once
/// aio::Coro<T> — asyncio's `async def f() -> T`.
///
/// A coroutine that starts only when awaited (lazy) and is awaited once.
/// Awaiting it is a direct call: no scheduling and no allocation beyond the
/// frame. To run it concurrently, wrap it in a task (aio::create_task).
///
/// How control moves: the awaiter resumes the child with a plain call. If the
/// child finishes before suspending, the call returns and the awaiter goes on
/// without suspending, so a million synchronous completions in a row use no
/// stack, at any optimisation level (symmetric transfer alone relies on a tail
/// call that g++ only emits at -O2). If the child suspends, the call returns,
/// the awaiter suspends, and the child later resumes it by symmetric transfer.
///
/// ```
/// aio::Coro<int> add(int a, int b) { co_await aio::sleep(10ms); co_return a + b; }
/// int x = co_await add(1, 2);
/// ```

#include <coroutine>
#include <cstdint>
#include <exception>
#include <new>
#include <type_traits>
#include <utility>

#include "aio/core/detail/frame_pool.hpp"
#include "aio/core/detail/toolchain_check.hpp"
#include "aio/core/exceptions.hpp"

namespace aio {

template <class T = void>
class Coro;

namespace detail {

/// The exception a coroutine ended with, from unhandled_exception() until its
/// awaiter takes it. Keeping it here rather than in every frame makes a
/// frame 8 bytes smaller. One slot per thread is enough: between a coroutine's
/// unhandled_exception() and the take by its awaiter (the awaiter's
/// await_resume, or the owning task's completion step) only the final
/// suspension runs, never other coroutine code.
inline thread_local std::exception_ptr t_coro_exception;

/// A coroutine's awaiter (the continuation) and three flags in one word: a
/// frame starts with function pointers, so a handle's three low bits are
/// always free.
class PromiseLink {
public:
    std::coroutine_handle<> continuation() const noexcept {
        return std::coroutine_handle<>::from_address(reinterpret_cast<void*>(bits_ & ~kFlags));
    }
    void set_continuation(std::coroutine_handle<> h) noexcept {
        bits_ = (bits_ & kFlags) | reinterpret_cast<std::uintptr_t>(h.address());
    }
    /// True while the awaiter's resume() call is on the stack.
    bool running_inline() const noexcept { return bits_ & kInline; }
    void set_running_inline(bool on) noexcept { bits_ = on ? bits_ | kInline : bits_ & ~kInline; }
    /// True if the coroutine ended with an exception that is not taken yet.
    bool has_exception() const noexcept { return bits_ & kFailed; }
    /// True if that exception is a CancelledError.
    bool is_cancellation() const noexcept { return bits_ & kCancellation; }
    /// Hands over the exception (call once, right after the coroutine ended).
    std::exception_ptr take_exception() noexcept {
        bits_ &= ~(kFailed | kCancellation);
        return std::exchange(t_coro_exception, nullptr);
    }
    void unhandled_exception() noexcept {
        t_coro_exception = std::current_exception();
        bits_ |= kFailed;
        try {
            throw;
        } catch (const CancelledError&) {
            bits_ |= kCancellation;
        } catch (...) {
        }
    }

private:
    static constexpr std::uintptr_t kInline = 1, kCancellation = 2, kFailed = 4, kFlags = 7;
    std::uintptr_t bits_ = 0;
};

/// Where a coroutine's outcome waits for its awaiter.
template <class T>
class ResultSlot : public PromiseLink {
public:
    ResultSlot() noexcept {}
    ~ResultSlot() {
        if (has_value_) value_.~T();
    }
    template <class U>
    void return_value(U&& v) noexcept(std::is_nothrow_constructible_v<T, U&&>) {
        ::new (static_cast<void*>(&value_)) T(std::forward<U>(v));
        has_value_ = true;
    }
    T take() {
        if (has_exception()) std::rethrow_exception(take_exception());
        return std::move(value_);
    }

private:
    union {
        T value_;
    };
    bool has_value_ = false;
};

template <>
class ResultSlot<void> : public PromiseLink {
public:
    void return_void() noexcept {}
    void take() {
        if (has_exception()) std::rethrow_exception(take_exception());
    }
};

template <class T>
class CoroPromise : public ResultSlot<T> {
public:
    Coro<T> get_return_object() noexcept;
    std::suspend_always initial_suspend() noexcept { return {}; }

    struct FinalAwaiter {
        bool await_ready() noexcept { return false; }
        template <class P>
        std::coroutine_handle<> await_suspend(std::coroutine_handle<P> h) noexcept {
            auto& p = h.promise();
            // Finished inside its awaiter's call: return to that call.
            std::coroutine_handle<> next = p.continuation();
            if (p.running_inline() || !next) return std::noop_coroutine();
            return next;
        }
        void await_resume() noexcept {}
    };
    FinalAwaiter final_suspend() noexcept { return {}; }

    static void* operator new(std::size_t size) { return frame_allocate(size); }
    static void operator delete(void* p, std::size_t size) noexcept { frame_deallocate(p, size); }

};

}  // namespace detail

template <class T>
class [[nodiscard]] Coro {
public:
    using promise_type = detail::CoroPromise<T>;
    using handle_type = std::coroutine_handle<promise_type>;
    using value_type = T;

    Coro() noexcept = default;
    explicit Coro(handle_type h) noexcept : h_(h) {}
    Coro(Coro&& o) noexcept : h_(std::exchange(o.h_, {})) {}
    Coro& operator=(Coro&& o) noexcept {
        if (this != &o) {
            reset();
            h_ = std::exchange(o.h_, {});
        }
        return *this;
    }
    Coro(const Coro&) = delete;
    Coro& operator=(const Coro&) = delete;
    /// Destroys the frame; a coroutine never awaited never runs.
    ~Coro() { reset(); }

    /// False for a moved-from Coro.
    bool valid() const noexcept { return bool(h_); }
    bool done() const noexcept { return h_ && h_.done(); }

    struct Awaiter {
        handle_type h;
        bool await_ready() const noexcept { return false; }
        bool await_suspend(std::coroutine_handle<> caller) {
            auto& p = h.promise();
            p.set_continuation(caller);
            p.set_running_inline(true);
            h.resume();
            if (h.done()) return false;  // completed synchronously: no suspension
            p.set_running_inline(false);
            return true;
        }
        T await_resume() { return h.promise().take(); }
    };
    /// Starts the coroutine and resumes the awaiter with its result.
    /// Throws InvalidStateError for an empty or already-awaited Coro.
    Awaiter operator co_await() && {
        if (!h_ || h_.done() || h_.promise().continuation())
            throw InvalidStateError("Coro awaited twice or empty");
        return Awaiter{h_};
    }
    Awaiter operator co_await() & { return std::move(*this).operator co_await(); }

    /// Gives up ownership of the frame (used by create_task).
    handle_type release() noexcept { return std::exchange(h_, {}); }

private:
    void reset() noexcept {
        if (h_) h_.destroy();
        h_ = {};
    }
    handle_type h_;
};

template <class T>
Coro<T> detail::CoroPromise<T>::get_return_object() noexcept {
    return Coro<T>(Coro<T>::handle_type::from_promise(*this));
}

}  // namespace aio
