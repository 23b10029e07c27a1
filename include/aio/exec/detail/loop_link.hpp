#pragma once
// LoopLink: how another thread reaches a loop that may be gone. Worker threads of executors and
// the senders of a ThreadsafeChannel post through it instead of holding an EventLoop*: once the
// loop has shut down (its shutdown hook detached the link) or closed, post() returns false and
// the callback is destroyed on the posting thread. Shared with std::shared_ptr by everything
// that may post.

#include <functional>
#include <mutex>

#include "aio/core/event_loop.hpp"

namespace aio::detail {

class LoopLink {
public:
    explicit LoopLink(EventLoop& loop) noexcept : loop_(&loop) {}
    LoopLink(const LoopLink&) = delete;
    LoopLink& operator=(const LoopLink&) = delete;

    /// Any thread: schedules `fn` on the loop (call_soon_threadsafe). False if the loop has shut
    /// down or closed; `fn` is then destroyed on the calling thread, so it must only capture
    /// what is safe to destroy there (std::shared_ptr to thread-safe state, not Future/Task).
    bool post(std::function<void()> fn) noexcept;
    /// The loop's thread: every later post() fails. Waits for a post() in progress.
    void detach() noexcept;
    /// True while attached to `loop` (identity only; never dereferenced).
    bool is_loop(const EventLoop* loop) const noexcept;

private:
    mutable std::mutex mutex_;
    EventLoop* loop_;  // null once detached; guarded by mutex_
};

}  // namespace aio::detail
