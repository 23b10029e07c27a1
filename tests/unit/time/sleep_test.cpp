// aio::sleep: asyncio.sleep on the virtual clock (aio::testing::VirtualClock): exact deadlines,
// ordering, sleep(0) as a single yield, and cancellation that leaves no timer behind.

#include "aio/time/sleep.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "aio/core/task.hpp"
#include "aio/testing/virtual_clock.hpp"
#include "support/loop_fixture.hpp"

using namespace std::chrono_literals;

namespace {

using Sleep = aio_test::VirtualLoopTest;
using Log = std::vector<std::string>;

aio::Coro<void> sleep_then_log(Log* log, std::string what, aio::Duration d) {
    co_await aio::sleep(d);
    log->push_back(std::move(what));
}

}  // namespace

TEST_F(Sleep, ASleepEndsExactlyAtItsDeadlineOnTheVirtualClock) {
    auto body = [&]() -> aio::Coro<aio::Duration> {
        aio::TimePoint t0 = loop.time();
        co_await aio::sleep(1500ms);
        co_return loop.time() - t0;
    };
    EXPECT_EQ(run(body()), 1500ms);
}

TEST_F(Sleep, AnHourLongSleepTakesNoRealTime) {
    auto real0 = std::chrono::steady_clock::now();
    auto body = []() -> aio::Coro<void> { co_await aio::sleep(1h); };
    run(body());
    EXPECT_EQ(elapsed(), 1h);
    EXPECT_LT(std::chrono::steady_clock::now() - real0, 30s);
}

TEST_F(Sleep, RunVirtualMakesADayOfSleepsInstant) {
    auto real0 = std::chrono::steady_clock::now();
    auto main = []() -> aio::Coro<int> {
        int n = 0;
        for (int i = 0; i < 24; ++i) {
            co_await aio::sleep(1h);
            ++n;
        }
        co_return n;
    };
    EXPECT_EQ(aio::testing::run_virtual(main()), 24);
    EXPECT_LT(std::chrono::steady_clock::now() - real0, 30s);
}

TEST_F(Sleep, SleepingTasksWakeInDeadlineOrder) {
    Log log;
    auto main = [&]() -> aio::Coro<void> {
        auto c = aio::create_task(sleep_then_log(&log, "3s", 3s));
        auto a = aio::create_task(sleep_then_log(&log, "1s", 1s));
        auto b = aio::create_task(sleep_then_log(&log, "2s", 2s));
        co_await c;
        co_await a;
        co_await b;
    };
    run(main());
    EXPECT_EQ(log, (Log{"1s", "2s", "3s"}));
    EXPECT_EQ(elapsed(), 3s);
}

TEST_F(Sleep, TasksSleepingUntilTheSameDeadlineWakeInFifoOrder) {
    Log log;
    auto main = [&]() -> aio::Coro<void> {
        std::vector<aio::Task<void>> ts;
        for (int i = 0; i < 5; ++i)
            ts.push_back(aio::create_task(sleep_then_log(&log, std::to_string(i), 10ms)));
        for (auto& t : ts) co_await t;
    };
    run(main());
    EXPECT_EQ(log, (Log{"0", "1", "2", "3", "4"}));
}

TEST_F(Sleep, SleepZeroYieldsExactlyOneLoopIteration) {
    auto body = [&]() -> aio::Coro<std::uint64_t> {
        std::uint64_t before = loop.iteration();
        co_await aio::sleep(0s);
        co_return loop.iteration() - before;
    };
    EXPECT_EQ(run(body()), 1u);
}

TEST_F(Sleep, SleepZeroLetsCallbacksAlreadyQueuedRunFirstButNotTheirFollowUps) {
    // asyncio's __sleep0: the task goes to the back of the ready queue, once.
    Log log;
    auto body = [&]() -> aio::Coro<void> {
        loop.call_soon([&] {
            log.push_back("cb1");
            loop.call_soon([&] { log.push_back("cb2"); });
        });
        co_await aio::sleep(0s);
        log.push_back("task resumed");
        co_await aio::sleep(0s);
    };
    run(body());
    EXPECT_EQ(log, (Log{"cb1", "task resumed", "cb2"}));
}

TEST_F(Sleep, SleepZeroTakesNoLoopTime) {
    auto body = []() -> aio::Coro<void> {
        for (int i = 0; i < 100; ++i) co_await aio::sleep(0s);
    };
    run(body());
    EXPECT_EQ(elapsed(), 0s);
}

TEST_F(Sleep, ANegativeSleepYieldsLikeSleepZero) {
    auto body = [&]() -> aio::Coro<std::uint64_t> {
        std::uint64_t before = loop.iteration();
        co_await aio::sleep(-5s);
        co_return loop.iteration() - before;
    };
    EXPECT_EQ(run(body()), 1u);
    EXPECT_EQ(elapsed(), 0s);
}

TEST_F(Sleep, TwoTasksSleepingZeroAlternate) {
    Log log;
    auto ping = [&](std::string name) -> aio::Coro<void> {
        for (int i = 0; i < 3; ++i) {
            log.push_back(name);
            co_await aio::sleep(0s);
        }
    };
    auto a = loop.create_task(ping("a"));
    auto b = loop.create_task(ping("b"));
    loop.run_until_complete(b);
    EXPECT_TRUE(a.done());
    EXPECT_EQ(log, (Log{"a", "b", "a", "b", "a", "b"}));
}

TEST_F(Sleep, SleepUntilWakesAtTheGivenTime) {
    aio::TimePoint target = loop.time() + 42s;
    auto body = [&]() -> aio::Coro<void> { co_await aio::sleep_until(target); };
    run(body());
    EXPECT_EQ(loop.time(), target);
}

TEST_F(Sleep, SleepUntilAPastTimeYieldsOnce) {
    auto body = [&]() -> aio::Coro<std::uint64_t> {
        std::uint64_t before = loop.iteration();
        co_await aio::sleep_until(loop.time() - 1s);
        co_return loop.iteration() - before;
    };
    EXPECT_EQ(run(body()), 1u);
}

TEST_F(Sleep, ACancelledSleepRaisesCancelledErrorAtOnce) {
    auto t = loop.create_task([]() -> aio::Coro<void> { co_await aio::sleep(1h); }());
    loop.call_later(3s, [&] { t.cancel(); });
    EXPECT_THROW(loop.run_until_complete(t), aio::CancelledError);
    EXPECT_EQ(elapsed(), 3s);
    EXPECT_TRUE(t.cancelled());
}

TEST_F(Sleep, ACancelledSleepRemovesItsTimerAndALaterTimerStillFires) {
    // If the cancelled sleep's timer stayed in the heap it would fire on a freed frame (ASan)
    // or hold the loop's clock at its deadline.
    auto t = loop.create_task([]() -> aio::Coro<void> { co_await aio::sleep(1h); }());
    run_once();
    t.cancel();
    EXPECT_THROW(loop.run_until_complete(t), aio::CancelledError);
    t = aio::Task<void>();  // the frame is gone

    Log log;
    loop.call_later(2h, [&] {
        log.push_back("later timer");
        loop.stop();
    });
    loop.run_forever();
    EXPECT_EQ(log, (Log{"later timer"}));
    EXPECT_EQ(elapsed(), 2h);
}

TEST_F(Sleep, ManyCancelledSleepsLeaveNoTimersBehind) {
    std::vector<aio::Task<void>> ts;
    for (int i = 0; i < 100; ++i)
        ts.push_back(loop.create_task(
            [](int i) -> aio::Coro<void> { co_await aio::sleep(1h + i * 1s); }(i)));
    run_once();
    for (auto& t : ts) t.cancel();
    for (auto& t : ts) EXPECT_THROW(loop.run_until_complete(t), aio::CancelledError);
    ts.clear();  // every frame, and the timer node inside it, is gone
    // A surviving timer would fire on a freed frame (ASan) before this one.
    bool fired = false;
    loop.call_later(2h, [&] {
        fired = true;
        loop.stop();
    });
    loop.run_forever();
    EXPECT_TRUE(fired);
    EXPECT_EQ(elapsed(), 2h);
    EXPECT_TRUE(loop.all_tasks().empty()) << aio::format_tasks(loop);
}

TEST_F(Sleep, AwaitingSleepOutsideATaskIsRejected) {
    // Sleeping needs a task to suspend; a bare loop callback cannot co_await, but the
    // awaitable still refuses to be built without a running loop.
    EXPECT_THROW((void)aio::sleep(1s), aio::RuntimeError);
}
