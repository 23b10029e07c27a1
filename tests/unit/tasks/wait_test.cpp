// aio::wait against asyncio 3.12's wait(): the behaviour of test_tasks.py's
// test_wait, test_wait_first_completed, test_wait_really_done,
// test_wait_first_exception(_in_wait), test_wait_with_exception,
// test_wait_with_timeout, test_wait_errors. wait() never raises TimeoutError
// and never cancels anything.

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "tasks_support.hpp"

namespace aio_tasks_test {
namespace {

class WaitTest : public LoopTest {};

template <class TaskT>
bool contains(const std::vector<TaskT>& v, const TaskT& t) {
    return std::find(v.begin(), v.end(), t) != v.end();
}

// Cancels what a test left pending and waits for it, so no task leaks.
template <class TaskT>
aio::Coro<> cancel_and_wait(std::vector<TaskT> tasks) {
    for (auto& t : tasks) t.cancel();
    for (auto& t : tasks) co_await caught<aio::CancelledError>(t);
}

TEST_F(WaitTest, AllCompletedWaitsForEveryTask) {
    run([]() -> aio::Coro<> {
        auto a = aio::create_task(value_after(100ms, 1));
        auto b = aio::create_task(value_after(150ms, 2));
        auto t0 = now();
        auto [done, pending] = co_await aio::wait(vec<aio::Task<int>>(b, a));
        EXPECT_EQ(ms_since(t0), 150);
        EXPECT_EQ(done.size(), 2u);
        EXPECT_TRUE(pending.empty());
        EXPECT_TRUE(contains(done, a) && contains(done, b));
        EXPECT_EQ(a.result() + b.result(), 3);
    }());
}

TEST_F(WaitTest, AllCompletedIsTheDefault) {
    run([]() -> aio::Coro<> {
        auto a = aio::create_task(value_after(10ms, 1));
        auto b = aio::create_task(value_after(20ms, 2));
        auto r = co_await aio::wait(vec<aio::Task<int>>(a, b));
        EXPECT_EQ(r.done.size(), 2u);
        EXPECT_TRUE(r.pending.empty());
    }());
}

TEST_F(WaitTest, AllCompletedPutsFailedTasksInDoneWithoutRaising) {
    run([]() -> aio::Coro<> {
        auto a = aio::create_task(fail_after(10ms, "a"));
        auto b = aio::create_task(value_after(20ms, 2));
        auto t0 = now();
        auto [done, pending] = co_await aio::wait(vec<aio::Task<int>>(a, b), aio::ALL_COMPLETED);
        EXPECT_EQ(ms_since(t0), 20);
        EXPECT_EQ(done.size(), 2u);
        EXPECT_TRUE(pending.empty());
        // wait() does not retrieve errors: the caller does.
        EXPECT_EQ(what_of(a.exception()), "a");
    }());
}

TEST_F(WaitTest, FirstCompletedReturnsWhenOneTaskFinishesAndLeavesTheOthersRunning) {
    run([]() -> aio::Coro<> {
        int cancelled = 0, finished = 0;
        auto slow = aio::create_task(counted_sleep(10s, 1, &cancelled, &finished));
        auto fast = aio::create_task(value_after(100ms, 2));
        auto t0 = now();
        auto [done, pending] =
            co_await aio::wait(vec<aio::Task<int>>(slow, fast), aio::FIRST_COMPLETED);
        EXPECT_EQ(ms_since(t0), 100);
        CO_ASSERT_EQ(done.size(), 1u);
        CO_ASSERT_EQ(pending.size(), 1u);
        EXPECT_TRUE(done[0] == fast);
        EXPECT_TRUE(pending[0] == slow);
        EXPECT_FALSE(slow.done());
        // Still running: it finishes on its own later.
        EXPECT_EQ(co_await slow, 1);
        EXPECT_EQ(cancelled, 0);
        EXPECT_EQ(finished, 1);
    }());
}

TEST_F(WaitTest, FirstCompletedCountsEveryTaskDoneByTheTimeTheWaiterResumes) {
    // test_wait_really_done: tasks that finish in the same loop turn as the first
    // one are done when wait() resumes, and land in `done`, not in `pending`.
    run([]() -> aio::Coro<> {
        auto a = aio::create_task(value_after(10ms, 1));
        auto b = aio::create_task(value_after(10ms, 2));
        auto [done, pending] = co_await aio::wait(vec<aio::Task<int>>(b, a), aio::FIRST_COMPLETED);
        EXPECT_EQ(done.size(), 2u);
        EXPECT_TRUE(pending.empty());
        for (auto& t : pending) EXPECT_FALSE(t.done()) << "a done task reported as pending";
    }());
}

TEST_F(WaitTest, FirstCompletedReturnsAtOnceIfATaskIsAlreadyDone) {
    run([]() -> aio::Coro<> {
        auto a = aio::create_task(value_after(0ms, 1));
        co_await aio::sleep(1ms);
        auto b = aio::create_task(value_after(1s, 2));
        auto t0 = now();
        auto [done, pending] = co_await aio::wait(vec<aio::Task<int>>(a, b), aio::FIRST_COMPLETED);
        EXPECT_EQ(ms_since(t0), 0);
        EXPECT_EQ(done.size(), 1u);
        EXPECT_EQ(pending.size(), 1u);
        co_await cancel_and_wait(pending);
    }());
}

TEST_F(WaitTest, FirstExceptionReturnsWhenATaskRaises) {
    run([]() -> aio::Coro<> {
        auto slow = aio::create_task(value_after(10s, 1));
        auto bad = aio::create_task(fail_after(10ms, "bad"));
        auto t0 = now();
        auto [done, pending] =
            co_await aio::wait(vec<aio::Task<int>>(slow, bad), aio::FIRST_EXCEPTION);
        EXPECT_EQ(ms_since(t0), 10);
        CO_ASSERT_EQ(done.size(), 1u);
        EXPECT_TRUE(done[0] == bad);
        EXPECT_TRUE(pending.size() == 1u && pending[0] == slow);
        EXPECT_FALSE(slow.done());
        EXPECT_TRUE(co_await caught<Boom>(bad));
        co_await cancel_and_wait(pending);
    }());
}

TEST_F(WaitTest, FirstExceptionReturnsAtOnceForATaskThatRaisesWithoutSuspending) {
    run([]() -> aio::Coro<> {
        auto raise_now = []() -> aio::Coro<int> {
            if (true) throw Boom("now");  // before any suspension
            co_return 0;
        };
        auto slow = aio::create_task(value_after(10s, 1));
        auto bad = aio::create_task(raise_now());
        auto t0 = now();
        auto [done, pending] =
            co_await aio::wait(vec<aio::Task<int>>(slow, bad), aio::FIRST_EXCEPTION);
        EXPECT_EQ(ms_since(t0), 0);
        EXPECT_TRUE(done.size() == 1u && done[0] == bad);
        EXPECT_EQ(pending.size(), 1u);
        EXPECT_EQ(what_of(bad.exception()), "now");
        co_await cancel_and_wait(pending);
    }());
}

TEST_F(WaitTest, FirstExceptionWaitsForAllWhenNoTaskRaises) {
    run([]() -> aio::Coro<> {
        auto a = aio::create_task(value_after(10ms, 1));
        auto b = aio::create_task(value_after(30ms, 2));
        auto t0 = now();
        auto [done, pending] = co_await aio::wait(vec<aio::Task<int>>(a, b), aio::FIRST_EXCEPTION);
        EXPECT_EQ(ms_since(t0), 30);
        EXPECT_EQ(done.size(), 2u);
        EXPECT_TRUE(pending.empty());
    }());
}

TEST_F(WaitTest, FirstExceptionDoesNotCountACancelledTaskAsAnException) {
    run([]() -> aio::Coro<> {
        auto victim = aio::create_task(value_after(10s, 1));
        auto b = aio::create_task(value_after(30ms, 2));
        auto killer = aio::create_task([](aio::Task<int> v) -> aio::Coro<> {
            co_await aio::sleep(10ms);
            v.cancel();
        }(victim));
        auto t0 = now();
        auto [done, pending] =
            co_await aio::wait(vec<aio::Task<int>>(victim, b), aio::FIRST_EXCEPTION);
        EXPECT_EQ(ms_since(t0), 30);
        EXPECT_EQ(done.size(), 2u);
        EXPECT_TRUE(victim.cancelled());
        co_await killer;
    }());
}

TEST_F(WaitTest, TimeoutReturnsDoneAndPendingWithoutCancellingThePending) {
    run([]() -> aio::Coro<> {
        int cancelled = 0, finished = 0;
        auto a = aio::create_task(value_after(100ms, 1));
        auto b = aio::create_task(counted_sleep(150ms, 2, &cancelled, &finished));
        auto t0 = now();
        auto [done, pending] =
            co_await aio::wait(vec<aio::Task<int>>(a, b), aio::ALL_COMPLETED, 110ms);
        EXPECT_EQ(ms_since(t0), 110);
        EXPECT_TRUE(done.size() == 1u && done[0] == a);
        EXPECT_TRUE(pending.size() == 1u && pending[0] == b);
        EXPECT_FALSE(b.done());
        EXPECT_FALSE(b.cancelled());
        // The pending task runs on to its end.
        EXPECT_EQ(co_await b, 2);
        EXPECT_EQ(ms_since(t0), 150);
        EXPECT_EQ(cancelled, 0);
    }());
}

TEST_F(WaitTest, TimeoutWithNothingDoneReturnsEverythingPendingAndRaisesNothing) {
    run([]() -> aio::Coro<> {
        auto a = aio::create_task(value_after(1s, 1));
        auto t0 = now();
        auto [done, pending] =
            co_await aio::wait(vec<aio::Task<int>>(a), aio::FIRST_COMPLETED, 10ms);
        EXPECT_EQ(ms_since(t0), 10);
        EXPECT_TRUE(done.empty());
        EXPECT_EQ(pending.size(), 1u);
        EXPECT_EQ(co_await a, 1);
    }());
}

TEST_F(WaitTest, AnUnusedTimeoutDoesNotDelayTheReturn) {
    run([]() -> aio::Coro<> {
        auto a = aio::create_task(value_after(10ms, 1));
        auto b = aio::create_task(value_after(20ms, 2));
        auto t0 = now();
        auto [done, pending] =
            co_await aio::wait(vec<aio::Task<int>>(a, b), aio::ALL_COMPLETED, 10s);
        EXPECT_EQ(ms_since(t0), 20);
        EXPECT_EQ(done.size(), 2u);
        // The timer is gone: nothing wakes this task at the old deadline.
        co_await aio::sleep(20s);
    }());
}

TEST_F(WaitTest, EmptyInputThrowsInvalidArgument) {
    run([]() -> aio::Coro<> {
        EXPECT_TRUE(
            co_await caught<aio::ValueError>(aio::wait(std::vector<aio::Task<int>>{})));
        EXPECT_TRUE(co_await caught<aio::ValueError>(
            aio::wait(std::vector<aio::AnyTask>{}, aio::FIRST_COMPLETED, 1s)));
    }());
}

TEST_F(WaitTest, CancellingTheAwaiterLeavesTheTasksRunning) {
    run([]() -> aio::Coro<> {
        int cancelled = 0, finished = 0;
        auto a = aio::create_task(counted_sleep(100ms, 1, &cancelled, &finished));
        auto b = aio::create_task(counted_sleep(200ms, 2, &cancelled, &finished));
        auto waiter = aio::create_task(aio::wait(vec<aio::Task<int>>(a, b)));
        co_await aio::sleep(10ms);
        waiter.cancel();
        EXPECT_TRUE(co_await caught<aio::CancelledError>(waiter));
        EXPECT_TRUE(waiter.cancelled());
        EXPECT_FALSE(a.done() || b.done());
        EXPECT_EQ(co_await a, 1);
        EXPECT_EQ(co_await b, 2);
        EXPECT_EQ(cancelled, 0);
        EXPECT_EQ(finished, 2);
    }());
}

TEST_F(WaitTest, WaitsOnTasksOfDifferentResultTypesAsAnyTask) {
    run([]() -> aio::Coro<> {
        auto text = []() -> aio::Coro<std::string> {
            co_await aio::sleep(20ms);
            co_return "x";
        };
        aio::Task<int> i = aio::create_task(value_after(10ms, 1));
        aio::Task<std::string> s = aio::create_task(text());
        aio::Task<> v = aio::create_task(nothing_after(30ms));
        auto [done, pending] = co_await aio::wait(vec<aio::AnyTask>(i, s, v), aio::FIRST_COMPLETED);
        CO_ASSERT_EQ(done.size(), 1u);
        EXPECT_TRUE(done[0] == aio::AnyTask(i));
        EXPECT_EQ(pending.size(), 2u);
        auto rest = co_await aio::wait(std::move(pending));
        EXPECT_EQ(rest.done.size(), 2u);
        EXPECT_EQ(s.result(), "x");
    }());
}

}  // namespace
}  // namespace aio_tasks_test
