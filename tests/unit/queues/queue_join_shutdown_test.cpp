// task_done()/join() and Python 3.13's shutdown(), for every queue kind: the
// behaviour of CPython 3.13's _QueueJoinTestMixin and _QueueShutdownTestMixin
// (run for Queue, LifoQueue and PriorityQueue alike), plus shutdown's effect on
// waiters that were already woken (an item handed to a getter, a slot given to
// a putter).

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "queues_support.hpp"

using namespace std::chrono_literals;
using qtest::ended_shut_down;
using qtest::get_from;
using qtest::put_into;
using qtest::run;
using qtest::tick;

namespace {

template <class Q>
class QueueKinds : public ::testing::Test {};

struct KindNames {
    template <class Q>
    static std::string GetName(int) {
        if constexpr (std::is_same_v<Q, aio::Queue<std::string>>) return "Queue";
        if constexpr (std::is_same_v<Q, aio::LifoQueue<std::string>>) return "LifoQueue";
        return "PriorityQueue";
    }
};

using Kinds = ::testing::Types<aio::Queue<std::string>, aio::LifoQueue<std::string>,
                               aio::PriorityQueue<std::string>>;
TYPED_TEST_SUITE(QueueKinds, Kinds, KindNames);

/// True if `f()` throws QueueShutDown.
template <class F>
bool throws_shut_down(F f) {
    try {
        f();
    } catch (const aio::QueueShutDown&) {
        return true;
    }
    return false;
}

}  // namespace

// ---- join ---------------------------------------------------------------------------

TYPED_TEST(QueueKinds, TaskDoneCalledMoreTimesThanItemsWerePutThrowsValueError) {
    TypeParam q;
    EXPECT_THROW(q.task_done(), aio::ValueError);
    q.put_nowait("a");
    (void)q.get_nowait();
    q.task_done();
    try {
        q.task_done();
        ADD_FAILURE() << "no error";
    } catch (const aio::ValueError& e) {
        EXPECT_STREQ(e.what(), "task_done() called too many times");
    }
    EXPECT_EQ(q.unfinished_tasks(), 0u);  // the extra call changed nothing
}

TYPED_TEST(QueueKinds, JoinWaitsUntilEveryItemPutWasMarkedDone) {
    run([]() -> aio::Coro<void> {
        TypeParam q;
        for (int i = 0; i < 100; ++i) q.put_nowait(std::to_string(i));
        int accumulator = 0;
        bool running = true;
        // Two workers get items and call task_done() after each.
        auto worker = [&]() -> aio::Coro<void> {
            while (running) {
                std::string item = co_await q.get();
                accumulator += std::stoi(item);
                q.task_done();
            }
        };
        auto w1 = aio::create_task(worker());
        auto w2 = aio::create_task(worker());
        co_await q.join();
        EXPECT_EQ(accumulator, 99 * 100 / 2);
        EXPECT_EQ(q.unfinished_tasks(), 0u);
        // close the workers
        running = false;
        q.put_nowait("0");
        q.put_nowait("0");
        co_await w1;
        co_await w2;
    });
}

TYPED_TEST(QueueKinds, JoinOnAQueueWithNothingUnfinishedReturnsAtOnce) {
    run([]() -> aio::Coro<void> {
        TypeParam q;
        aio::EventLoop& loop = aio::get_running_loop();
        auto before = loop.iteration();
        co_await q.join();
        co_await q.join();
        EXPECT_EQ(loop.iteration(), before);
    });
}

TYPED_TEST(QueueKinds, DescribeCountsUnfinishedTasks) {
    TypeParam q;
    const std::string kind = KindNames::GetName<TypeParam>(0);
    EXPECT_EQ(q.describe(), "<" + kind + " maxsize=0>");
    q.put_nowait("a");
    q.put_nowait("b");
    (void)q.get_nowait();
    (void)q.get_nowait();
    EXPECT_EQ(q.describe(), "<" + kind + " maxsize=0 tasks=2>");
    q.shutdown();
    EXPECT_EQ(q.describe(), "<" + kind + " maxsize=0 tasks=2 shutdown>");
}

TYPED_TEST(QueueKinds, EveryJoinWaiterIsReleasedByTheLastTaskDone) {
    run([]() -> aio::Coro<void> {
        TypeParam q;
        q.put_nowait("a");
        q.put_nowait("b");
        auto j1 = aio::create_task(qtest::join_of(q));
        auto j2 = aio::create_task(qtest::join_of(q));
        co_await tick();
        (void)q.get_nowait();
        (void)q.get_nowait();
        q.task_done();
        co_await tick();
        EXPECT_FALSE(j1.done());
        q.task_done();
        q.put_nowait("c");  // already released: they still return (asyncio's Event.wait)
        co_await j1;
        co_await j2;
        (void)q.get_nowait();
        q.task_done();
    });
}

// ---- shutdown -----------------------------------------------------------------------

TYPED_TEST(QueueKinds, ShutdownOfAnEmptyQueueWakesGettersWithQueueShutDown) {
    run([]() -> aio::Coro<void> {
        TypeParam q;
        auto get_task = aio::create_task(get_from(q));
        co_await tick();  // the get is pending before the shutdown

        q.shutdown(false);  // unfinished tasks: 0 -> 0
        EXPECT_TRUE(q.is_shutdown());
        EXPECT_EQ(q.qsize(), 0u);
        co_await q.join();

        co_await tick();
        EXPECT_TRUE(get_task.done());
        EXPECT_TRUE(co_await ended_shut_down(get_task));

        EXPECT_THROW(co_await q.put("data"), aio::QueueShutDown);
        EXPECT_TRUE(throws_shut_down([&] { q.put_nowait("data"); }));
        EXPECT_TRUE(throws_shut_down([&] { (void)q.try_put("data"); }));
        EXPECT_THROW((void)co_await q.get(), aio::QueueShutDown);
        EXPECT_TRUE(throws_shut_down([&] { (void)q.get_nowait(); }));
        EXPECT_TRUE(throws_shut_down([&] { (void)q.try_get(); }));
    });
}

TYPED_TEST(QueueKinds, ShutdownOfANonEmptyQueueWakesPuttersButLetsGettersDrainIt) {
    run([]() -> aio::Coro<void> {
        TypeParam q(1);
        q.put_nowait("data");
        auto join_task = aio::create_task(qtest::join_of(q));
        auto put_task = aio::create_task(put_into(q, "data2"));
        co_await tick();
        EXPECT_FALSE(put_task.done());

        q.shutdown(false);  // unfinished tasks: 1 -> 1
        EXPECT_EQ(q.qsize(), 1u);

        co_await tick();
        EXPECT_TRUE(put_task.done());
        EXPECT_TRUE(co_await ended_shut_down(put_task));

        std::string v = co_await q.get();  // what is there can still be got
        EXPECT_EQ(v, "data");

        co_await tick();
        EXPECT_FALSE(join_task.done());

        EXPECT_THROW(co_await q.put("data"), aio::QueueShutDown);
        EXPECT_TRUE(throws_shut_down([&] { q.put_nowait("data"); }));
        EXPECT_THROW((void)co_await q.get(), aio::QueueShutDown);
        EXPECT_TRUE(throws_shut_down([&] { (void)q.get_nowait(); }));

        q.task_done();  // the one unfinished task
        co_await tick();
        EXPECT_TRUE(join_task.done());
        co_await join_task;
        EXPECT_THROW(q.task_done(), aio::ValueError);
    });
}

TYPED_TEST(QueueKinds, ImmediateShutdownEmptiesTheQueueAndReleasesJoin) {
    run([]() -> aio::Coro<void> {
        TypeParam q;
        q.put_nowait("data");
        auto join_task = aio::create_task(qtest::join_of(q));

        q.shutdown(true);  // unfinished tasks: 1 -> 0
        EXPECT_EQ(q.qsize(), 0u);

        co_await tick();
        EXPECT_TRUE(join_task.done());
        co_await join_task;

        EXPECT_THROW(co_await q.put("data"), aio::QueueShutDown);
        EXPECT_TRUE(throws_shut_down([&] { q.put_nowait("data"); }));
        EXPECT_THROW((void)co_await q.get(), aio::QueueShutDown);
        EXPECT_TRUE(throws_shut_down([&] { (void)q.get_nowait(); }));
        EXPECT_THROW(q.task_done(), aio::ValueError);  // nothing unfinished
    });
}

TYPED_TEST(QueueKinds, ImmediateShutdownCountsOnlyDroppedItemsAsDone) {
    run([]() -> aio::Coro<void> {
        TypeParam q;
        q.put_nowait("data");
        q.put_nowait("data");
        auto join_task = aio::create_task(qtest::join_of(q));
        std::string v = co_await q.get();
        EXPECT_EQ(v, "data");

        q.shutdown(true);  // unfinished tasks: 2 -> 1
        EXPECT_EQ(q.qsize(), 0u);

        co_await tick();
        EXPECT_FALSE(join_task.done());

        EXPECT_THROW(co_await q.put("data"), aio::QueueShutDown);
        EXPECT_TRUE(throws_shut_down([&] { q.put_nowait("data"); }));
        EXPECT_THROW((void)co_await q.get(), aio::QueueShutDown);
        EXPECT_TRUE(throws_shut_down([&] { (void)q.get_nowait(); }));

        q.task_done();  // the item that was got
        EXPECT_THROW(q.task_done(), aio::ValueError);

        co_await tick();
        EXPECT_TRUE(join_task.done());
        co_await join_task;
    });
}

TYPED_TEST(QueueKinds, ImmediateShutdownWakesBlockedGettersAndPuttersWithQueueShutDown) {
    run([]() -> aio::Coro<void> {
        TypeParam empty_q;
        auto g1 = aio::create_task(get_from(empty_q));
        auto g2 = aio::create_task(get_from(empty_q));
        TypeParam full_q(1);
        full_q.put_nowait("x");
        auto p1 = aio::create_task(put_into(full_q, "y"));
        co_await tick();
        empty_q.shutdown(true);
        full_q.shutdown(true);
        EXPECT_TRUE(co_await ended_shut_down(g1));
        EXPECT_TRUE(co_await ended_shut_down(g2));
        EXPECT_TRUE(co_await ended_shut_down(p1));
        EXPECT_EQ(full_q.qsize(), 0u);
        EXPECT_EQ(full_q.unfinished_tasks(), 0u);
    });
}

TYPED_TEST(QueueKinds, ShutdownLetsAGetterKeepAnItemItWasAlreadyHanded) {
    run([]() -> aio::Coro<void> {
        TypeParam q;
        auto g = aio::create_task(get_from(q));
        co_await tick();
        q.put_nowait("a");  // handed to g, not yet run
        q.shutdown(false);
        std::string v = co_await g;
        EXPECT_EQ(v, "a");
        q.task_done();
    });
}

TYPED_TEST(QueueKinds, ImmediateShutdownDropsAnItemAlreadyHandedToAGetterThatHasNotRun) {
    run([]() -> aio::Coro<void> {
        TypeParam q;
        auto g = aio::create_task(get_from(q));
        auto j = aio::create_task(qtest::join_of(q));
        co_await tick();
        q.put_nowait("a");  // handed to g, not yet run
        q.shutdown(true);   // drops it: unfinished 1 -> 0
        EXPECT_EQ(q.unfinished_tasks(), 0u);
        EXPECT_TRUE(co_await ended_shut_down(g));
        co_await j;
    });
}

TYPED_TEST(QueueKinds, ShutdownMakesAPutterAlreadyGivenASlotThrowQueueShutDown) {
    run([]() -> aio::Coro<void> {
        TypeParam q(1);
        q.put_nowait("x");
        auto p = aio::create_task(put_into(q, "y"));
        co_await tick();
        (void)q.get_nowait();  // gives p the slot; p has not run yet
        q.task_done();
        q.shutdown(false);
        EXPECT_TRUE(co_await ended_shut_down(p));
        EXPECT_TRUE(q.empty());
        EXPECT_FALSE(q.full());
        EXPECT_EQ(q.unfinished_tasks(), 0u);
    });
}

TYPED_TEST(QueueKinds, ShutdownTwiceIsHarmlessAndImmediateAfterPlainStillEmptiesTheQueue) {
    TypeParam q;
    q.put_nowait("a");
    q.put_nowait("b");
    q.shutdown();
    q.shutdown();
    EXPECT_EQ(q.qsize(), 2u);
    q.shutdown(true);
    EXPECT_EQ(q.qsize(), 0u);
    EXPECT_EQ(q.unfinished_tasks(), 0u);
}
