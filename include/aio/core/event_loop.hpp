#pragma once
/// aio::EventLoop — asyncio's event loop: one per thread, runs callbacks,
/// task steps, timers and (from the I/O layer) readiness events.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include "aio/core/source_location.hpp"
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "aio/core/clock.hpp"
#include "aio/core/detail/suspended_tasks.hpp"
#include "aio/core/handle.hpp"

namespace aio {

template <class T> class Coro;
template <class T> class Task;
template <class T> class Future;
class AnyTask;

namespace detail {
class TaskBase;
class FutureBase;
struct LoopImpl;
struct LoopAccess;

/// What futures and tasks hold instead of the loop itself. It lives as long
/// as the loop or any of them does, so one that outlives its loop finds
/// `loop` null instead of a dangling pointer, and the loop needs no list of
/// its futures to detach them.
struct LoopAnchor {
    EventLoop* loop;
    std::size_t states;  // live futures and tasks, plus 1 while the loop lives
};
}  // namespace detail

/// What the loop's exception handler receives (asyncio's context dict).
struct ExceptionContext {
    std::string message;
    /// Null when the report is not about an exception.
    std::exception_ptr exception;
    /// Name of the task involved, if any ("Task-3").
    std::string task;
    /// Where that task was created, if known.
    std::optional<SourceLocation> source;
};

/// An event loop (asyncio.AbstractEventLoop). Not thread-safe: other threads
/// may only call `call_soon_threadsafe` (and, from the exec layer, complete
/// executor futures through it).
class EventLoop {
public:
    using ExceptionHandler = std::function<void(EventLoop&, const ExceptionContext&)>;
    using WarningHandler = std::function<void(std::string_view)>;

    EventLoop();
    /// A loop reading time from `clock`, e.g. aio::testing::VirtualClock.
    explicit EventLoop(Clock& clock);
    EventLoop(const EventLoop&) = delete;
    EventLoop& operator=(const EventLoop&) = delete;
    /// Closes the loop if still open.
    ~EventLoop();

    // ---- running and stopping -------------------------------------------------

    /// Runs until `coro`, wrapped in a task, completes; returns its result or
    /// rethrows its exception. Throws RuntimeError if the loop stops first.
    template <class T>
    T run_until_complete(Coro<T> coro);
    template <class T>
    T run_until_complete(Task<T> task);
    /// Runs until stop() is called.
    void run_forever();
    /// Stops run_forever() after the current iteration (asyncio semantics: if
    /// called before run_forever(), the loop runs one iteration and stops).
    void stop() noexcept { stopping_ = true; }
    /// Drops pending callbacks and timers, destroys pending tasks, then the
    /// per-loop state of the layers above (an executor run_shutdown_hooks()
    /// did not join is shut down without waiting, children still running are
    /// killed and reaped, signal handlers are removed). Throws RuntimeError if
    /// the loop is running.
    void close();
    bool is_running() const noexcept { return running_; }
    bool is_closed() const noexcept { return closed_; }

    /// The loop's monotonic time.
    TimePoint time() const noexcept { return clock_->now(); }
    Clock& clock() const noexcept { return *clock_; }

    // ---- callbacks --------------------------------------------------------------

    /// Runs `f(args...)` on a later iteration, in FIFO order.
    template <class F, class... Args>
    Handle call_soon(F&& f, Args&&... args);
    /// Runs `f(args...)` once `delay` has passed.
    template <class Rep, class Period, class F, class... Args>
    TimerHandle call_later(std::chrono::duration<Rep, Period> delay, F&& f, Args&&... args);
    /// Runs `f(args...)` at `when` (loop time).
    template <class F, class... Args>
    TimerHandle call_at(TimePoint when, F&& f, Args&&... args);
    /// The only member safe to call from another thread: schedules `f` and
    /// wakes the loop.
    template <class F>
    void call_soon_threadsafe(F&& f);

    // ---- tasks and futures --------------------------------------------------------

    /// Wraps `coro` in a task that starts on the next iteration. The loop keeps
    /// the task alive until it completes, whether or not the handle is kept.
    template <class T>
    Task<T> create_task(Coro<T> coro, std::string_view name = {},
                        SourceLocation where = SourceLocation::current());
    template <class T = void>
    Future<T> create_future();

    /// Every task of this loop that is not done.
    std::vector<AnyTask> all_tasks() const;
    /// The task running now, empty when called from a plain callback.
    AnyTask current_task() const;

    // ---- errors and debugging -----------------------------------------------------

    void set_exception_handler(ExceptionHandler handler);
    const ExceptionHandler& get_exception_handler() const noexcept;
    /// Passes `ctx` to the handler (or the default one). Never throws: a
    /// handler that throws is reported by the default handler.
    void call_exception_handler(const ExceptionContext& ctx) noexcept;
    /// Writes the report to stderr.
    void default_exception_handler(const ExceptionContext& ctx) noexcept;

    /// Debug mode: callbacks and task steps slower than
    /// slow_callback_duration() are reported as warnings.
    void set_debug(bool enabled) noexcept { debug_ = enabled; }
    bool get_debug() const noexcept { return debug_; }
    void set_slow_callback_duration(Duration d) noexcept { slow_callback_duration_ = d; }
    Duration slow_callback_duration() const noexcept { return slow_callback_duration_; }
    /// Where warnings go (slow callbacks); stderr by default.
    void set_warning_handler(WarningHandler handler);
    void warn(std::string_view message) noexcept;

    /// Registers `hook` to run when aio::run() shuts the loop down, after the
    /// leftover tasks are drained and before close(). Hooks run in
    /// registration order, outside any task; they may call run_until_complete.
    void add_shutdown_hook(std::function<void(EventLoop&)> hook);
    /// Runs and clears the shutdown hooks, then shuts down the per-loop state
    /// of the layers above, as asyncio.run does: async generators are
    /// closed, the default executor is joined, signal handlers are removed,
    /// children still running are killed and reaped. Errors go to the
    /// exception handler. aio::run calls it; a loop driven by hand calls it
    /// before close().
    void run_shutdown_hooks() noexcept;

    /// Loop iterations run so far (tests use it to reason about ordering).
    std::uint64_t iteration() const noexcept { return iteration_; }

private:
    friend class detail::TaskBase;
    friend class detail::FutureBase;
    friend struct detail::LoopAccess;  // the ready queue and timers, for the rest of aio

    /// Appends to the ready queue. The entry must not already be queued.
    void push_ready(detail::Runnable* r) noexcept {
        r->next_ready_ = nullptr;
        if (ready_tail_)
            ready_tail_->next_ready_ = r;
        else
            ready_head_ = r;
        ready_tail_ = r;
        ++ready_count_;
    }
    /// Takes a queued entry out of the ready queue (O(n): only for an entry
    /// destroyed while queued, for example when a closing loop destroys frames).
    void remove_ready(detail::Runnable* r) noexcept;
    void add_timer(detail::TimerNode* t);
    void remove_timer(detail::TimerNode* t) noexcept;
    /// Every pending task, gathered from the ready queue, the running task
    /// and the suspended tasks, in creation order.
    std::vector<detail::TaskBase*> pending_tasks() const;
    void check_open() const;
    void run_once();
    void run_ready_timed(detail::Runnable* r);
    void drain_threadsafe();
    void post_threadsafe(std::function<void()> fn);
    void start_running();
    void finish_running() noexcept;

    template <class F, class... Args>
    static auto bind(F&& f, Args&&... args) {
        if constexpr (sizeof...(Args) == 0) {
            return std::decay_t<F>(std::forward<F>(f));
        } else {
            return [f = std::decay_t<F>(std::forward<F>(f)),
                    args = std::make_tuple(std::decay_t<Args>(std::forward<Args>(args))...)]() mutable {
                std::apply(f, args);
            };
        }
    }

    detail::Runnable* ready_head_ = nullptr;
    detail::Runnable* ready_tail_ = nullptr;
    std::size_t ready_count_ = 0;
    detail::TaskBase* current_task_ = nullptr;
    Clock* clock_;
    std::unique_ptr<detail::LoopImpl> impl_;
    std::atomic<bool> threadsafe_pending_{false};
    detail::SuspendedTasks suspended_tasks_;  // for all_tasks() and close()
    detail::LoopAnchor* anchor_;  // last: nothing after it can throw in the constructor
    std::uint64_t iteration_ = 0;
    std::uint32_t timer_seq_ = 0;
    std::uint64_t next_task_id_ = 1;  // names tasks "Task-N"
    Duration slow_callback_duration_ = std::chrono::milliseconds(100);
    bool running_ = false;
    bool stopping_ = false;
    bool closed_ = false;
    bool debug_ = false;
};

namespace detail {
inline thread_local EventLoop* t_running_loop = nullptr;
[[noreturn]] void throw_no_running_loop();
}  // namespace detail

/// The loop running on this thread; throws RuntimeError("no running event loop").
inline EventLoop& get_running_loop() {
    if (EventLoop* loop = detail::t_running_loop) return *loop;
    detail::throw_no_running_loop();
}
/// The loop running on this thread, or null.
EventLoop* running_loop() noexcept;

template <class F, class... Args>
Handle EventLoop::call_soon(F&& f, Args&&... args) {
    check_open();
    auto fn = bind(std::forward<F>(f), std::forward<Args>(args)...);
    auto* h = new detail::CallbackHandle<decltype(fn)>(this, std::move(fn));
    h->add_ref();  // one reference for the queue, one for the returned Handle
    push_ready(h);
    return Handle(detail::Ref<detail::HandleBase>::adopt(h));
}

template <class F, class... Args>
TimerHandle EventLoop::call_at(TimePoint when, F&& f, Args&&... args) {
    check_open();
    auto fn = bind(std::forward<F>(f), std::forward<Args>(args)...);
    auto* h = new detail::TimerCallbackHandle<decltype(fn)>(this, std::move(fn));
    h->when_ = when;
    h->add_ref();  // the heap's reference
    add_timer(h);
    return TimerHandle(detail::Ref<detail::TimerHandleBase>::adopt(h));
}

template <class Rep, class Period, class F, class... Args>
TimerHandle EventLoop::call_later(std::chrono::duration<Rep, Period> delay, F&& f, Args&&... args) {
    return call_at(time() + std::chrono::ceil<Duration>(delay), std::forward<F>(f),
                   std::forward<Args>(args)...);
}

template <class F>
void EventLoop::call_soon_threadsafe(F&& f) {
    post_threadsafe(std::function<void()>(std::forward<F>(f)));
}

}  // namespace aio
