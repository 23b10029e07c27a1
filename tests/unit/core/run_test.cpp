// aio::run: asyncio.run (CPython Lib/test/test_asyncio/test_runners.py): runs main, then cancels
// and drains the tasks left, reports their non-cancellation errors, and closes the loop.

#include "aio/core/run.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <stdexcept>
#include <string>
#include <vector>

#include "aio/core/os_errors.hpp"
#include "aio/core/task.hpp"
#include "aio/testing/virtual_clock.hpp"
#include "aio/time/sleep.hpp"
#include "support/loop_fixture.hpp"

using namespace std::chrono_literals;

namespace {

using Log = std::vector<std::string>;

/// RunOptions whose exception handler records into `log`.
aio::RunOptions recording(aio_test::ReportLog& log) {
    aio::RunOptions o;
    o.exception_handler = log.handler();
    return o;
}

}  // namespace

TEST(Run, ReturnsTheResultOfMain) {
    auto main = []() -> aio::Coro<int> {
        co_await aio::sleep(1ms);
        co_return 42;
    };
    EXPECT_EQ(aio::run(main()), 42);
}

TEST(Run, RethrowsTheExceptionOfMain) {
    auto main = []() -> aio::Coro<int> {
        co_await aio::sleep(0s);
        throw std::length_error("main failed");
    };
    EXPECT_THROW(aio::run(main()), std::length_error);
}

TEST(Run, RunsOnTheVirtualClockWhenGivenOne) {
    aio::testing::VirtualClock clock;
    aio::TimePoint t0 = clock.now();
    auto main = []() -> aio::Coro<void> { co_await aio::sleep(1h); };
    auto real0 = std::chrono::steady_clock::now();
    aio::RunOptions o;
    o.clock = &clock;
    aio::run(main(), o);
    EXPECT_EQ(clock.now() - t0, 1h);
    EXPECT_LT(std::chrono::steady_clock::now() - real0, 30s);
}

TEST(Run, CallingRunFromInsideARunningLoopThrowsRuntimeError) {
    auto inner = []() -> aio::Coro<int> { co_return 1; };
    auto main = [&]() -> aio::Coro<bool> {
        try {
            aio::run(inner());
        } catch (const aio::RuntimeError&) {
            co_return true;
        }
        co_return false;
    };
    EXPECT_TRUE(aio::testing::run_virtual(main()));
}

TEST(Run, ThereIsNoRunningLoopAfterRunReturns) {
    auto main = []() -> aio::Coro<void> { co_return; };
    aio::run(main());
    EXPECT_EQ(aio::running_loop(), nullptr);
}

TEST(Run, AFireAndForgetTaskWithADroppedHandleCompletesWhileMainRuns) {
    Log log;
    auto job = [&]() -> aio::Coro<void> {
        co_await aio::sleep(10ms);
        log.push_back("job done");
    };
    auto main = [&]() -> aio::Coro<void> {
        (void)aio::create_task(job());
        co_await aio::sleep(20ms);
        log.push_back("main done");
    };
    aio::testing::run_virtual(main());
    EXPECT_EQ(log, (Log{"job done", "main done"}));
}

TEST(Run, LeftoverTasksAreCancelledAndTheirCancellationHandlersRun) {
    Log log;
    struct Guard {
        Log* log;
        ~Guard() { log->push_back("destructor ran"); }
    };
    auto leftover = [&]() -> aio::Coro<void> {
        Guard g{&log};
        try {
            co_await aio::sleep(24h);
        } catch (const aio::CancelledError&) {
            log.push_back("caught CancelledError");
            throw;
        }
    };
    auto main = [&]() -> aio::Coro<void> {
        (void)aio::create_task(leftover());
        co_await aio::sleep(1ms);  // let it start
    };
    aio_test::ReportLog reports;
    aio::testing::run_virtual(main(), recording(reports));
    EXPECT_EQ(log, (Log{"caught CancelledError", "destructor ran"}));
    EXPECT_TRUE(reports.empty()) << "cancelled leftovers are not errors:\n" << reports.describe();
}

TEST(Run, LeftoverTasksMayAwaitDuringTheirCleanup) {
    Log log;
    auto leftover = [&]() -> aio::Coro<void> {
        bool cancelled = false;
        try {
            co_await aio::sleep(24h);
        } catch (const aio::CancelledError&) {
            cancelled = true;
        }
        if (cancelled) {
            co_await aio::sleep(50ms);  // asynchronous cleanup is waited for
            log.push_back("async cleanup done");
            throw aio::CancelledError();
        }
    };
    auto main = [&]() -> aio::Coro<void> {
        (void)aio::create_task(leftover());
        co_await aio::sleep(1ms);
    };
    aio::testing::run_virtual(main());
    EXPECT_EQ(log, (Log{"async cleanup done"}));
}

TEST(Run, ATaskCreatedInMainsLastStepStartsBeforeTheShutdownAndIsThenCancelled) {
    // As in asyncio: the new task's first step was queued before main's done callback, so it
    // runs; the shutdown then cancels it at its first await.
    bool started = false, finished = false, cancelled = false;
    auto late = [&]() -> aio::Coro<void> {
        started = true;
        try {
            co_await aio::sleep(1h);
            finished = true;
        } catch (const aio::CancelledError&) {
            cancelled = true;
            throw;
        }
    };
    auto main = [&]() -> aio::Coro<void> {
        (void)aio::create_task(late());
        co_return;
    };
    aio::testing::run_virtual(main());
    EXPECT_TRUE(started);
    EXPECT_TRUE(cancelled);
    EXPECT_FALSE(finished);
}

TEST(Run, ATaskCancelledInMainsLastStepNeverRunsItsBody) {
    bool ran = false;
    auto never = [&]() -> aio::Coro<void> {
        ran = true;
        co_return;
    };
    auto main = [&]() -> aio::Coro<void> {
        auto t = aio::create_task(never());
        t.cancel();
        co_return;
    };
    aio::testing::run_virtual(main());
    EXPECT_FALSE(ran);
}

TEST(Run, ALeftoverTaskThatFailsWhileBeingCancelledIsReported) {
    auto leftover = []() -> aio::Coro<void> {
        try {
            co_await aio::sleep(24h);
        } catch (const aio::CancelledError&) {
            throw std::runtime_error("cleanup failed");
        }
    };
    aio::Task<void> kept;  // hold the handle: the report must come from aio::run itself
    auto main = [&]() -> aio::Coro<void> {
        kept = aio::create_task(leftover(), "leftover");
        co_await aio::sleep(1ms);
    };
    aio_test::ReportLog reports;
    aio::testing::run_virtual(main(), recording(reports));
    ASSERT_EQ(reports.size(), 1u) << reports.describe();
    EXPECT_NE(reports[0].message.find("shutdown"), std::string::npos) << reports[0].message;
    EXPECT_EQ(aio_test::message_of(reports[0].exception), "cleanup failed");
    EXPECT_NE(reports[0].task.find("leftover"), std::string::npos) << reports[0].task;
    EXPECT_TRUE(kept.done());
    EXPECT_FALSE(kept.cancelled());
}

TEST(Run, ALeftoverTaskThatSwallowsCancellationIsWaitedForAndNotReported) {
    bool finished = false;
    auto stubborn = [&]() -> aio::Coro<int> {
        try {
            co_await aio::sleep(24h);
        } catch (const aio::CancelledError&) {
        }
        co_await aio::sleep(10ms);
        finished = true;
        co_return 3;
    };
    auto main = [&]() -> aio::Coro<void> {
        (void)aio::create_task(stubborn());
        co_await aio::sleep(1ms);
    };
    aio_test::ReportLog reports;
    aio::testing::run_virtual(main(), recording(reports));
    EXPECT_TRUE(finished);
    EXPECT_TRUE(reports.empty()) << reports.describe();
}

TEST(Run, LeftoverTasksAreCancelledEvenWhenMainFails) {
    bool cancelled = false;
    auto leftover = [&]() -> aio::Coro<void> {
        try {
            co_await aio::sleep(24h);
        } catch (const aio::CancelledError&) {
            cancelled = true;
            throw;
        }
    };
    auto main = [&]() -> aio::Coro<void> {
        (void)aio::create_task(leftover());
        co_await aio::sleep(1ms);
        throw std::runtime_error("main failed");
    };
    EXPECT_THROW(aio::testing::run_virtual(main()), std::runtime_error);
    EXPECT_TRUE(cancelled);
}

TEST(Run, TheExceptionHandlerOptionReceivesReports) {
    auto main = []() -> aio::Coro<void> {
        aio::get_running_loop().call_soon([] { throw std::runtime_error("from a callback"); });
        co_await aio::sleep(1ms);
    };
    aio_test::ReportLog reports;
    aio::testing::run_virtual(main(), recording(reports));
    ASSERT_EQ(reports.size(), 1u) << reports.describe();
    EXPECT_EQ(aio_test::message_of(reports[0].exception), "from a callback");
}

TEST(Run, TheDebugOptionTurnsOnDebugMode) {
    auto main = []() -> aio::Coro<bool> { co_return aio::get_running_loop().get_debug(); };
    aio::RunOptions o;
    o.debug = true;
    EXPECT_TRUE(aio::testing::run_virtual(main(), o));
    EXPECT_FALSE(aio::testing::run_virtual(main()));
}

namespace {

// run_main's exit status and what it printed on stderr.
struct MainOutcome {
    int status;
    std::string err;
};

template <class T>
MainOutcome run_main_capturing(const char* argv0, aio::Coro<T> main) {
    testing::internal::CaptureStderr();
    int status = aio::run_main(argv0, std::move(main));
    return {status, testing::internal::GetCapturedStderr()};
}

}  // namespace

TEST(RunMain, ReturnsMainsResultAndPrintsNothing) {
    auto main = []() -> aio::Coro<int> { co_return 3; };
    auto r = run_main_capturing("prog", main());
    EXPECT_EQ(r.status, 3);
    EXPECT_EQ(r.err, "");
}

TEST(RunMain, AVoidMainThatReturnsIsStatusZero) {
    auto main = []() -> aio::Coro<void> { co_return; };
    EXPECT_EQ(run_main_capturing("prog", main()).status, 0);
}

TEST(RunMain, AnEscapingExceptionIsOneLineNamingTheProgramAndStatusOne) {
    auto main = []() -> aio::Coro<int> {
        co_await aio::sleep(1ms);
        throw std::runtime_error("the disk is full");
    };
    auto r = run_main_capturing("/usr/local/bin/prog", main());
    EXPECT_EQ(r.status, 1);
    EXPECT_EQ(r.err, "prog: the disk is full\n");
}

TEST(RunMain, AnOSErrorSaysWhatFailedAndWhyOnce) {
    auto main = []() -> aio::Coro<void> {
        throw aio::ConnectionRefusedError(ECONNREFUSED, "connect(127.0.0.1:1)");
        co_return;
    };
    auto r = run_main_capturing("./client", main());
    EXPECT_EQ(r.status, 1);
    EXPECT_EQ(r.err, "client: connect(127.0.0.1:1): Connection refused\n");
}

TEST(RunMain, CancellationAndExceptionsThatAreNotStdExceptionsAreReportedToo) {
    auto cancelled = []() -> aio::Coro<int> {
        throw aio::CancelledError("stopped");
        co_return 0;
    };
    auto r = run_main_capturing("prog", cancelled());
    EXPECT_EQ(r.status, 1);
    EXPECT_EQ(r.err, "prog: CancelledError: stopped\n");

    auto odd = []() -> aio::Coro<int> {
        throw 42;
        co_return 0;
    };
    r = run_main_capturing("", odd());
    EXPECT_EQ(r.status, 1);
    EXPECT_EQ(r.err, "aio: unknown exception\n");
}

TEST(RunMain, RunsTheShutdownBeforeReporting) {
    bool cleaned_up = false;
    auto main = [&]() -> aio::Coro<int> {
        auto sleeper = [](bool* flag) -> aio::Coro<void> {
            try {
                co_await aio::sleep(1h);
            } catch (const aio::CancelledError&) {
                *flag = true;
                throw;
            }
        };
        aio::create_task(sleeper(&cleaned_up));
        co_await aio::sleep(1ms);
        throw std::runtime_error("main failed");
    };
    auto r = run_main_capturing("prog", main());
    EXPECT_TRUE(cleaned_up);  // the leftover task was cancelled and drained, as aio::run does
    EXPECT_EQ(r.err, "prog: main failed\n");
}
