#pragma once
/// aio::ThreadPoolExecutor — Python's concurrent.futures.ThreadPoolExecutor: a pool of worker
/// threads for blocking work, the executor behind aio::run_in_executor and aio::to_thread.
///
/// ```
/// aio::ThreadPoolExecutor pool(4);
/// std::size_t words = co_await aio::run_in_executor(pool, count_words, path);
/// std::future<int> f = pool.submit([] { return 42; });   // from any thread, no loop needed
/// pool.shutdown();                                       // waits for queued and running jobs
/// ```

#include <atomic>
#include <cstddef>
#include <exception>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>

#include "aio/core/exceptions.hpp"

namespace aio {

class ThreadPoolExecutor;

namespace detail {

/// What calling a decayed copy of `F` with decayed copies of `Args` returns, by value
/// (a returned reference is copied: the result crosses threads).
template <class F, class... Args>
using call_result_t =
    std::remove_cvref_t<std::invoke_result_t<std::decay_t<F>&&, std::decay_t<Args>&&...>>;

/// Binds `f` and `args` by value into a callable invoked once, with everything moved.
template <class F, class... Args>
auto bind_call(F f, Args... args) {
    return [f = std::move(f), ... args = std::move(args)]() mutable -> decltype(auto) {
        return std::invoke(std::move(f), std::move(args)...);
    };
}

/// One job on a ThreadPoolExecutor's queue, shared (std::shared_ptr) by the queue, the worker
/// and whoever may cancel it. Its state moves pending -> running or pending -> cancelled, each
/// move atomic, so a job cancelled before a worker took it never runs.
class WorkItem {
public:
    WorkItem() = default;
    WorkItem(const WorkItem&) = delete;
    WorkItem& operator=(const WorkItem&) = delete;
    virtual ~WorkItem() = default;

    /// Claims the job for a worker; false if it was cancelled.
    bool try_start() noexcept;
    /// Cancels the job if no worker took it yet; true if it will never run.
    bool try_cancel() noexcept;
    bool cancelled() const noexcept;

    /// The job, on a worker thread, after try_start() succeeded.
    virtual void run() noexcept = 0;
    /// The executor dropped the job unrun (shutdown with cancel_futures), after try_cancel()
    /// succeeded; called on the thread that called shutdown().
    virtual void on_dropped() noexcept {}

private:
    enum : unsigned char { kPending, kRunning, kCancelled };
    std::atomic<unsigned char> state_{kPending};
};

/// A job whose outcome goes to a std::promise (ThreadPoolExecutor::submit).
template <class R, class Fn>
class PromiseItem final : public WorkItem {
public:
    explicit PromiseItem(Fn fn) : fn_(std::move(fn)) {}
    std::future<R> get_future() { return promise_.get_future(); }

    void run() noexcept override {
        try {
            if constexpr (std::is_void_v<R>) {
                fn_();
                promise_.set_value();
            } else {
                promise_.set_value(fn_());
            }
        } catch (...) {
            promise_.set_exception(std::current_exception());
        }
    }
    void on_dropped() noexcept override {
        try {
            promise_.set_exception(
                std::make_exception_ptr(CancelledError("the executor was shut down")));
        } catch (...) {
        }
    }

private:
    Fn fn_;
    std::promise<R> promise_;
};

struct PoolState;

/// Shuts `executor` down without waiting and detaches its workers: they finish the queued jobs
/// and exit on their own (used for the default executor of a loop closed without
/// run_shutdown_hooks()).
void abandon_executor(ThreadPoolExecutor& executor) noexcept;

}  // namespace detail

/// A pool of at most `max_workers` threads running submitted jobs in FIFO order. Workers start
/// lazily, one per job that finds no idle worker, as in Python. Thread-safe: any thread may
/// submit and shut down.
///
/// Throws: submit() after shutdown() throws RuntimeError("cannot schedule new futures after
/// shutdown").
///
/// Cancel safety: cancelling an awaiter of run_in_executor() before a worker took the job means
/// the job never runs; once it started it runs to its end (a thread cannot be interrupted; pass
/// it a stop flag, as Python code does with a threading.Event).
class ThreadPoolExecutor {
public:
    /// Python's default: min(32, number of cores + 4).
    static std::size_t default_max_workers() noexcept;

    /// A pool of up to `max_workers` threads, named "<prefix>_<n>" (prefix defaults to
    /// "ThreadPoolExecutor"). Starts no thread yet.
    /// Throws aio::ValueError if `max_workers` is 0.
    explicit ThreadPoolExecutor(std::size_t max_workers = default_max_workers(),
                                std::string thread_name_prefix = {});
    ThreadPoolExecutor(const ThreadPoolExecutor&) = delete;
    ThreadPoolExecutor& operator=(const ThreadPoolExecutor&) = delete;
    /// shutdown(wait=true): runs what is queued, joins the workers.
    ~ThreadPoolExecutor();

    /// Runs `f(args...)` on a worker (copies of `f` and `args`, moved into the call) and returns
    /// a std::future for its result or exception. No event loop needed.
    /// Throws RuntimeError after shutdown().
    /// ```
    /// std::future<int> f = pool.submit([](int a, int b) { return a + b; }, 1, 2);
    /// ```
    template <class F, class... Args>
    std::future<detail::call_result_t<F, Args...>> submit(F f, Args... args) {
        using R = detail::call_result_t<F, Args...>;
        auto fn = detail::bind_call(std::move(f), std::move(args)...);
        auto item = std::make_shared<detail::PromiseItem<R, decltype(fn)>>(std::move(fn));
        std::future<R> result = item->get_future();
        submit_item(std::move(item));
        return result;
    }

    /// Stops accepting jobs. With `cancel_futures`, jobs no worker took yet are cancelled (their
    /// futures end cancelled: CancelledError). With `wait`, returns once every job that is not
    /// cancelled has run and the workers have exited (called from one of its own workers, that
    /// worker is not waited for). Idempotent; thread-safe.
    /// Throws std::system_error if joining a worker fails.
    /// ```
    /// pool.shutdown(true, true);   // wait=true, cancel_futures=true: drop what has not started
    /// ```
    void shutdown(bool wait = true, bool cancel_futures = false);

    std::size_t max_workers() const noexcept { return max_workers_; }
    /// Worker threads started so far (workers start lazily).
    std::size_t num_threads() const;
    bool is_shutdown() const;

    /// Queues a job (used by run_in_executor). Throws RuntimeError after shutdown().
    void submit_item(std::shared_ptr<detail::WorkItem> item);

private:
    friend void detail::abandon_executor(ThreadPoolExecutor& executor) noexcept;
    std::size_t max_workers_;
    std::shared_ptr<detail::PoolState> state_;  // shared with the workers
};

}  // namespace aio
