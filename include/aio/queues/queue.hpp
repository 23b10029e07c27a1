#pragma once
/// aio::Queue<T> — asyncio.Queue: a first-in first-out queue for coordinating
/// producer and consumer tasks, with back-pressure, join() and (Python 3.13)
/// shutdown(). PriorityQueue and LifoQueue are the same class with another
/// storage, as in asyncio.
///
/// ```
/// aio::Queue<std::string> q(100);          // at most 100 items; 0 = unbounded
/// // producer                              // consumer
/// co_await q.put(line);                    auto line = co_await q.get();
/// q.shutdown();                            handle(line); q.task_done();
/// ```
///
/// How items move. A put with a getter waiting hands the item straight to the
/// oldest waiting getter and wakes it (the item never enters the storage, which
/// is why ping-pong over two queues costs two task switches and nothing else).
/// A get that frees a slot of a bounded queue gives the slot to the oldest
/// waiting putter and wakes it. Both are fair: a later put_nowait() or
/// get_nowait() cannot take what was handed out, so no waiter is woken for
/// nothing and none has to wait again.
///
/// Cancel safety (every awaitable): a cancelled get() takes no item; a get()
/// cancelled after an item was handed to it (woken, but its task had not run
/// yet) puts that item back where it was (FIFO: the front, in put order) and
/// wakes the next getter. A cancelled put() puts nothing; if it had already
/// been given a free slot, the slot passes to the next putter. A cancelled
/// join() changes nothing. No wake-up is ever lost.
///
/// The queue belongs to one loop's thread and must outlive every task that
/// waits on it. Waiting allocates nothing: waiters are nodes in the awaiting
/// coroutine frames.

#include <coroutine>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include "aio/queues/detail/queue_core.hpp"
#include "aio/queues/detail/queue_storage.hpp"
#include "aio/queues/queue_errors.hpp"

namespace aio {

/// A queue of `T` (asyncio.Queue); `Storage` chooses the order (FIFO here;
/// see PriorityQueue and LifoQueue). `T` may be move-only.
///
/// ```
/// aio::Queue<std::unique_ptr<Job>> jobs;
/// co_await jobs.put(std::make_unique<Job>());
/// std::unique_ptr<Job> j = co_await jobs.get();
/// ```
template <class T, class Storage = detail::FifoStorage<T>>
class Queue : private detail::QueueCore {
public:
    using value_type = T;
    class GetAwaiter;
    class PutAwaiter;

    /// A queue holding at most `maxsize` items; 0 (the default) means unbounded.
    /// Needs no running loop.
    ///
    /// ```
    /// aio::Queue<int> unbounded;  aio::Queue<int> bounded(16);
    /// ```
    explicit Queue(std::size_t maxsize = 0) : detail::QueueCore(maxsize) {}
    Queue(const Queue&) = delete;
    Queue& operator=(const Queue&) = delete;
    /// Destroys the items. Destroying a queue that tasks still wait on is a
    /// lifetime bug; as a safety net those tasks are woken with QueueShutDown
    /// (a getter already handed an item keeps it).
    ~Queue() = default;

    // ---- state ------------------------------------------------------------------

    /// Number of items in the queue, ready for get_nowait(). Items handed to a
    /// waiting getter whose task has not run yet are no longer counted.
    std::size_t qsize() const noexcept { return items_.size(); }
    /// The bound given to the constructor (0: unbounded).
    std::size_t maxsize() const noexcept { return maxsize_; }
    /// True if there is no item to get (get_nowait() would throw).
    bool empty() const noexcept { return items_.empty(); }
    /// True if a put would have to wait (put_nowait() would throw QueueFull):
    /// there are maxsize items, counting those handed to getters and the slots
    /// promised to woken putters whose tasks have not run yet. Never true when
    /// maxsize is 0.
    bool full() const noexcept {
        return maxsize_ != 0 && items_.size() + handed_.size() + granted_.size() >= maxsize_;
    }
    /// True once shutdown() was called.
    bool is_shutdown() const noexcept { return shutdown_; }
    /// Items put and not yet marked done with task_done() (what join() waits on).
    std::size_t unfinished_tasks() const noexcept { return unfinished_; }
    /// Tasks waiting in get() / put() right now (for tests and introspection).
    std::size_t waiting_getters() const noexcept { return getters_.size(); }
    std::size_t waiting_putters() const noexcept { return putters_.size(); }
    /// Like asyncio's repr: "<Queue maxsize=1 qsize=1 _putters[1] tasks=1 shutdown>".
    std::string describe() const { return QueueCore::describe(Storage::kind, items_.size()); }

    // ---- putting ----------------------------------------------------------------

    /// `co_await q.put(item)`: puts `item`, first waiting while the queue is
    /// full. Completes without suspending when there is room. A getter waiting
    /// for an item receives this one directly.
    /// Throws QueueShutDown if the queue is (or, while waiting, gets) shut down.
    /// **Cancel safety**: a cancelled put puts nothing (the item is destroyed
    /// with the awaiter); a slot it had been given goes to the next putter.
    ///
    /// ```
    /// co_await q.put(std::move(msg));   // waits while q.full()
    /// ```
    [[nodiscard]] PutAwaiter put(T item) { return PutAwaiter(this, std::move(item)); }

    /// Puts `item` without waiting. Throws QueueShutDown if shut down, QueueFull
    /// if full (the item is lost: use try_put() to get it back).
    ///
    /// ```
    /// q.put_nowait(42);
    /// ```
    void put_nowait(T item) {
        if (shutdown_) throw QueueShutDown();
        if (full()) throw QueueFull();
        push_item(std::move(item));
    }

    /// Puts `item` without waiting; if the queue is full, hands it back (Tokio's
    /// TrySendError::Full): nullopt means it was put. Throws QueueShutDown if
    /// shut down.
    ///
    /// ```
    /// if (auto back = q.try_put(std::move(p))) co_await q.put(std::move(*back));
    /// ```
    std::optional<T> try_put(T item) {
        if (shutdown_) throw QueueShutDown();
        if (full()) return std::optional<T>(std::move(item));
        push_item(std::move(item));
        return std::nullopt;
    }

    // ---- getting ----------------------------------------------------------------

    /// `co_await q.get()`: removes and returns the next item, first waiting
    /// while the queue is empty. Completes without suspending when an item is
    /// there. Getters are served in the order they started waiting.
    /// Throws QueueShutDown once the queue is shut down and empty (at once
    /// after shutdown(true)).
    /// **Cancel safety**: a cancelled get takes nothing; an item already handed
    /// to it goes back to its place in the queue and on to the next getter.
    ///
    /// ```
    /// while (true) { auto job = co_await q.get(); run(job); q.task_done(); }
    /// ```
    [[nodiscard]] GetAwaiter get() { return GetAwaiter(this); }

    /// Removes and returns the next item without waiting. Throws QueueEmpty if
    /// there is none, QueueShutDown if there is none and the queue is shut down.
    ///
    /// ```
    /// int v = q.get_nowait();
    /// ```
    T get_nowait() {
        if (items_.empty()) {
            if (shutdown_) throw QueueShutDown();
            throw QueueEmpty();
        }
        return pop_item();
    }

    /// Like get_nowait(), but nullopt instead of QueueEmpty. Throws QueueShutDown
    /// if empty and shut down.
    ///
    /// ```
    /// while (auto v = q.try_get()) handle(std::move(*v));
    /// ```
    std::optional<T> try_get() {
        if (items_.empty()) {
            if (shutdown_) throw QueueShutDown();
            return std::nullopt;
        }
        return std::optional<T>(pop_item());
    }

    // ---- tracking work ----------------------------------------------------------

    /// Marks one item that was got as processed; when every item put has been
    /// marked, join() waiters are released. Throws aio::ValueError ("task_done()
    /// called too many times", as asyncio) if called more times than items were put.
    ///
    /// ```
    /// auto job = co_await q.get(); run(job); q.task_done();
    /// ```
    void task_done() { QueueCore::task_done(); }

    /// `co_await q.join()`: waits until every item put has been marked done with
    /// task_done() (returns at once if none is pending).
    /// **Cancel safety**: a cancelled join changes nothing.
    ///
    /// ```
    /// for (auto& j : jobs) q.put_nowait(j);
    /// co_await q.join();   // all processed
    /// ```
    [[nodiscard]] detail::QueueJoinAwaiter join() noexcept {
        return detail::QueueJoinAwaiter(this);
    }

    /// Shuts the queue down (Python 3.13): put(), put_nowait() and try_put()
    /// throw QueueShutDown from now on, and so do get(), get_nowait() and
    /// try_get() once the queue is empty. Blocked putters, and blocked getters
    /// (the queue is empty then), are woken with QueueShutDown. With
    /// `immediate`, the queue is emptied at once, items already handed to
    /// getters whose tasks have not run are dropped too (those getters throw
    /// QueueShutDown), each dropped item counts as done for join(), and join()
    /// waiters are released if nothing is left unfinished. Idempotent.
    ///
    /// ```
    /// q.shutdown();             // let consumers drain what is there
    /// q.shutdown(true);         // drop everything now
    /// ```
    void shutdown(bool immediate = false) {
        shutdown_ = true;
        if (immediate) {
            while (!items_.empty()) {
                (void)items_.pop();
                if (unfinished_ > 0) --unfinished_;
            }
            while (!handed_.empty()) {
                auto* g = static_cast<GetAwaiter*>(handed_.pop_front());
                g->drop_item();
                if (unfinished_ > 0) --unfinished_;
            }
            if (unfinished_ == 0) wake_joiners();
        }
        wake_for_shutdown();
    }

    // ---- the awaiters -----------------------------------------------------------

    /// What get() returns; `co_await` it once.
    class GetAwaiter final : public detail::QueueWaiter {
    public:
        GetAwaiter(GetAwaiter&& o) noexcept(std::is_nothrow_move_constructible_v<T>)
            : QueueWaiter(std::move(o)), value_(std::move(o.value_)), seq_(o.seq_) {}

        bool await_ready() {
            Queue* q = queue();
            if (!q->items_.empty()) {
                value_.emplace(q->pop_item());
                state_ = State::done;
                return true;
            }
            if (q->shutdown_) {
                state_ = State::shut_down;
                return true;
            }
            return false;
        }
        void await_suspend(std::coroutine_handle<> h) { wait_on(queue()->getters_, h); }
        T await_resume() {
            if (state_ == State::done) return std::move(*value_);
            if (state_ == State::handed) {
                unlink();  // from handed_
                if (task_->take_cancel_request()) {
                    // Cancelled after the hand-off, before it ran: the item was
                    // never received, so it goes back (or on to the next getter).
                    if (core_) queue()->restore_item(std::move(*value_), seq_);
                    value_.reset();
                    throw task_->make_cancelled_error();
                }
                if (core_) queue()->grant_putters();  // the item has left: a slot is free
                return std::move(*value_);
            }
            resume_check();
            if (state_ == State::cancelled) throw task_->make_cancelled_error();
            throw QueueShutDown();
        }

    private:
        friend class Queue;
        explicit GetAwaiter(Queue* q) noexcept : QueueWaiter(q, Kind::get) {}
        Queue* queue() const noexcept { return static_cast<Queue*>(core_); }
        // Takes `v` and moves from getters_ to handed_. If T's move throws,
        // the waiter stays where it was.
        void receive(T&& v, std::uint64_t seq) {
            value_.emplace(std::move(v));
            seq_ = seq;
            unlink();
            queue()->handed_.push_back(this);
            wake_with(State::handed);
        }
        void drop_item() noexcept {
            value_.reset();
            state_ = State::shut_down;  // already woken; it throws QueueShutDown when it runs
        }

        std::optional<T> value_;
        std::uint64_t seq_ = 0;
    };

    /// What put() returns; `co_await` it once.
    class PutAwaiter final : public detail::QueueWaiter {
    public:
        PutAwaiter(PutAwaiter&& o) noexcept(std::is_nothrow_move_constructible_v<T>)
            : QueueWaiter(std::move(o)), item_(std::move(o.item_)) {}

        bool await_ready() {
            Queue* q = queue();
            if (q->shutdown_) {
                state_ = State::shut_down;
                return true;
            }
            // Waiting putters imply a full queue, so this never overtakes them.
            if (!q->full()) {
                q->push_item(std::move(item_));
                state_ = State::done;
                return true;
            }
            return false;
        }
        void await_suspend(std::coroutine_handle<> h) { wait_on(queue()->putters_, h); }
        void await_resume() {
            if (state_ == State::done) return;
            if (state_ == State::granted) {
                unlink();  // from granted_: the slot is ours to use or pass on
                if (task_->take_cancel_request()) {
                    if (core_) queue()->grant_putters();
                    throw task_->make_cancelled_error();
                }
                if (!core_ || queue()->shutdown_) throw QueueShutDown();
                queue()->push_item(std::move(item_));
                return;
            }
            resume_check();
            if (state_ == State::cancelled) throw task_->make_cancelled_error();
            throw QueueShutDown();
        }

    private:
        friend class Queue;
        PutAwaiter(Queue* q, T&& item) : QueueWaiter(q, Kind::put), item_(std::move(item)) {}
        Queue* queue() const noexcept { return static_cast<Queue*>(core_); }
        void grant() noexcept {
            queue()->granted_.push_back(this);
            wake_with(State::granted);
        }

        T item_;
    };

protected:
    /// For subclasses whose storage needs arguments (PriorityQueue's comparator).
    Queue(std::size_t maxsize, Storage storage)
        : detail::QueueCore(maxsize), items_(std::move(storage)) {}

private:
    // Adds an item: to the oldest waiting getter if there is one (the storage
    // is then empty, so this is also the item the storage would give out),
    // otherwise to the storage.
    void push_item(T&& v) {
        std::uint64_t seq = next_seq_;
        if (!getters_.empty()) {
            static_cast<GetAwaiter*>(getters_.front())->receive(std::move(v), seq);
        } else {
            items_.push(std::move(v), seq);
        }
        ++next_seq_;
        ++unfinished_;
    }
    T pop_item() {
        T v = items_.pop();
        grant_putters();
        return v;
    }
    // An item a cancelled getter never received: on to the next getter, or
    // back into the storage at its old place. unfinished_ is unchanged.
    void restore_item(T&& v, std::uint64_t seq) {
        if (!getters_.empty()) {
            static_cast<GetAwaiter*>(getters_.front())->receive(std::move(v), seq);
        } else {
            items_.restore(std::move(v), seq);
        }
    }
    // Gives free slots to waiting putters, oldest first. Called whenever the
    // occupancy drops, which keeps "putters wait only while full" true.
    void grant_putters() noexcept {
        while (!putters_.empty() && !full())
            static_cast<PutAwaiter*>(putters_.pop_front())->grant();
    }

    Storage items_;
};

}  // namespace aio
