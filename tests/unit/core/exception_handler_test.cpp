// Nothing fails silently (DESIGN.md): a task that fails and is never awaited reaches the loop's
// exception handler once ("Task exception was never retrieved"); a retrieved one does not.

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "aio/core/future.hpp"
#include "aio/core/task.hpp"
#include "aio/time/sleep.hpp"
#include "support/loop_fixture.hpp"

using namespace std::chrono_literals;

namespace {

using NeverRetrieved = aio_test::VirtualLoopTest;

aio::Coro<int> fail_after(aio::Duration delay, std::string what) {
    co_await aio::sleep(delay);
    throw std::runtime_error(what);
}

aio::Coro<void> wait_a_while(aio::Duration d) { co_await aio::sleep(d); }

}  // namespace

TEST_F(NeverRetrieved, AFailedTaskNobodyAwaitsReachesTheHandlerExactlyOnce) {
    auto main = []() -> aio::Coro<void> {
        (void)aio::create_task(fail_after(1ms, "forgotten"), "forgotten-task");
        co_await aio::sleep(10ms);
    };
    run(main());
    ASSERT_EQ(reports.size(), 1u) << reports.describe();
    const aio::ExceptionContext& r = reports[0];
    EXPECT_EQ(r.message, "Task exception was never retrieved");
    EXPECT_EQ(aio_test::message_of(r.exception), "forgotten");
    EXPECT_NE(r.task.find("forgotten-task"), std::string::npos) << r.task;
    // Running on: no second report.
    run(wait_a_while(1s));
    EXPECT_EQ(reports.size(), 1u);
    reports.clear();
}

TEST_F(NeverRetrieved, TheReportComesWhenTheLastHandleIsDropped) {
    aio::Task<int> t = loop.create_task(fail_after(1ms, "held"));
    run(wait_a_while(5ms));
    ASSERT_TRUE(t.done());
    EXPECT_TRUE(reports.empty()) << "the handle may still retrieve it";
    t = aio::Task<int>();
    ASSERT_EQ(reports.size(), 1u) << reports.describe();
    EXPECT_EQ(aio_test::message_of(reports[0].exception), "held");
    reports.clear();
}

TEST_F(NeverRetrieved, AFailedTaskThatWasAwaitedIsNotReported) {
    auto main = []() -> aio::Coro<void> {
        auto t = aio::create_task(fail_after(1ms, "awaited"));
        try {
            co_await t;
        } catch (const std::runtime_error&) {
        }
    };
    run(main());
    EXPECT_TRUE(reports.empty()) << reports.describe();
}

TEST_F(NeverRetrieved, AFailedTaskWhoseResultOrExceptionWasReadIsNotReported) {
    {
        auto a = loop.create_task(fail_after(1ms, "a"));
        auto b = loop.create_task(fail_after(1ms, "b"));
        run(wait_a_while(5ms));
        EXPECT_THROW(a.result(), std::runtime_error);
        EXPECT_NE(b.exception(), nullptr);
    }
    EXPECT_TRUE(reports.empty()) << reports.describe();
}

TEST_F(NeverRetrieved, ACancelledTaskNobodyAwaitsIsNotReported) {
    auto main = []() -> aio::Coro<void> {
        auto t = aio::create_task(wait_a_while(1h));
        co_await aio::sleep(1ms);
        t.cancel();
        co_await aio::sleep(1ms);
    };
    run(main());
    EXPECT_TRUE(reports.empty()) << reports.describe();
}

TEST_F(NeverRetrieved, EveryForgottenFailureIsReportedSeparately) {
    auto main = []() -> aio::Coro<void> {
        for (int i = 0; i < 3; ++i)
            (void)aio::create_task(fail_after(1ms, "f" + std::to_string(i)));
        co_await aio::sleep(5ms);
    };
    run(main());
    ASSERT_EQ(reports.size(), 3u) << reports.describe();
    EXPECT_EQ(reports.count_containing("never retrieved"), 3u);
    reports.clear();
}

TEST_F(NeverRetrieved, TheDefaultHandlerWritesTheReportToStderr) {
    aio::testing::VirtualClock clock2;
    aio::EventLoop other(clock2);
    testing::internal::CaptureStderr();
    (void)other.create_task(fail_after(1ms, "to stderr"), "noisy");
    other.run_until_complete(wait_a_while(5ms));
    std::string err = testing::internal::GetCapturedStderr();
    EXPECT_NE(err.find("never retrieved"), std::string::npos) << err;
    EXPECT_NE(err.find("to stderr"), std::string::npos) << err;
    EXPECT_NE(err.find("noisy"), std::string::npos) << err;
}
