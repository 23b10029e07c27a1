#pragma once
// Shared by the exec-layer tests: bounded thread synchronisation (no sleeps: a wait that times
// out fails the test instead of hanging it), a fixture that runs a test body with aio::run and
// fails on unexpected exception-handler reports, and ASSERT macros usable in coroutines.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "aio/core/future.hpp"
#include "aio/core/run.hpp"
#include "aio/core/task.hpp"
#include "aio/exec/run_in_executor.hpp"
#include "aio/exec/thread_pool_executor.hpp"
#include "aio/exec/threadsafe_channel.hpp"
#include "aio/exec/to_thread.hpp"
#include "aio/tasks/gather.hpp"
#include "aio/time/sleep.hpp"

#include "support/co_assert.hpp"

namespace aio_exec_test {

using namespace std::chrono_literals;

/// How long a test thread waits for another before the test counts as hung.
inline constexpr auto kBound = std::chrono::seconds(20);

/// A failure of the test's own making.
struct Boom : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// A one-shot event between threads (threading.Event), with bounded waits.
class Gate {
public:
    void open() {
        // Notified under the lock: a waiter that returns may destroy the gate at once.
        std::lock_guard<std::mutex> lock(mutex_);
        open_ = true;
        cv_.notify_all();
    }
    /// True once open; false (and a test failure) if it stayed shut for kBound.
    bool wait() {
        std::unique_lock<std::mutex> lock(mutex_);
        if (cv_.wait_for(lock, kBound, [&] { return open_; })) return true;
        ADD_FAILURE() << "Gate::wait() timed out";
        return false;
    }
    bool is_open() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return open_;
    }

private:
    mutable std::mutex mutex_;
    std::condition_variable cv_;
    bool open_ = false;
};

/// A reusable barrier of `parties` threads with bounded waits; returns the phase it completed
/// (0, 1, ...), or -1 on timeout.
class Barrier {
public:
    explicit Barrier(int parties) : parties_(parties) {}
    int arrive_and_wait() {
        std::unique_lock<std::mutex> lock(mutex_);
        int phase = phase_;
        if (++arrived_ == parties_) {
            arrived_ = 0;
            ++phase_;
            cv_.notify_all();
            return phase;
        }
        if (cv_.wait_for(lock, kBound, [&] { return phase_ != phase; })) return phase;
        ADD_FAILURE() << "Barrier::arrive_and_wait() timed out in phase " << phase;
        return -1;
    }

private:
    std::mutex mutex_;
    std::condition_variable cv_;
    int parties_;
    int arrived_ = 0;
    int phase_ = 0;
};

/// The running maximum of a counter of things in flight.
class InFlight {
public:
    void enter() {
        int now = ++current_;
        int seen = max_.load();
        while (now > seen && !max_.compare_exchange_weak(seen, now)) {
        }
    }
    void leave() { --current_; }
    int max() const { return max_.load(); }

private:
    std::atomic<int> current_{0};
    std::atomic<int> max_{0};
};

/// Counts live instances across threads: a result that is dropped must still be destroyed once.
struct Counted {
    static inline std::atomic<int> alive{0};
    int value = 0;
    explicit Counted(int v) : value(v) { ++alive; }
    Counted(const Counted& o) : value(o.value) { ++alive; }
    Counted(Counted&& o) noexcept : value(o.value) { ++alive; }
    Counted& operator=(const Counted&) = default;
    ~Counted() { --alive; }
};

/// Awaits `f` (so a task can be the one that awaits a future).
template <class T>
aio::Coro<T> await_future(aio::Future<T> f) {
    co_return co_await std::move(f);
}

/// Awaits `aw`; returns the exception it raised, or null.
template <class Aw>
aio::Coro<std::exception_ptr> outcome_of(Aw aw) {
    try {
        co_await std::move(aw);
    } catch (...) {
        co_return std::current_exception();
    }
    co_return nullptr;
}

template <class E>
bool holds(const std::exception_ptr& e) {
    if (!e) return false;
    try {
        std::rethrow_exception(e);
    } catch (const E&) {
        return true;
    } catch (...) {
        return false;
    }
}

/// Runs each test body with aio::run (real clock: worker threads take real time) and records
/// what reaches the loop's exception handler; a report the test did not take fails it.
class ExecTest : public ::testing::Test {
protected:
    template <class T>
    T run(aio::Coro<T> main) {
        aio::RunOptions options;
        options.exception_handler = [this](aio::EventLoop&, const aio::ExceptionContext& ctx) {
            std::lock_guard<std::mutex> lock(reports_mutex_);
            reports_.push_back(ctx);
        };
        return aio::run(std::move(main), std::move(options));
    }
    std::vector<aio::ExceptionContext> take_reports() {
        std::lock_guard<std::mutex> lock(reports_mutex_);
        return std::exchange(reports_, {});
    }
    void TearDown() override {
        for (const auto& r : take_reports())
            ADD_FAILURE() << "unexpected report to the exception handler: " << r.message << " "
                          << (r.exception ? aio::describe_exception(r.exception) : std::string());
        EXPECT_EQ(Counted::alive.load(), 0) << "a Counted value leaked or was destroyed twice";
    }

private:
    std::mutex reports_mutex_;
    std::vector<aio::ExceptionContext> reports_;
};

}  // namespace aio_exec_test
