#include "aio/exec/thread_pool_executor.hpp"

#include <pthread.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <iterator>
#include <mutex>
#include <thread>
#include <vector>

#include "aio/sync/exceptions.hpp"

namespace aio {

namespace detail {

bool WorkItem::try_start() noexcept {
    unsigned char expected = kPending;
    return state_.compare_exchange_strong(expected, kRunning, std::memory_order_acq_rel);
}

bool WorkItem::try_cancel() noexcept {
    unsigned char expected = kPending;
    return state_.compare_exchange_strong(expected, kCancelled, std::memory_order_acq_rel);
}

bool WorkItem::cancelled() const noexcept {
    return state_.load(std::memory_order_acquire) == kCancelled;
}

// Everything the workers touch, shared with them so that a pool destroyed from one of its own
// workers (the last reference dropped inside a job) stays valid until that worker exits.
struct PoolState {
    std::mutex mutex;
    std::condition_variable work_cv;    // workers wait here for jobs
    std::condition_variable joined_cv;  // a second shutdown(wait=true) waits here for the first
    std::deque<std::shared_ptr<WorkItem>> queue;
    std::vector<std::thread> threads;
    std::string prefix;
    std::size_t max_workers = 0;
    std::size_t started = 0;
    // Invariant: `idle` counts workers blocked in work_cv.wait(). A job is queued with a worker
    // for it: submit starts a thread while queue.size() > idle (and the pool is not full).
    std::size_t idle = 0;
    bool shutdown = false;
    bool joining = false;
};

namespace {

void name_this_thread(const std::string& name) noexcept {
    char buf[16];  // Linux thread names are at most 15 characters
    std::size_t n = std::min(name.size(), sizeof buf - 1);
    std::copy_n(name.data(), n, buf);
    buf[n] = '\0';
    pthread_setname_np(pthread_self(), buf);
}

void worker_main(std::shared_ptr<PoolState> s, std::size_t index) {
    name_this_thread(s->prefix + "_" + std::to_string(index));
    std::unique_lock<std::mutex> lock(s->mutex);
    for (;;) {
        while (s->queue.empty() && !s->shutdown) {
            ++s->idle;
            s->work_cv.wait(lock);
            --s->idle;
        }
        if (s->queue.empty()) return;  // shut down and drained
        std::shared_ptr<WorkItem> item = std::move(s->queue.front());
        s->queue.pop_front();
        lock.unlock();
        if (item->try_start()) item->run();
        item.reset();  // the job's last reference may go here: not under the lock
        lock.lock();
    }
}

}  // namespace
}  // namespace detail

std::size_t ThreadPoolExecutor::default_max_workers() noexcept {
    std::size_t cores = std::max(1u, std::thread::hardware_concurrency());
    return std::min<std::size_t>(32, cores + 4);
}

ThreadPoolExecutor::ThreadPoolExecutor(std::size_t max_workers, std::string thread_name_prefix)
    : max_workers_(max_workers) {
    if (max_workers == 0) throw ValueError("max_workers must be greater than 0");
    state_ = std::make_shared<detail::PoolState>();
    state_->max_workers = max_workers;
    state_->prefix = thread_name_prefix.empty() ? std::string("ThreadPoolExecutor")
                                                : std::move(thread_name_prefix);
}

ThreadPoolExecutor::~ThreadPoolExecutor() {
    try {
        shutdown(true);
    } catch (...) {  // a join that failed: nothing sensible left to do
    }
}

void ThreadPoolExecutor::submit_item(std::shared_ptr<detail::WorkItem> item) {
    detail::PoolState& s = *state_;
    std::lock_guard<std::mutex> lock(s.mutex);
    if (s.shutdown) throw RuntimeError("cannot schedule new futures after shutdown");
    s.queue.push_back(std::move(item));
    if (s.queue.size() > s.idle && s.threads.size() < s.max_workers) {
        try {
            s.threads.emplace_back(detail::worker_main, state_, s.started);
            ++s.started;
        } catch (...) {
            if (s.threads.empty()) {  // nobody would ever run it
                s.queue.pop_back();
                throw;
            }
        }
    }
    s.work_cv.notify_one();
}

void ThreadPoolExecutor::shutdown(bool wait, bool cancel_futures) {
    detail::PoolState& s = *state_;
    std::vector<std::shared_ptr<detail::WorkItem>> dropped;
    std::vector<std::thread> to_join;
    bool joiner = false;
    {
        std::unique_lock<std::mutex> lock(s.mutex);
        s.shutdown = true;
        if (cancel_futures) {
            dropped.assign(std::make_move_iterator(s.queue.begin()),
                           std::make_move_iterator(s.queue.end()));
            s.queue.clear();
        }
        s.work_cv.notify_all();
        if (wait) {
            if (s.joining) {
                s.joined_cv.wait(lock, [&] { return !s.joining; });
            } else {
                joiner = true;
                s.joining = true;
                to_join.swap(s.threads);
            }
        }
    }
    for (auto& item : dropped)
        if (item->try_cancel()) item->on_dropped();
    dropped.clear();
    if (!joiner) return;
    std::exception_ptr error;
    for (auto& t : to_join) {
        try {
            if (t.get_id() == std::this_thread::get_id())
                t.detach();  // shut down from inside a job: the worker exits once it returns
            else
                t.join();
        } catch (...) {
            if (!error) error = std::current_exception();
        }
    }
    {
        std::lock_guard<std::mutex> lock(s.mutex);
        s.joining = false;
    }
    s.joined_cv.notify_all();
    if (error) std::rethrow_exception(error);
}

void detail::abandon_executor(ThreadPoolExecutor& executor) noexcept {
    PoolState& s = *executor.state_;
    std::vector<std::thread> workers;
    {
        std::lock_guard<std::mutex> lock(s.mutex);
        s.shutdown = true;
        workers.swap(s.threads);
    }
    s.work_cv.notify_all();
    for (auto& t : workers) t.detach();  // each holds the PoolState it uses
}

std::size_t ThreadPoolExecutor::num_threads() const {
    std::lock_guard<std::mutex> lock(state_->mutex);
    return state_->started;
}

bool ThreadPoolExecutor::is_shutdown() const {
    std::lock_guard<std::mutex> lock(state_->mutex);
    return state_->shutdown;
}

}  // namespace aio
