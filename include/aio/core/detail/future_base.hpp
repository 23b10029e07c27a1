#pragma once
// The untyped half of Future<T> and Task<T>: state, exception, listeners and
// done callbacks. Typed results live in the templates that derive from it.

#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "aio/core/detail/frame_pool.hpp"
#include "aio/core/detail/ref.hpp"
#include "aio/core/event_loop.hpp"
#include "aio/core/exceptions.hpp"
#include "aio/core/handle.hpp"

namespace aio {

class EventLoop;

/// Identifies a callback added with `add_done_callback`, for `remove_done_callback`.
using CallbackId = std::uint64_t;

namespace detail {

class FutureBase;
class TaskBase;

/// An internal observer told, synchronously, when a future completes. Used by
/// awaiters and combinators; it must only schedule work, never resume a
/// coroutine. The node lives in the observer (usually a coroutine frame), so
/// observing allocates nothing and unlinking is O(1).
class DoneListener {
public:
    DoneListener() = default;
    DoneListener(const DoneListener&) = delete;
    DoneListener& operator=(const DoneListener&) = delete;
    virtual void on_done(FutureBase& f) noexcept = 0;
    bool linked() const noexcept { return pprev_ != nullptr; }
    void unlink() noexcept {
        if (!pprev_) return;
        *pprev_ = next_;
        if (next_) next_->pprev_ = pprev_;
        next_ = nullptr;
        pprev_ = nullptr;
    }

protected:
    ~DoneListener() { unlink(); }

private:
    friend class FutureBase;
    DoneListener* next_ = nullptr;
    DoneListener** pprev_ = nullptr;
};

/// What a suspended task is waiting on. Task::cancel() asks it to give up.
class Waiter {
public:
    /// Abandons the wait so the task resumes with CancelledError. Returns false
    /// if the wait cannot be abandoned (the result is already on its way); the
    /// task then takes the cancellation at its next resumption.
    virtual bool cancel_wait(const std::string& msg) noexcept = 0;
    /// What is awaited, for dump_tasks() ("sleep 0.5s", "<Task-3>", ...).
    virtual std::string describe_wait() const = 0;

protected:
    ~Waiter() = default;
};

enum class FutureStatus : std::uint8_t { pending, finished, cancelled };

struct DoneCallback {
    CallbackId id;
    std::function<void()> fn;
};

// Rarely used fields, allocated on first use to keep every task small.
struct FutureExtra {
    DoneListener* listeners = nullptr;  // the listener list moves here with the extra
    std::exception_ptr exception;  // what a failed future or task holds
    std::string cancel_message;
    std::string name;
    std::vector<DoneCallback> callbacks;
};

class FutureBase : public Runnable, public PoolAllocated {
public:
    explicit FutureBase(EventLoop* loop) noexcept : anchor_(loop->anchor_) { ++anchor_->states; }
    FutureBase(const FutureBase&) = delete;
    FutureBase& operator=(const FutureBase&) = delete;
    virtual ~FutureBase();

    void add_ref() noexcept { ++refs_; }
    void release() noexcept {
        if (--refs_ == 0) last_ref_dropped();
    }

    /// The loop this future belongs to; null once that loop has been destroyed.
    EventLoop* loop() const noexcept { return anchor_->loop; }
    bool done() const noexcept { return status_ != FutureStatus::pending; }
    bool cancelled() const noexcept { return status_ == FutureStatus::cancelled; }
    FutureStatus status() const noexcept { return status_; }

    /// asyncio's Future.cancel(msg): false if already done.
    virtual bool cancel(const std::string& msg = {});
    void set_exception(std::exception_ptr e);

    /// Throws CancelledError if cancelled, InvalidStateError if pending, and
    /// rethrows a stored exception. Marks the exception retrieved.
    void check_result() {
        if (status_ == FutureStatus::finished && !has_extra_) {
            exception_retrieved_ = true;  // the common case: a value and nothing else
            return;
        }
        check_result_slow();
    }
    /// asyncio's Future.exception(): null if it succeeded.
    std::exception_ptr exception();
    /// The stored exception (null if none) without marking it retrieved.
    const std::exception_ptr& peek_exception() const noexcept;
    void mark_retrieved() noexcept { exception_retrieved_ = true; }

    const std::string& cancel_message() const noexcept;
    CancelledError make_cancelled_error() const { return CancelledError(cancel_message()); }

    void add_listener(DoneListener* l) noexcept;
    /// Schedules `fn` with call_soon once done (at once if already done).
    CallbackId add_callback(std::function<void()> fn);
    /// Returns how many callbacks were removed (0 or 1).
    std::size_t remove_callback(CallbackId id) noexcept;

    void run() override {}
    std::string describe() const override;
    void discard() noexcept override {}

protected:
    /// Moves to a final state and tells listeners and callbacks.
    void finish(FutureStatus s) noexcept;
    void set_cancel_message(const std::string& msg);
    FutureExtra& extra();
    bool has_extra() const noexcept { return has_extra_; }
    const FutureExtra* extra_ptr() const noexcept { return has_extra_ ? extra_ : nullptr; }
    /// "Future" or "Task": used in the never-retrieved report.
    virtual const char* kind() const noexcept { return "Future"; }

    /// Stores the exception a failed future or task ends with (in its FutureExtra).
    void store_exception(std::exception_ptr e) { extra().exception = std::move(e); }
    bool has_exception() const noexcept { return has_extra_ && extra_->exception; }

private:
    void last_ref_dropped() noexcept;
    void check_result_slow();

    DoneListener*& listener_head() noexcept { return has_extra_ ? extra_->listeners : listeners_; }

    // The loop, reached through its anchor, which outlives it while any
    // future does: no list of live futures is kept (docs/core-runtime.md).
    LoopAnchor* anchor_;
    // Until the future needs its FutureExtra, this word is the head of the
    // listener list; from then on it points to the extra, which holds the
    // head. Sharing the word keeps every task 8 bytes smaller.
    union {
        DoneListener* listeners_ = nullptr;  // while !has_extra_
        FutureExtra* extra_;                 // while has_extra_ (owned)
    };
    std::uint32_t refs_ = 1;
    FutureStatus status_ = FutureStatus::pending;
    bool exception_retrieved_ : 1 = false;
    bool has_extra_ : 1 = false;

protected:
    // TaskBase's flags, declared here so that they share the byte above.
    bool throw_cancel_ : 1 = false;
    bool started_ : 1 = false;
    bool must_cancel_ : 1 = false;
    bool suspended_ : 1 = false;  // parked on the Waiter in next_ready_
    // Two bytes of tail padding follow: TaskBase keeps its cancel count there.
};

}  // namespace detail

}  // namespace aio
