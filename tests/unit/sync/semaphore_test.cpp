// aio::Semaphore and aio::BoundedSemaphore — behaviour ported from CPython's
// test_locks.py (SemaphoreTests), plus guards and cancel safety.

#include "aio/sync/semaphore.hpp"

#include <stdexcept>
#include <string>
#include <vector>

#include "sync_test_util.hpp"

namespace {

using namespace synctest;

// asyncio's `await sem.acquire(); result.append(n)`: keeps the permit.
aio::Coro<void> acquire_keep(aio::Semaphore& sem, std::vector<int>& out, int id) {
    auto permit = co_await sem.acquire();
    out.push_back(id);
    permit.detach();  // keep it: the test gives it back by hand, as in asyncio
}

TEST(SemaphoreTest, AZeroSemaphoreIsLockedAndANegativeOneIsAValueError) {
    aio::Semaphore zero(0);
    EXPECT_TRUE(zero.locked());
    EXPECT_EQ(zero.value(), 0);
    EXPECT_THROW(aio::Semaphore(-1), aio::ValueError);
    EXPECT_THROW(aio::BoundedSemaphore(-1), aio::ValueError);
    aio::Semaphore one;
    EXPECT_FALSE(one.locked());
    EXPECT_EQ(one.value(), 1);
}

TEST(SemaphoreTest, ThePermitGuardGivesThePermitBack) {
    run([]() -> aio::Coro<void> {
        aio::Semaphore sem(2);
        {
            auto p1 = co_await sem.acquire();
            EXPECT_EQ(sem.value(), 1);
            auto p2 = co_await sem.acquire();
            EXPECT_EQ(sem.value(), 0);
            EXPECT_TRUE(sem.locked());
            p1.release();
            EXPECT_EQ(sem.value(), 1);
        }
        EXPECT_EQ(sem.value(), 2);
        EXPECT_FALSE(sem.locked());
    });
}

// test_acquire
TEST(SemaphoreTest, WaitersAreHandedPermitsAsTheyAreReleased) {
    run([]() -> aio::Coro<void> {
        aio::Semaphore sem(3);
        std::vector<int> result;
        auto p1 = co_await sem.acquire();
        auto p2 = co_await sem.acquire();
        EXPECT_FALSE(sem.locked());

        auto t1 = aio::create_task(acquire_keep(sem, result, 1));
        auto t2 = aio::create_task(acquire_keep(sem, result, 2));
        auto t3 = aio::create_task(acquire_keep(sem, result, 3));
        co_await tick();
        EXPECT_EQ(result, (std::vector<int>{1}));
        EXPECT_TRUE(sem.locked());
        EXPECT_EQ(sem.n_waiting(), 2u);
        EXPECT_EQ(sem.value(), 0);

        auto t4 = aio::create_task(acquire_keep(sem, result, 4));
        sem.release();
        sem.release();
        EXPECT_EQ(sem.value(), 0);  // handed to t2 and t3 directly

        co_await tick();
        EXPECT_EQ(sem.value(), 0);
        EXPECT_EQ(result, (std::vector<int>{1, 2, 3}));
        EXPECT_TRUE(sem.locked());
        EXPECT_EQ(sem.n_waiting(), 1u);
        EXPECT_TRUE(t1.done() && t2.done() && t3.done());
        EXPECT_FALSE(t4.done());

        sem.release();
        co_await t4;
        EXPECT_EQ(result, (std::vector<int>{1, 2, 3, 4}));
        // p1, p2 give their permits back here: value 2.
    });
}

TEST(SemaphoreTest, CancelledWaiterLosesNothing) {
    run([]() -> aio::Coro<void> {
        aio::Semaphore sem(0);
        std::vector<int> got;
        auto a = aio::create_task(acquire_keep(sem, got, 1));
        auto b = aio::create_task(acquire_keep(sem, got, 2));
        auto c = aio::create_task(acquire_keep(sem, got, 3));
        co_await tick();

        // Cancelled while queued: leaves the queue, takes nothing.
        a.cancel();
        EXPECT_EQ(sem.n_waiting(), 2u);
        EXPECT_TRUE(co_await ended_cancelled(a));
        EXPECT_EQ(sem.value(), 0);

        // Handed a permit, then cancelled before it ran: gives it back, to c.
        sem.release();
        EXPECT_EQ(sem.value(), 0);
        b.cancel();
        EXPECT_TRUE(co_await ended_cancelled(b));
        co_await c;
        EXPECT_EQ(got, (std::vector<int>{3}));
        EXPECT_EQ(sem.value(), 0);

        // Handed the last permit and cancelled with nobody behind: back to value.
        auto d = aio::create_task(acquire_keep(sem, got, 4));
        co_await tick();
        sem.release();
        d.cancel();
        EXPECT_TRUE(co_await ended_cancelled(d));
        EXPECT_EQ(sem.value(), 1);
        EXPECT_FALSE(sem.locked());
        EXPECT_EQ(got, (std::vector<int>{3}));
    });
}

// test_acquire_cancel
TEST(SemaphoreTest, AnAcquireCancelledBeforeItRunsLeavesNoWaiter) {
    run([]() -> aio::Coro<void> {
        aio::Semaphore sem;
        auto p = co_await sem.acquire();
        auto acquire = aio::create_task(
            [](aio::Semaphore& s) -> aio::Coro<void> { auto q = co_await s.acquire(); }(sem));
        aio::get_running_loop().call_soon([acquire]() mutable { acquire.cancel(); });
        EXPECT_TRUE(co_await ended_cancelled(acquire));
        EXPECT_EQ(sem.n_waiting(), 0u);
    });
}

// test_acquire_cancel_before_awoken
TEST(SemaphoreTest, CancelledWaitersAreSkippedByRelease) {
    run([]() -> aio::Coro<void> {
        aio::Semaphore sem(0);
        std::vector<int> got;
        auto t1 = aio::create_task(acquire_keep(sem, got, 1));
        auto t2 = aio::create_task(acquire_keep(sem, got, 2));
        auto t3 = aio::create_task(acquire_keep(sem, got, 3));
        auto t4 = aio::create_task(acquire_keep(sem, got, 4));
        co_await tick();
        t1.cancel();
        t2.cancel();
        sem.release();
        co_await tick();
        co_await tick();
        EXPECT_TRUE(t3.done());
        EXPECT_FALSE(t4.done());
        t4.cancel();
        co_await tick();
        EXPECT_TRUE(t1.cancelled() && t2.cancelled() && t4.cancelled());
        EXPECT_EQ(got, (std::vector<int>{3}));
    });
}

// test_acquire_hang
TEST(SemaphoreTest, ReleaseAfterACancelStillWakesTheNextWaiter) {
    run([]() -> aio::Coro<void> {
        aio::Semaphore sem(0);
        std::vector<int> got;
        auto t1 = aio::create_task(acquire_keep(sem, got, 1));
        auto t2 = aio::create_task(acquire_keep(sem, got, 2));
        co_await tick();
        t1.cancel();
        sem.release();
        co_await tick();
        co_await tick();
        EXPECT_TRUE(sem.locked());
        EXPECT_TRUE(t2.done());
    });
}

// test_acquire_no_hang: the waiter is handed the permit, then cancelled.
TEST(SemaphoreTest, AWaiterCancelledRightAfterTheHandoffGivesThePermitBack) {
    run([]() -> aio::Coro<void> {
        aio::Semaphore sem(1);
        aio::Task<void> t2;
        auto t1 =
            aio::create_task([](aio::Semaphore& s, aio::Task<void>& other) -> aio::Coro<void> {
                {
                    auto p = co_await s.acquire();
                    co_await tick();
                }
                other.cancel();
            }(sem, t2));
        bool t2_entered = false;
        t2 = aio::create_task([](aio::Semaphore& s, bool& entered) -> aio::Coro<void> {
            auto p = co_await s.acquire();
            entered = true;
        }(sem, t2_entered));
        auto results = co_await aio::gather_settled(t1, t2);
        EXPECT_TRUE(std::get<0>(results).has_value());
        EXPECT_TRUE(std::get<1>(results).cancelled());
        EXPECT_FALSE(t2_entered);
        EXPECT_EQ(sem.value(), 1);
        auto p = co_await aio::timeout(1s, sem.acquire());
        EXPECT_TRUE(p.owns());
    });
}

// test_release_not_acquired, and BoundedSemaphore's over-release.
TEST(SemaphoreTest, ABoundedSemaphoreRefusesToBeReleasedAboveItsInitialValue) {
    run([]() -> aio::Coro<void> {
        aio::BoundedSemaphore fresh;
        EXPECT_THROW(fresh.release(), aio::ValueError);
        EXPECT_EQ(fresh.value(), 1);

        aio::BoundedSemaphore sem(2);
        {
            auto p = co_await sem.acquire();
            EXPECT_EQ(sem.value(), 1);
        }
        EXPECT_EQ(sem.value(), 2);
        try {
            sem.release();
            ADD_FAILURE() << "no ValueError";
        } catch (const aio::ValueError& e) {
            EXPECT_STREQ(e.what(), "BoundedSemaphore released too many times");
        }
        EXPECT_EQ(sem.value(), 2);

        // A plain Semaphore may go above its initial value (asyncio semantics).
        aio::Semaphore plain(1);
        plain.release();
        EXPECT_EQ(plain.value(), 2);
    });
}

TEST(SemaphoreTest, ABoundedPermitReleasedTwiceIsReportedNotLost) {
    std::vector<std::string> reports;
    aio::RunOptions opts;
    opts.exception_handler = [&](aio::EventLoop&, const aio::ExceptionContext& ctx) {
        reports.push_back(aio::describe_exception(ctx.exception));
    };
    aio::testing::run_virtual(
        []() -> aio::Coro<void> {
            aio::BoundedSemaphore sem(1);
            auto p = co_await sem.acquire();
            sem.release();  // by hand; then the guard releases again
        }(),
        opts);
    ASSERT_EQ(reports.size(), 1u);
    EXPECT_NE(reports[0].find("released too many times"), std::string::npos) << reports[0];
}

// test_release_no_waiters
TEST(SemaphoreTest, ReleaseWithNoWaitersUnlocks) {
    run([]() -> aio::Coro<void> {
        aio::Semaphore sem;
        auto p = co_await sem.acquire();
        EXPECT_TRUE(sem.locked());
        p.release();
        EXPECT_FALSE(sem.locked());
    });
}

// test_acquire_fifo_order
TEST(SemaphoreTest, TasksReacquiringTakeTurnsInFifoOrder) {
    run([]() -> aio::Coro<void> {
        aio::Semaphore sem(1);
        std::vector<std::string> result;
        auto coro = [](aio::Semaphore& s, std::vector<std::string>& out,
                       std::string tag) -> aio::Coro<void> {
            {
                auto p = co_await s.acquire();
                out.push_back(tag + "_1");
                co_await aio::sleep(10ms);
            }
            {
                auto p = co_await s.acquire();
                out.push_back(tag + "_2");
                co_await aio::sleep(10ms);
            }
        };
        co_await aio::gather(coro(sem, result, "c1"), coro(sem, result, "c2"),
                             coro(sem, result, "c3"));
        EXPECT_EQ(result,
                  (std::vector<std::string>{"c1_1", "c2_1", "c3_1", "c1_2", "c2_2", "c3_2"}));
    });
}

// test_acquire_fifo_order_2: a task that releases and re-acquires queues behind
// a waiter that was handed a permit but has not run yet.
TEST(SemaphoreTest, AFreePermitIsNotTakenAheadOfAWaiterThatHasNotRunYet) {
    run([]() -> aio::Coro<void> {
        aio::Semaphore sem(1);
        std::vector<int> result;
        auto t1 = aio::create_task(acquire_keep(sem, result, 1));
        auto t2 = aio::create_task([](aio::Semaphore& s, std::vector<int>& out) -> aio::Coro<void> {
            auto p = co_await s.acquire();
            out.push_back(2);
            p.release();
            auto q = co_await s.acquire();
            out.push_back(4);
            q.detach();  // keep it
        }(sem, result));
        auto t3 = aio::create_task(acquire_keep(sem, result, 3));
        co_await tick();
        sem.release();
        sem.release();
        co_await aio::gather(t1, t2, t3);
        EXPECT_EQ(result, (std::vector<int>{1, 2, 3, 4}));
    });
}

// test_acquire_fifo_order_3
TEST(SemaphoreTest, ACancelledFirstWaiterDoesNotDisturbTheOrder) {
    run([]() -> aio::Coro<void> {
        aio::Semaphore sem(0);
        std::vector<int> result;
        auto t1 = aio::create_task(acquire_keep(sem, result, 1));
        auto t2 = aio::create_task(acquire_keep(sem, result, 2));
        auto t3 = aio::create_task(acquire_keep(sem, result, 3));
        co_await tick();
        t1.cancel();
        co_await tick();
        sem.release();
        sem.release();
        co_await aio::gather_settled(t1, t2, t3);
        EXPECT_EQ(result, (std::vector<int>{2, 3}));
    });
}

TEST(SemaphoreTest, ConcurrencyNeverExceedsTheSemaphoreValue) {
    run([]() -> aio::Coro<void> {
        aio::Semaphore sem(3);
        int inside = 0;
        int peak = 0;
        std::vector<aio::Task<void>> tasks;
        for (int i = 0; i < 20; ++i) {
            tasks.push_back(
                aio::create_task([](aio::Semaphore& s, int& in, int& pk, int n) -> aio::Coro<void> {
                    auto p = co_await s.acquire();
                    pk = std::max(pk, ++in);
                    co_await aio::sleep(std::chrono::milliseconds(1 + n % 4));
                    --in;
                }(sem, inside, peak, i)));
        }
        co_await aio::gather(std::move(tasks));
        EXPECT_EQ(peak, 3);
        EXPECT_EQ(sem.value(), 3);
    });
}

}  // namespace
