// aio::wait_for: asyncio.wait_for, 3.12 semantics (CPython Lib/test/test_asyncio/
// test_waitfor.py), on the virtual clock: a timeout never leaves work running behind the caller's
// back, zero timeouts, outside cancellation, and inner work that suppresses the cancellation.

#include "aio/time/wait_for.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "aio/core/future.hpp"
#include "aio/core/task.hpp"
#include "aio/time/sleep.hpp"
#include "support/loop_fixture.hpp"
#include "support/sleepers.hpp"

using namespace std::chrono_literals;

namespace {

using aio_test::value_after;
using aio_test::sleep_forever;

using WaitFor = aio_test::VirtualLoopTest;
using Log = std::vector<std::string>;

/// Sleeps for `d`; when cancelled, logs, cleans up for `cleanup` (awaiting), logs, rethrows.
aio::Coro<std::string> cancellable_result(Log* log, aio::Duration d, aio::Duration cleanup) {
    bool cancelled = false;
    try {
        co_await aio::sleep(d);
    } catch (const aio::CancelledError&) {
        cancelled = true;
        log->push_back("work cancelled");
    }
    if (cancelled) {
        co_await aio::sleep(cleanup);
        log->push_back("cleanup finished");
        throw aio::CancelledError();
    }
    co_return "finished";
}

/// test_waitfor.SlowTask: runs until `until` on the loop's clock, ignoring cancel requests.
aio::Coro<void> slow_task(aio::TimePoint until, bool* exited) {
    aio::EventLoop& loop = aio::get_running_loop();
    while (loop.time() < until) {
        try {
            co_await aio::sleep(until - loop.time());
        } catch (const aio::CancelledError&) {
        }
    }
    *exited = true;
}

/// test_waitfor's return_42: swallows the cancellation and returns a value.
aio::Coro<int> return_42() {
    try {
        co_await aio::sleep(10s);
    } catch (const aio::CancelledError&) {
        co_return 42;
    }
    co_return 0;
}

}  // namespace

// ---- in time ---------------------------------------------------------------------------------

TEST_F(WaitFor, ReturnsTheCoroutinesValueWhenItFinishesInTime) {
    auto body = []() -> aio::Coro<int> {
        co_return co_await aio::wait_for(value_after(3, 10ms), 1s);
    };
    EXPECT_EQ(run(body()), 3);
    EXPECT_EQ(elapsed(), 10ms);
}

TEST_F(WaitFor, AMoveOnlyResultIsMovedOut) {
    auto make = []() -> aio::Coro<std::unique_ptr<int>> {
        co_await aio::sleep(1ms);
        co_return std::make_unique<int>(42);
    };
    auto body = [&]() -> aio::Coro<int> {
        std::unique_ptr<int> p = co_await aio::wait_for(make(), 1s);
        co_return *p;
    };
    EXPECT_EQ(run(body()), 42);
}

TEST_F(WaitFor, ReturnsTheValueOfAFutureSetBeforeTheDeadline) {
    // test_waitfor.test_wait_for_race_condition
    auto fut = loop.create_future<std::string>();
    loop.call_later(100ms, [&] { fut.set_result("ok"); });
    auto body = [&]() -> aio::Coro<std::string> { co_return co_await aio::wait_for(fut, 200ms); };
    EXPECT_EQ(run(body()), "ok");
    EXPECT_EQ(elapsed(), 100ms);
}

TEST_F(WaitFor, ReturnsTheValueOfATaskThatFinishesInTime) {
    auto body = []() -> aio::Coro<int> {
        auto t = aio::create_task(value_after(8, 10ms));
        co_return co_await aio::wait_for(t, 50ms);
    };
    EXPECT_EQ(run(body()), 8);
}

TEST_F(WaitFor, WaitsWithoutALimitWhenTheTimeoutIsNullopt) {
    // test_waitfor.test_wait_for_blocking
    auto body = []() -> aio::Coro<int> {
        co_return co_await aio::wait_for(value_after(1, 10h), std::nullopt);
    };
    EXPECT_EQ(run(body()), 1);
    EXPECT_EQ(elapsed(), 10h);
}

TEST_F(WaitFor, PropagatesTheExceptionOfTheWork) {
    auto failing = []() -> aio::Coro<int> {
        co_await aio::sleep(1ms);
        throw std::range_error("failed in time");
    };
    auto body = [&]() -> aio::Coro<int> { co_return co_await aio::wait_for(failing(), 1s); };
    EXPECT_THROW(run(body()), std::range_error);
}

TEST_F(WaitFor, OnADoneTaskReturnsItsValue) {
    auto body = []() -> aio::Coro<int> {
        auto t = aio::create_task(value_after(6, 1ms));
        co_await aio::sleep(5ms);
        EXPECT_TRUE(t.done());
        int a = co_await aio::wait_for(t, 1s);
        int b = co_await aio::wait_for(t, 0s);
        co_return a + b;
    };
    EXPECT_EQ(run(body()), 12);
}

TEST_F(WaitFor, LeavesTheResultOfATaskItWasGivenInPlace) {
    // wait_for(A aw, ...) holds its own copy of the handle; awaiting it must not consume the
    // result the caller's handle shares (asyncio's task.result() stays available).
    aio::Task<std::string> t;
    auto body = [&]() -> aio::Coro<std::string> {
        t = aio::create_task([]() -> aio::Coro<std::string> {
            co_await aio::sleep(1ms);
            co_return std::string(64, 'x');
        }());
        co_return co_await aio::wait_for(t, 1s);
    };
    EXPECT_EQ(run(body()), std::string(64, 'x'));
    EXPECT_EQ(t.result(), std::string(64, 'x')) << "the task's own result was consumed";
}

TEST_F(WaitFor, LeavesTheResultOfAFutureItWasGivenInPlace) {
    auto fut = loop.create_future<std::string>();
    loop.call_later(1ms, [&] { fut.set_result(std::string(64, 'y')); });
    auto body = [&]() -> aio::Coro<std::string> { co_return co_await aio::wait_for(fut, 1s); };
    EXPECT_EQ(run(body()), std::string(64, 'y'));
    EXPECT_EQ(fut.result(), std::string(64, 'y')) << "the future's own result was consumed";
}

// ---- expiry ----------------------------------------------------------------------------------

TEST_F(WaitFor, OnExpiryTheCoroutineIsCancelledAndFinishedBeforeTimeoutError) {
    Log log;
    auto body = [&]() -> aio::Coro<void> {
        try {
            co_await aio::wait_for(cancellable_result(&log, 1h, 5ms), 10ms);
        } catch (const aio::TimeoutError&) {
            log.push_back("TimeoutError");
        }
    };
    run(body());
    EXPECT_EQ(log, (Log{"work cancelled", "cleanup finished", "TimeoutError"}));
    EXPECT_EQ(elapsed(), 15ms);
}

TEST_F(WaitFor, OnExpiryTheTaskIsCancelledAndAwaitedBeforeTimeoutError) {
    // test_waitfor.test_wait_for and test_wait_for_waits_for_task_cancellation
    Log log;
    aio::Task<std::string> inner;
    auto body = [&]() -> aio::Coro<void> {
        inner = aio::create_task(cancellable_result(&log, 10s, 5ms));
        try {
            co_await aio::wait_for(inner, 100ms);
        } catch (const aio::TimeoutError&) {
            log.push_back(inner.done() ? "TimeoutError, inner done"
                                       : "TimeoutError, inner still running");
        }
    };
    run(body());
    EXPECT_EQ(log, (Log{"work cancelled", "cleanup finished", "TimeoutError, inner done"}));
    EXPECT_TRUE(inner.cancelled());
    EXPECT_EQ(elapsed(), 105ms);
}

TEST_F(WaitFor, OnExpiryAFutureIsCancelled) {
    auto fut = loop.create_future<int>();
    auto body = [&]() -> aio::Coro<int> { co_return co_await aio::wait_for(fut, 10ms); };
    EXPECT_THROW(run(body()), aio::TimeoutError);
    EXPECT_TRUE(fut.cancelled());
}

TEST_F(WaitFor, TheWaitingTaskIsNotCancelledAfterATimeout) {
    auto body = []() -> aio::Coro<int> {
        try {
            co_await aio::wait_for(sleep_forever(), 10ms);
        } catch (const aio::TimeoutError&) {
        }
        co_await aio::sleep(10ms);
        co_return aio::current_task().cancelling();
    };
    auto t = loop.create_task(body());
    EXPECT_EQ(loop.run_until_complete(t), 0);
    EXPECT_FALSE(t.cancelled());
}

TEST_F(WaitFor, AnErrorRaisedByTheTaskWhileBeingCancelledPropagatesInsteadOfTimeoutError) {
    // test_waitfor.test_wait_for_reraises_exception_during_cancellation
    auto inner = []() -> aio::Coro<void> {
        try {
            co_await aio::sleep(200ms);
        } catch (const aio::CancelledError&) {
            throw std::logic_error("foo");
        }
    };
    auto body = [&]() -> aio::Coro<void> {
        auto t = aio::create_task(inner());
        co_await aio::wait_for(t, 1ms);
    };
    EXPECT_THROW(run(body()), std::logic_error);
}

TEST_F(WaitFor, WorkThatIgnoresCancellationIsWaitedForToItsEnd) {
    // test_waitfor.test_asyncio_wait_for_timeout: wait_for never returns while the work runs.
    bool exited = false;
    auto body = [&]() -> aio::Coro<void> {
        try {
            co_await aio::wait_for(slow_task(loop.time() + 200ms, &exited), 100ms);
        } catch (const aio::TimeoutError&) {
        }
    };
    run(body());
    EXPECT_TRUE(exited);
    EXPECT_EQ(elapsed(), 200ms);
}

// ---- the inner work suppresses the cancellation (3.12) -------------------------------------

TEST_F(WaitFor, WhenTheCoroutineSuppressesTheCancellationWaitForReturnsItsValue) {
    // test_waitfor.test_wait_for_cancel_suppressed and test_wait_for_cancellation_race_condition
    auto body = []() -> aio::Coro<int> { co_return co_await aio::wait_for(return_42(), 100ms); };
    auto t = loop.create_task(body());
    EXPECT_EQ(loop.run_until_complete(t), 42);
    EXPECT_EQ(elapsed(), 100ms);
    EXPECT_FALSE(t.cancelled());
}

TEST_F(WaitFor, WhenTheTaskSuppressesTheCancellationWaitForReturnsItsValue) {
    aio::Task<int> inner;
    auto body = [&]() -> aio::Coro<int> {
        inner = aio::create_task(return_42());
        co_return co_await aio::wait_for(inner, 100ms);
    };
    EXPECT_EQ(run(body()), 42);
    EXPECT_FALSE(inner.cancelled());
}

// ---- zero and negative timeouts ----------------------------------------------------------------

TEST_F(WaitFor, AZeroTimeoutOnANotStartedCoroutineRaisesTimeoutErrorAndNeverRunsIt) {
    // test_waitfor.test_wait_for_timeout_less_then_0_or_0_coroutine_do_not_started
    for (aio::Duration timeout : {aio::Duration(0s), aio::Duration(-1s)}) {
        bool started = false;
        auto foo = [&]() -> aio::Coro<void> {
            started = true;
            co_return;
        };
        auto body = [&]() -> aio::Coro<void> { co_await aio::wait_for(foo(), timeout); };
        EXPECT_THROW(run(body()), aio::TimeoutError) << "timeout " << timeout.count();
        EXPECT_FALSE(started) << "timeout " << timeout.count();
    }
    EXPECT_EQ(elapsed(), 0s);
}

TEST_F(WaitFor, AZeroTimeoutOnARunningTaskCancelsItAndWaitsForItsCleanup) {
    // test_waitfor.test_wait_for_timeout_less_then_0_or_0 and ..._w_timeout_0
    for (aio::Duration timeout : {aio::Duration(0s), aio::Duration(-1s)}) {
        Log log;
        aio::Task<std::string> inner;
        auto body = [&]() -> aio::Coro<void> {
            inner = aio::create_task(cancellable_result(&log, 10s, 5ms));
            co_await aio::sleep(1ms);  // the task is running
            try {
                co_await aio::wait_for(inner, timeout);
            } catch (const aio::TimeoutError&) {
                log.push_back(inner.done() ? "TimeoutError, inner done"
                                           : "TimeoutError, inner running");
            }
        };
        run(body());
        EXPECT_EQ(log, (Log{"work cancelled", "cleanup finished", "TimeoutError, inner done"}));
        EXPECT_TRUE(inner.cancelled());
    }
}

TEST_F(WaitFor, AZeroTimeoutOnATaskThatHasNotStartedCancelsItBeforeItsBodyRuns) {
    bool started = false;
    auto foo = [&]() -> aio::Coro<int> {
        started = true;
        co_return 1;
    };
    aio::Task<int> t;
    auto body = [&]() -> aio::Coro<int> {
        t = aio::create_task(foo());
        co_return co_await aio::wait_for(t, 0s);
    };
    EXPECT_THROW(run(body()), aio::TimeoutError);
    EXPECT_FALSE(started);
    EXPECT_TRUE(t.cancelled());
}

TEST_F(WaitFor, CancellingAZeroTimeoutWaitForWhileTheTaskCleansUpPropagatesCancelledError) {
    // BUG: asyncio's wait_for(fut, 0) awaits _cancel_and_wait(fut), and a cancellation of the
    // caller during that wait propagates. aio's zero-timeout branch swallows the caller's
    // CancelledError (`catch (...) {}` around wait_done) and then reads the result of a task
    // that is still running: InvalidStateError instead of CancelledError.
    Log log;
    aio::Task<std::string> inner;
    auto outer_body = [&]() -> aio::Coro<void> {
        inner = aio::create_task(cancellable_result(&log, 10s, 50ms));
        co_await aio::sleep(1ms);
        co_await aio::wait_for(inner, 0s);
    };
    auto outer = loop.create_task(outer_body());
    loop.call_later(10ms, [&] { outer.cancel(); });  // while inner's 50 ms cleanup runs
    try {
        loop.run_until_complete(outer);
        ADD_FAILURE() << "expected CancelledError";
    } catch (const aio::CancelledError&) {
    } catch (const std::exception& e) {
        ADD_FAILURE() << "expected CancelledError, got: " << e.what();
    }
    EXPECT_TRUE(outer.cancelled());
    auto drain = [&]() -> aio::Coro<void> {
        try {
            co_await inner;
        } catch (const aio::CancelledError&) {
        }
    };
    loop.run_until_complete(drain());  // let the inner task finish its cleanup
    EXPECT_TRUE(inner.cancelled());
    EXPECT_EQ(log, (Log{"work cancelled", "cleanup finished"}));
}

TEST_F(WaitFor, AZeroTimeoutOnADoneFutureReturnsItsValue) {
    // test_waitfor.test_wait_for_timeout_less_then_0_or_0_future_done
    auto fut = loop.create_future<std::string>();
    fut.set_result("done");
    auto body = [&]() -> aio::Coro<std::string> { co_return co_await aio::wait_for(fut, 0s); };
    EXPECT_EQ(run(body()), "done");
    EXPECT_TRUE(fut.done());
    EXPECT_EQ(elapsed(), 0s);
}

TEST_F(WaitFor, AZeroTimeoutOnAPendingFutureCancelsItAndRaisesTimeoutError) {
    auto fut = loop.create_future<int>();
    auto body = [&]() -> aio::Coro<int> { co_return co_await aio::wait_for(fut, 0s); };
    EXPECT_THROW(run(body()), aio::TimeoutError);
    EXPECT_TRUE(fut.cancelled());
}

// ---- cancelling the waiter ---------------------------------------------------------------------

TEST_F(WaitFor, CancellingTheWaitForPropagatesCancelledErrorAndCancelsTheTask) {
    // test_waitfor.test_cancel_wait_for and test_cancel_blocking_wait_for (Python issue #23219)
    for (std::optional<aio::Duration> timeout :
         {std::optional<aio::Duration>(60s), std::optional<aio::Duration>()}) {
        auto fut = loop.create_future<void>();
        auto blocking = [&]() -> aio::Coro<void> { co_await fut; };
        auto task = loop.create_task(blocking());
        auto waiter = [&]() -> aio::Coro<void> { co_await aio::wait_for(task, timeout); };
        auto wait = loop.create_task(waiter());
        loop.call_soon([&] { wait.cancel(); });
        EXPECT_THROW(loop.run_until_complete(wait), aio::CancelledError);
        EXPECT_TRUE(wait.cancelled());
        EXPECT_TRUE(task.cancelled());
        EXPECT_TRUE(fut.cancelled());
    }
}

TEST_F(WaitFor, CancellingTheWaitForCancelsTheCoroutineAndPropagatesCancelledError) {
    Log log;
    auto waiter = [&]() -> aio::Coro<std::string> {
        co_return co_await aio::wait_for(cancellable_result(&log, 1h, 5ms), 1h);
    };
    auto wait = loop.create_task(waiter());
    loop.call_later(10ms, [&] { wait.cancel(); });
    try {
        loop.run_until_complete(wait);
        FAIL() << "expected CancelledError";
    } catch (const aio::CancelledError&) {
    } catch (const aio::TimeoutError&) {
        FAIL() << "an outside cancellation must not become TimeoutError";
    }
    EXPECT_EQ(log, (Log{"work cancelled", "cleanup finished"}));
    EXPECT_TRUE(wait.cancelled());
    EXPECT_EQ(elapsed(), 15ms);
}

TEST_F(WaitFor, AnOutsideCancelWhileTheExpiredTaskCleansUpPropagatesAsCancelledError) {
    Log log;
    aio::Task<std::string> inner;
    auto waiter = [&]() -> aio::Coro<std::string> {
        inner = aio::create_task(cancellable_result(&log, 1h, 50ms));
        co_return co_await aio::wait_for(inner, 10ms);
    };
    auto wait = loop.create_task(waiter());
    loop.call_later(20ms, [&] { wait.cancel(); });  // expired at 10 ms; inner cleans up
    try {
        loop.run_until_complete(wait);
        FAIL() << "expected CancelledError";
    } catch (const aio::CancelledError&) {
    } catch (const aio::TimeoutError&) {
        FAIL() << "the outside cancellation must win over the expiry";
    }
    EXPECT_TRUE(wait.cancelled());
    EXPECT_TRUE(inner.done()) << "wait_for never leaves the task running behind the caller's back";
    EXPECT_TRUE(inner.cancelled());
}

TEST_F(WaitFor, CancellingTheWaitForWaitsForWorkThatIgnoresCancellation) {
    // test_waitfor.test_asyncio_wait_for_cancelled
    bool exited = false;
    auto waiter = [&]() -> aio::Coro<void> {
        co_await aio::wait_for(slow_task(loop.time() + 200ms, &exited), 400ms);
    };
    auto main = [&]() -> aio::Coro<void> {
        auto wait = aio::create_task(waiter());
        co_await aio::sleep(0s);
        wait.cancel();
        try {
            co_await wait;
        } catch (const aio::CancelledError&) {
        }
    };
    run(main());
    EXPECT_TRUE(exited);
    EXPECT_EQ(elapsed(), 200ms);
}

TEST_F(WaitFor, AWaitForTaskCancelledBeforeItStartsLeavesTheInnerTaskAlone) {
    // test_waitfor.test_wait_for_self_cancellation
    auto stubborn = []() -> aio::Coro<int> {
        try {
            co_await aio::sleep(300ms);
        } catch (const aio::CancelledError&) {
        }
        co_return 42;
    };
    auto main = [&]() -> aio::Coro<int> {
        auto inner = aio::create_task(stubborn());
        auto wait = aio::create_task(aio::wait_for(inner, 100ms));
        wait.cancel();
        EXPECT_THROW(co_await wait, aio::CancelledError);
        co_return co_await inner;
    };
    EXPECT_EQ(run(main()), 42);
}

TEST_F(WaitFor, ATaskCanStillBeCancelledAfterAWaitForThatCompleted) {
    // test_waitfor.test_wait_for_issue86296
    bool reached_end = false;
    auto inner = []() -> aio::Coro<void> { co_return; };
    auto body = [&]() -> aio::Coro<void> {
        co_await aio::wait_for(inner(), 100s);
        co_await aio::sleep(1s);
        reached_end = true;
    };
    auto main = [&]() -> aio::Coro<void> {
        auto task = aio::create_task(body());
        co_await aio::sleep(0s);
        EXPECT_FALSE(task.done());
        task.cancel();
        EXPECT_THROW(co_await task, aio::CancelledError);
    };
    run(main());
    EXPECT_FALSE(reached_end);
}
