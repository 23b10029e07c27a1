// aio::Lock — behaviour ported from CPython's test_locks.py (LockTests), plus
// aio's guard, direct handoff and cancel-safety guarantees.

#include "aio/sync/lock.hpp"

#include <string>
#include <vector>

#include "sync_test_util.hpp"

namespace {

using namespace synctest;

aio::Coro<void> take_and_record(aio::Lock& lock, std::vector<int>& out, int id) {
    auto g = co_await lock.acquire();
    out.push_back(id);
    g.release();
}

// Holds the lock forever (until the test releases it by hand), like asyncio's
// `if await lock.acquire(): result.append(n)`.
aio::Coro<void> acquire_and_keep(aio::Lock& lock, std::vector<int>& out, int id) {
    co_await lock.lock();
    out.push_back(id);
}

TEST(LockTest, AFreeLockIsTakenWithoutSuspending) {
    run([]() -> aio::Coro<void> {
        aio::Lock lock;
        bool other_ran = false;
        auto other = aio::create_task([](bool& ran) -> aio::Coro<void> {
            ran = true;
            co_return;
        }(other_ran));
        EXPECT_FALSE(lock.locked());
        {
            auto g = co_await lock.acquire();
            EXPECT_TRUE(g.owns());
            EXPECT_TRUE(lock.locked());
            EXPECT_FALSE(other_ran);  // no yield on the fast path (asyncio too)
        }
        EXPECT_FALSE(lock.locked());
        co_await other;
    });
}

TEST(LockTest, ReleasingAnUnlockedLockRaisesRuntimeError) {
    aio::Lock lock;
    EXPECT_THROW(lock.release(), aio::RuntimeError);
    EXPECT_THROW(lock.unlock(), aio::RuntimeError);
}

TEST(LockTest, TheGuardReleasesAtScopeEndOrEarlyAndMovesOwnership) {
    run([]() -> aio::Coro<void> {
        aio::Lock lock;
        {
            aio::LockGuard outer;
            EXPECT_FALSE(outer.owns());
            {
                auto g = co_await lock.acquire();
                outer = std::move(g);
                EXPECT_FALSE(g.owns());
            }
            EXPECT_TRUE(lock.locked());  // the moved-from guard released nothing
            EXPECT_TRUE(outer.owns());
        }
        EXPECT_FALSE(lock.locked());

        auto g = co_await lock.acquire();
        g.release();
        EXPECT_FALSE(lock.locked());
        EXPECT_FALSE(g.owns());
        g.release();  // a no-op on an empty guard
        EXPECT_FALSE(lock.locked());
    });
}

TEST(LockTest, LockAndUnlockAreTheGuardlessPair) {
    run([]() -> aio::Coro<void> {
        aio::Lock lock;
        co_await lock.lock();
        EXPECT_TRUE(lock.locked());
        lock.unlock();
        EXPECT_FALSE(lock.locked());
    });
}

// test_acquire
TEST(LockTest, WaitersAcquireInFifoOrder) {
    run([]() -> aio::Coro<void> {
        aio::Lock lock;
        std::vector<int> result;
        co_await lock.lock();

        auto t1 = aio::create_task(acquire_and_keep(lock, result, 1));
        auto t2 = aio::create_task(acquire_and_keep(lock, result, 2));
        co_await tick();
        EXPECT_EQ(result, std::vector<int>{});
        EXPECT_EQ(lock.n_waiting(), 2u);

        lock.release();
        co_await tick();
        EXPECT_EQ(result, (std::vector<int>{1}));
        co_await tick();
        EXPECT_EQ(result, (std::vector<int>{1}));

        auto t3 = aio::create_task(acquire_and_keep(lock, result, 3));
        lock.release();
        co_await tick();
        EXPECT_EQ(result, (std::vector<int>{1, 2}));

        lock.release();
        co_await tick();
        EXPECT_EQ(result, (std::vector<int>{1, 2, 3}));
        EXPECT_TRUE(t1.done() && t2.done() && t3.done());
        lock.release();
    });
}

TEST(LockTest, ReleaseHandsTheLockToTheFirstWaiterSoTheReleaserCannotBarge) {
    run([]() -> aio::Coro<void> {
        aio::Lock lock;
        std::vector<int> order;
        co_await lock.lock();
        auto waiter = aio::create_task(take_and_record(lock, order, 1));
        co_await tick();
        lock.release();
        EXPECT_TRUE(lock.locked());  // handed over, not unlocked
        EXPECT_EQ(lock.n_waiting(), 0u);
        {
            auto g = co_await lock.acquire();  // queues behind the waiter
            order.push_back(0);
        }
        EXPECT_EQ(order, (std::vector<int>{1, 0}));
        co_await waiter;
        EXPECT_FALSE(lock.locked());
    });
}

TEST(LockTest, ContendedTasksTakeTurnsInStrictRoundRobin) {
    run([]() -> aio::Coro<void> {
        aio::Lock lock;
        std::vector<int> order;
        std::vector<aio::Task<void>> tasks;
        for (int id = 0; id < 5; ++id) {
            tasks.push_back(aio::create_task(
                [](aio::Lock& l, std::vector<int>& out, int me) -> aio::Coro<void> {
                    for (int round = 0; round < 3; ++round) {
                        auto g = co_await l.acquire();
                        out.push_back(me);
                        co_await tick();  // hold it across a suspension
                    }
                }(lock, order, id)));
        }
        co_await aio::gather(std::move(tasks));
        std::vector<int> expected;
        for (int round = 0; round < 3; ++round)
            for (int id = 0; id < 5; ++id) expected.push_back(id);
        EXPECT_EQ(order, expected);
        EXPECT_FALSE(lock.locked());
    });
}

TEST(LockTest, CancelledWaiterLosesNothing) {
    run([]() -> aio::Coro<void> {
        aio::Lock lock;
        std::vector<int> got;
        co_await lock.lock();

        // Cancelled while queued: it leaves the queue and never holds the lock.
        auto a = aio::create_task(acquire_and_keep(lock, got, 1));
        auto b = aio::create_task(acquire_and_keep(lock, got, 2));
        auto c = aio::create_task(acquire_and_keep(lock, got, 3));
        co_await tick();
        EXPECT_EQ(lock.n_waiting(), 3u);
        a.cancel();
        EXPECT_EQ(lock.n_waiting(), 2u);
        EXPECT_TRUE(co_await ended_cancelled(a));

        // Handed the lock, then cancelled before it ran: it passes the lock on.
        lock.release();  // to b
        EXPECT_TRUE(lock.locked());
        b.cancel();
        EXPECT_TRUE(co_await ended_cancelled(b));
        co_await c;  // c got it: b did not block it
        EXPECT_EQ(got, (std::vector<int>{3}));
        EXPECT_TRUE(lock.locked());
        lock.release();
        EXPECT_FALSE(lock.locked());

        // Handed the lock as the last waiter, then cancelled: the lock is free.
        co_await lock.lock();
        auto d = aio::create_task(acquire_and_keep(lock, got, 4));
        co_await tick();
        lock.release();
        d.cancel();
        EXPECT_TRUE(co_await ended_cancelled(d));
        EXPECT_FALSE(lock.locked());
        EXPECT_EQ(got, (std::vector<int>{3}));
    });
}

// test_acquire_cancel
TEST(LockTest, AWaiterCancelledBeforeItRunsLeavesNoTrace) {
    run([]() -> aio::Coro<void> {
        aio::Lock lock;
        co_await lock.lock();
        auto task =
            aio::create_task([](aio::Lock& l) -> aio::Coro<void> { co_await l.lock(); }(lock));
        aio::get_running_loop().call_soon([task]() mutable { task.cancel(); });
        EXPECT_TRUE(co_await ended_cancelled(task));
        EXPECT_EQ(lock.n_waiting(), 0u);
        lock.release();
    });
}

aio::Coro<void> lockit(aio::Lock& lock, aio::Future<void>* blocker) {
    co_await lock.lock();
    try {
        if (blocker) co_await *blocker;
    } catch (...) {
        lock.release();
        throw;
    }
    lock.release();
}

// test_cancel_race: B is cancelled in the same iteration as A releases; the
// lock must go to C.
TEST(LockTest, ACancelledWaiterRacingWithReleaseIsSkipped) {
    run([]() -> aio::Coro<void> {
        aio::Lock lock;
        auto fa = aio::get_running_loop().create_future<void>();
        auto ta = aio::create_task(lockit(lock, &fa));
        co_await tick();
        EXPECT_TRUE(lock.locked());
        auto tb = aio::create_task(lockit(lock, nullptr));
        co_await tick();
        EXPECT_EQ(lock.n_waiting(), 1u);
        auto tc = aio::create_task(lockit(lock, nullptr));
        co_await tick();
        EXPECT_EQ(lock.n_waiting(), 2u);

        fa.set_result();
        tb.cancel();
        co_await tick();
        EXPECT_TRUE(ta.done());
        EXPECT_TRUE(tb.cancelled());
        // Direct handoff: A's release gave the lock to C (asyncio unlocks and
        // lets C take it when it runs).
        co_await tc;
        EXPECT_FALSE(lock.locked());
    });
}

// test_cancel_release_race (bpo-32734): cancel the first waiter and release
// in one callback; exactly one task gets the lock.
TEST(LockTest, CancelAndReleaseInOneCallbackGrantOnlyOneWaiter) {
    run([]() -> aio::Coro<void> {
        aio::Lock lock;
        int lock_count = 0;
        int call_count = 0;
        auto lockit2 = [](aio::Lock& l, int& locks, int& calls) -> aio::Coro<void> {
            ++calls;
            co_await l.lock();
            ++locks;
        };
        co_await lock.lock();
        auto t1 = aio::create_task(lockit2(lock, lock_count, call_count));
        auto t2 = aio::create_task(lockit2(lock, lock_count, call_count));
        auto t3 = aio::create_task(lockit2(lock, lock_count, call_count));
        co_await tick();
        aio::get_running_loop().call_soon([&lock, t1]() mutable {
            t1.cancel();
            lock.release();
        });
        EXPECT_TRUE(co_await ended_cancelled(t1));
        EXPECT_EQ(lock_count, 1);
        EXPECT_EQ(call_count, 3);
        EXPECT_TRUE(t2.done());
        t3.cancel();
        co_await tick();
        EXPECT_TRUE(t3.cancelled());
    });
}

// test_finished_waiter_cancelled
TEST(LockTest, CancellingTheOnlyWaiterThenReleasingLetsANewcomerIn) {
    run([]() -> aio::Coro<void> {
        aio::Lock lock;
        co_await lock.lock();
        auto tb =
            aio::create_task([](aio::Lock& l) -> aio::Coro<void> { co_await l.lock(); }(lock));
        co_await tick();
        EXPECT_EQ(lock.n_waiting(), 1u);
        auto tc =
            aio::create_task([](aio::Lock& l) -> aio::Coro<void> { co_await l.lock(); }(lock));
        tb.cancel();
        lock.release();
        co_await tick();
        EXPECT_TRUE(lock.locked());
        EXPECT_TRUE(tb.cancelled());
        co_await tc;
        lock.release();
    });
}

TEST(LockTest, ATimedOutAcquireNeverHoldsTheLock) {
    run([]() -> aio::Coro<void> {
        aio::Lock lock;
        co_await lock.lock();
        bool timed_out = false;
        try {
            auto g = co_await aio::timeout(50ms, lock.acquire());
        } catch (const aio::TimeoutError&) {
            timed_out = true;
        }
        EXPECT_TRUE(timed_out);
        EXPECT_EQ(lock.n_waiting(), 0u);
        lock.release();
        EXPECT_FALSE(lock.locked());
        auto g = co_await aio::timeout(50ms, lock.acquire());  // free now: no timeout
        EXPECT_TRUE(g.owns());
    });
}

TEST(LockTest, AGuardThatFindsTheLockReleasedReportsToTheExceptionHandler) {
    std::vector<std::string> reports;
    aio::RunOptions opts;
    opts.exception_handler = [&](aio::EventLoop&, const aio::ExceptionContext& ctx) {
        reports.push_back(ctx.message + " / " + aio::describe_exception(ctx.exception));
    };
    aio::testing::run_virtual(
        []() -> aio::Coro<void> {
            aio::Lock lock;
            auto g = co_await lock.acquire();
            lock.release();  // by hand, behind the guard's back
        }(),
        opts);
    ASSERT_EQ(reports.size(), 1u);
    EXPECT_NE(reports[0].find("Lock is not acquired."), std::string::npos) << reports[0];
}

TEST(LockTest, AWaitingTaskSaysWhatItAwaits) {
    run([]() -> aio::Coro<void> {
        aio::Lock lock;
        co_await lock.lock();
        auto t = aio::create_task([](aio::Lock& l) -> aio::Coro<void> { co_await l.lock(); }(lock));
        co_await tick();
        EXPECT_NE(t.awaiting().find("Lock.acquire"), std::string::npos) << t.awaiting();
        lock.release();
        co_await t;
        lock.release();
    });
}

}  // namespace
