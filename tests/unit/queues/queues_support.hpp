#pragma once
// Helpers shared by the queue tests (ported in behaviour from CPython 3.13's
// Lib/test/test_asyncio/test_queues.py). Every test runs on a virtual clock;
// anything reaching the loop's exception handler (an error nobody awaited)
// fails the test.

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <utility>

#include "aio/core/exceptions.hpp"
#include "aio/core/run.hpp"
#include "aio/core/task.hpp"
#include "aio/queues/lifo_queue.hpp"
#include "aio/queues/priority_queue.hpp"
#include "aio/queues/queue.hpp"
#include "aio/queues/queue_errors.hpp"
#include "aio/testing/virtual_clock.hpp"
#include "aio/time/sleep.hpp"
#include "aio/time/timeout.hpp"

namespace qtest {

using namespace std::chrono_literals;

/// One loop iteration for the current task: asyncio's `await asyncio.sleep(0)`.
inline aio::detail::SleepAwaiter tick() { return aio::sleep(0s); }

/// Runs `body()` (a coroutine factory) with aio::testing::run_virtual; reports
/// to the exception handler fail the test.
template <class F>
auto run(F&& body) {
    aio::RunOptions options;
    options.exception_handler = [](aio::EventLoop&, const aio::ExceptionContext& ctx) {
        ADD_FAILURE() << "exception handler: " << ctx.message << " task=" << ctx.task
                      << (ctx.exception ? " exception=" + aio::describe_exception(ctx.exception)
                                        : std::string());
    };
    return aio::testing::run_virtual(body(), std::move(options));
}

// asyncio's create_task(q.get()) / create_task(q.put(x)): the queue must
// outlive the task (the tests keep it in the main coroutine's frame).
template <class Q>
aio::Coro<typename Q::value_type> get_from(Q& q) {
    co_return co_await q.get();
}
template <class Q>
aio::Coro<void> put_into(Q& q, typename Q::value_type v) {
    co_await q.put(std::move(v));
}
template <class Q>
aio::Coro<void> join_of(Q& q) {
    co_await q.join();
}

/// Awaits `t`; true if it ended with CancelledError.
inline aio::Coro<bool> ended_cancelled(aio::AnyTask t) {
    try {
        co_await t;
    } catch (const aio::CancelledError&) {
        co_return true;
    }
    co_return false;
}

/// Awaits `t`; true if it ended with QueueShutDown.
inline aio::Coro<bool> ended_shut_down(aio::AnyTask t) {
    try {
        co_await t;
    } catch (const aio::QueueShutDown&) {
        co_return true;
    }
    co_return false;
}

/// A value that counts live instances (cppcoro's test/counted.hpp): catches
/// leaked and doubly destroyed items. Move-only.
struct Counted {
    static inline int live = 0;
    static inline int constructed = 0;
    int id = -1;
    explicit Counted(int i) : id(i) {
        ++live;
        ++constructed;
    }
    Counted(Counted&& o) noexcept : id(std::exchange(o.id, -1)) { ++live; }
    Counted& operator=(Counted&& o) noexcept {
        id = std::exchange(o.id, -1);
        return *this;
    }
    Counted(const Counted&) = delete;
    Counted& operator=(const Counted&) = delete;
    ~Counted() { --live; }
    friend bool operator<(const Counted& a, const Counted& b) noexcept { return a.id < b.id; }
};

}  // namespace qtest
