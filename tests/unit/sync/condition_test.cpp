// aio::Condition — behaviour ported from CPython's test_locks.py
// (ConditionTests), plus its cancel-safety guarantees.

#include "aio/sync/condition.hpp"

#include <vector>

#include "sync_test_util.hpp"

namespace {

using namespace synctest;

// asyncio's c1/c2/c3: acquire, wait, record; keeps the lock.
aio::Coro<bool> wait_keep(aio::Condition& cond, std::vector<int>& out, int id) {
    co_await cond.get_lock().lock();
    co_await cond.wait();
    out.push_back(id);
    co_return true;
}

// The same, releasing the lock at the end.
aio::Coro<bool> wait_release(aio::Condition& cond, std::vector<int>& out, int id) {
    auto g = co_await cond.acquire();
    co_await cond.wait();
    out.push_back(id);
    co_return true;
}

// test_wait
TEST(ConditionTest, NotifiedWaitersReturnHoldingTheLockInNotifyOrder) {
    run([]() -> aio::Coro<void> {
        aio::Condition cond;
        std::vector<int> result;
        auto t1 = aio::create_task(wait_keep(cond, result, 1));
        auto t2 = aio::create_task(wait_keep(cond, result, 2));
        auto t3 = aio::create_task(wait_keep(cond, result, 3));
        co_await tick();
        EXPECT_EQ(result, std::vector<int>{});
        EXPECT_FALSE(cond.locked());
        EXPECT_EQ(cond.n_waiting(), 3u);

        co_await cond.get_lock().lock();
        cond.notify();
        co_await tick();
        EXPECT_EQ(result, std::vector<int>{});  // t1 needs the lock first
        EXPECT_TRUE(cond.locked());

        cond.release();
        co_await tick();
        EXPECT_EQ(result, (std::vector<int>{1}));
        EXPECT_TRUE(cond.locked());  // t1 kept it

        cond.notify(2);
        co_await tick();
        EXPECT_EQ(result, (std::vector<int>{1}));
        EXPECT_TRUE(cond.locked());

        cond.release();
        co_await tick();
        EXPECT_EQ(result, (std::vector<int>{1, 2}));
        EXPECT_TRUE(cond.locked());

        cond.release();
        co_await tick();
        EXPECT_EQ(result, (std::vector<int>{1, 2, 3}));
        EXPECT_TRUE(cond.locked());
        EXPECT_TRUE(co_await t1);
        EXPECT_TRUE(co_await t2);
        EXPECT_TRUE(co_await t3);
        cond.release();
    });
}

// test_wait_cancel
TEST(ConditionTest, ACancelledWaitReturnsTheLockToItsCaller) {
    run([]() -> aio::Coro<void> {
        aio::Condition cond;
        co_await cond.get_lock().lock();
        // The waiting task runs in our lock's name, as in the asyncio test.
        auto wait =
            aio::create_task([](aio::Condition& c) -> aio::Coro<void> { co_await c.wait(); }(cond));
        aio::get_running_loop().call_soon([wait]() mutable { wait.cancel(); });
        EXPECT_TRUE(co_await ended_cancelled(wait));
        EXPECT_EQ(cond.n_waiting(), 0u);
        EXPECT_TRUE(cond.locked());
        cond.release();
    });
}

TEST(ConditionTest, CancelledWaiterLosesNothing) {
    run([]() -> aio::Coro<void> {
        aio::Condition cond;
        std::vector<std::string> log;
        auto waiter = aio::create_task(
            [](aio::Condition& c, std::vector<std::string>& out) -> aio::Coro<void> {
                auto g = co_await c.acquire();
                try {
                    co_await c.wait();
                } catch (const aio::CancelledError&) {
                    out.push_back(c.locked() ? "cancelled, lock held" : "cancelled, lock NOT held");
                    throw;  // the guard releases the lock while unwinding
                }
            }(cond, log));
        co_await tick();
        EXPECT_FALSE(cond.locked());

        // Another task holds the lock when the cancellation arrives: the waiter
        // must first re-acquire it, so it stays suspended...
        auto g = co_await cond.acquire();
        waiter.cancel();
        co_await tick();
        co_await tick();
        EXPECT_FALSE(waiter.done());
        EXPECT_EQ(log, std::vector<std::string>{});
        // ...and a second cancel during the re-acquisition changes nothing.
        waiter.cancel();
        co_await tick();
        EXPECT_FALSE(waiter.done());
        EXPECT_NE(waiter.awaiting().find("re-acquiring"), std::string::npos) << waiter.awaiting();

        g.release();  // the lock goes to the waiter; then CancelledError
        EXPECT_TRUE(co_await ended_cancelled(waiter));
        EXPECT_EQ(log, std::vector<std::string>{"cancelled, lock held"});
        EXPECT_FALSE(cond.locked());  // released by the waiter's guard
        EXPECT_EQ(cond.n_waiting(), 0u);
    });
}

TEST(ConditionTest, ANotifiedWaiterCancelledBeforeItRunsPassesTheNotificationOn) {
    run([]() -> aio::Coro<void> {
        aio::Condition cond;
        std::vector<int> result;
        auto a = aio::create_task(wait_release(cond, result, 1));
        auto b = aio::create_task(wait_release(cond, result, 2));
        co_await tick();
        {
            auto g = co_await cond.acquire();
            cond.notify(1);  // to a
            a.cancel();      // a is queued for the lock: it gets it, then raises
        }
        EXPECT_TRUE(co_await ended_cancelled(a));
        // a's notification went to b, which would otherwise wait forever.
        EXPECT_TRUE(co_await b);
        EXPECT_EQ(result, (std::vector<int>{2}));
        EXPECT_FALSE(cond.locked());

        // The same when the cancel comes after a was handed the lock.
        auto c = aio::create_task(wait_release(cond, result, 3));
        auto d = aio::create_task(wait_release(cond, result, 4));
        co_await tick();
        {
            auto g = co_await cond.acquire();
            cond.notify(1);
        }  // the lock goes to c
        c.cancel();
        EXPECT_TRUE(co_await ended_cancelled(c));
        EXPECT_TRUE(co_await d);
        EXPECT_EQ(result, (std::vector<int>{2, 4}));
    });
}

// test_wait_cancel_contested
TEST(ConditionTest, ACancelRacingWithTheLockHandoffStillLeavesTheLockHeld) {
    run([]() -> aio::Coro<void> {
        aio::Condition cond;
        co_await cond.get_lock().lock();
        auto wait_task =
            aio::create_task([](aio::Condition& c) -> aio::Coro<void> { co_await c.wait(); }(cond));
        co_await tick();
        EXPECT_FALSE(cond.locked());

        co_await cond.get_lock().lock();
        cond.notify();
        aio::get_running_loop().call_soon([wait_task]() mutable { wait_task.cancel(); });
        aio::get_running_loop().call_soon([&cond] { cond.release(); });
        try {
            co_await wait_task;
        } catch (const aio::CancelledError&) {
        }
        EXPECT_TRUE(cond.locked());
        cond.release();
    });
}

// test_wait_cancel_after_notify (bpo-32841)
TEST(ConditionTest, ACancelAfterNotifyEndsTheWaiterCancelled) {
    run([]() -> aio::Coro<void> {
        aio::Condition cond;
        bool waited = false;
        auto waiter = aio::create_task([](aio::Condition& c, bool& w) -> aio::Coro<void> {
            auto g = co_await c.acquire();
            w = true;
            co_await c.wait();
        }(cond, waited));
        co_await tick();
        co_await cond.get_lock().lock();
        cond.notify();
        co_await tick();
        waiter.cancel();
        co_await tick();
        cond.release();
        co_await tick();
        EXPECT_TRUE(waiter.cancelled());
        EXPECT_TRUE(waited);
        EXPECT_FALSE(cond.locked());
    });
}

// test_wait_unacquired, test_notify_unacquired, test_notify_all_unacquired
TEST(ConditionTest, WaitAndNotifyWithoutTheLockRaiseRuntimeError) {
    run([]() -> aio::Coro<void> {
        aio::Condition cond;
        bool raised = false;
        try {
            co_await cond.wait();
        } catch (const aio::RuntimeError&) {
            raised = true;
        }
        EXPECT_TRUE(raised);
        EXPECT_FALSE(cond.locked());
        EXPECT_THROW(cond.notify(), aio::RuntimeError);
        EXPECT_THROW(cond.notify_all(), aio::RuntimeError);
    });
}

// test_wait_for
TEST(ConditionTest, WaitForReturnsOnceThePredicateHolds) {
    run([]() -> aio::Coro<void> {
        aio::Condition cond;
        bool presult = false;
        std::vector<int> result;
        auto t = aio::create_task(
            [](aio::Condition& c, bool& p, std::vector<int>& out) -> aio::Coro<bool> {
                co_await c.get_lock().lock();
                if (co_await c.wait_for([&] { return p; })) {
                    out.push_back(1);
                    c.release();
                }
                co_return true;
            }(cond, presult, result));
        co_await tick();
        EXPECT_EQ(result, std::vector<int>{});

        co_await cond.get_lock().lock();
        cond.notify();
        cond.release();
        co_await tick();
        EXPECT_EQ(result, std::vector<int>{});

        presult = true;
        co_await cond.get_lock().lock();
        cond.notify();
        cond.release();
        co_await tick();
        EXPECT_EQ(result, (std::vector<int>{1}));
        EXPECT_TRUE(t.done());
        EXPECT_TRUE(co_await t);
    });
}

// test_wait_for_unacquired
TEST(ConditionTest, WaitForWithATruePredicateNeedsNoLock) {
    run([]() -> aio::Coro<void> {
        aio::Condition cond;
        auto res = co_await cond.wait_for([] { return std::vector<int>{1, 2, 3}.size(); });
        EXPECT_EQ(res, 3u);
        bool raised = false;
        try {
            co_await cond.wait_for([] { return false; });
        } catch (const aio::RuntimeError&) {
            raised = true;
        }
        EXPECT_TRUE(raised);
    });
}

// test_notify
TEST(ConditionTest, NotifyWakesAtMostNWaitersInOrder) {
    run([]() -> aio::Coro<void> {
        aio::Condition cond;
        std::vector<int> result;
        auto t1 = aio::create_task(wait_release(cond, result, 1));
        auto t2 = aio::create_task(wait_release(cond, result, 2));
        auto t3 = aio::create_task(wait_release(cond, result, 3));
        co_await tick();
        EXPECT_EQ(result, std::vector<int>{});

        co_await cond.get_lock().lock();
        cond.notify(1);
        cond.release();
        co_await tick();
        EXPECT_EQ(result, (std::vector<int>{1}));

        co_await cond.get_lock().lock();
        cond.notify(1);
        cond.notify(2048);
        cond.release();
        co_await tick();
        // The notified tasks take the lock in turn, each handed it by the one
        // before (asyncio wakes them all and lets them contend; with holders
        // that do not suspend, all finish in one iteration there).
        EXPECT_EQ(result, (std::vector<int>{1, 2}));
        EXPECT_TRUE(co_await t1 && co_await t2 && co_await t3);
        EXPECT_EQ(result, (std::vector<int>{1, 2, 3}));
    });
}

// test_notify_all
TEST(ConditionTest, NotifyAllWakesEveryWaiter) {
    run([]() -> aio::Coro<void> {
        aio::Condition cond;
        std::vector<int> result;
        auto t1 = aio::create_task(wait_release(cond, result, 1));
        auto t2 = aio::create_task(wait_release(cond, result, 2));
        co_await tick();
        {
            auto g = co_await cond.acquire();
            cond.notify_all();
            EXPECT_EQ(cond.n_waiting(), 0u);
        }
        co_await tick();
        EXPECT_EQ(result, (std::vector<int>{1}));  // t2 is handed the lock by t1
        EXPECT_TRUE(co_await t1 && co_await t2);
        EXPECT_EQ(result, (std::vector<int>{1, 2}));
    });
}

// test_explicit_lock, test_context_manager
TEST(ConditionTest, AConditionCanShareAnExplicitLock) {
    run([]() -> aio::Coro<void> {
        aio::Lock lock;
        aio::Condition cond(lock);
        EXPECT_EQ(&cond.get_lock(), &lock);
        EXPECT_FALSE(lock.locked());
        {
            auto g = co_await cond.acquire();
            EXPECT_TRUE(lock.locked());
            EXPECT_TRUE(cond.locked());
        }
        EXPECT_FALSE(cond.locked());
        {
            auto g = co_await lock.acquire();
            EXPECT_TRUE(cond.locked());
        }
        EXPECT_FALSE(lock.locked());
        EXPECT_FALSE(cond.locked());

        // Two conditions on one lock (a bounded buffer's not_empty/not_full).
        aio::Condition other(lock);
        std::vector<int> result;
        auto t = aio::create_task(wait_release(other, result, 7));
        co_await tick();
        {
            auto g = co_await lock.acquire();
            cond.notify_all();  // nobody waits on cond
            other.notify();
        }
        co_await t;
        EXPECT_EQ(result, (std::vector<int>{7}));
    });
}

// test_timeout_in_block
TEST(ConditionTest, ATimedOutWaitReturnsHoldingTheLock) {
    run([]() -> aio::Coro<void> {
        aio::Condition cond;
        auto g = co_await cond.acquire();
        bool timed_out = false;
        try {
            co_await aio::timeout(500ms, cond.wait());
        } catch (const aio::TimeoutError&) {
            timed_out = true;
        }
        EXPECT_TRUE(timed_out);
        EXPECT_TRUE(cond.locked());
        EXPECT_EQ(cond.n_waiting(), 0u);
    });
}

TEST(ConditionTest, AProducerConsumerPairDeliversEveryItem) {
    run([]() -> aio::Coro<void> {
        aio::Condition cond;
        std::vector<int> queue;
        std::vector<int> got;
        auto consumer = aio::create_task(
            [](aio::Condition& c, std::vector<int>& q, std::vector<int>& out) -> aio::Coro<void> {
                for (;;) {
                    auto g = co_await c.acquire();
                    co_await c.wait_for([&] { return !q.empty(); });
                    int v = q.front();
                    q.erase(q.begin());
                    if (v < 0) co_return;
                    out.push_back(v);
                }
            }(cond, queue, got));
        for (int i = 0; i <= 20; ++i) {
            auto g = co_await cond.acquire();
            queue.push_back(i == 20 ? -1 : i);
            cond.notify();
            g.release();
            if (i % 3 == 0) co_await tick();
        }
        co_await consumer;
        EXPECT_EQ(got.size(), 20u);
        for (std::size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i], static_cast<int>(i));
    });
}

}  // namespace
