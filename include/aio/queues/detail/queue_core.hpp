#pragma once
// The untyped half of aio's queues: the intrusive waiter lists, the waiter
// node every queue awaiter derives from, the unfinished-task count behind
// task_done()/join(), and the wake-ups of shutdown(). The typed half (items,
// hand-off, back-pressure) is aio::Queue<T, Storage> in queue.hpp.
//
// A waiter is a node in the awaiting coroutine's frame, linked into one of the
// queue's lists, so waiting allocates nothing and a cancelled waiter unlinks
// itself in O(1) (cppcoro's async_mutex, STYLE.md rule 3).

#include <coroutine>
#include <cstddef>
#include <cstdint>
#include <string>

#include "aio/core/detail/task_base.hpp"

namespace aio::detail {

class QueueCore;
class QueueWaiter;

/// A FIFO of waiters: O(1) push_back, pop_front and erase of any node.
class WaitList {
public:
    WaitList() = default;
    WaitList(const WaitList&) = delete;
    WaitList& operator=(const WaitList&) = delete;

    bool empty() const noexcept { return head_ == nullptr; }
    std::size_t size() const noexcept { return size_; }
    QueueWaiter* front() const noexcept { return head_; }
    inline void push_back(QueueWaiter* w) noexcept;
    inline QueueWaiter* pop_front() noexcept;
    inline void erase(QueueWaiter* w) noexcept;

private:
    QueueWaiter* head_ = nullptr;
    QueueWaiter* tail_ = nullptr;
    std::size_t size_ = 0;
};

/// The base of Queue's get, put and join awaiters.
///
/// Life of a waiter: `idle` (built; the fast path completes here without
/// suspending: `done`, or `shut_down`), then `waiting` in getters_/putters_/
/// joiners_; then exactly one of: `handed` (a getter was given an item; it
/// sits in handed_ until its task runs), `granted` (a putter was given a free
/// slot; it sits in granted_ until its task runs), `ready` (a joiner was
/// released), `shut_down`, or `cancelled` (its task was cancelled while it
/// waited; unlinked). Only a `waiting` node is cancellable in place; a woken
/// one learns of a later cancel() from take_cancel_request() and undoes what
/// it was given (the item goes back, the slot goes to the next putter).
class QueueWaiter : public SuspendPoint {
public:
    enum class Kind : std::uint8_t { get, put, join };
    enum class State : std::uint8_t {
        idle,
        done,
        waiting,
        handed,
        granted,
        ready,
        shut_down,
        cancelled
    };

    QueueWaiter(const QueueWaiter&) = delete;
    QueueWaiter& operator=(const QueueWaiter&) = delete;

    bool cancel_wait(const std::string& msg) noexcept override;
    std::string describe_wait() const override;

protected:
    QueueWaiter(QueueCore* core, Kind kind) noexcept : core_(core), kind_(kind) {}
    // Awaiters are moved only before they are awaited (e.g. into aio::wait_for).
    QueueWaiter(QueueWaiter&& o) noexcept
        : SuspendPoint(), core_(o.core_), state_(o.state_), kind_(o.kind_) {}
    // Unlinks a waiter whose frame is destroyed while it waits (a closing loop
    // destroying a pending task): the queue never points at a dead frame.
    ~QueueWaiter() { unlink(); }

    /// Suspends the current task on `list` (call from await_suspend).
    void wait_on(WaitList& list, std::coroutine_handle<> h) {
        suspend_here(h);
        list.push_back(this);
        state_ = State::waiting;
    }
    /// Ends the wait with `s` and schedules the task (exactly once).
    void wake_with(State s) noexcept {
        state_ = s;
        task_->wake();
    }
    void unlink() noexcept;
    bool linked() const noexcept { return list_ != nullptr; }

    QueueCore* core_;  // null once the queue is destroyed
    State state_ = State::idle;

private:
    friend class WaitList;
    friend class QueueCore;
    QueueWaiter* prev_ = nullptr;
    QueueWaiter* next_ = nullptr;
    WaitList* list_ = nullptr;
    Kind kind_;
};

void WaitList::push_back(QueueWaiter* w) noexcept {
    w->list_ = this;
    w->next_ = nullptr;
    w->prev_ = tail_;
    if (tail_)
        tail_->next_ = w;
    else
        head_ = w;
    tail_ = w;
    ++size_;
}

QueueWaiter* WaitList::pop_front() noexcept {
    QueueWaiter* w = head_;
    if (w) erase(w);
    return w;
}

void WaitList::erase(QueueWaiter* w) noexcept {
    if (w->prev_)
        w->prev_->next_ = w->next_;
    else
        head_ = w->next_;
    if (w->next_)
        w->next_->prev_ = w->prev_;
    else
        tail_ = w->prev_;
    w->prev_ = w->next_ = nullptr;
    w->list_ = nullptr;
    --size_;
}

inline void QueueWaiter::unlink() noexcept {
    if (list_) list_->erase(this);
}

/// `co_await q.join()`: waits until every item put has been marked done.
class QueueJoinAwaiter final : public QueueWaiter {
public:
    explicit QueueJoinAwaiter(QueueCore* core) noexcept : QueueWaiter(core, Kind::join) {}
    QueueJoinAwaiter(QueueJoinAwaiter&&) noexcept = default;

    inline bool await_ready() const noexcept;
    void await_suspend(std::coroutine_handle<> h);
    void await_resume();
};

/// State shared by every queue kind: waiter lists, counters, shutdown flag.
class QueueCore {
public:
    QueueCore(const QueueCore&) = delete;
    QueueCore& operator=(const QueueCore&) = delete;

protected:
    explicit QueueCore(std::size_t maxsize) noexcept : maxsize_(maxsize) {}
    // A queue destroyed while tasks wait on it is a lifetime bug; as a safety
    // net they are detached and woken with QueueShutDown (see ~Queue docs).
    ~QueueCore();

    void task_done();
    /// Releases every join() waiter (unfinished_ reached 0).
    void wake_joiners() noexcept;
    /// shutdown(): wakes every waiting getter and putter with QueueShutDown.
    void wake_for_shutdown() noexcept;
    /// "<Queue maxsize=0 qsize=2 getters[1] tasks=3 shutdown>" (asyncio's _format).
    std::string describe(const char* kind, std::size_t qsize) const;

    WaitList getters_;  // waiting for an item (then the storage is empty)
    WaitList handed_;   // given an item, their task not yet run
    WaitList putters_;  // waiting for a free slot (then the queue is full)
    WaitList granted_;  // given a free slot, their task not yet run
    WaitList joiners_;  // waiting in join()
    std::size_t maxsize_;
    std::size_t unfinished_ = 0;
    std::uint64_t next_seq_ = 0;  // put order, so a returned item finds its place again
    bool shutdown_ = false;

    friend class QueueWaiter;
    friend class QueueJoinAwaiter;
};

bool QueueJoinAwaiter::await_ready() const noexcept { return core_->unfinished_ == 0; }

}  // namespace aio::detail
