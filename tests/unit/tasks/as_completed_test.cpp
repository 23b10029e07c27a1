// aio::as_completed against asyncio 3.12's as_completed(): the behaviour of
// test_tasks.py's test_as_completed, test_as_completed_with_timeout,
// test_as_completed_with_unused_timeout, test_as_completed_reverse_wait,
// test_as_completed_concurrent, plus aio's documented cancel safety of next().

#include <string>
#include <vector>

#include "tasks_support.hpp"

namespace aio_tasks_test {
namespace {

class AsCompletedTest : public LoopTest {};

TEST_F(AsCompletedTest, YieldsResultsInCompletionOrder) {
    run([]() -> aio::Coro<> {
        auto t0 = now();
        auto ac = aio::as_completed(vec<aio::Task<int>>(aio::create_task(value_after(30ms, 3)),
                                                        aio::create_task(value_after(10ms, 1)),
                                                        aio::create_task(value_after(20ms, 2))));
        std::vector<int> got;
        std::vector<long long> at;
        while (ac.has_next()) {
            got.push_back(co_await ac.next());
            at.push_back(ms_since(t0));
        }
        EXPECT_EQ(got, vec<int>(1, 2, 3));
        EXPECT_EQ(at, vec<long long>(10, 20, 30));  // each as soon as it finished
    }());
}

TEST_F(AsCompletedTest, AcceptsCorosAndRunsThemConcurrently) {
    run([]() -> aio::Coro<> {
        auto t0 = now();
        std::vector<aio::Coro<int>> coros;
        coros.push_back(value_after(20ms, 2));
        coros.push_back(value_after(10ms, 1));
        auto ac = aio::as_completed(std::move(coros));
        EXPECT_EQ(co_await ac.next(), 1);
        EXPECT_EQ(co_await ac.next(), 2);
        EXPECT_FALSE(ac.has_next());
        EXPECT_EQ(ms_since(t0), 20);
    }());
}

TEST_F(AsCompletedTest, TasksAlreadyDoneAreHandedOutFirst) {
    run([]() -> aio::Coro<> {
        auto done_early = aio::create_task(value_after(1ms, 1));
        co_await aio::sleep(5ms);
        auto later = aio::create_task(value_after(10ms, 2));
        auto ac = aio::as_completed(vec<aio::Task<int>>(later, done_early));
        auto t0 = now();
        EXPECT_EQ(co_await ac.next(), 1);
        EXPECT_EQ(ms_since(t0), 0);
        EXPECT_EQ(co_await ac.next(), 2);
    }());
}

TEST_F(AsCompletedTest, NextRethrowsTheExceptionOfAFailedTaskAndGoesOn) {
    run([]() -> aio::Coro<> {
        auto ac = aio::as_completed(vec<aio::Task<int>>(aio::create_task(value_after(20ms, 2)),
                                                        aio::create_task(fail_after(10ms, "bad"))));
        auto err = co_await caught<Boom>(ac.next());
        CO_ASSERT_TRUE(err);
        EXPECT_STREQ(err->what(), "bad");
        EXPECT_TRUE(ac.has_next());
        EXPECT_EQ(co_await ac.next(), 2);
    }());
}

TEST_F(AsCompletedTest, NextTaskHandsOutTheFinishedTaskItself) {
    run([]() -> aio::Coro<> {
        auto a = aio::create_task(value_after(20ms, 1));
        auto b = aio::create_task(fail_after(10ms, "b"));
        auto ac = aio::as_completed(vec<aio::Task<int>>(a, b));
        aio::Task<int> first = co_await ac.next_task();
        EXPECT_TRUE(first == b);
        EXPECT_TRUE(first.done());
        EXPECT_EQ(what_of(first.exception()), "b");
        aio::Task<int> second = co_await ac.next_task();
        EXPECT_TRUE(second == a);
        EXPECT_EQ(second.result(), 1);
    }());
}

TEST_F(AsCompletedTest, TimeoutRaisesTimeoutErrorFromNextWithoutCancellingTheTasks) {
    run([]() -> aio::Coro<> {
        int cancelled = 0, finished = 0;
        auto fast = aio::create_task(value_after(10ms, 1));
        auto slow = aio::create_task(counted_sleep(1s, 2, &cancelled, &finished));
        auto t0 = now();
        auto ac = aio::as_completed(vec<aio::Task<int>>(slow, fast), 100ms);
        EXPECT_EQ(co_await ac.next(), 1);
        EXPECT_EQ(ms_since(t0), 10);
        EXPECT_TRUE(co_await caught<aio::TimeoutError>(ac.next()));
        EXPECT_EQ(ms_since(t0), 100);
        // as_completed never cancels: the slow task runs on.
        EXPECT_FALSE(slow.done());
        EXPECT_EQ(co_await slow, 2);
        EXPECT_EQ(cancelled, 0);
    }());
}

TEST_F(AsCompletedTest, ATaskFinishingAfterTheTimeoutIsNotHandedOut) {
    // asyncio: at the deadline the tasks still pending are dropped from the
    // iteration; what finished before it is still handed out, then TimeoutError.
    run([]() -> aio::Coro<> {
        auto a = aio::create_task(value_after(10ms, 1));
        auto b = aio::create_task(value_after(50ms, 2));
        auto ac = aio::as_completed(vec<aio::Task<int>>(a, b), 30ms);
        co_await aio::sleep(100ms);  // the consumer comes late: a finished in time, b did not
        EXPECT_EQ(co_await ac.next(), 1);
        // asyncio's _on_timeout() stops listening to the tasks still running at
        // the deadline: b's later completion is never queued.
        auto timeout = co_await caught<aio::TimeoutError>(ac.next());
        EXPECT_TRUE(timeout) << "a task that finished after the deadline was handed out";
    }());
}

TEST_F(AsCompletedTest, AfterTheTimeoutEachRemainingSlotRaisesTimeoutErrorOnceAndIterationEnds) {
    // asyncio yields exactly len(aws) awaitables; after the deadline each one
    // left raises TimeoutError, so `for f in as_completed(aws, timeout=t):
    // try: await f except TimeoutError: ...` ends. The aio spelling of that
    // loop must end too.
    run([]() -> aio::Coro<> {
        auto ac = aio::as_completed(vec<aio::Task<int>>(aio::create_task(value_after(10ms, 1)),
                                                        aio::create_task(value_after(1s, 2)),
                                                        aio::create_task(value_after(2s, 3))),
                                    100ms);
        int values = 0, timeouts = 0, calls = 0;
        while (ac.has_next() && calls < 10) {  // bounded: a hang would fail, not block
            ++calls;
            try {
                co_await ac.next();
                ++values;
            } catch (const aio::TimeoutError&) {
                ++timeouts;
            }
        }
        EXPECT_EQ(values, 1);
        // Each TimeoutError uses up one slot, so has_next() turns false.
        EXPECT_EQ(timeouts, 2);
        EXPECT_FALSE(ac.has_next());
        co_await aio::sleep(2s);  // let the tasks finish: as_completed does not cancel them
    }());
}

TEST_F(AsCompletedTest, AnUnusedTimeoutChangesNothing) {
    run([]() -> aio::Coro<> {
        auto ac = aio::as_completed(vec<aio::Task<int>>(aio::create_task(value_after(10ms, 1)),
                                                        aio::create_task(value_after(20ms, 2))),
                                    10s);
        EXPECT_EQ(co_await ac.next(), 1);
        EXPECT_EQ(co_await ac.next(), 2);
        EXPECT_FALSE(ac.has_next());
    }());
}

TEST_F(AsCompletedTest, NextAfterEverythingWasHandedOutThrowsInvalidStateError) {
    run([]() -> aio::Coro<> {
        auto ac = aio::as_completed(vec<aio::Task<int>>(aio::create_task(value_after(1ms, 1))));
        EXPECT_EQ(co_await ac.next(), 1);
        EXPECT_FALSE(ac.has_next());
        EXPECT_TRUE(co_await caught<aio::InvalidStateError>(ac.next()));
    }());
}

TEST_F(AsCompletedTest, ACancelledNextLosesNoResult) {
    run([]() -> aio::Coro<> {
        auto ac = aio::as_completed(vec<aio::Task<int>>(aio::create_task(value_after(50ms, 1)),
                                                        aio::create_task(value_after(60ms, 2))));
        // A consumer waits in next() and is cancelled before anything finished.
        auto consumer = aio::create_task([](aio::AsCompleted<int>* ac) -> aio::Coro<int> {
            co_return co_await ac->next();
        }(&ac));
        co_await aio::sleep(10ms);
        consumer.cancel();
        EXPECT_TRUE(co_await caught<aio::CancelledError>(consumer));
        EXPECT_TRUE(consumer.cancelled());
        // Nothing was consumed by the cancelled call.
        EXPECT_TRUE(ac.has_next());
        EXPECT_EQ(co_await ac.next(), 1);
        EXPECT_EQ(co_await ac.next(), 2);
        EXPECT_FALSE(ac.has_next());
    }());
}

TEST_F(AsCompletedTest, ANextCancelledJustAfterItsTaskFinishedLosesNoResult) {
    // The result is on its way to the consumer (woken, not yet resumed) when
    // the consumer is cancelled: it must stay for the next call.
    run([]() -> aio::Coro<> {
        auto child = aio::create_task(value_after(10ms, 7));
        auto other = aio::create_task(value_after(20ms, 8));
        auto ac = aio::as_completed(vec<aio::Task<int>>(child, other));
        auto consumer = aio::create_task([](aio::AsCompleted<int>* ac) -> aio::Coro<int> {
            co_return co_await ac->next();
        }(&ac));
        // Wakes in the same loop turn as the child, after it: the child's
        // completion has just woken the consumer, which has not run yet.
        auto canceller = aio::create_task([](aio::Task<int> c) -> aio::Coro<> {
            co_await aio::sleep(10ms);
            c.cancel();
        }(consumer));
        co_await canceller;
        auto err = co_await caught<aio::CancelledError>(consumer);
        if (err) {
            EXPECT_TRUE(ac.has_next());
            EXPECT_EQ(co_await ac.next(), 7);
        } else {
            // Had the consumer taken the result after all, it would hold it.
            EXPECT_EQ(consumer.result(), 7);
        }
        EXPECT_EQ(co_await ac.next(), 8);
        EXPECT_FALSE(ac.has_next());
    }());
}

}  // namespace
}  // namespace aio_tasks_test
