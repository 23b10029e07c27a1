// Task cancellation, asyncio 3.11+ semantics (CPython Lib/test/test_asyncio/test_tasks.py:
// test_cancel*, test_cancelling, test_uncancel*): where CancelledError is raised, what
// cancelled() reports, propagation to awaited tasks and futures, messages, and counting.

#include <gtest/gtest.h>

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

using aio_test::sleep_forever;

using TaskCancel = aio_test::VirtualLoopTest;
using Log = std::vector<std::string>;

aio::Coro<int> immediate(int v) { co_return v; }

}  // namespace

TEST_F(TaskCancel, TaskCancelledBeforeItStartsNeverRunsItsBody) {
    bool ran = false;
    auto body = [&]() -> aio::Coro<int> {
        ran = true;
        co_return 1;
    };
    auto t = loop.create_task(body());
    EXPECT_TRUE(t.cancel());
    EXPECT_FALSE(t.done()) << "cancel() only requests; the task ends on its next step";
    EXPECT_THROW(loop.run_until_complete(t), aio::CancelledError);
    EXPECT_FALSE(ran);
    EXPECT_TRUE(t.done());
    EXPECT_TRUE(t.cancelled());
}

TEST_F(TaskCancel, CancelRaisesCancelledErrorAtTheCurrentAwait) {
    Log log;
    auto body = [&]() -> aio::Coro<void> {
        log.push_back("before");
        try {
            co_await aio::sleep(1h);
            log.push_back("sleep returned");
        } catch (const aio::CancelledError&) {
            log.push_back("caught");
            throw;
        }
    };
    auto t = loop.create_task(body());
    loop.call_later(10ms, [&] { t.cancel(); });
    EXPECT_THROW(loop.run_until_complete(t), aio::CancelledError);
    EXPECT_EQ(log, (Log{"before", "caught"}));
    EXPECT_EQ(elapsed(), 10ms) << "the sleep ends at the cancel, not at its deadline";
    EXPECT_TRUE(t.cancelled());
}

TEST_F(TaskCancel, CancelledErrorIsNotAStdException) {
    // principle 5: catch (const std::exception&) never swallows a cancellation.
    bool swallowed = false;
    auto body = [&]() -> aio::Coro<void> {
        try {
            co_await aio::sleep(1h);
        } catch (const std::exception&) {
            swallowed = true;
        }
    };
    auto t = loop.create_task(body());
    loop.call_later(1ms, [&] { t.cancel(); });
    EXPECT_THROW(loop.run_until_complete(t), aio::CancelledError);
    EXPECT_FALSE(swallowed);
    EXPECT_TRUE(t.cancelled());
}

TEST_F(TaskCancel, ATaskThatCatchesCancelledErrorAndReturnsAValueIsNotCancelled) {
    auto body = []() -> aio::Coro<int> {
        try {
            co_await aio::sleep(1h);
        } catch (const aio::CancelledError&) {
            co_return 42;
        }
        co_return 0;
    };
    auto t = loop.create_task(body());
    loop.call_later(1ms, [&] { t.cancel(); });
    EXPECT_EQ(loop.run_until_complete(t), 42);
    EXPECT_TRUE(t.done());
    EXPECT_FALSE(t.cancelled());
    EXPECT_EQ(t.result(), 42);
}

TEST_F(TaskCancel, ATaskThatCatchesCancelledErrorCanGoOnAwaiting) {
    // test_tasks.test_cancel_task_catching
    auto body = [&]() -> aio::Coro<int> {
        try {
            co_await aio::sleep(1h);
        } catch (const aio::CancelledError&) {
        }
        co_await aio::sleep(5ms);
        co_return 7;
    };
    auto t = loop.create_task(body());
    loop.call_later(1ms, [&] { t.cancel(); });
    EXPECT_EQ(loop.run_until_complete(t), 7);
    EXPECT_EQ(elapsed(), 6ms);
    EXPECT_FALSE(t.cancelled());
}

TEST_F(TaskCancel, ATaskThatFailsWhileHandlingCancellationEndsWithThatErrorNotCancelled) {
    auto body = []() -> aio::Coro<void> {
        try {
            co_await aio::sleep(1h);
        } catch (const aio::CancelledError&) {
            throw std::runtime_error("cleanup failed");
        }
    };
    auto t = loop.create_task(body());
    loop.call_later(1ms, [&] { t.cancel(); });
    EXPECT_THROW(loop.run_until_complete(t), std::runtime_error);
    EXPECT_TRUE(t.done());
    EXPECT_FALSE(t.cancelled());
}

TEST_F(TaskCancel, CancelOnADoneTaskReturnsFalse) {
    auto t = loop.create_task(immediate(1));
    loop.run_until_complete(t);
    EXPECT_FALSE(t.cancel());
    EXPECT_FALSE(t.cancelled());
    EXPECT_EQ(t.cancelling(), 0);
    EXPECT_EQ(t.result(), 1);
}

TEST_F(TaskCancel, CancelOnACancelledTaskReturnsFalse) {
    auto t = loop.create_task(sleep_forever());
    t.cancel();
    EXPECT_THROW(loop.run_until_complete(t), aio::CancelledError);
    EXPECT_FALSE(t.cancel());
    EXPECT_TRUE(t.cancelled());
}

TEST_F(TaskCancel, CancelReturnsTrueForAPendingTaskEvenWhenRepeated) {
    // asyncio 3.11 commented out the "second cancel() returns False" lines.
    auto t = loop.create_task(sleep_forever());
    run_once();
    EXPECT_TRUE(t.cancel());
    EXPECT_TRUE(t.cancel());
    EXPECT_EQ(t.cancelling(), 2);
    EXPECT_THROW(loop.run_until_complete(t), aio::CancelledError);
    EXPECT_TRUE(t.cancelled());
}

TEST_F(TaskCancel, TheCancelMessageReachesTheCancelledError) {
    std::string inside;
    auto body = [&]() -> aio::Coro<void> {
        try {
            co_await aio::sleep(1h);
        } catch (const aio::CancelledError& e) {
            inside = e.message();
            throw;
        }
    };
    auto t = loop.create_task(body());
    loop.call_later(1ms, [&] { t.cancel("shutting down"); });
    try {
        loop.run_until_complete(t);
        FAIL() << "expected CancelledError";
    } catch (const aio::CancelledError& e) {
        EXPECT_EQ(e.message(), "shutting down");
    }
    EXPECT_EQ(inside, "shutting down");
    try {
        t.result();
        FAIL() << "expected CancelledError";
    } catch (const aio::CancelledError& e) {
        EXPECT_EQ(e.message(), "shutting down");
        EXPECT_STREQ(e.what(), "shutting down");
    }
}

TEST_F(TaskCancel, TheCancelMessageOfATaskCancelledBeforeItStartsReachesItsAwaiter) {
    // test_tasks.test_cancel_with_message_before_starting_task
    auto main = []() -> aio::Coro<std::string> {
        auto t = aio::create_task(sleep_forever());
        t.cancel("before start");
        try {
            co_await t;
        } catch (const aio::CancelledError& e) {
            co_return e.message();
        }
        co_return "not cancelled";
    };
    EXPECT_EQ(run(main()), "before start");
}

TEST_F(TaskCancel, AwaitingACancelledTaskRaisesCancelledErrorInTheAwaiter) {
    // test_tasks.test_cancel_with_message_then_future_result: the awaiter is not cancelled
    // itself, yet the cancelled child's CancelledError propagates through its await.
    aio::Task<void> main_task;
    auto main = [&]() -> aio::Coro<void> {
        auto t = aio::create_task(sleep_forever());
        co_await aio::sleep(0s);
        t.cancel("child cancelled");
        co_await t;
    };
    main_task = loop.create_task(main());
    try {
        loop.run_until_complete(main_task);
        FAIL() << "expected CancelledError";
    } catch (const aio::CancelledError& e) {
        EXPECT_EQ(e.message(), "child cancelled");
    }
    EXPECT_TRUE(main_task.cancelled()) << "a task that ends by CancelledError is cancelled";
}

TEST_F(TaskCancel, CancelReachesTheAwaitInsideNestedCoroutinesAndUnwindsThemInOrder) {
    Log log;
    struct Guard {
        Log* log;
        std::string name;
        ~Guard() { log->push_back("~" + name); }
    };
    auto fut = loop.create_future<int>();
    auto leaf = [&]() -> aio::Coro<int> {
        Guard g{&log, "leaf"};
        co_return co_await fut;
    };
    auto middle = [&]() -> aio::Coro<int> {
        Guard g{&log, "middle"};
        co_return co_await leaf() + 1;
    };
    auto top = [&]() -> aio::Coro<int> {
        Guard g{&log, "top"};
        try {
            co_return co_await middle() + 1;
        } catch (const aio::CancelledError&) {
            log.push_back("top caught");
            throw;
        }
    };
    auto t = loop.create_task(top());
    run_once();
    t.cancel();
    EXPECT_THROW(loop.run_until_complete(t), aio::CancelledError);
    EXPECT_TRUE(fut.cancelled());
    EXPECT_EQ(log, (Log{"~leaf", "~middle", "top caught", "~top"}));
}

TEST_F(TaskCancel, ACancelledErrorRaisedByTheBodyWithoutCancelEndsTheTaskCancelled) {
    // As in asyncio: a task whose coroutine raises CancelledError is cancelled.
    auto body = []() -> aio::Coro<int> {
        co_await aio::sleep(1ms);
        throw aio::CancelledError("raised by hand");
    };
    auto t = loop.create_task(body());
    EXPECT_THROW(loop.run_until_complete(t), aio::CancelledError);
    EXPECT_TRUE(t.cancelled());
    try {
        t.result();
    } catch (const aio::CancelledError& e) {
        EXPECT_EQ(e.message(), "raised by hand");
    }
}

// ---- propagation ---------------------------------------------------------------------------

TEST_F(TaskCancel, CancellingATaskCancelsTheTaskItAwaits) {
    aio::Task<void> inner;
    auto outer_body = [&]() -> aio::Coro<void> {
        inner = aio::create_task(sleep_forever());
        co_await inner;
    };
    auto outer = loop.create_task(outer_body());
    loop.call_later(5ms, [&] { outer.cancel(); });
    EXPECT_THROW(loop.run_until_complete(outer), aio::CancelledError);
    EXPECT_TRUE(outer.cancelled());
    ASSERT_TRUE(inner.done());
    EXPECT_TRUE(inner.cancelled());
}

TEST_F(TaskCancel, ACancelledOuterTaskWaitsForTheInnerTaskToFinishItsCleanup) {
    Log log;
    aio::Task<void> inner;
    auto inner_body = [&]() -> aio::Coro<void> {
        bool cancelled = false;
        try {
            co_await aio::sleep(1h);
        } catch (const aio::CancelledError&) {
            cancelled = true;
        }
        if (cancelled) {
            co_await aio::sleep(20ms);  // cleanup that takes time
            log.push_back("inner cleaned up");
            throw aio::CancelledError();
        }
    };
    auto outer_body = [&]() -> aio::Coro<void> {
        inner = aio::create_task(inner_body());
        try {
            co_await inner;
        } catch (const aio::CancelledError&) {
            log.push_back(inner.done() ? "outer saw inner done" : "outer saw inner pending");
            throw;
        }
    };
    auto outer = loop.create_task(outer_body());
    loop.call_later(5ms, [&] { outer.cancel(); });
    EXPECT_THROW(loop.run_until_complete(outer), aio::CancelledError);
    EXPECT_EQ(log, (Log{"inner cleaned up", "outer saw inner done"}));
    EXPECT_EQ(elapsed(), 25ms);
    EXPECT_TRUE(inner.cancelled());
    EXPECT_TRUE(outer.cancelled());
}

TEST_F(TaskCancel, CancellationPropagatesThroughAChainOfAwaitedTasks) {
    aio::Task<void> middle, leaf;
    auto middle_body = [&]() -> aio::Coro<void> {
        leaf = aio::create_task(sleep_forever());
        co_await leaf;
    };
    auto top_body = [&]() -> aio::Coro<void> {
        middle = aio::create_task(middle_body());
        co_await middle;
    };
    auto top = loop.create_task(top_body());
    loop.call_later(1ms, [&] { top.cancel("stop all"); });
    try {
        loop.run_until_complete(top);
        FAIL();
    } catch (const aio::CancelledError& e) {
        EXPECT_EQ(e.message(), "stop all");
    }
    EXPECT_TRUE(leaf.cancelled());
    EXPECT_TRUE(middle.cancelled());
    EXPECT_TRUE(top.cancelled());
}

TEST_F(TaskCancel, WhenTheAwaitedTaskSuppressesTheCancellationTheOuterTaskGetsItsValue) {
    // asyncio: Task.cancel() returns True once the awaited task accepted the cancel request, and
    // does not set _must_cancel; if that task swallows it, the outer task carries on.
    aio::Task<int> inner;
    auto inner_body = []() -> aio::Coro<int> {
        try {
            co_await aio::sleep(1h);
        } catch (const aio::CancelledError&) {
        }
        co_return 42;
    };
    auto outer_body = [&]() -> aio::Coro<int> {
        inner = aio::create_task(inner_body());
        int v = co_await inner;
        co_return v + 1;
    };
    auto outer = loop.create_task(outer_body());
    loop.call_later(1ms, [&] { outer.cancel(); });
    EXPECT_EQ(loop.run_until_complete(outer), 43);
    EXPECT_FALSE(outer.cancelled());
    EXPECT_FALSE(inner.cancelled());
    EXPECT_EQ(outer.cancelling(), 1) << "the request is still counted until uncancel()";
}

TEST_F(TaskCancel, ATaskAwaitingAFutureCancelsTheFutureWhenCancelled) {
    auto fut = loop.create_future<int>();
    auto body = [&]() -> aio::Coro<int> { co_return co_await fut; };
    auto t = loop.create_task(body());
    loop.call_later(1ms, [&] { t.cancel("bye"); });
    EXPECT_THROW(loop.run_until_complete(t), aio::CancelledError);
    EXPECT_TRUE(fut.cancelled());
    EXPECT_TRUE(t.cancelled());
    try {
        fut.result();
        FAIL();
    } catch (const aio::CancelledError& e) {
        EXPECT_EQ(e.message(), "bye");
    }
}

TEST_F(TaskCancel, ATaskAwaitingAFutureThatIsCancelledEndsCancelled) {
    // test_tasks.test_cancel_inner_future
    auto fut = loop.create_future<int>();
    auto body = [&]() -> aio::Coro<int> {
        co_await fut;
        co_return 12;
    };
    auto t = loop.create_task(body());
    run_once();
    fut.cancel();
    EXPECT_THROW(loop.run_until_complete(t), aio::CancelledError);
    EXPECT_TRUE(t.done());
    EXPECT_TRUE(t.cancelled());
    EXPECT_TRUE(fut.cancelled());
}

TEST_F(TaskCancel, CancellingBothATaskAndTheFutureItAwaitsEndsBothCancelled) {
    // test_tasks.test_cancel_both_task_and_inner_future
    auto fut = loop.create_future<int>();
    auto body = [&]() -> aio::Coro<int> {
        co_await fut;
        co_return 12;
    };
    auto t = loop.create_task(body());
    run_once();
    fut.cancel();
    t.cancel();
    EXPECT_THROW(loop.run_until_complete(t), aio::CancelledError);
    EXPECT_TRUE(t.cancelled());
    EXPECT_TRUE(fut.cancelled());
}

TEST_F(TaskCancel, ATaskIgnoringACancelledFutureWaitsOnTheNextOne) {
    // test_tasks.test_cancel_task_ignoring
    auto f1 = loop.create_future<void>();
    auto f2 = loop.create_future<void>();
    auto f3 = loop.create_future<int>();
    auto body = [&]() -> aio::Coro<int> {
        co_await f1;
        try {
            co_await f2;
        } catch (const aio::CancelledError&) {
        }
        co_return co_await f3;
    };
    auto t = loop.create_task(body());
    run_once();
    f1.set_result();
    run_once();
    run_once();
    EXPECT_TRUE(t.cancel());
    EXPECT_TRUE(f2.cancelled()) << "cancel() cancels the awaited future at once";
    run_once();
    EXPECT_FALSE(f3.done());
    f3.set_result(42);
    EXPECT_EQ(loop.run_until_complete(t), 42);
    EXPECT_FALSE(f3.cancelled());
    EXPECT_FALSE(t.cancelled());
}

TEST_F(TaskCancel, ACancelThatArrivesAfterTheAwaitedFutureCompletedStillRaisesAtThatAwait) {
    // The future completed (task queued), then cancel() came before the task ran: asyncio's
    // _must_cancel makes the next step raise CancelledError.
    auto fut = loop.create_future<int>();
    bool got_value = false;
    auto body = [&]() -> aio::Coro<void> {
        (void)co_await fut;
        got_value = true;
    };
    auto t = loop.create_task(body());
    run_once();
    fut.set_result(5);
    EXPECT_TRUE(t.cancel());
    EXPECT_THROW(loop.run_until_complete(t), aio::CancelledError);
    EXPECT_FALSE(got_value);
    EXPECT_TRUE(t.cancelled());
    EXPECT_EQ(fut.result(), 5) << "the future's own result is untouched";
}

// ---- self-cancellation and the last step ------------------------------------------------------

TEST_F(TaskCancel, SelfCancelTakesEffectAtTheNextSuspension) {
    // test_tasks.test_cancel_current_task. Awaiting a coroutine that completes synchronously is
    // not a suspension: the code in between still runs.
    Log log;
    aio::Task<int> t;
    auto body = [&]() -> aio::Coro<int> {
        EXPECT_TRUE(t.cancel());
        log.push_back("after cancel()");
        int v = co_await immediate(3);
        log.push_back("after synchronous await " + std::to_string(v));
        try {
            co_await aio::sleep(100s);
        } catch (const aio::CancelledError&) {
            log.push_back("cancelled at the sleep");
            throw;
        }
        co_return 12;
    };
    t = loop.create_task(body());
    EXPECT_THROW(loop.run_until_complete(t), aio::CancelledError);
    EXPECT_EQ(log, (Log{"after cancel()", "after synchronous await 3", "cancelled at the sleep"}));
    EXPECT_EQ(elapsed(), 0s) << "the sleep was cancelled immediately";
    EXPECT_TRUE(t.cancelled());
    EXPECT_FALSE(t.cancel());
}

TEST_F(TaskCancel, SelfCancelBeforeSleepZeroRaisesAtThatYield) {
    bool after_yield = false;
    aio::Task<void> t;
    auto body = [&]() -> aio::Coro<void> {
        t.cancel();
        co_await aio::sleep(0s);
        after_yield = true;
    };
    t = loop.create_task(body());
    EXPECT_THROW(loop.run_until_complete(t), aio::CancelledError);
    EXPECT_FALSE(after_yield);
    EXPECT_TRUE(t.cancelled());
}

TEST_F(TaskCancel, SelfCancelBeforeAwaitingAFuturePropagatesToTheFuture) {
    auto fut = loop.create_future<int>();
    aio::Task<int> t;
    auto body = [&]() -> aio::Coro<int> {
        t.cancel();
        co_return co_await fut;
    };
    t = loop.create_task(body());
    EXPECT_THROW(loop.run_until_complete(t), aio::CancelledError);
    EXPECT_TRUE(fut.cancelled());
    EXPECT_TRUE(t.cancelled());
}

TEST_F(TaskCancel, ACoroutineThatReturnsNormallyAfterCancelDuringItsLastStepEndsCancelled) {
    // test_tasks.test_cancel_at_end
    aio::Task<int> t;
    auto body = [&]() -> aio::Coro<int> {
        co_await aio::sleep(0s);
        t.cancel("at end");
        co_return 12;
    };
    t = loop.create_task(body());
    try {
        loop.run_until_complete(t);
        FAIL() << "expected CancelledError";
    } catch (const aio::CancelledError& e) {
        EXPECT_EQ(e.message(), "at end");
    }
    EXPECT_TRUE(t.done());
    EXPECT_TRUE(t.cancelled());
    EXPECT_FALSE(t.cancel());
}

TEST_F(TaskCancel, ACancelFromACallbackWhileTheTaskIsQueuedRaisesAtItsNextAwait) {
    // cancel() between wake-up and the step that follows it (the task is in the ready queue).
    bool resumed_normally = false;
    auto body = [&]() -> aio::Coro<void> {
        co_await aio::sleep(0s);
        resumed_normally = true;
    };
    auto t = loop.create_task(body());
    run_once();  // the task ran and yielded: it is queued again
    EXPECT_TRUE(t.cancel());
    EXPECT_THROW(loop.run_until_complete(t), aio::CancelledError);
    EXPECT_FALSE(resumed_normally);
    EXPECT_TRUE(t.cancelled());
}

// ---- cancelling() / uncancel() ----------------------------------------------------------------

TEST_F(TaskCancel, CancellingCountsTheCancelRequests) {
    // test_tasks.test_cancelling
    auto t = loop.create_task(sleep_forever());
    EXPECT_EQ(t.cancelling(), 0);
    EXPECT_TRUE(t.cancel());
    EXPECT_EQ(t.cancelling(), 1);
    EXPECT_TRUE(t.cancel());
    EXPECT_EQ(t.cancelling(), 2);
    EXPECT_THROW(loop.run_until_complete(t), aio::CancelledError);
    EXPECT_TRUE(t.cancelled());
}

TEST_F(TaskCancel, UncancelDecrementsTheCountAndLetsTheTaskCarryOn) {
    // test_tasks.test_uncancel_basic
    auto body = []() -> aio::Coro<void> {
        try {
            co_await aio::sleep(10s);
        } catch (const aio::CancelledError&) {
            EXPECT_EQ(aio::current_task().uncancel(), 0);
        }
        co_await aio::sleep(10s);
    };
    auto t = loop.create_task(body());
    loop.call_later(5s, [&] { loop.stop(); });
    loop.run_forever();

    EXPECT_TRUE(t.cancel());  // cancel the first sleep
    EXPECT_EQ(t.cancelling(), 1);
    EXPECT_FALSE(t.cancelled());
    loop.call_later(1s, [&] { loop.stop(); });
    loop.run_forever();
    EXPECT_EQ(t.cancelling(), 0) << "after uncancel()";
    EXPECT_FALSE(t.done());

    EXPECT_TRUE(t.cancel());  // cancel the second sleep
    EXPECT_EQ(t.cancelling(), 1);
    EXPECT_THROW(loop.run_until_complete(t), aio::CancelledError);
    EXPECT_TRUE(t.cancelled());
    t.uncancel();  // no effect on a finished task's outcome
    EXPECT_TRUE(t.cancelled());
    EXPECT_TRUE(t.done());
}

TEST_F(TaskCancel, UncancelNeverGoesBelowZero) {
    auto t = loop.create_task(immediate(1));
    EXPECT_EQ(t.uncancel(), 0);
    EXPECT_EQ(t.cancelling(), 0);
    loop.run_until_complete(t);
}

TEST_F(TaskCancel, UncancelToZeroWithdrawsAPendingSelfCancel) {
    // asyncio 3.13 (documented in docs/core-runtime.md): uncancel() reaching zero clears
    // _must_cancel, so a withdrawn request is not delivered at the next await.
    aio::Task<int> t;
    auto body = [&]() -> aio::Coro<int> {
        t.cancel();
        EXPECT_EQ(t.uncancel(), 0);
        co_await aio::sleep(1ms);
        co_return 5;
    };
    t = loop.create_task(body());
    EXPECT_EQ(loop.run_until_complete(t), 5);
    EXPECT_FALSE(t.cancelled());
}
