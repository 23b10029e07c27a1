// aio::gather and aio::gather_settled against asyncio 3.12's gather(): the
// behaviour of test_tasks.py's GatherTests / test_gather_* / test_cancel_gather_*
// / test_one_cancellation / test_result_exception_one_cancellation.

#include <memory>
#include <string>
#include <tuple>
#include <type_traits>
#include <variant>
#include <vector>

#include "tasks_support.hpp"

namespace aio_tasks_test {
namespace {

class GatherTest : public LoopTest {};

aio::Coro<std::unique_ptr<int>> make_ptr_after(aio::Duration d, int v) {
    co_await aio::sleep(d);
    co_return std::make_unique<int>(v);
}

// ---- results --------------------------------------------------------------------------------

TEST_F(GatherTest, ReturnsResultsInArgumentOrderNotCompletionOrder) {
    run([]() -> aio::Coro<> {
        auto t0 = now();
        auto [a, b, c] =
            co_await aio::gather(value_after(30ms, 1), value_after(10ms, 2), value_after(20ms, 3));
        EXPECT_EQ(a, 1);
        EXPECT_EQ(b, 2);
        EXPECT_EQ(c, 3);
        EXPECT_EQ(ms_since(t0), 30);  // the children ran concurrently
    }());
}

TEST_F(GatherTest, TupleFormGivesMonostateForVoidChildren) {
    run([]() -> aio::Coro<> {
        auto r = co_await aio::gather(nothing_after(10ms), value_after(5ms, 7), nothing_after(1ms));
        static_assert(std::is_same_v<decltype(r), std::tuple<std::monostate, int, std::monostate>>);
        EXPECT_EQ(std::get<1>(r), 7);
    }());
}

TEST_F(GatherTest, VectorFormReturnsResultsInArgumentOrder) {
    run([]() -> aio::Coro<> {
        std::vector<aio::Coro<int>> coros;
        for (int i = 0; i < 5; ++i)
            coros.push_back(value_after(std::chrono::milliseconds(50 - 10 * i), i));
        auto t0 = now();
        std::vector<int> r = co_await aio::gather(std::move(coros));
        EXPECT_EQ(r, vec<int>(0, 1, 2, 3, 4));
        EXPECT_EQ(ms_since(t0), 50);
    }());
}

TEST_F(GatherTest, VectorFormGivesMonostateForVoidChildren) {
    run([]() -> aio::Coro<> {
        std::vector<aio::Coro<void>> coros;
        coros.push_back(nothing_after(3ms));
        coros.push_back(nothing_after(1ms));
        auto r = co_await aio::gather(std::move(coros));
        static_assert(std::is_same_v<decltype(r), std::vector<std::monostate>>);
        EXPECT_EQ(r.size(), 2u);
    }());
}

TEST_F(GatherTest, EmptyVectorGivesAnEmptyResultWithoutWaiting) {
    run([]() -> aio::Coro<> {
        auto t0 = now();
        std::vector<int> r = co_await aio::gather(std::vector<aio::Coro<int>>{});
        EXPECT_TRUE(r.empty());
        auto s = co_await aio::gather_settled(std::vector<aio::Task<int>>{});
        EXPECT_TRUE(s.empty());
        EXPECT_EQ(ms_since(t0), 0);
    }());
}

TEST_F(GatherTest, AcceptsTaskHandlesAndLeavesTheirResultsInPlace) {
    run([]() -> aio::Coro<> {
        aio::Task<int> a = aio::create_task(value_after(20ms, 1));
        aio::Task<int> b = aio::create_task(value_after(10ms, 2));
        auto [x, y] = co_await aio::gather(a, b);
        EXPECT_EQ(x, 1);
        EXPECT_EQ(y, 2);
        // gather copies a Task's result: the task still holds it.
        EXPECT_EQ(a.result(), 1);
        EXPECT_EQ(b.result(), 2);

        auto tasks = vec<aio::Task<int>>(aio::create_task(value_after(2ms, 10)),
                                         aio::create_task(value_after(1ms, 20)));
        std::vector<int> v = co_await aio::gather(tasks);
        EXPECT_EQ(v, vec<int>(10, 20));
    }());
}

TEST_F(GatherTest, AcceptsAMixOfTasksAndCoros) {
    run([]() -> aio::Coro<> {
        aio::Task<int> t = aio::create_task(value_after(10ms, 1));
        auto [x, y] = co_await aio::gather(t, value_after(5ms, 2));
        EXPECT_EQ(x, 1);
        EXPECT_EQ(y, 2);
    }());
}

TEST_F(GatherTest, TheSameTaskGivenTwiceYieldsItsResultTwice) {
    run([]() -> aio::Coro<> {
        aio::Task<int> t = aio::create_task(value_after(10ms, 5));
        std::vector<int> r = co_await aio::gather(vec<aio::Task<int>>(t, t));
        EXPECT_EQ(r, vec<int>(5, 5));
    }());
}

TEST_F(GatherTest, AlreadyFinishedTasksAreGatheredWithoutWaiting) {
    run([]() -> aio::Coro<> {
        aio::Task<int> a = aio::create_task(value_after(0ms, 1));
        aio::Task<int> b = aio::create_task(value_after(0ms, 2));
        co_await aio::sleep(1ms);
        CO_ASSERT_TRUE(a.done() && b.done());
        auto t0 = now();
        auto [x, y] = co_await aio::gather(a, b);
        EXPECT_EQ(x + y, 3);
        EXPECT_EQ(ms_since(t0), 0);
    }());
}

TEST_F(GatherTest, MoveOnlyResultsPassThroughGatherOfCoros) {
    run([]() -> aio::Coro<> {
        auto [p, q] = co_await aio::gather(make_ptr_after(2ms, 1), make_ptr_after(1ms, 2));
        CO_ASSERT_TRUE(p && q);
        EXPECT_EQ(*p + *q, 3);

        std::vector<aio::Coro<std::unique_ptr<int>>> coros;
        coros.push_back(make_ptr_after(1ms, 10));
        coros.push_back(make_ptr_after(2ms, 20));
        std::vector<std::unique_ptr<int>> v = co_await aio::gather(std::move(coros));
        CO_ASSERT_EQ(v.size(), 2u);
        EXPECT_EQ(*v[0], 10);
        EXPECT_EQ(*v[1], 20);

        std::vector<aio::Coro<std::unique_ptr<int>>> more;
        more.push_back(make_ptr_after(1ms, 30));
        auto settled = co_await aio::gather_settled(std::move(more));
        CO_ASSERT_EQ(settled.size(), 1u);
        std::unique_ptr<int> moved = std::move(settled[0]).value();
        CO_ASSERT_TRUE(moved);
        EXPECT_EQ(*moved, 30);
    }());
}

// ---- errors ---------------------------------------------------------------------------------

TEST_F(GatherTest, FirstExceptionPropagatesWhileTheOtherChildrenKeepRunning) {
    run([]() -> aio::Coro<> {
        int cancelled = 0, finished = 0;
        aio::Task<int> sibling = aio::create_task(counted_sleep(30ms, 42, &cancelled, &finished));
        auto t0 = now();
        auto err = co_await caught<Boom>(aio::gather(
            fail_after(10ms, "first"), sibling, counted_sleep(20ms, 1, &cancelled, &finished)));
        CO_ASSERT_TRUE(err);
        EXPECT_STREQ(err->what(), "first");
        EXPECT_EQ(ms_since(t0), 10);  // raised as soon as the child failed
        EXPECT_FALSE(sibling.done());

        // Nobody cancelled the siblings: they run to completion afterwards.
        EXPECT_EQ(co_await sibling, 42);
        EXPECT_EQ(ms_since(t0), 30);
        EXPECT_EQ(finished, 2);
        EXPECT_EQ(cancelled, 0);
    }());
}

TEST_F(GatherTest, TheEarliestFailureWinsWhenSeveralChildrenFail) {
    run([]() -> aio::Coro<> {
        auto err = co_await caught<Boom>(
            aio::gather(fail_after(20ms, "late"), fail_after(10ms, "early"), value_after(5ms, 1)));
        CO_ASSERT_TRUE(err);
        EXPECT_STREQ(err->what(), "early");
        co_await aio::sleep(20ms);  // let "late" fail too: it is not reported (see below)
    }());
}

TEST_F(GatherTest, ErrorsOfChildrenFailingAfterTheGatherFailedAreNotReportedAsNeverRetrieved) {
    run([]() -> aio::Coro<> {
        {
            auto err = co_await caught<Boom>(
                aio::gather(fail_after(10ms, "first"), fail_after(20ms, "second")));
            CO_ASSERT_TRUE(err);
            EXPECT_STREQ(err->what(), "first");
        }
        {
            // The same with Task handles that the caller drops right away.
            auto tasks = vec<aio::Task<int>>(aio::create_task(fail_after(10ms, "third")),
                                             aio::create_task(fail_after(20ms, "fourth")));
            auto err = co_await caught<Boom>(aio::gather(std::move(tasks)));
            CO_ASSERT_TRUE(err);
            EXPECT_STREQ(err->what(), "third");
        }
        co_await aio::sleep(50ms);  // "second" and "fourth" fail and their tasks are freed
    }());
    // asyncio's _done_callback marks them retrieved: the exception handler heard nothing
    // (TearDown fails the test on any report).
}

TEST_F(GatherTest, AChildsCancellationReachesTheAwaiterAsCancelledError) {
    run([]() -> aio::Coro<> {
        aio::Task<int> victim = aio::create_task(value_after(10s, 1));
        aio::Task<int> sibling = aio::create_task(value_after(30ms, 2));
        auto killer = aio::create_task([](aio::Task<int> v) -> aio::Coro<> {
            co_await aio::sleep(10ms);
            v.cancel();
        }(victim));
        auto t0 = now();
        auto err = co_await caught<aio::CancelledError>(aio::gather(victim, sibling));
        EXPECT_TRUE(err);
        EXPECT_EQ(ms_since(t0), 10);
        EXPECT_TRUE(victim.cancelled());
        // The awaiter itself was not cancelled: it goes on, and can still await.
        EXPECT_EQ(aio::current_task().cancelling(), 0);
        co_await aio::sleep(1ms);
        // The sibling was not cancelled either.
        EXPECT_EQ(co_await sibling, 2);
        co_await killer;
    }());
}

// ---- futures (loop.run_in_executor's, loop.create_future's) ---------------------------------

/// A future of the running loop that gets `v` after `d`.
template <class T>
aio::Future<T> future_after(aio::Duration d, T v) {
    aio::Future<T> f;
    aio::get_running_loop().call_later(d, [f, v = std::move(v)]() mutable {
        if (!f.done()) f.set_result(std::move(v));
    });
    return f;
}

TEST_F(GatherTest, AcceptsFuturesAndLeavesTheirResultsInPlace) {
    run([]() -> aio::Coro<> {
        aio::Future<int> a = future_after(20ms, 1);
        aio::Future<int> b = future_after(10ms, 2);
        auto t0 = now();
        auto [x, y, z] = co_await aio::gather(a, b, value_after(5ms, 3));
        EXPECT_EQ(x, 1);
        EXPECT_EQ(y, 2);
        EXPECT_EQ(z, 3);
        EXPECT_EQ(ms_since(t0), 20);
        EXPECT_EQ(a.result(), 1);  // copied out: the caller's handle still holds it
        std::vector<int> v = co_await aio::gather(
            vec<aio::Future<int>>(future_after(2ms, 10), future_after(1ms, 20)));
        EXPECT_EQ(v, vec<int>(10, 20));
    }());
}

TEST_F(GatherTest, MoveOnlyResultsPassThroughGatherOfFutures) {
    run([]() -> aio::Coro<> {
        auto [p] = co_await aio::gather(future_after(1ms, std::make_unique<int>(7)));
        CO_ASSERT_TRUE(p != nullptr);
        EXPECT_EQ(*p, 7);
    }());
}

TEST_F(GatherTest, AFailedFutureRaisesItsErrorInTheAwaiter) {
    run([]() -> aio::Coro<> {
        aio::Future<int> f;
        f.set_exception(Boom("future"));
        auto err = co_await caught<Boom>(aio::gather(value_after(1ms, 1), f));
        CO_ASSERT_TRUE(err);
        EXPECT_STREQ(err->what(), "future");
        co_await aio::sleep(1ms);  // the other child goes on running: let it end
    }());
}

TEST_F(GatherTest, CancellingTheAwaitingTaskCancelsTheFutures) {
    run([]() -> aio::Coro<> {
        aio::Future<int> never;
        aio::Task<std::vector<int>> waiter =
            aio::create_task(aio::gather(vec<aio::Future<int>>(never)));
        co_await aio::sleep(10ms);
        waiter.cancel();
        EXPECT_TRUE(co_await caught<aio::CancelledError>(waiter));
        EXPECT_TRUE(never.cancelled());
    }());
}

// ---- cancellation of the gather -------------------------------------------------------------

TEST_F(GatherTest, CancellingTheAwaitingTaskCancelsEveryChild) {
    run([]() -> aio::Coro<> {
        int cancelled = 0, finished = 0;
        std::vector<aio::Task<int>> children;
        for (int i = 0; i < 3; ++i)
            children.push_back(aio::create_task(counted_sleep(10s, i, &cancelled, &finished)));
        aio::Task<std::vector<int>> waiter = aio::create_task(aio::gather(children));
        co_await aio::sleep(10ms);
        EXPECT_TRUE(waiter.cancel());
        auto t0 = now();
        auto err = co_await caught<aio::CancelledError>(waiter);
        EXPECT_TRUE(err);
        EXPECT_EQ(ms_since(t0), 0);
        EXPECT_TRUE(waiter.cancelled());
        for (auto& c : children) EXPECT_TRUE(c.cancelled());
        EXPECT_EQ(cancelled, 3);
        EXPECT_EQ(finished, 0);
    }());
}

TEST_F(GatherTest, CancellingTheAwaitingTaskCancelsChildrenMadeFromCoros) {
    run([]() -> aio::Coro<> {
        int cancelled = 0, finished = 0;
        auto body = [](int* c, int* f) -> aio::Coro<> {
            co_await aio::gather(counted_sleep(10s, 1, c, f), counted_sleep(20s, 2, c, f));
        };
        aio::Task<> waiter = aio::create_task(body(&cancelled, &finished));
        co_await aio::sleep(10ms);
        waiter.cancel();
        EXPECT_TRUE(co_await caught<aio::CancelledError>(waiter));
        EXPECT_TRUE(waiter.cancelled());
        EXPECT_EQ(cancelled, 2);
        EXPECT_EQ(finished, 0);
    }());
}

TEST_F(GatherTest, TheCancelMessageReachesTheAwaiterEvenWithGatherSettled) {
    // test_cancel_gather_2: cancelling the task that awaits gather(...,
    // return_exceptions=True) still raises CancelledError, with the message.
    run([]() -> aio::Coro<> {
        auto body = []() -> aio::Coro<> {
            for (;;) co_await aio::gather_settled(nothing_after(50ms));
        };
        aio::Task<> t = aio::create_task(body());
        co_await aio::sleep(200ms);
        t.cancel("my message");
        auto err = co_await caught<aio::CancelledError>(t);
        CO_ASSERT_TRUE(err);
        EXPECT_EQ(err->message(), "my message");
        EXPECT_TRUE(t.cancelled());
    }());
}

TEST_F(GatherTest, CancelledAwaiterGetsCancelledErrorEvenIfTheChildrenSwallowTheCancellation) {
    run([]() -> aio::Coro<> {
        int saw_cancel = 0;
        aio::Task<int> a = aio::create_task(swallow_cancel(10s, 1, &saw_cancel));
        aio::Task<int> b = aio::create_task(swallow_cancel(10s, 2, &saw_cancel));
        auto waiter = aio::create_task(aio::gather(a, b));
        co_await aio::sleep(10ms);
        waiter.cancel();
        EXPECT_TRUE(co_await caught<aio::CancelledError>(waiter));
        EXPECT_TRUE(waiter.cancelled());
        EXPECT_EQ(saw_cancel, 2);
        EXPECT_EQ(a.result(), 1);
        EXPECT_EQ(b.result(), 2);
    }());
}

TEST_F(GatherTest, AChildFailingWhileTheGatherIsCancelledGivesTheAwaiterThatError) {
    // asyncio's _done_callback: the first child to finish decides, and a child
    // that raises while being cancelled did not end cancelled.
    run([]() -> aio::Coro<> {
        auto fail_on_cancel = []() -> aio::Coro<int> {
            try {
                co_await aio::sleep(10s);
            } catch (const aio::CancelledError&) {
                throw Boom("cleanup failed");
            }
            co_return 0;
        };
        aio::Task<int> child = aio::create_task(fail_on_cancel());
        auto waiter = aio::create_task(aio::gather(child));
        co_await aio::sleep(10ms);
        waiter.cancel();
        auto err = co_await caught<Boom>(waiter);
        CO_ASSERT_TRUE(err);
        EXPECT_STREQ(err->what(), "cleanup failed");
        EXPECT_FALSE(waiter.cancelled());
    }());
}

// ---- when the children start ----------------------------------------------------------------
// asyncio's gather() wraps each coroutine with ensure_future when it is called, so the children
// are scheduled before anything awaits the gather; so are aio's (see gather.hpp, and
// docs/core-runtime.md, "When gather and shield start their children").

using Log = std::vector<std::string>;

TEST_F(GatherTest, HeldAsATaskItsChildrenStartAtOnceAndCancellingItReachesThem) {
    // asyncio 3.12:
    //   log = []
    //   t = asyncio.gather(child("a"), child("b"))   # each wrapped in a task here
    //   await asyncio.sleep(0)                      # both run up to their first await
    //   assert log == ["a started", "b started"]
    //   t.cancel()
    //   try: await t
    //   except asyncio.CancelledError: pass         # t.cancelled() is True
    //   assert log == ["a started", "b started", "a cancelled", "b cancelled"]
    run([]() -> aio::Coro<> {
        Log log;
        auto t = aio::create_task(
            aio::gather(logged_sleep("a", 10s, &log), logged_sleep("b", 10s, &log)));
        co_await aio::sleep(0s);
        EXPECT_EQ(log, vec<std::string>("a started", "b started"));
        EXPECT_TRUE(t.cancel());
        EXPECT_TRUE(co_await caught<aio::CancelledError>(t));
        EXPECT_TRUE(t.cancelled());
        EXPECT_EQ(log, vec<std::string>("a started", "b started", "a cancelled", "b cancelled"));
    }());
}

TEST_F(GatherTest, HeldAsATaskTheVectorFormAndGatherSettledStartTheirChildrenAtOnceToo) {
    // As above with gather(*coros) and gather(..., return_exceptions=True): cancelling the outer
    // future still raises CancelledError (test_cancel_gather_2), and every child saw it.
    run([]() -> aio::Coro<> {
        Log log;
        std::vector<aio::Coro<int>> coros;
        coros.push_back(logged_sleep("a", 10s, &log));
        coros.push_back(logged_sleep("b", 10s, &log));
        auto vector_form = aio::create_task(aio::gather(std::move(coros)));
        auto settled = aio::create_task(aio::gather_settled(logged_sleep("c", 10s, &log)));
        co_await aio::sleep(0s);
        EXPECT_EQ(log, vec<std::string>("a started", "b started", "c started"));
        vector_form.cancel();
        settled.cancel();
        EXPECT_TRUE(co_await caught<aio::CancelledError>(vector_form));
        EXPECT_TRUE(co_await caught<aio::CancelledError>(settled));
        EXPECT_EQ(log, vec<std::string>("a started", "b started", "c started", "a cancelled",
                                        "b cancelled", "c cancelled"));
    }());
}

TEST_F(GatherTest, TheChildrenStartBeforeTheGatherIsAwaited) {
    // asyncio: g = asyncio.gather(child("a")); await asyncio.sleep(0)  -> "a started";
    //          await g  -> [0] once the child has finished.
    run([]() -> aio::Coro<> {
        Log log;
        auto g = aio::gather(logged_sleep("a", 10ms, &log));  // not awaited yet
        co_await aio::sleep(0s);
        EXPECT_EQ(log, vec<std::string>("a started"));
        auto t0 = now();
        auto [a] = co_await std::move(g);
        EXPECT_EQ(a, 0);
        EXPECT_EQ(ms_since(t0), 10);
        EXPECT_EQ(log, vec<std::string>("a started", "a finished"));
    }());
}

TEST_F(GatherTest, AwaitedAtOnceTheChildrenStartOnTheNextIterationAsBefore) {
    // The usual `await asyncio.gather(...)`: the awaiter suspends, the children run next turn.
    run([]() -> aio::Coro<> {
        Log log;
        auto loop_turn = aio::get_running_loop().iteration();
        auto [a, b] =
            co_await aio::gather(logged_sleep("a", 0s, &log), logged_sleep("b", 0s, &log));
        EXPECT_EQ(a + b, 0);
        EXPECT_EQ(log, vec<std::string>("a started", "b started", "a finished", "b finished"));
        EXPECT_GT(aio::get_running_loop().iteration(), loop_turn);
    }());
}

TEST_F(GatherTest, MadeBeforeAnyLoopRunsItsChildrenBecomeTasksWhenTheLoopStartsIt) {
    // aio::run(aio::gather(...)): no loop to make tasks on yet, so gather() waits for one.
    auto [a, b] = run(aio::gather(value_after(20ms, 1), value_after(10ms, 2)));
    EXPECT_EQ(a, 1);
    EXPECT_EQ(b, 2);
    std::vector<aio::Coro<int>> coros;
    coros.push_back(value_after(1ms, 3));
    auto settled = run(aio::gather_settled(std::move(coros)));
    ASSERT_EQ(settled.size(), 1u);
    EXPECT_EQ(settled[0].value(), 3);
}

// ---- gather_settled (return_exceptions=True) ------------------------------------------------

TEST_F(GatherTest, GatherSettledReturnsValuesAndExceptionsInArgumentOrder) {
    run([]() -> aio::Coro<> {
        auto t0 = now();
        auto [a, b, c] = co_await aio::gather_settled(value_after(10ms, 1), fail_after(5ms, "x"),
                                                      nothing_after(1ms));
        EXPECT_EQ(ms_since(t0), 10);  // an error does not end the wait
        CO_ASSERT_TRUE(a.has_value());
        EXPECT_EQ(a.value(), 1);
        CO_ASSERT_TRUE(b.has_exception());
        EXPECT_FALSE(b.cancelled());
        EXPECT_TRUE(holds<Boom>(b.exception()));
        EXPECT_EQ(what_of(b.exception()), "x");
        EXPECT_THROW(b.value(), Boom);
        EXPECT_TRUE(c.has_value());
        static_assert(std::is_same_v<std::remove_cvref_t<decltype(c.value())>, std::monostate>);
    }());
}

TEST_F(GatherTest, GatherSettledVectorFormKeepsArgumentOrder) {
    run([]() -> aio::Coro<> {
        std::vector<aio::Coro<int>> coros;
        coros.push_back(fail_after(3ms, "a"));
        coros.push_back(value_after(1ms, 2));
        coros.push_back(fail_after(2ms, "c"));
        auto r = co_await aio::gather_settled(std::move(coros));
        CO_ASSERT_EQ(r.size(), 3u);
        EXPECT_EQ(what_of(r[0].exception()), "a");
        EXPECT_EQ(r[1].value(), 2);
        EXPECT_EQ(what_of(r[2].exception()), "c");
    }());
}

TEST_F(GatherTest, GatherSettledReportsACancelledChildAsCancelledError) {
    run([]() -> aio::Coro<> {
        aio::Task<int> victim = aio::create_task(value_after(10s, 1));
        aio::Task<int> ok = aio::create_task(value_after(20ms, 2));
        auto killer = aio::create_task([](aio::Task<int> v) -> aio::Coro<> {
            co_await aio::sleep(10ms);
            v.cancel("stop");
        }(victim));
        auto t0 = now();
        auto [x, y] = co_await aio::gather_settled(victim, ok);
        EXPECT_EQ(ms_since(t0), 20);
        EXPECT_TRUE(x.cancelled());
        EXPECT_TRUE(holds<aio::CancelledError>(x.exception()));
        EXPECT_THROW(x.value(), aio::CancelledError);
        EXPECT_EQ(y.value(), 2);
        EXPECT_EQ(aio::current_task().cancelling(), 0);
        co_await killer;
    }());
}

TEST_F(GatherTest, GatherSettledRetrievesTheChildrensErrors) {
    run([]() -> aio::Coro<> {
        auto tasks = vec<aio::Task<int>>(aio::create_task(fail_after(1ms, "a")),
                                         aio::create_task(fail_after(2ms, "b")));
        auto r = co_await aio::gather_settled(std::move(tasks));
        EXPECT_EQ(r.size(), 2u);
    }());
    // The handles are gone and the errors were handed out: nothing was reported.
}

}  // namespace
}  // namespace aio_tasks_test
