#pragma once
/// aio::ThreadsafeChannel<T> — how a thread hands values to a loop task: the asyncio
/// pattern of a worker thread reporting progress through call_soon_threadsafe, as a
/// channel whose loop side is awaitable (Tokio's mpsc, janus's mixed queue).
///
/// ```
/// aio::ThreadsafeChannel<std::string> progress;            // on the loop: the receiving side
/// auto job = aio::run_in_executor(nullptr, [](aio::ThreadsafeSender<std::string> out) {
///     for (int i = 1; i <= 3; ++i) out.send("step " + std::to_string(i));
/// }, progress.sender());                                     // the sender closes when dropped
/// while (auto line = co_await progress.next()) std::cout << *line << "\n";
/// co_await job;
/// ```
/// Senders may live on any thread. The channel closes when the receiver or a sender calls
/// close(), when the ThreadsafeChannel is destroyed, or when the last sender is destroyed (so a
/// worker that ends, even by an exception, ends the reader's loop; as with Tokio's mpsc, keep
/// one sender until every thread has its copy). Values sent before the
/// close are still received. A sender that must wake a receiver whose loop is gone (shut down
/// or closed) finds the channel closed. Wake-ups cost one call_soon_threadsafe per batch: values
/// sent while the loop side already has a wake-up pending ride along.

#include <condition_variable>
#include <coroutine>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "aio/core/detail/task_base.hpp"
#include "aio/core/event_loop.hpp"
#include "aio/core/exceptions.hpp"
#include "aio/exec/detail/exec_loop_state.hpp"
#include "aio/exec/detail/loop_link.hpp"

namespace aio {

/// What ThreadsafeSender::try_send() did.
enum class SendStatus { sent, full, closed };

namespace detail {

template <class T>
class ChannelReceiveAwaiter;

/// The state shared by the receiver, the senders and the wake-ups in flight.
template <class T>
class ChannelState : public std::enable_shared_from_this<ChannelState<T>> {
public:
    ChannelState(EventLoop& loop, std::size_t capacity)
        : link_(ExecLoopState::of(loop).link()), loop_(&loop), capacity_(capacity) {}

    // ---- any thread ----

    /// Appends `v`, blocking while a bounded channel is full. False (v dropped) once closed.
    template <class U>
    bool send(U&& v) {
        std::unique_lock<std::mutex> lock(mutex_);
        if (capacity_ != 0 && !closed_ && items_.size() >= capacity_) {
            if (t_running_loop == loop_)
                throw RuntimeError(
                    "ThreadsafeSender::send() on a full channel would block its own event loop; "
                    "use try_send()");
            not_full_.wait(lock, [&] { return closed_ || items_.size() < capacity_; });
        }
        if (closed_) return false;
        items_.emplace_back(std::forward<U>(v));
        return after_push(lock);
    }
    SendStatus try_send(T&& v) {
        std::unique_lock<std::mutex> lock(mutex_);
        if (closed_) return SendStatus::closed;
        if (capacity_ != 0 && items_.size() >= capacity_) return SendStatus::full;
        items_.push_back(std::move(v));
        return after_push(lock) ? SendStatus::sent : SendStatus::closed;
    }
    void close() {
        std::unique_lock<std::mutex> lock(mutex_);
        if (closed_) return;
        closed_ = true;
        not_full_.notify_all();
        if (t_running_loop == loop_) {
            // On the loop's own thread: wake the receiver directly.
            lock.unlock();
            on_wake();
            return;
        }
        wake_receiver(lock);
    }
    bool closed() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return closed_;
    }
    std::size_t size() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return items_.size();
    }
    void add_sender() {
        std::lock_guard<std::mutex> lock(mutex_);
        ++senders_;
    }
    void drop_sender() {
        bool last;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            last = --senders_ == 0;
        }
        if (last) close();
    }

    // ---- the loop's thread ----

    std::optional<T> try_receive() {
        std::lock_guard<std::mutex> lock(mutex_);
        return pop_locked();
    }
    /// mutex_ held: takes the next value for `w` or marks the end; false if there is neither.
    bool take_locked(ChannelReceiveAwaiter<T>& w);
    void push_front(T v) {
        std::lock_guard<std::mutex> lock(mutex_);
        items_.push_front(std::move(v));
    }
    /// Takes the next value (or the end) for `w` if there is one.
    bool try_take(ChannelReceiveAwaiter<T>& w) {
        std::lock_guard<std::mutex> lock(mutex_);
        return take_locked(w);
    }
    /// Registers `w` as the waiting receiver unless a value or the end is there already.
    bool start_wait(ChannelReceiveAwaiter<T>& w) {
        std::lock_guard<std::mutex> lock(mutex_);
        if (take_locked(w)) return false;
        receiver_waiting_ = true;
        return true;
    }
    void stop_wait() {
        std::lock_guard<std::mutex> lock(mutex_);
        receiver_waiting_ = false;
    }
    /// A wake-up arrived: hands the waiting receiver its value (or the end) and wakes it.
    void on_wake();

    ChannelReceiveAwaiter<T>* waiter_ = nullptr;  // loop thread only

private:
    std::optional<T> pop_locked() {
        if (items_.empty()) return std::nullopt;
        std::optional<T> v(std::move(items_.front()));
        items_.pop_front();
        if (capacity_ != 0) not_full_.notify_one();
        return v;
    }
    bool after_push(std::unique_lock<std::mutex>& lock) {
        if (!wake_receiver(lock)) {
            // The loop is gone: nobody will ever receive.
            std::lock_guard<std::mutex> relock(mutex_);
            closed_ = true;
            not_full_.notify_all();
            return false;
        }
        return true;
    }
    /// mutex_ held on entry, released on return. Posts one wake-up if the receiver waits and
    /// none is on its way. False if the loop could not be reached.
    bool wake_receiver(std::unique_lock<std::mutex>& lock) {
        bool post = receiver_waiting_ && !wake_posted_;
        if (post) wake_posted_ = true;
        lock.unlock();
        if (!post) return true;
        return link_->post([self = this->shared_from_this()] { self->on_wake(); });
    }

    std::shared_ptr<LoopLink> link_;
    EventLoop* loop_;  // identity only, for the blocking-send check
    std::size_t capacity_;
    mutable std::mutex mutex_;
    std::condition_variable not_full_;
    std::deque<T> items_;
    std::size_t senders_ = 0;
    bool closed_ = false;
    bool receiver_waiting_ = false;  // the loop side is suspended in next()
    bool wake_posted_ = false;       // a wake-up is on its way to the loop
};

/// The awaiter of ThreadsafeChannel::next(). A value is handed to it under the channel's lock
/// before its task is woken; if the task is cancelled before it runs, the value goes back to the
/// front of the channel.
template <class T>
class ChannelReceiveAwaiter final : public SuspendPoint {
public:
    explicit ChannelReceiveAwaiter(std::shared_ptr<ChannelState<T>> s) noexcept
        : s_(std::move(s)) {}
    ChannelReceiveAwaiter(ChannelReceiveAwaiter&& o) noexcept : s_(std::move(o.s_)) {}
    ~ChannelReceiveAwaiter() {
        if (s_ && s_->waiter_ == this) {
            s_->waiter_ = nullptr;
            s_->stop_wait();
        }
    }

    bool await_ready() {
        if (s_->waiter_)
            throw RuntimeError("ThreadsafeChannel::next() is already awaited by another task");
        return s_->try_take(*this);
    }
    bool await_suspend(std::coroutine_handle<> h) {
        if (!s_->start_wait(*this)) return false;  // arrived since await_ready
        try {
            suspend_here(h);
        } catch (...) {
            s_->stop_wait();
            throw;
        }
        s_->waiter_ = this;
        return true;
    }
    std::optional<T> await_resume() {
        if (task_ && task_->take_cancel_request()) {
            if (value_) s_->push_front(std::move(*value_));
            throw task_->make_cancelled_error();
        }
        if (cancelled_) throw task_->make_cancelled_error();
        return std::move(value_);
    }

    bool cancel_wait(const std::string&) noexcept override {
        s_->waiter_ = nullptr;
        s_->stop_wait();
        cancelled_ = true;
        task_->wake();
        return true;
    }
    std::string describe_wait() const override { return "ThreadsafeChannel.next"; }

private:
    friend class ChannelState<T>;
    std::shared_ptr<ChannelState<T>> s_;
    std::optional<T> value_;
    bool cancelled_ = false;
};

template <class T>
bool ChannelState<T>::take_locked(ChannelReceiveAwaiter<T>& w) {
    if (auto v = pop_locked()) {
        w.value_ = std::move(v);
        return true;
    }
    return closed_;  // the end: value_ stays empty
}

template <class T>
void ChannelState<T>::on_wake() {
    ChannelReceiveAwaiter<T>* w = waiter_;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        wake_posted_ = false;
        if (!w) {
            receiver_waiting_ = false;
            return;
        }
        if (!take_locked(*w)) return;  // taken by try_next() meanwhile: keep waiting
        receiver_waiting_ = false;
    }
    waiter_ = nullptr;
    w->task_->wake();
}

}  // namespace detail

template <class T>
class ThreadsafeChannel;

/// The sending side of a ThreadsafeChannel: copyable, usable from any thread. The channel
/// closes when the last sender is destroyed.
template <class T>
class ThreadsafeSender {
public:
    ThreadsafeSender(const ThreadsafeSender& o) : s_(o.s_) {
        if (s_) s_->add_sender();
    }
    ThreadsafeSender(ThreadsafeSender&& o) noexcept : s_(std::move(o.s_)) {}
    ThreadsafeSender& operator=(ThreadsafeSender o) noexcept {
        std::swap(s_, o.s_);
        return *this;
    }
    /// The last sender to go closes the channel.
    ~ThreadsafeSender() {
        try {
            if (s_) s_->drop_sender();
        } catch (...) {  // out of memory for the wake-up
        }
    }

    /// Sends `value` to the loop side. On a bounded channel that is full, blocks this thread
    /// until there is room. Returns false (the value is dropped) if the channel is closed or its
    /// loop is gone.
    /// Throws RuntimeError if it would block the channel's own loop thread (use try_send there).
    /// ```
    /// writer.send(Progress{i, total});
    /// ```
    bool send(T value) { return s_ && s_->send(std::move(value)); }
    /// Sends without blocking. Moves from `value` only when it returns SendStatus::sent; on
    /// `full` or `closed` the caller keeps it.
    /// ```
    /// if (writer.try_send(std::move(line)) == aio::SendStatus::full) dropped.push_back(line);
    /// ```
    SendStatus try_send(T&& value) {
        return s_ ? s_->try_send(std::move(value)) : SendStatus::closed;
    }
    /// Closes the channel for every sender; the receiver still gets what was sent before.
    void close() {
        if (s_) s_->close();
    }
    /// True once the channel is closed (or this sender was moved from).
    bool closed() const { return !s_ || s_->closed(); }

private:
    friend class ThreadsafeChannel<T>;
    explicit ThreadsafeSender(std::shared_ptr<detail::ChannelState<T>> s) : s_(std::move(s)) {
        s_->add_sender();
    }
    std::shared_ptr<detail::ChannelState<T>> s_;
};

/// The receiving side of a channel from threads to a loop task; belongs to the loop that was
/// running when it was created. Not thread-safe itself (use it on its loop's thread); hand
/// sender()s to other threads.
///
/// Throws RuntimeError if created with no running loop.
///
/// Cancel safety: cancelling a task awaiting next() loses no value: a value already handed to
/// it goes back to the front of the channel.
template <class T>
class ThreadsafeChannel {
public:
    /// A channel on the running loop; `capacity` 0 means unbounded, otherwise send() blocks the
    /// sending thread while `capacity` values wait.
    /// ```
    /// aio::ThreadsafeChannel<Progress> progress;      // unbounded
    /// aio::ThreadsafeChannel<Chunk> chunks(16);       // a producer thread waits beyond 16
    /// ```
    explicit ThreadsafeChannel(std::size_t capacity = 0)
        : ThreadsafeChannel(get_running_loop(), capacity) {}
    /// A channel on `loop`; call it on that loop's thread.
    ThreadsafeChannel(EventLoop& loop, std::size_t capacity)
        : s_(std::make_shared<detail::ChannelState<T>>(loop, capacity)) {}
    /// A moved-from channel may only be destroyed or assigned to.
    ThreadsafeChannel(ThreadsafeChannel&&) noexcept = default;
    /// Closes the channel assigned over, then takes `o`'s.
    ThreadsafeChannel& operator=(ThreadsafeChannel&& o) noexcept {
        if (this != &o) {
            close_quietly();
            s_ = std::move(o.s_);
        }
        return *this;
    }
    /// Closes the channel: senders' send() returns false from now on.
    ~ThreadsafeChannel() { close_quietly(); }

    /// A new sender (the channel closes once every sender is destroyed).
    ThreadsafeSender<T> sender() const { return ThreadsafeSender<T>(s_); }

    /// Awaits the next value; nullopt once the channel is closed and drained. A fast path: a
    /// value already there is returned without suspending.
    /// Throws RuntimeError if another task is already awaiting next().
    /// Cancel safety: cancel-safe; no value is lost.
    /// ```
    /// while (auto v = co_await channel.next()) use(*v);
    /// ```
    [[nodiscard]] detail::ChannelReceiveAwaiter<T> next() const {
        return detail::ChannelReceiveAwaiter<T>(s_);
    }
    /// The next value if one is there, without waiting.
    std::optional<T> try_next() { return s_->try_receive(); }
    /// Closes the channel; values already sent are still received, then next() returns nullopt.
    void close() { s_->close(); }
    bool closed() const { return s_->closed(); }
    /// Values waiting to be received.
    std::size_t size() const { return s_->size(); }

private:
    void close_quietly() noexcept {
        try {
            if (s_) s_->close();
        } catch (...) {  // out of memory for the wake-up: the receiver is going away anyway
        }
    }
    std::shared_ptr<detail::ChannelState<T>> s_;
};

}  // namespace aio
