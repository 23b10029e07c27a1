#pragma once
// What the rest of aio needs from the loop beyond its public API (asyncio's AbstractEventLoop):
// the ready queue and the timers (awaiters, handles and task groups schedule through them), the
// task running now, and the loop's private state (its backend and extension slots, declared in
// src/core/loop_impl.hpp). EventLoop keeps these private and befriends this accessor only, so
// its public header lists what users call. Not for users: nothing here checks its arguments.

#include "aio/core/event_loop.hpp"

namespace aio::detail {

struct LoopAccess {
    /// Appends `r` to the ready queue; it must not be queued already.
    static void push_ready(EventLoop& loop, Runnable* r) noexcept { loop.push_ready(r); }
    /// Takes a queued `r` out of the ready queue (O(n)).
    static void remove_ready(EventLoop& loop, Runnable* r) noexcept { loop.remove_ready(r); }
    static void add_timer(EventLoop& loop, TimerNode* t) { loop.add_timer(t); }
    /// A no-op for a timer that is not waiting.
    static void remove_timer(EventLoop& loop, TimerNode* t) noexcept { loop.remove_timer(t); }
    /// The task running now on `loop`, or null.
    static TaskBase* current_task(const EventLoop& loop) noexcept { return loop.current_task_; }
    /// The loop's cold state (src/core/loop_impl.hpp: backend, extension slots, handlers).
    static LoopImpl& impl(EventLoop& loop) noexcept { return *loop.impl_; }
};

}  // namespace aio::detail
