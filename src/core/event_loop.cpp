// The event loop. run_once() is the loop turn and reads as asyncio's
// BaseEventLoop._run_once: compute the poll timeout, poll, move due timers to
// the ready queue, run what was ready at the start of the turn.

#include "aio/core/event_loop.hpp"

#include <algorithm>
#include <cstdio>
#include <string>

#include "aio/core/task.hpp"
#include "core/loop_impl.hpp"

namespace aio {

using detail::FutureBase;
using detail::Runnable;
using detail::TaskBase;

namespace {
// While ready work keeps the loop busy, I/O is still polled (without
// blocking) every this many turns, so sockets are not starved; polling on
// every turn would cost a syscall per turn (Tokio's event_interval is 61).
constexpr unsigned kBusyPollInterval = 61;
}  // namespace

EventLoop::EventLoop() : EventLoop(SteadyClock::instance()) {}

EventLoop::EventLoop(Clock& clock)
    : clock_(&clock),
      impl_(std::make_unique<detail::LoopImpl>()),
      anchor_(new detail::LoopAnchor{this, 1}) {}

EventLoop::~EventLoop() {
    if (running_) {
        std::fprintf(stderr, "aio: fatal: an EventLoop was destroyed while running\n");
        std::terminate();
    }
    try {
        close();
    } catch (...) {
    }
    // Futures and tasks that outlive the loop (held by user handles) find
    // their anchor's loop null and no longer reach back into it.
    anchor_->loop = nullptr;
    if (--anchor_->states == 0) delete anchor_;
}

EventLoop* running_loop() noexcept { return detail::t_running_loop; }

void detail::throw_no_running_loop() { throw RuntimeError("no running event loop"); }

void EventLoop::check_open() const {
    if (closed_) throw RuntimeError("Event loop is closed");
}

void EventLoop::remove_ready(Runnable* r) noexcept {
    Runnable* prev = nullptr;
    for (Runnable* it = ready_head_; it; prev = it, it = it->next_ready_) {
        if (it != r) continue;
        (prev ? prev->next_ready_ : ready_head_) = it->next_ready_;
        if (ready_tail_ == it) ready_tail_ = prev;
        --ready_count_;
        it->next_ready_ = nullptr;
        return;
    }
}

void EventLoop::add_timer(detail::TimerNode* t) {
    t->seq_ = ++timer_seq_;
    impl_->timers.push(t);
}

void EventLoop::remove_timer(detail::TimerNode* t) noexcept {
    if (t->in_heap()) impl_->timers.remove(t);
}

// ---- running -----------------------------------------------------------------

void EventLoop::start_running() {
    check_open();
    if (running_) throw RuntimeError("This event loop is already running");
    if (detail::t_running_loop) throw RuntimeError("Cannot run the event loop while another loop is running");
    running_ = true;
    detail::t_running_loop = this;
}

void EventLoop::finish_running() noexcept {
    stopping_ = false;
    running_ = false;
    detail::t_running_loop = nullptr;
}

void EventLoop::run_forever() {
    start_running();
    try {
        for (;;) {
            run_once();
            if (stopping_) break;
        }
    } catch (...) {
        finish_running();
        throw;
    }
    finish_running();
}

void EventLoop::run_once() {
    detail::LoopImpl& im = *impl_;
    auto& timers = im.timers;

    if (ready_count_ != 0 || stopping_) {
        if (++im.busy_iterations >= kBusyPollInterval) {
            im.busy_iterations = 0;
            if (im.backend->watched() != 0) im.backend->poll(Duration::zero());
        }
    } else {
        im.busy_iterations = 0;
        Duration timeout(-1);
        if (!timers.empty()) {
            // Wake on the clock's next whole millisecond at or after the
            // deadline (asyncio's epoll sleeps in whole milliseconds too, and
            // Tokio's wheel has 1 ms slots): a timer never fires early, and
            // the timers due within one millisecond share a wake-up instead
            // of costing a context switch each.
            TimePoint now = clock_->now();
            TimePoint when = timers.top_when();
            timeout = when <= now ? Duration::zero()
                                  : TimePoint(std::chrono::ceil<std::chrono::milliseconds>(when.time_since_epoch())) - now;
        }
        if (clock_->is_virtual() && timeout != Duration::zero()) {
            // Virtual time never sleeps: take what I/O is ready, and if that
            // brought no work, jump to the next timer.
            int n = im.backend->poll(Duration::zero());
            if (n == 0 && !threadsafe_pending_.load(std::memory_order_acquire)) {
                if (!timers.empty())
                    clock_->advance_idle(timers.top_when());
                else
                    im.backend->poll(Duration(-1));
            }
        } else if (timeout != Duration::zero() || im.backend->watched() != 0) {
            // With a timer already due and no fd watched, polling could only
            // find a thread-safe wake-up, which the flag below already shows.
            im.backend->poll(timeout);
        }
    }

    if (threadsafe_pending_.load(std::memory_order_acquire)) drain_threadsafe();

    if (!timers.empty()) {
        TimePoint now = clock_->now();
        while (!timers.empty() && timers.top_when() <= now) timers.pop()->fire();
    }

    // Only what was ready at the start of this turn runs now; work scheduled
    // by these callbacks waits for the next turn (asyncio: count first, then run).
    for (std::size_t count_at_start = ready_count_; count_at_start != 0; --count_at_start) {
        Runnable* r = ready_head_;
        ready_head_ = r->next_ready_;
        if (!ready_head_) ready_tail_ = nullptr;
        --ready_count_;
        if (debug_)
            run_ready_timed(r);
        else
            r->run();
    }
    ++iteration_;
}

void EventLoop::run_ready_timed(Runnable* r) {
    std::string what = r->describe();
    auto t0 = std::chrono::steady_clock::now();
    r->run();  // may free r
    auto took = std::chrono::steady_clock::now() - t0;
    if (took >= slow_callback_duration_) {
        char secs[32];
        std::snprintf(secs, sizeof secs, "%.3f", std::chrono::duration<double>(took).count());
        warn("Executing " + what + " took " + secs + " seconds");
    }
}

// ---- threads -----------------------------------------------------------------

void EventLoop::post_threadsafe(std::function<void()> fn) {
    {
        std::lock_guard<std::mutex> lock(impl_->threadsafe_mutex);
        if (closed_) throw RuntimeError("Event loop is closed");
        impl_->threadsafe_queue.push_back(std::move(fn));
    }
    // Only the first post after a drain pays for the wake-up syscall.
    if (!threadsafe_pending_.exchange(true, std::memory_order_acq_rel)) impl_->backend->wakeup();
}

void EventLoop::drain_threadsafe() {
    std::vector<std::function<void()>> batch;
    {
        std::lock_guard<std::mutex> lock(impl_->threadsafe_mutex);
        threadsafe_pending_.store(false, std::memory_order_release);
        batch.swap(impl_->threadsafe_queue);
    }
    for (auto& fn : batch) call_soon(std::move(fn));
}

// ---- closing -----------------------------------------------------------------

void EventLoop::close() {
    if (running_) throw RuntimeError("Cannot close a running event loop");
    if (closed_) return;
    detail::LoopImpl& im = *impl_;
    // Destroying task frames runs destructors that may schedule more work;
    // repeat until nothing is left (each round finishes every pending task).
    auto drop_scheduled = [&] {
        while (Runnable* r = ready_head_) {
            ready_head_ = r->next_ready_;
            r->discard();
        }
        ready_tail_ = nullptr;
        ready_count_ = 0;
        while (!im.timers.empty()) im.timers.pop()->drop();
    };
    for (int round = 0; round < 100; ++round) {
        // Gathered before the ready queue is dropped, since that is where
        // the tasks that are ready to run are found.
        std::vector<detail::Ref<TaskBase>> pending;
        for (TaskBase* t : pending_tasks()) pending.emplace_back(t);
        drop_scheduled();
        if (pending.empty()) {
            // The frames are gone, and with them what pointed into the
            // extensions (loop_extension.hpp): destroy those now, then drop
            // what their destructors scheduled.
            if (!detail::destroy_loop_extensions(*this)) break;
            continue;
        }
        for (auto& t : pending) t->destroy_pending();
        drop_scheduled();  // while `pending` still keeps the tasks alive
    }
    {
        std::lock_guard<std::mutex> lock(im.threadsafe_mutex);
        closed_ = true;
        im.threadsafe_queue.clear();
    }
    // The backend lives until the destructor: a thread that raced with close()
    // may still be inside post_threadsafe()'s wake-up.
}

// ---- errors and introspection ---------------------------------------------------

void EventLoop::set_exception_handler(ExceptionHandler handler) { impl_->exception_handler = std::move(handler); }

const EventLoop::ExceptionHandler& EventLoop::get_exception_handler() const noexcept {
    return impl_->exception_handler;
}

void EventLoop::call_exception_handler(const ExceptionContext& ctx) noexcept {
    if (!impl_->exception_handler) {
        default_exception_handler(ctx);
        return;
    }
    try {
        impl_->exception_handler(*this, ctx);
    } catch (...) {
        default_exception_handler({"Unhandled error in exception handler", std::current_exception(), {}, {}});
        default_exception_handler(ctx);
    }
}

void EventLoop::default_exception_handler(const ExceptionContext& ctx) noexcept {
    try {
        std::string out = "aio: " + (ctx.message.empty() ? std::string("Unhandled exception in event loop") : ctx.message);
        if (!ctx.task.empty()) out += "\n  task: " + ctx.task;
        if (ctx.source)
            out += "\n  created at: " + std::string(ctx.source->file_name()) + ":" + std::to_string(ctx.source->line());
        if (ctx.exception) out += "\n  exception: " + describe_exception(ctx.exception);
        out += "\n";
        std::fputs(out.c_str(), stderr);
    } catch (...) {
        std::fputs("aio: unhandled exception (out of memory while reporting it)\n", stderr);
    }
}

void EventLoop::set_warning_handler(WarningHandler handler) { impl_->warning_handler = std::move(handler); }

void EventLoop::warn(std::string_view message) noexcept {
    try {
        if (impl_->warning_handler)
            impl_->warning_handler(message);
        else
            std::fprintf(stderr, "aio: warning: %.*s\n", int(message.size()), message.data());
    } catch (...) {
    }
}

void EventLoop::add_shutdown_hook(std::function<void(EventLoop&)> hook) {
    impl_->shutdown_hooks.push_back(std::move(hook));
}

void EventLoop::run_shutdown_hooks() noexcept {
    auto hooks = std::move(impl_->shutdown_hooks);
    impl_->shutdown_hooks.clear();
    for (auto& hook : hooks) {
        try {
            hook(*this);
        } catch (...) {
            call_exception_handler({"error in a loop shutdown hook", std::current_exception(), {}, {}});
        }
    }
    // Then the layers above: async generators, the default executor, signals, children.
    detail::shutdown_loop_extensions(*this);
}

std::vector<TaskBase*> EventLoop::pending_tasks() const {
    // A pending task is in the ready queue, running, or suspended
    // (TaskBase's invariant), so no list of all tasks is needed.
    std::vector<TaskBase*> out;
    suspended_tasks_.for_each([&](TaskBase* t) { out.push_back(t); });
    for (Runnable* r = ready_head_; r; r = r->next_ready_)
        if (TaskBase* t = r->as_task(); t && !t->done()) out.push_back(t);
    if (current_task_ && !current_task_->done()) out.push_back(current_task_);
    // Creation order, as the ids count up (they wrap after 2^32 tasks).
    std::sort(out.begin(), out.end(), [](const TaskBase* a, const TaskBase* b) { return a->id() < b->id(); });
    return out;
}

std::vector<AnyTask> EventLoop::all_tasks() const {
    std::vector<AnyTask> out;
    for (TaskBase* t : pending_tasks()) out.emplace_back(detail::Ref<TaskBase>(t));
    return out;
}

AnyTask EventLoop::current_task() const {
    return current_task_ ? AnyTask(detail::Ref<TaskBase>(current_task_)) : AnyTask();
}

AnyTask current_task() {
    EventLoop* loop = running_loop();
    return loop ? loop->current_task() : AnyTask();
}

std::vector<AnyTask> all_tasks() { return get_running_loop().all_tasks(); }

}  // namespace aio
