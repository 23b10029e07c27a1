// aio::shield against asyncio 3.12's shield(): the behaviour of test_tasks.py's
// test_shield_result, test_shield_exception, test_shield_cancel_inner,
// test_shield_cancel_outer, test_shield_shortcut, test_shield_effect,
// test_shield_gather.

#include <string>
#include <vector>

#include "tasks_support.hpp"

namespace aio_tasks_test {
namespace {

class ShieldTest : public LoopTest {};

TEST_F(ShieldTest, ReturnsTheResultOfTheShieldedTask) {
    run([]() -> aio::Coro<> {
        auto inner = aio::create_task(value_after(10ms, 42));
        EXPECT_EQ(co_await aio::shield(inner), 42);
        EXPECT_EQ(co_await aio::shield(value_after(5ms, 7)), 7);
    }());
}

TEST_F(ShieldTest, HeldAsATaskTheShieldedCoroutineStartsAtOnceAndOutlivesTheCancel) {
    // asyncio 3.12:
    //   log = []
    //   outer = asyncio.ensure_future(asyncio.shield(child("a")))  # child wrapped in a task here
    //   await asyncio.sleep(0)                                     # it runs to its first await
    //   assert log == ["a started"]
    //   outer.cancel()        # outer ends cancelled; the child never sees CancelledError
    //   await asyncio.sleep(0.02)
    //   assert log == ["a started", "a finished"]
    run([]() -> aio::Coro<> {
        std::vector<std::string> log;
        auto outer = aio::create_task(aio::shield(logged_sleep("a", 10ms, &log)));
        co_await aio::sleep(0s);
        EXPECT_EQ(log, vec<std::string>("a started"));
        outer.cancel();
        EXPECT_TRUE(co_await caught<aio::CancelledError>(outer));
        co_await aio::sleep(20ms);
        EXPECT_EQ(log, vec<std::string>("a started", "a finished"));
    }());
}

TEST_F(ShieldTest, MadeBeforeAnyLoopRunsItsTaskIsMadeWhenTheLoopStartsIt) {
    EXPECT_EQ(run(aio::shield(value_after(10ms, 5))), 5);
}

TEST_F(ShieldTest, RaisesTheExceptionOfTheShieldedTask) {
    run([]() -> aio::Coro<> {
        auto err = co_await caught<Boom>(aio::shield(aio::create_task(fail_after(10ms, "inner"))));
        CO_ASSERT_TRUE(err);
        EXPECT_STREQ(err->what(), "inner");
    }());
}

TEST_F(ShieldTest, AFinishedTaskIsReturnedWithoutWaiting) {
    run([]() -> aio::Coro<> {
        auto inner = aio::create_task(value_after(0ms, 5));
        co_await aio::sleep(1ms);
        auto t0 = now();
        EXPECT_EQ(co_await aio::shield(inner), 5);
        EXPECT_EQ(ms_since(t0), 0);
    }());
}

TEST_F(ShieldTest, CancellingTheOuterTaskRaisesCancelledErrorWhileTheShieldedTaskCompletes) {
    run([]() -> aio::Coro<> {
        int cancelled = 0, finished = 0;
        auto inner = aio::create_task(counted_sleep(100ms, 42, &cancelled, &finished));
        auto outer = aio::create_task(aio::shield(inner));
        co_await aio::sleep(10ms);
        auto t0 = now();
        EXPECT_TRUE(outer.cancel());
        auto err = co_await caught<aio::CancelledError>(outer);
        EXPECT_TRUE(err);
        EXPECT_EQ(ms_since(t0), 0);  // at once, not when the inner task finishes
        EXPECT_TRUE(outer.cancelled());
        EXPECT_FALSE(inner.done());
        EXPECT_FALSE(inner.cancelled());
        EXPECT_EQ(co_await inner, 42);
        EXPECT_EQ(cancelled, 0);
        EXPECT_EQ(finished, 1);
    }());
}

TEST_F(ShieldTest, AShieldedCoroRunsOnAsATaskAfterTheAwaiterIsCancelled) {
    run([]() -> aio::Coro<> {
        int cancelled = 0, finished = 0;
        auto body = [](int* c, int* f) -> aio::Coro<int> {
            co_return co_await aio::shield(counted_sleep(100ms, 1, c, f));
        };
        auto outer = aio::create_task(body(&cancelled, &finished));
        co_await aio::sleep(10ms);
        outer.cancel();
        EXPECT_TRUE(co_await caught<aio::CancelledError>(outer));
        EXPECT_EQ(finished, 0);
        co_await aio::sleep(100ms);
        EXPECT_EQ(finished, 1);
        EXPECT_EQ(cancelled, 0);
    }());
}

TEST_F(ShieldTest, CancellingTheShieldedTaskItselfGivesTheAwaiterCancelledError) {
    run([]() -> aio::Coro<> {
        auto inner = aio::create_task(value_after(10s, 1));
        auto killer = aio::create_task([](aio::Task<int> t) -> aio::Coro<> {
            co_await aio::sleep(10ms);
            t.cancel();
        }(inner));
        auto t0 = now();
        auto err = co_await caught<aio::CancelledError>(aio::shield(inner));
        EXPECT_TRUE(err);
        EXPECT_EQ(ms_since(t0), 10);
        EXPECT_TRUE(inner.cancelled());
        // Nobody asked to cancel the awaiter: it goes on.
        EXPECT_EQ(aio::current_task().cancelling(), 0);
        co_await aio::sleep(1ms);
        co_await killer;
    }());
}

TEST_F(ShieldTest, AnAwaiterThatDoesNotCatchTheInnerCancellationEndsCancelled) {
    run([]() -> aio::Coro<> {
        auto inner = aio::create_task(value_after(10s, 1));
        auto outer = aio::create_task(aio::shield(inner));
        co_await aio::sleep(10ms);
        inner.cancel();
        EXPECT_TRUE(co_await caught<aio::CancelledError>(outer));
        EXPECT_TRUE(outer.cancelled());
    }());
}

TEST_F(ShieldTest, CancellingTheOuterTaskDoesNotCancelAShieldedGather) {
    run([]() -> aio::Coro<> {
        int cancelled = 0, finished = 0;
        auto body = [](int* c, int* f) -> aio::Coro<> {
            co_await aio::shield(
                aio::gather(counted_sleep(50ms, 1, c, f), counted_sleep(60ms, 2, c, f)));
        };
        auto outer = aio::create_task(body(&cancelled, &finished));
        co_await aio::sleep(10ms);
        outer.cancel();
        EXPECT_TRUE(co_await caught<aio::CancelledError>(outer));
        co_await aio::sleep(100ms);
        EXPECT_EQ(cancelled, 0);
        EXPECT_EQ(finished, 2);
    }());
}

TEST_F(ShieldTest, RepeatedCancellationOfTheOuterTaskNeverReachesTheShieldedTask) {
    run([]() -> aio::Coro<> {
        int cancelled = 0, finished = 0;
        auto inner = aio::create_task(counted_sleep(100ms, 1, &cancelled, &finished));
        auto body = [](aio::Task<int> t) -> aio::Coro<int> {
            int tries = 0;
            for (;;) {
                try {
                    co_return co_await aio::shield(t) + tries;
                } catch (const aio::CancelledError&) {
                    ++tries;  // swallow and wait again
                    aio::current_task().uncancel();
                }
            }
        };
        auto outer = aio::create_task(body(inner));
        for (int i = 0; i < 3; ++i) {
            co_await aio::sleep(10ms);
            outer.cancel();
        }
        EXPECT_EQ(co_await outer, 1 + 3);
        EXPECT_EQ(cancelled, 0);
        EXPECT_EQ(finished, 1);
    }());
}

TEST_F(ShieldTest, ErrorOfAShieldedTaskWhoseAwaiterWasCancelledIsStillReportedOnce) {
    // asyncio's shield marks such an error retrieved and drops it silently;
    // aio's DESIGN.md (principle 2) says a failed task nobody awaited is reported,
    // never silent. The shielded work here has no other owner.
    run([]() -> aio::Coro<> {
        auto body = []() -> aio::Coro<int> {
            co_return co_await aio::shield(fail_after(50ms, "late"));
        };
        auto outer = aio::create_task(body());
        co_await aio::sleep(10ms);
        outer.cancel();
        EXPECT_TRUE(co_await caught<aio::CancelledError>(outer));
        co_await aio::sleep(100ms);
    }());
    auto reports = take_reports();
    ASSERT_EQ(reports.size(), 1u);
    EXPECT_EQ(what_of(reports[0].exception), "late");
}

}  // namespace
}  // namespace aio_tasks_test
