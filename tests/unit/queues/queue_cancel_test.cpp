// Cancel safety of aio::Queue (DESIGN.md: "a cancelled waiter loses no item,
// permit, wake-up or byte"): CPython 3.13's cancellation tests
// (test_get_cancel_drop_*, test_put_cancel_drop, test_put_cancelled_race,
// test_cancelled_puts_not_being_held_in_self_putters, ...) and the cases the
// hand-off design adds: a getter cancelled after it was handed an item, a
// putter cancelled after it was given a slot, timeouts firing at the very
// moment an item arrives, and a randomised soak that checks no item and no
// wake-up is ever lost.

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "queues_support.hpp"

using namespace std::chrono_literals;
using qtest::ended_cancelled;
using qtest::get_from;
using qtest::put_into;
using qtest::run;
using qtest::tick;

// ---- get ----------------------------------------------------------------------------

TEST(QueueCancelGet, ACancelledWaitingGetTakesNoItem) {
    run([]() -> aio::Coro<void> {
        aio::Queue<int> q;
        auto reader = aio::create_task(get_from(q));
        co_await tick();
        reader.cancel();
        EXPECT_TRUE(co_await ended_cancelled(reader));
        EXPECT_EQ(q.waiting_getters(), 0u);
        q.put_nowait(1);
        EXPECT_EQ(q.qsize(), 1u);
        EXPECT_EQ(q.get_nowait(), 1);
    });
}

// CPython's test_get_cancel_drop_one_pending_reader: "if we get 2, it means 1 got dropped!"
TEST(QueueCancelGet, AGetCancelledAfterItWasHandedAnItemPutsItBackAtTheFront) {
    run([]() -> aio::Coro<void> {
        aio::Queue<int> q;
        auto reader = aio::create_task(get_from(q));
        co_await tick();
        q.put_nowait(1);  // handed to reader, which has not run yet
        q.put_nowait(2);
        reader.cancel();
        EXPECT_TRUE(co_await ended_cancelled(reader));
        EXPECT_EQ(q.qsize(), 2u);
        EXPECT_EQ(q.unfinished_tasks(), 2u);
        auto again = aio::create_task(get_from(q));
        int v = co_await again;
        EXPECT_EQ(v, 1);
        EXPECT_EQ(q.get_nowait(), 2);
    });
}

// CPython's test_get_cancel_drop_many_pending_readers, made exact: the item of
// the cancelled reader goes on to the next waiting reader.
TEST(QueueCancelGet, AGetCancelledAfterItWasHandedAnItemPassesItToTheNextGetter) {
    run([]() -> aio::Coro<void> {
        aio::Queue<int> q;
        auto reader1 = aio::create_task(get_from(q));
        auto reader2 = aio::create_task(get_from(q));
        auto reader3 = aio::create_task(get_from(q));
        co_await tick();
        q.put_nowait(1);  // -> reader1
        q.put_nowait(2);  // -> reader2
        reader1.cancel();
        EXPECT_TRUE(co_await ended_cancelled(reader1));
        int v3 = co_await reader3;
        int v2 = co_await reader2;
        EXPECT_EQ(v3, 1);
        EXPECT_EQ(v2, 2);
        EXPECT_TRUE(q.empty());
    });
}

TEST(QueueCancelGet, ItemsGivenBackByCancelledGettersKeepTheirPutOrderEvenWhenPassedAlong) {
    run([]() -> aio::Coro<void> {
        aio::Queue<std::string> q;
        auto g1 = aio::create_task(get_from(q));
        auto g2 = aio::create_task(get_from(q));
        auto g3 = aio::create_task(get_from(q));
        co_await tick();
        q.put_nowait("a");  // -> g1
        q.put_nowait("b");  // -> g2
        q.put_nowait("c");  // no getter left: -> g3
        g1.cancel();        // gives "a" back
        g2.cancel();        // gives "b" back
        g3.cancel();        // gives "c" back
        co_await tick();    // all three run in hand-off order and give their items back
        EXPECT_TRUE(g1.cancelled() && g2.cancelled() && g3.cancelled());
        q.put_nowait("d");
        std::vector<std::string> rest;
        while (auto v = q.try_get()) rest.push_back(*v);
        EXPECT_EQ(rest, (std::vector<std::string>{"a", "b", "c", "d"}));
    });
}

TEST(QueueCancelGet, AnItemPassedOnAndGivenBackAgainReturnsBeforeYoungerItems) {
    run([]() -> aio::Coro<void> {
        aio::Queue<std::string> q;
        auto g1 = aio::create_task(get_from(q));
        auto g2 = aio::create_task(get_from(q));
        auto g3 = aio::create_task(get_from(q));
        co_await tick();
        q.put_nowait("a");  // -> g1
        q.put_nowait("b");  // -> g2
        g1.cancel();
        g2.cancel();
        co_await tick();  // g1 passes "a" to g3 (waiting); g2 finds no getter: "b" goes back
        EXPECT_EQ(q.qsize(), 1u);
        g3.cancel();      // handed "a", not run yet
        co_await tick();  // "a" goes back before "b"
        EXPECT_TRUE(co_await ended_cancelled(g3));
        q.put_nowait("c");
        std::vector<std::string> rest;
        while (auto v = q.try_get()) rest.push_back(*v);
        EXPECT_EQ(rest, (std::vector<std::string>{"a", "b", "c"}));
    });
}

TEST(QueueCancelGet, AnItemHandedToAGetterHoldsItsSlotUntilTheGetterRunsOrGivesItBack) {
    run([]() -> aio::Coro<void> {
        aio::Queue<int> q(1);
        auto g = aio::create_task(get_from(q));
        co_await tick();
        q.put_nowait(1);  // handed to g, which has not run: the item still holds the only slot
        EXPECT_TRUE(q.full());
        EXPECT_TRUE(q.empty());
        EXPECT_THROW(q.put_nowait(2), aio::QueueFull);
        int v = co_await g;  // g took it: the slot is free
        EXPECT_EQ(v, 1);
        EXPECT_FALSE(q.full());

        auto g2 = aio::create_task(get_from(q));
        co_await tick();
        q.put_nowait(5);  // handed to g2
        g2.cancel();      // before it runs
        auto p = aio::create_task(put_into(q, 6));
        co_await tick();  // g2 gives 5 back, so the queue stays full and p waits
        EXPECT_TRUE(g2.cancelled());
        EXPECT_FALSE(p.done());
        EXPECT_EQ(q.qsize(), 1u);
        EXPECT_EQ(q.get_nowait(), 5);
        co_await p;
        EXPECT_EQ(q.get_nowait(), 6);
    });
}

TEST(QueueCancelGet, ATimeoutFiringJustAfterTheItemArrivedLeavesTheItemInTheQueue) {
    run([]() -> aio::Coro<void> {
        aio::EventLoop& loop = aio::get_running_loop();
        aio::Queue<int> q;
        // The put's timer is scheduled before the timeout's, for the same instant:
        // the item is handed over first, then the timeout cancels the getter.
        (void)loop.call_later(10ms, [&q] { q.put_nowait(1); });
        EXPECT_THROW(co_await aio::timeout(10ms, q.get()), aio::TimeoutError);
        EXPECT_EQ(q.qsize(), 1u);
        EXPECT_EQ(q.get_nowait(), 1);
    });
}

TEST(QueueCancelGet, ATimeoutFiringJustBeforeTheItemArrivesLeavesTheItemInTheQueue) {
    run([]() -> aio::Coro<void> {
        aio::EventLoop& loop = aio::get_running_loop();
        aio::Queue<int> q;
        auto getter = [&]() -> aio::Coro<void> { (void)co_await aio::timeout(10ms, q.get()); };
        auto t = aio::create_task(getter());
        co_await tick();  // t waits; its timeout's timer is scheduled first
        (void)loop.call_later(10ms, [&q] { q.put_nowait(1); });
        EXPECT_THROW(co_await t, aio::TimeoutError);
        EXPECT_EQ(q.get_nowait(), 1);
    });
}

// ---- put ----------------------------------------------------------------------------

TEST(QueueCancelPut, ACancelledWaitingPutPutsNothingAndIsNoLongerAWaiter) {
    run([]() -> aio::Coro<void> {
        aio::Queue<int> q(1);
        q.put_nowait(1);
        auto put_task = aio::create_task(put_into(q, 2));
        co_await tick();
        EXPECT_EQ(q.waiting_putters(), 1u);
        put_task.cancel();
        EXPECT_TRUE(co_await ended_cancelled(put_task));
        EXPECT_EQ(q.waiting_putters(), 0u);
        EXPECT_EQ(q.get_nowait(), 1);
        EXPECT_TRUE(q.empty());
        EXPECT_EQ(q.unfinished_tasks(), 1u);
    });
}

// CPython's test_put_cancel_drop and test_cancelled_put_silence_value_error_exception.
TEST(QueueCancelPut, APutCancelledAfterItWasGivenASlotPutsNothingAndLeavesTheSlotFree) {
    run([]() -> aio::Coro<void> {
        aio::Queue<int> q(1);
        q.put_nowait(1);
        auto writer = aio::create_task(put_into(q, 2));
        co_await tick();
        EXPECT_EQ(q.get_nowait(), 1);  // gives the slot to writer
        writer.cancel();               // before it runs
        EXPECT_TRUE(co_await ended_cancelled(writer));
        EXPECT_TRUE(q.empty());
        EXPECT_FALSE(q.full());
        // try again
        auto again = aio::create_task(put_into(q, 2));
        co_await again;
        EXPECT_EQ(q.get_nowait(), 2);
        EXPECT_EQ(q.qsize(), 0u);
    });
}

TEST(QueueCancelPut, APutCancelledAfterItWasGivenASlotPassesTheSlotToTheNextPutter) {
    run([]() -> aio::Coro<void> {
        aio::Queue<std::string> q(1);
        q.put_nowait("x");
        auto p1 = aio::create_task(put_into(q, "p1"));
        auto p2 = aio::create_task(put_into(q, "p2"));
        co_await tick();
        EXPECT_EQ(q.waiting_putters(), 2u);
        EXPECT_EQ(q.get_nowait(), "x");  // slot -> p1
        p1.cancel();
        EXPECT_TRUE(co_await ended_cancelled(p1));  // slot -> p2
        co_await p2;
        EXPECT_EQ(q.get_nowait(), "p2");
        EXPECT_TRUE(q.empty());
    });
}

// CPython's test_put_cancelled_race.
TEST(QueueCancelPut, CancellingOneOfSeveralWaitingPuttersLosesNoOtherPut) {
    run([]() -> aio::Coro<void> {
        aio::Queue<std::string> q(1);
        auto put_a = aio::create_task(put_into(q, "a"));
        auto put_b = aio::create_task(put_into(q, "b"));
        auto put_c = aio::create_task(put_into(q, "X"));
        co_await tick();
        EXPECT_TRUE(put_a.done());
        EXPECT_FALSE(put_b.done());
        put_c.cancel();
        co_await tick();
        EXPECT_TRUE(put_c.done());
        EXPECT_EQ(q.get_nowait(), "a");
        co_await tick();
        EXPECT_EQ(q.get_nowait(), "b");
        co_await put_b;
        EXPECT_TRUE(q.empty());
    });
}

TEST(QueueCancelPut, APutCancelledByATimeoutDestroysItsItem) {
    using qtest::Counted;
    Counted::live = 0;
    run([]() -> aio::Coro<void> {
        aio::Queue<Counted> q(1);
        q.put_nowait(Counted(1));
        EXPECT_THROW(co_await aio::timeout(5ms, q.put(Counted(2))), aio::TimeoutError);
        EXPECT_EQ(Counted::live, 1);
        EXPECT_EQ(q.qsize(), 1u);
        EXPECT_EQ(q.waiting_putters(), 0u);
    });
    EXPECT_EQ(Counted::live, 0);
}

// ---- join ---------------------------------------------------------------------------

TEST(QueueCancelJoin, ACancelledJoinChangesNothing) {
    run([]() -> aio::Coro<void> {
        aio::Queue<int> q;
        q.put_nowait(1);
        auto j1 = aio::create_task(qtest::join_of(q));
        auto j2 = aio::create_task(qtest::join_of(q));
        co_await tick();
        j1.cancel();
        EXPECT_TRUE(co_await ended_cancelled(j1));
        EXPECT_EQ(q.unfinished_tasks(), 1u);
        (void)q.get_nowait();
        q.task_done();
        co_await j2;
    });
}

// ---- soak ---------------------------------------------------------------------------

// Producers and consumers on a small bounded queue, every put and get under a
// random timeout, with random pauses, all on a coarse virtual clock so that
// timeouts, hand-offs and granted slots keep landing on the same instant.
// Every item a put reported as put is got exactly once or is still in the
// queue at the end; the run ends, so no wake-up was lost.
TEST(QueueCancelSoak, UnderRandomTimeoutsNoItemIsLostOrDuplicatedAndNoWakeUpIsLost) {
    for (unsigned seed = 1; seed <= 20; ++seed) {
        std::mt19937 rng(seed);
        std::multiset<int> put_ok;
        std::multiset<int> got;
        run([&]() -> aio::Coro<void> {
            aio::Queue<std::unique_ptr<int>> q(3);
            auto pause = [&]() { return aio::Duration(std::chrono::milliseconds(rng() % 3)); };
            auto producer = [&](int id) -> aio::Coro<void> {
                for (int i = 0; i < 60; ++i) {
                    int value = id * 1000 + i;
                    for (;;) {
                        try {
                            co_await aio::timeout(pause() + 1ms,
                                                  q.put(std::make_unique<int>(value)));
                            put_ok.insert(value);
                            break;
                        } catch (const aio::TimeoutError&) {
                        }
                    }
                    co_await aio::sleep(pause());
                }
            };
            auto consumer = [&]() -> aio::Coro<void> {
                for (;;) {
                    try {
                        std::unique_ptr<int> v = co_await aio::timeout(pause() + 1ms, q.get());
                        got.insert(*v);
                        q.task_done();
                    } catch (const aio::TimeoutError&) {
                    } catch (const aio::QueueShutDown&) {
                        co_return;
                    }
                    co_await aio::sleep(pause());
                }
            };
            std::vector<aio::Task<void>> producers, consumers;
            for (int p = 0; p < 4; ++p) producers.push_back(aio::create_task(producer(p)));
            for (int c = 0; c < 3; ++c) consumers.push_back(aio::create_task(consumer()));
            for (auto& t : producers) co_await t;
            co_await q.join();  // every item put was got and marked done
            q.shutdown();
            for (auto& t : consumers) co_await t;
            EXPECT_TRUE(q.empty());
            EXPECT_EQ(q.waiting_getters(), 0u);
        });
        EXPECT_EQ(put_ok.size(), 240u) << "seed " << seed;
        EXPECT_EQ(got, put_ok) << "seed " << seed;
    }
}

TEST(QueueCancelSoak, CancellingRandomGettersAtRandomMomentsLosesNoItem) {
    for (unsigned seed = 1; seed <= 20; ++seed) {
        std::mt19937 rng(seed);
        std::multiset<int> got;
        int cancelled = 0;
        run([&]() -> aio::Coro<void> {
            aio::Queue<int> q;
            auto getter = [&]() -> aio::Coro<void> {
                int v = co_await q.get();
                got.insert(v);
            };
            std::vector<aio::Task<void>> getters;
            int next = 0;
            for (int round = 0; round < 50; ++round) {
                for (int i = 0, n = int(rng() % 4); i < n; ++i)
                    getters.push_back(aio::create_task(getter()));
                if (rng() % 2) co_await tick();
                for (int i = 0, n = int(rng() % 4); i < n; ++i) q.put_nowait(next++);
                for (auto& g : getters)
                    if (!g.done() && rng() % 3 == 0) g.cancel();
                if (rng() % 2) co_await tick();
            }
            for (auto& g : getters) {
                if (!g.done()) g.cancel();
                if (co_await ended_cancelled(g)) ++cancelled;
            }
            while (auto v = q.try_get()) got.insert(*v);
            std::multiset<int> all;
            for (int i = 0; i < next; ++i) all.insert(i);
            EXPECT_EQ(got, all) << "seed " << seed;
        });
        EXPECT_GT(cancelled, 0);
    }
}
