// aio::Queue: the behaviour of CPython 3.13's QueueBasicTests, QueueGetTests and
// QueuePutTests (Lib/test/test_asyncio/test_queues.py), plus what aio adds:
// try_put/try_get, fair hand-off to waiters, fast paths that do not yield,
// move-only items, introspection.

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "queues_support.hpp"

using namespace std::chrono_literals;
using qtest::get_from;
using qtest::put_into;
using qtest::run;
using qtest::tick;

// ---- QueueBasicTests ----------------------------------------------------------------

TEST(QueueBasics, EmptyIsTrueUntilAnItemIsPutAndAgainOnceItIsGot) {
    run([]() -> aio::Coro<void> {
        aio::Queue<int> q;
        EXPECT_TRUE(q.empty());
        co_await q.put(1);
        EXPECT_FALSE(q.empty());
        int v = co_await q.get();
        EXPECT_EQ(v, 1);
        EXPECT_TRUE(q.empty());
    });
}

TEST(QueueBasics, AnUnboundedQueueIsNeverFullABoundedOneIsAtMaxsize) {
    run([]() -> aio::Coro<void> {
        aio::Queue<int> unbounded;
        for (int i = 0; i < 1000; ++i) unbounded.put_nowait(i);
        EXPECT_FALSE(unbounded.full());
        EXPECT_EQ(unbounded.maxsize(), 0u);

        aio::Queue<int> q(1);
        co_await q.put(1);
        EXPECT_TRUE(q.full());
        EXPECT_EQ(q.qsize(), 1u);
    });
}

TEST(QueueBasics, ItemsComeOutInTheOrderTheyWerePut) {
    run([]() -> aio::Coro<void> {
        aio::Queue<int> q;
        for (int i : {1, 3, 2}) co_await q.put(i);
        std::vector<int> items;
        for (int i = 0; i < 3; ++i) items.push_back(co_await q.get());
        EXPECT_EQ(items, (std::vector<int>{1, 3, 2}));
    });
}

TEST(QueueBasics, PutWaitsWhileTheQueueHoldsMaxsizeItems) {
    run([]() -> aio::Coro<void> {
        aio::Queue<int> q(2);
        EXPECT_EQ(q.maxsize(), 2u);
        std::vector<int> have_been_put;
        auto putter = [&]() -> aio::Coro<bool> {
            for (int i = 0; i < 3; ++i) {
                co_await q.put(i);
                have_been_put.push_back(i);
            }
            co_return true;
        };
        auto t = aio::create_task(putter());
        for (int i = 0; i < 2; ++i) co_await tick();

        // The putter is blocked after putting two items.
        EXPECT_EQ(have_been_put, (std::vector<int>{0, 1}));
        int v = co_await q.get();
        EXPECT_EQ(v, 0);

        // Let the putter resume and put the last item.
        co_await tick();
        EXPECT_EQ(have_been_put, (std::vector<int>{0, 1, 2}));
        v = co_await q.get();
        EXPECT_EQ(v, 1);
        v = co_await q.get();
        EXPECT_EQ(v, 2);
        EXPECT_TRUE(t.done());
        EXPECT_TRUE(t.result());
    });
}

TEST(QueueBasics, DescribeShowsWaitersUnfinishedTasksAndShutdownLikeAsyncioRepr) {
    run([]() -> aio::Coro<void> {
        aio::Queue<int> q;
        EXPECT_EQ(q.describe(), "<Queue maxsize=0>");
        auto getter = aio::create_task(get_from(q));
        co_await tick();
        EXPECT_NE(q.describe().find("_getters[1]"), std::string::npos) << q.describe();
        q.put_nowait(0);
        int v = co_await getter;
        EXPECT_EQ(v, 0);

        aio::Queue<int> bounded(1);
        bounded.put_nowait(1);
        auto putter = aio::create_task(put_into(bounded, 2));
        co_await tick();
        EXPECT_EQ(bounded.describe(), "<Queue maxsize=1 qsize=1 _putters[1] tasks=1>");
        (void)bounded.get_nowait();
        co_await putter;

        q.put_nowait(1);
        q.put_nowait(2);
        EXPECT_EQ(q.describe(), "<Queue maxsize=0 qsize=2 tasks=3>");
        q.shutdown();
        EXPECT_EQ(q.describe(), "<Queue maxsize=0 qsize=2 tasks=3 shutdown>");
    });
}

// ---- QueueGetTests ------------------------------------------------------------------

TEST(QueueGet, GetReturnsAnItemThatIsAlreadyThere) {
    run([]() -> aio::Coro<void> {
        aio::Queue<int> q;
        q.put_nowait(1);
        int v = co_await q.get();
        EXPECT_EQ(v, 1);
    });
}

TEST(QueueGet, GetAndPutThatNeedNotWaitCompleteWithoutYieldingToTheLoop) {
    run([]() -> aio::Coro<void> {
        aio::EventLoop& loop = aio::get_running_loop();
        aio::Queue<int> q(1);
        auto before = loop.iteration();
        co_await q.put(1);
        int v = co_await q.get();
        EXPECT_EQ(v, 1);
        EXPECT_EQ(loop.iteration(), before);
    });
}

TEST(QueueGet, GetFromAFullQueueLetsTheWaitingPutterIn) {
    run([]() -> aio::Coro<void> {
        aio::Queue<int> q(1);
        co_await q.put(1);
        auto putter = aio::create_task(put_into(q, 2));
        co_await tick();
        EXPECT_FALSE(putter.done());
        int v = co_await q.get();
        EXPECT_EQ(v, 1);
        co_await putter;
        EXPECT_EQ(q.get_nowait(), 2);
    });
}

TEST(QueueGet, GetWaitsUntilAnItemIsPut) {
    run([]() -> aio::Coro<void> {
        aio::EventLoop& loop = aio::get_running_loop();
        aio::Queue<int> q;
        bool finished = false;
        auto queue_get = [&]() -> aio::Coro<int> {
            int r = co_await q.get();
            finished = true;
            co_return r;
        };
        auto t = aio::create_task(queue_get());
        co_await tick();
        EXPECT_FALSE(finished);
        auto t0 = loop.time();
        (void)loop.call_later(10ms, [&q] { q.put_nowait(1); });
        int res = co_await t;
        EXPECT_TRUE(finished);
        EXPECT_EQ(res, 1);
        EXPECT_EQ(loop.time() - t0, aio::Duration(10ms));
    });
}

TEST(QueueGet, GetNowaitReturnsTheItemOrThrowsQueueEmpty) {
    aio::Queue<int> q;  // no loop needed
    EXPECT_THROW(q.get_nowait(), aio::QueueEmpty);
    q.put_nowait(1);
    EXPECT_EQ(q.get_nowait(), 1);
    EXPECT_THROW(q.get_nowait(), aio::QueueEmpty);
}

TEST(QueueGet, ACancelledGetterDoesNotTakeTheNextItem) {
    run([]() -> aio::Coro<void> {
        aio::Queue<std::string> q;
        auto t1 = aio::create_task(get_from(q));
        auto t2 = aio::create_task(get_from(q));
        co_await tick();
        t1.cancel();
        co_await tick();
        EXPECT_TRUE(t1.done());
        EXPECT_TRUE(t1.cancelled());
        co_await q.put("a");
        co_await tick();
        std::string v = co_await t2;
        EXPECT_EQ(v, "a");
    });
}

TEST(QueueGet, GetFromAFullQueueWithWaitingPuttersTakesTheirItemsInOrder) {
    run([]() -> aio::Coro<void> {
        aio::Queue<std::string> q(1);
        auto pa = aio::create_task(put_into(q, "a"));
        auto pb = aio::create_task(put_into(q, "b"));
        std::string v = co_await q.get();
        EXPECT_EQ(v, "a");
        v = co_await q.get();
        EXPECT_EQ(v, "b");
        co_await pa;
        co_await pb;
    });
}

TEST(QueueGet, AProducerAndAConsumerOnASizeOneQueueNeverDeadlock) {
    run([]() -> aio::Coro<void> {
        aio::Queue<int> q(1);
        constexpr int n = 5;
        std::vector<int> got;
        auto producer = [&]() -> aio::Coro<void> {
            for (int i = 0; i < n; ++i) co_await q.put(i);
        };
        auto consumer = [&]() -> aio::Coro<void> {
            for (int i = 0; i < n; ++i) got.push_back(co_await q.get());
        };
        auto p = aio::create_task(producer());
        auto c = aio::create_task(consumer());
        co_await p;
        co_await c;
        EXPECT_EQ(got, (std::vector<int>{0, 1, 2, 3, 4}));
    });
}

TEST(QueueGet, AGetterCancelledByATimeoutIsNoLongerAWaiter) {
    run([]() -> aio::Coro<void> {
        aio::Queue<int> q(5);
        EXPECT_THROW(co_await aio::timeout(100ms, q.get()), aio::TimeoutError);
        EXPECT_EQ(q.waiting_getters(), 0u);
        q.put_nowait(7);  // nobody was handed it
        EXPECT_EQ(q.qsize(), 1u);
    });
}

TEST(QueueGet, GettersAreServedInTheOrderTheyStartedWaiting) {
    run([]() -> aio::Coro<void> {
        aio::Queue<int> q;
        auto g1 = aio::create_task(get_from(q));
        auto g2 = aio::create_task(get_from(q));
        auto g3 = aio::create_task(get_from(q));
        co_await tick();
        EXPECT_EQ(q.waiting_getters(), 3u);
        for (int i : {1, 2, 3}) q.put_nowait(i);
        int a = co_await g1, b = co_await g2, c = co_await g3;
        EXPECT_EQ(a, 1);
        EXPECT_EQ(b, 2);
        EXPECT_EQ(c, 3);
    });
}

TEST(QueueGet, GetNowaitCannotTakeAnItemAlreadyHandedToAWaitingGetter) {
    run([]() -> aio::Coro<void> {
        aio::Queue<int> q;
        auto g = aio::create_task(get_from(q));
        co_await tick();
        q.put_nowait(1);  // handed straight to g, which has not run yet
        EXPECT_TRUE(q.empty());
        EXPECT_EQ(q.qsize(), 0u);
        EXPECT_THROW(q.get_nowait(), aio::QueueEmpty);
        EXPECT_EQ(q.try_get(), std::nullopt);
        int v = co_await g;
        EXPECT_EQ(v, 1);
    });
}

// ---- QueuePutTests ------------------------------------------------------------------

TEST(QueuePut, PutOnAnUnboundedQueueNeverWaits) {
    run([]() -> aio::Coro<void> {
        aio::Queue<int> q;
        co_await q.put(1);
        int v = co_await q.get();
        EXPECT_EQ(v, 1);
    });
}

TEST(QueuePut, PutWaitsForAFreeSlotThenCompletes) {
    run([]() -> aio::Coro<void> {
        aio::EventLoop& loop = aio::get_running_loop();
        aio::Queue<int> q(1);
        bool finished = false;
        auto queue_put = [&]() -> aio::Coro<void> {
            co_await q.put(1);
            co_await q.put(2);
            finished = true;
        };
        auto t0 = loop.time();
        (void)loop.call_later(10ms, [&q] { (void)q.get_nowait(); });
        auto t = aio::create_task(queue_put());
        co_await tick();
        EXPECT_FALSE(finished);
        co_await t;
        EXPECT_TRUE(finished);
        EXPECT_EQ(loop.time() - t0, aio::Duration(10ms));
        EXPECT_EQ(q.get_nowait(), 2);
    });
}

TEST(QueuePut, PutNowaitPutsOrThrowsQueueFull) {
    aio::Queue<int> q(1);
    q.put_nowait(1);
    EXPECT_THROW(q.put_nowait(2), aio::QueueFull);
    EXPECT_EQ(q.get_nowait(), 1);
    EXPECT_TRUE(q.empty());
}

TEST(QueuePut, APutThatDoesNotBlockLetsItsTaskFinish) {
    run([]() -> aio::Coro<void> {
        aio::Queue<int> q;
        auto queue_put = [&]() -> aio::Coro<bool> {
            co_await q.put(1);
            co_return true;
        };
        auto t = aio::create_task(queue_put());
        int v = co_await q.get();
        EXPECT_EQ(v, 1);
        EXPECT_TRUE(t.done());
        EXPECT_TRUE(t.result());
    });
}

TEST(QueuePut, PutWithAWaitingGetterHandsTheItemOver) {
    run([]() -> aio::Coro<void> {
        aio::Queue<std::string> q;
        auto t = aio::create_task(get_from(q));
        co_await tick();
        co_await q.put("a");
        std::string v = co_await t;
        EXPECT_EQ(v, "a");
        EXPECT_EQ(q.unfinished_tasks(), 1u);
    });
}

TEST(QueuePut, FreedSlotsGoToWaitingPuttersInTheOrderTheyStartedWaiting) {
    run([]() -> aio::Coro<void> {
        aio::Queue<int> q(2);
        auto getter = [&]() -> aio::Coro<void> {
            co_await tick();
            std::size_t num = q.qsize();
            for (std::size_t i = 0; i < num; ++i) (void)q.get_nowait();
        };
        auto g = aio::create_task(getter());
        std::vector<aio::Task<void>> putters;
        for (int i = 0; i < 4; ++i) putters.push_back(aio::create_task(put_into(q, i)));
        co_await g;
        for (auto& p : putters) co_await p;
        EXPECT_EQ(q.get_nowait(), 2);
        EXPECT_EQ(q.get_nowait(), 3);
    });
}

TEST(QueuePut, PutNowaitCannotTakeASlotPromisedToAWaitingPutter) {
    run([]() -> aio::Coro<void> {
        aio::Queue<std::string> q(1);
        q.put_nowait("x");
        auto p = aio::create_task(put_into(q, "p"));
        co_await tick();
        EXPECT_EQ(q.get_nowait(), "x");  // the slot is promised to p
        EXPECT_TRUE(q.full());
        EXPECT_THROW(q.put_nowait("y"), aio::QueueFull);
        co_await p;
        EXPECT_EQ(q.get_nowait(), "p");
    });
}

TEST(QueuePut, TryPutHandsTheItemBackWhenFull) {
    aio::Queue<std::unique_ptr<int>> q(1);
    EXPECT_EQ(q.try_put(std::make_unique<int>(1)), std::nullopt);
    auto p = std::make_unique<int>(2);
    int* raw = p.get();
    std::optional<std::unique_ptr<int>> back = q.try_put(std::move(p));
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(back->get(), raw);
    EXPECT_EQ(q.qsize(), 1u);
    EXPECT_EQ(*q.get_nowait(), 1);
    EXPECT_EQ(q.try_put(std::move(*back)), std::nullopt);
    EXPECT_EQ(*q.get_nowait(), 2);
}

TEST(QueuePut, TryGetReturnsTheNextItemOrNulloptWhenEmpty) {
    aio::Queue<int> q;
    EXPECT_EQ(q.try_get(), std::nullopt);
    q.put_nowait(5);
    EXPECT_EQ(q.try_get(), std::optional<int>(5));
    EXPECT_EQ(q.try_get(), std::nullopt);
}

// ---- move-only items, lifetime, introspection --------------------------------------

TEST(QueueItems, MoveOnlyItemsGoThroughEveryPath) {
    run([]() -> aio::Coro<void> {
        aio::Queue<std::unique_ptr<int>> q(1);
        co_await q.put(std::make_unique<int>(1));                               // fast path
        auto putter = aio::create_task(put_into(q, std::make_unique<int>(2)));  // waits: full
        co_await tick();
        std::unique_ptr<int> a = co_await q.get();  // grants the putter
        EXPECT_EQ(*a, 1);
        co_await putter;
        EXPECT_EQ(*q.get_nowait(), 2);
        auto getter = aio::create_task(get_from(q));  // waits: empty
        co_await tick();
        q.put_nowait(std::make_unique<int>(3));  // hand-off
        std::unique_ptr<int> c = co_await std::move(getter);
        EXPECT_EQ(*c, 3);
    });
}

TEST(QueueItems, EveryItemIsDestroyedExactlyOnce) {
    using qtest::Counted;
    Counted::live = 0;
    run([]() -> aio::Coro<void> {
        aio::Queue<Counted> q(2);
        q.put_nowait(Counted(1));
        co_await q.put(Counted(2));
        auto putter = aio::create_task(put_into(q, Counted(3)));
        co_await tick();
        putter.cancel();
        EXPECT_TRUE(co_await qtest::ended_cancelled(putter));
        Counted a = co_await q.get();
        EXPECT_EQ(a.id, 1);
        EXPECT_EQ(q.try_put(Counted(4)), std::nullopt);
        EXPECT_EQ(Counted::live, 3);  // a, and 2 and 4 in the queue
    });
    EXPECT_EQ(Counted::live, 0);
}

TEST(QueueItems, AWaitingTaskShowsWhatItWaitsOn) {
    run([]() -> aio::Coro<void> {
        aio::Queue<int> q(1);
        auto g = aio::create_task(get_from(q));
        co_await tick();
        EXPECT_EQ(g.awaiting(), "Queue.get");
        q.put_nowait(1);
        EXPECT_EQ(g.awaiting(), "");  // handed its item: woken, not yet run
        (void)co_await g;

        q.put_nowait(2);
        auto p = aio::create_task(put_into(q, 3));
        co_await tick();
        EXPECT_EQ(p.awaiting(), "Queue.put");
        (void)q.get_nowait();
        co_await p;
        (void)q.get_nowait();

        auto j = aio::create_task(qtest::join_of(q));
        co_await tick();
        EXPECT_EQ(j.awaiting(), "Queue.join");
        for (int i = 0; i < 3; ++i) q.task_done();
        co_await j;
    });
}

TEST(QueueItems, DestroyingAQueueWakesTheTasksWaitingOnItWithQueueShutDown) {
    run([]() -> aio::Coro<void> {
        auto q = std::make_unique<aio::Queue<int>>();
        auto getter = aio::create_task(get_from(*q));
        q->put_nowait(1);
        (void)q->get_nowait();
        auto joiner = aio::create_task(qtest::join_of(*q));
        co_await tick();
        q.reset();
        EXPECT_TRUE(co_await qtest::ended_shut_down(getter));
        EXPECT_TRUE(co_await qtest::ended_shut_down(joiner));
    });
}
