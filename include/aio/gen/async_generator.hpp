#pragma once
/// aio::AsyncGenerator<T> — Python's async generators (PEP 525): a coroutine that both awaits
/// and yields, consumed with `while (auto v = co_await gen.next())` (Python's `async for`).
///
/// ```
/// aio::AsyncGenerator<std::string> split_lines(aio::AsyncGenerator<std::string> chunks) {
///     std::string buf;
///     while (auto chunk = co_await chunks.next()) {
///         buf += *chunk;
///         for (std::size_t nl; (nl = buf.find('\n')) != std::string::npos; buf.erase(0, nl + 1))
///             co_yield buf.substr(0, nl);
///     }
///     if (!buf.empty()) co_yield buf;
/// }
/// auto lines = split_lines(download(url));
/// while (auto line = co_await lines.next()) std::cout << *line << "\n";
/// ```
/// Lazy like Python's: the body runs only inside next() (or aclose()), in the task that awaits
/// it, so its awaits suspend that task and its cancellation reaches them. Exceptions thrown in
/// the body propagate out of next(); after that the generator is finished. Destroying a
/// generator destroys its frame: the destructors of its locals run, but no code after the
/// co_yield does; `co_await gen.aclose()` runs that code (Python's aclose()). Started
/// generators that are still alive when aio::run shuts the loop down are aclose()d then
/// (asyncio's shutdown_asyncgens). Generators compose: a body may consume other generators.

#include <concepts>
#include <coroutine>
#include <exception>
#include <optional>
#include <type_traits>
#include <utility>

#include "aio/core/detail/frame_pool.hpp"
#include "aio/core/exceptions.hpp"

namespace aio {

/// Raised inside an async generator's body, at the co_yield where it is suspended, by
/// aclose() (Python's GeneratorExit). Like CancelledError it is not a std::exception, so
/// `catch (const std::exception&)` lets it through; a body that catches it must not yield again.
class GeneratorExit {
public:
    const char* what() const noexcept { return "GeneratorExit"; }
};

template <class T>
class AsyncGenerator;

namespace detail {

class AsyncGenRegistry;

/// The untyped half of an async generator's promise: who resumes whom, and the states.
///
/// Control moves as in Coro: next() resumes the body with a plain call. If the body yields or
/// ends before suspending, the call returns and the consumer goes on without suspending. If the
/// body suspends on an awaitable (of the consumer's task), the consumer suspends too, and the
/// body later hands control back to it by symmetric transfer when it yields or ends.
class AsyncGenPromiseBase {
public:
    AsyncGenPromiseBase() = default;
    AsyncGenPromiseBase(const AsyncGenPromiseBase&) = delete;
    AsyncGenPromiseBase& operator=(const AsyncGenPromiseBase&) = delete;
    ~AsyncGenPromiseBase() { unregister(); }

    std::suspend_always initial_suspend() noexcept { return {}; }

    struct FinalAwaiter {
        AsyncGenPromiseBase* p;
        bool await_ready() noexcept { return false; }
        std::coroutine_handle<> await_suspend(std::coroutine_handle<>) noexcept {
            p->closed_ = true;
            p->unregister();
            return p->hand_back();
        }
        void await_resume() noexcept {}
    };
    FinalAwaiter final_suspend() noexcept { return {this}; }

    struct YieldAwaiter {
        AsyncGenPromiseBase* p;
        bool await_ready() noexcept { return false; }
        std::coroutine_handle<> await_suspend(std::coroutine_handle<>) noexcept {
            p->yielded_ = true;
            return p->hand_back();
        }
        /// Resumed by aclose(): unwind the body.
        void await_resume() {
            if (p->closing_) throw GeneratorExit();
        }
    };

    void return_void() noexcept {}
    void unhandled_exception() noexcept { exception_ = std::current_exception(); }

    static void* operator new(std::size_t size) { return frame_allocate(size); }
    static void operator delete(void* ptr, std::size_t size) noexcept { frame_deallocate(ptr, size); }

    // ---- the consumer's side (next() and aclose()) ----

    /// Throws RuntimeError if a next() or aclose() is in progress (`what` names the call).
    void check_not_running(const char* what) const;
    /// Runs the body until it yields, ends or suspends; true if the consumer must suspend
    /// (the body will hand control back to `consumer` later).
    bool resume_body(std::coroutine_handle<> self, std::coroutine_handle<> consumer);
    /// After next() resumed: rethrows the body's exception (the generator is then finished).
    void rethrow_if_failed();

    std::coroutine_handle<> self_;  // the frame, for aclose() from the loop's shutdown
    bool yielded_ = false;          // a value waits in the promise
    bool closed_ = false;           // finished, failed or closed: next() returns nullopt
    bool closing_ = false;          // aclose() in progress: co_yield throws GeneratorExit
    bool running_ = false;          // a next() or aclose() is in progress
    bool started_ = false;
    std::exception_ptr exception_;

    // Node of the loop's registry of started generators (asyncio's _asyncgens).
    AsyncGenRegistry* registry_ = nullptr;
    AsyncGenPromiseBase* reg_prev_ = nullptr;
    AsyncGenPromiseBase* reg_next_ = nullptr;
    void unregister() noexcept;

private:
    std::coroutine_handle<> hand_back() noexcept {
        if (inline_ || !continuation_) return std::noop_coroutine();
        return continuation_;
    }
    void register_with_loop();

    std::coroutine_handle<> continuation_;
    bool inline_ = false;  // true while resume_body()'s call is on the stack
};

template <class T>
class AsyncGenPromise final : public AsyncGenPromiseBase {
public:
    AsyncGenerator<T> get_return_object() noexcept;

    template <class U = T>
    requires std::constructible_from<T, U&&> YieldAwaiter yield_value(U&& v)
    noexcept(std::is_nothrow_constructible_v<T, U&&>) {
        value_.emplace(std::forward<U>(v));
        return YieldAwaiter{this};
    }
    std::optional<T> take_value() {
        yielded_ = false;
        std::optional<T> v(std::move(value_));
        value_.reset();
        return v;
    }

private:
    std::optional<T> value_;
};

/// The awaiter of AsyncGenerator::next().
template <class T>
class AsyncGenNext {
public:
    using handle_type = std::coroutine_handle<AsyncGenPromise<T>>;
    explicit AsyncGenNext(handle_type h) noexcept : h_(h) {}

    bool await_ready() const noexcept { return !h_ || h_.promise().closed_; }
    bool await_suspend(std::coroutine_handle<> consumer) {
        return h_.promise().resume_body(h_, consumer);
    }
    std::optional<T> await_resume() {
        if (!h_) return std::nullopt;
        auto& p = h_.promise();
        p.running_ = false;
        if (p.yielded_) return p.take_value();
        p.rethrow_if_failed();
        return std::nullopt;
    }

private:
    handle_type h_;
};

/// The awaiter of AsyncGenerator::aclose() (non-template: src/gen/async_generator.cpp).
class AsyncGenClose {
public:
    AsyncGenClose(std::coroutine_handle<> h, AsyncGenPromiseBase* p) noexcept : h_(h), p_(p) {}
    bool await_ready();
    bool await_suspend(std::coroutine_handle<> consumer) { return p_->resume_body(h_, consumer); }
    void await_resume();

private:
    std::coroutine_handle<> h_;
    AsyncGenPromiseBase* p_;
};

}  // namespace detail

/// An async generator yielding values of type T (not a reference). Move-only; owns its frame.
///
/// Throws: next() and aclose() throw RuntimeError while another next() or aclose() of the same
/// generator is in progress ("already running", as in Python).
///
/// Cancel safety: the body runs in the awaiting task, so cancelling that task while the body
/// awaits inside next() raises CancelledError at that await in the body; unless the body
/// catches it, it propagates out of next() and the generator is finished. A value is handed
/// over only when next() completes, so none is lost to a cancellation.
template <class T>
class [[nodiscard]] AsyncGenerator {
    static_assert(!std::is_reference_v<T>, "AsyncGenerator<T&> is not supported: yield values");

public:
    using promise_type = detail::AsyncGenPromise<T>;
    using handle_type = std::coroutine_handle<promise_type>;
    using value_type = T;

    AsyncGenerator() noexcept = default;
    explicit AsyncGenerator(handle_type h) noexcept : h_(h) {}
    AsyncGenerator(AsyncGenerator&& o) noexcept : h_(std::exchange(o.h_, {})) {}
    AsyncGenerator& operator=(AsyncGenerator&& o) noexcept {
        if (this != &o) {
            reset();
            h_ = std::exchange(o.h_, {});
        }
        return *this;
    }
    /// Destroys the frame: the destructors of the body's locals run; code after the co_yield
    /// (catch blocks, async cleanup) does not — use aclose() for that.
    ~AsyncGenerator() { reset(); }

    /// Python's `await anext(gen)`: runs the body to its next co_yield and returns the value,
    /// or nullopt once the body has returned (or failed, or was closed). Rethrows what the body
    /// throws. A generator without a frame (moved from) yields nothing.
    /// Cancel safety: see the class.
    /// ```
    /// while (auto v = co_await gen.next()) consume(*v);
    /// ```
    [[nodiscard]] detail::AsyncGenNext<T> next() {
        if (h_) h_.promise().check_not_running("anext()");
        return detail::AsyncGenNext<T>(h_);
    }

    /// Python's `await gen.aclose()`: raises GeneratorExit at the co_yield where the body is
    /// suspended and runs it to its end, so its cleanup (which may await) runs in the calling
    /// task. A generator never started is just marked finished. Afterwards next() returns
    /// nullopt.
    /// Throws RuntimeError("async generator ignored GeneratorExit") if the body yields again;
    /// rethrows any other exception the body's cleanup throws.
    /// Cancel safety: cancelling the caller while the cleanup awaits raises CancelledError in
    /// the cleanup; the generator is finished either way.
    /// ```
    /// co_await gen.aclose();
    /// ```
    [[nodiscard]] detail::AsyncGenClose aclose() {
        if (h_) h_.promise().check_not_running("aclose()");
        return detail::AsyncGenClose(h_, h_ ? &h_.promise() : nullptr);
    }

    /// False for a moved-from generator.
    bool valid() const noexcept { return bool(h_); }
    /// True once next() will return nullopt (finished, failed or closed).
    bool done() const noexcept { return !h_ || h_.promise().closed_; }

private:
    void reset() noexcept {
        if (h_) h_.destroy();
        h_ = {};
    }
    handle_type h_;
};

template <class T>
AsyncGenerator<T> detail::AsyncGenPromise<T>::get_return_object() noexcept {
    auto h = std::coroutine_handle<AsyncGenPromise<T>>::from_promise(*this);
    self_ = h;
    return AsyncGenerator<T>(h);
}

/// Python's anext(gen): `co_await aio::anext(gen)` is `co_await gen.next()`.
template <class T>
[[nodiscard]] detail::AsyncGenNext<T> anext(AsyncGenerator<T>& gen) {
    return gen.next();
}

}  // namespace aio
