#pragma once
/// Handles for callbacks scheduled with `call_soon`, `call_later` and `call_at`
/// (asyncio.Handle and asyncio.TimerHandle).

#include <cstdint>
#include <string>
#include <utility>

#include "aio/core/clock.hpp"
#include "aio/core/detail/frame_pool.hpp"
#include "aio/core/detail/ref.hpp"

namespace aio {

class EventLoop;

namespace detail {

class TaskBase;

/// An entry of the loop's ready queue: a task step or a callback. Intrusive, so
/// scheduling never allocates. Invariant: an object is in at most one ready
/// queue at a time.
class Runnable {
public:
    Runnable* next_ready_ = nullptr;
    /// Runs one step. Exceptions escaping it go to the loop's exception handler.
    virtual void run() = 0;
    /// A one-line description for debug output ("<Handle ...>", "<Task ...>").
    virtual std::string describe() const = 0;
    /// Called by the loop when it drops the entry without running it (close()).
    virtual void discard() noexcept = 0;
    /// The entry as a task, or null for a callback or a plain future.
    virtual TaskBase* as_task() noexcept { return nullptr; }

protected:
    ~Runnable() = default;
};

/// An entry of the loop's timers (src/core/timer_heap.hpp).
class TimerNode {
public:
    static constexpr std::uint32_t kNotInHeap = UINT32_MAX;
    TimePoint when_{};
    /// Insertion order, for equal deadlines. 32 bits keep a timer handle in
    /// one 64-byte block; it wraps, so it is compared as a difference
    /// (seq_before), which is right while the timers sharing a deadline span
    /// fewer than 2^31 insertions.
    std::uint32_t seq_ = 0;
    /// The node's slot: in the heap, or (with kInRunBit) in the FIFO run.
    std::uint32_t heap_index_ = kNotInHeap;
    /// True while the node waits in the loop's timers.
    bool in_heap() const noexcept { return heap_index_ != kNotInHeap; }
    /// Called by the loop once the deadline has passed, after removal from the heap.
    virtual void fire() noexcept = 0;
    /// Called, after removal from the heap, when a closing loop drops the timer.
    virtual void drop() noexcept {}

protected:
    ~TimerNode() = default;
};

/// The state behind aio::Handle: a callback the loop will run once.
class HandleBase : public Runnable, public PoolAllocated {
public:
    explicit HandleBase(EventLoop* loop) noexcept : loop_(loop) {}
    HandleBase(const HandleBase&) = delete;
    HandleBase& operator=(const HandleBase&) = delete;
    virtual ~HandleBase() = default;

    void add_ref() noexcept { ++refs_; }
    void release() noexcept {
        if (--refs_ == 0) delete this;
    }
    bool cancelled() const noexcept { return cancelled_; }
    virtual void cancel() noexcept { cancelled_ = true; }
    /// Runs the callback unless cancelled, reports what it throws to the
    /// loop's exception handler, then drops the queue's reference.
    void run() override;
    std::string describe() const override;
    void discard() noexcept override { release(); }

protected:
    virtual void invoke() = 0;
    EventLoop* loop_;
    std::uint32_t refs_ = 1;
    bool cancelled_ = false;
};

template <class F>
class CallbackHandle final : public HandleBase {
public:
    CallbackHandle(EventLoop* loop, F&& f) : HandleBase(loop), f_(std::move(f)) {}

private:
    void invoke() override { f_(); }
    F f_;
};

/// A handle that also sits in the timer heap until it is due.
class TimerHandleBase : public HandleBase, public TimerNode {
public:
    using HandleBase::HandleBase;
    /// Takes the timer out of the heap at once (O(log n)) rather than leaving
    /// a tombstone: most timeouts are cancelled before they fire.
    void cancel() noexcept override;
    void fire() noexcept override;
    void drop() noexcept override { release(); }
    std::string describe() const override;
};

template <class F>
class TimerCallbackHandle final : public TimerHandleBase {
public:
    TimerCallbackHandle(EventLoop* loop, F&& f) : TimerHandleBase(loop), f_(std::move(f)) {}

private:
    void invoke() override { f_(); }
    F f_;
};

}  // namespace detail

/// A callback scheduled by `call_soon`; `cancel()` stops it from running.
class Handle {
public:
    Handle() noexcept = default;
    explicit Handle(detail::Ref<detail::HandleBase> h) noexcept : h_(std::move(h)) {}
    /// Prevents the callback from running; a no-op if it already ran.
    void cancel() noexcept {
        if (h_) h_->cancel();
    }
    bool cancelled() const noexcept { return h_ && h_->cancelled(); }
    explicit operator bool() const noexcept { return bool(h_); }

protected:
    detail::Ref<detail::HandleBase> h_;
};

/// A callback scheduled by `call_later` / `call_at`.
class TimerHandle : public Handle {
public:
    TimerHandle() noexcept = default;
    explicit TimerHandle(detail::Ref<detail::TimerHandleBase> h) noexcept
        : Handle(detail::Ref<detail::HandleBase>(std::move(h))) {}
    /// The absolute time, on the loop's clock, at which the callback is due.
    TimePoint when() const noexcept { return static_cast<detail::TimerHandleBase*>(h_.get())->when_; }
};

}  // namespace aio
