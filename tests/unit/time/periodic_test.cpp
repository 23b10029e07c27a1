// aio::schedule: periodic jobs (seed 000's schedule(func, interval), seed 002's periodic polling)
// on the virtual clock: fixed delay, fixed rate without drift, skipped ticks on overrun, errors
// reported without stopping the schedule, and cancellation.

#include "aio/time/periodic.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "aio/core/task.hpp"
#include "aio/time/sleep.hpp"
#include "support/loop_fixture.hpp"

using namespace std::chrono_literals;

namespace {

using Schedule = aio_test::VirtualLoopTest;
using Times = std::vector<aio::Duration>;

/// `first, first + step, ...` (n values).
Times arithmetic(aio::Duration first, aio::Duration step, int n) {
    Times out;
    for (int i = 0; i < n; ++i) out.push_back(first + i * step);
    return out;
}

aio::ScheduleOptions options(aio::Cadence cadence, bool run_immediately = true,
                             std::string name = {}) {
    aio::ScheduleOptions o;
    o.cadence = cadence;
    o.run_immediately = run_immediately;
    o.name = std::move(name);
    return o;
}

}  // namespace

TEST_F(Schedule, FixedDelayRunsAtOnceThenEveryInterval) {
    Times runs;
    auto main = [&]() -> aio::Coro<void> {
        auto job = [&]() -> aio::Coro<void> {
            runs.push_back(elapsed());
            co_return;
        };
        auto t = aio::schedule(job, 1s);
        co_await aio::sleep(10500ms);
        t.cancel();
        EXPECT_THROW(co_await t, aio::CancelledError);
    };
    run(main());
    EXPECT_EQ(runs, arithmetic(0s, 1s, 11));
}

TEST_F(Schedule, FixedDelayWaitsTheIntervalAfterEachRunEnds) {
    Times runs;
    auto main = [&]() -> aio::Coro<void> {
        auto job = [&]() -> aio::Coro<void> {
            runs.push_back(elapsed());
            co_await aio::sleep(300ms);  // the job takes time
        };
        auto t = aio::schedule(job, 1s, options(aio::Cadence::fixed_delay));
        co_await aio::sleep(5s);
        t.cancel();
        EXPECT_THROW(co_await t, aio::CancelledError);
    };
    run(main());
    EXPECT_EQ(runs, arithmetic(0s, 1300ms, 4));
}

TEST_F(Schedule, FixedRateDoesNotDriftWhenEachRunTakesTime) {
    Times runs;
    auto main = [&]() -> aio::Coro<void> {
        auto job = [&]() -> aio::Coro<void> {
            runs.push_back(elapsed());
            co_await aio::sleep(300ms);  // part of the interval
        };
        auto t = aio::schedule(job, 1s, options(aio::Cadence::fixed_rate));
        co_await aio::sleep(10500ms);
        t.cancel();
        EXPECT_THROW(co_await t, aio::CancelledError);
    };
    run(main());
    EXPECT_EQ(runs, arithmetic(0s, 1s, 11));
}

TEST_F(Schedule, FixedRateSkipsTheTicksMissedByAnOverrunningRun) {
    Times runs;
    auto main = [&]() -> aio::Coro<void> {
        auto job = [&]() -> aio::Coro<void> {
            runs.push_back(elapsed());
            co_await aio::sleep(2500ms);  // overruns two and a half intervals
        };
        auto t = aio::schedule(job, 1s, options(aio::Cadence::fixed_rate));
        co_await aio::sleep(10200ms);
        t.cancel();
        EXPECT_THROW(co_await t, aio::CancelledError);
    };
    run(main());
    // Ticks at 1 s and 2 s were missed; the next run is at the next tick, 3 s, not at once.
    EXPECT_EQ(runs, arithmetic(0s, 3s, 4));
}

TEST_F(Schedule, FixedRateRunsAtEveryTickWhenTheJobIsInstant) {
    int runs = 0;
    auto main = [&]() -> aio::Coro<void> {
        auto t = aio::schedule([&] { ++runs; }, 250ms, options(aio::Cadence::fixed_rate));
        co_await aio::sleep(1100ms);
        t.cancel();
        EXPECT_THROW(co_await t, aio::CancelledError);
    };
    run(main());
    EXPECT_EQ(runs, 5);  // 0, 250, 500, 750, 1000 ms
}

TEST_F(Schedule, RunImmediatelyFalseWaitsOneIntervalBeforeTheFirstRun) {
    Times delay_runs, rate_runs;
    auto main = [&]() -> aio::Coro<void> {
        auto a = aio::schedule([&] { delay_runs.push_back(elapsed()); }, 1s,
                               options(aio::Cadence::fixed_delay, false));
        auto b = aio::schedule([&] { rate_runs.push_back(elapsed()); }, 1s,
                               options(aio::Cadence::fixed_rate, false));
        co_await aio::sleep(3500ms);
        a.cancel();
        b.cancel();
        EXPECT_THROW(co_await a, aio::CancelledError);
        EXPECT_THROW(co_await b, aio::CancelledError);
    };
    run(main());
    EXPECT_EQ(delay_runs, arithmetic(1s, 1s, 3));
    EXPECT_EQ(rate_runs, arithmetic(1s, 1s, 3));
}

TEST_F(Schedule, APlainCallableIsAValidJob) {
    int runs = 0;
    auto main = [&]() -> aio::Coro<void> {
        auto t = aio::schedule([&] { ++runs; }, 100ms);
        co_await aio::sleep(450ms);
        t.cancel();
        EXPECT_THROW(co_await t, aio::CancelledError);
    };
    run(main());
    EXPECT_EQ(runs, 5);
}

TEST_F(Schedule, AnExceptionInOneRunIsReportedAndTheScheduleGoesOn) {
    int runs = 0;
    auto main = [&]() -> aio::Coro<void> {
        auto job = [&]() -> aio::Coro<void> {
            ++runs;
            co_await aio::sleep(0s);
            if (runs == 2) throw std::runtime_error("second run failed");
        };
        auto t = aio::schedule(job, 1s, options(aio::Cadence::fixed_rate, true, "poller"));
        co_await aio::sleep(4500ms);
        EXPECT_FALSE(t.done()) << "one failed run must not end the schedule";
        t.cancel();
        EXPECT_THROW(co_await t, aio::CancelledError);
    };
    run(main());
    EXPECT_EQ(runs, 5);
    ASSERT_EQ(reports.size(), 1u) << reports.describe();
    EXPECT_EQ(aio_test::message_of(reports[0].exception), "second run failed");
    EXPECT_NE(reports[0].task.find("poller"), std::string::npos) << reports[0].task;
    reports.clear();
}

TEST_F(Schedule, AnExceptionInAPlainCallableJobIsReportedEveryTime) {
    int runs = 0;
    auto main = [&]() -> aio::Coro<void> {
        auto t = aio::schedule(
            [&] {
                ++runs;
                throw std::runtime_error("always fails");
            },
            1s);
        co_await aio::sleep(2500ms);
        t.cancel();
        EXPECT_THROW(co_await t, aio::CancelledError);
    };
    run(main());
    EXPECT_EQ(runs, 3);
    EXPECT_EQ(reports.size(), 3u) << reports.describe();
    reports.clear();
}

TEST_F(Schedule, CancellingTheTaskStopsTheSchedule) {
    int runs = 0;
    aio::Task<void> t;
    auto main = [&]() -> aio::Coro<void> {
        t = aio::schedule([&] { ++runs; }, 1s);
        co_await aio::sleep(2500ms);
        EXPECT_TRUE(t.cancel());
        EXPECT_THROW(co_await t, aio::CancelledError);
        int at_cancel = runs;
        co_await aio::sleep(10s);
        EXPECT_EQ(runs, at_cancel) << "no run after the cancellation";
    };
    run(main());
    EXPECT_EQ(runs, 3);
    EXPECT_TRUE(t.cancelled());
}

TEST_F(Schedule, CancellingDuringARunCancelsTheRunningJob) {
    bool job_cancelled = false;
    aio::Task<void> t;
    auto main = [&]() -> aio::Coro<void> {
        auto job = [&]() -> aio::Coro<void> {
            try {
                co_await aio::sleep(1h);
            } catch (const aio::CancelledError&) {
                job_cancelled = true;
                throw;
            }
        };
        t = aio::schedule(job, 1s);
        co_await aio::sleep(10ms);
        t.cancel();
        EXPECT_THROW(co_await t, aio::CancelledError);
    };
    run(main());
    EXPECT_TRUE(job_cancelled);
    EXPECT_TRUE(t.cancelled());
    EXPECT_TRUE(reports.empty()) << "a cancellation is not a job error:\n" << reports.describe();
}

TEST_F(Schedule, ANonPositiveIntervalThrowsInvalidArgument) {
    auto main = []() -> aio::Coro<void> {
        EXPECT_THROW((void)aio::schedule([] {}, 0s), aio::ValueError);
        EXPECT_THROW((void)aio::schedule([] {}, -1s), aio::ValueError);
        EXPECT_THROW((void)aio::schedule([] {}, std::chrono::nanoseconds(0)),
                     aio::ValueError);
        co_return;
    };
    run(main());
}

TEST_F(Schedule, TheScheduleTaskTakesItsNameFromTheOptions) {
    auto main = []() -> aio::Coro<std::string> {
        auto t = aio::schedule([] {}, 1s, options(aio::Cadence::fixed_delay, true, "feed-updater"));
        std::string name = t.get_name();
        t.cancel();
        EXPECT_THROW(co_await t, aio::CancelledError);
        co_return name;
    };
    EXPECT_EQ(run(main()), "feed-updater");
}

TEST_F(Schedule, ScheduleWithoutARunningLoopThrowsRuntimeError) {
    EXPECT_THROW((void)aio::schedule([] {}, 1s), aio::RuntimeError);
}
