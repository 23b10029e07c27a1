// aio::Barrier — behaviour ported from CPython's test_locks.py (BarrierTests).

#include "aio/sync/barrier.hpp"

#include <algorithm>
#include <functional>
#include <numeric>
#include <vector>

#include "sync_test_util.hpp"

namespace {

using namespace synctest;

constexpr std::size_t N = 5;

template <class MakeCoro>
using made_t = typename decltype(std::declval<MakeCoro&>()())::value_type;

// asyncio's gather_tasks(n, coro): n tasks of `make()`, gathered. A coroutine
// itself, so that `make` (whose captures the tasks use) outlives the tasks.
template <class MakeCoro>
aio::Coro<std::vector<aio::detail::Stored<made_t<MakeCoro>>>> gather_tasks(std::size_t n,
                                                                           MakeCoro make) {
    std::vector<aio::Task<made_t<MakeCoro>>> tasks;
    for (std::size_t i = 0; i < n; ++i) tasks.push_back(aio::create_task(make()));
    co_return co_await aio::gather(std::move(tasks));
}

std::vector<std::size_t> iota_vec(std::size_t n) {
    std::vector<std::size_t> v(n);
    std::iota(v.begin(), v.end(), std::size_t{0});
    return v;
}

TEST(BarrierTest, ABarrierOfNoPartiesIsAValueError) {
    EXPECT_THROW(aio::Barrier(0), aio::ValueError);
    aio::Barrier b(N);
    EXPECT_EQ(b.parties(), N);
    EXPECT_EQ(b.n_waiting(), 0u);
    EXPECT_FALSE(b.broken());
}

// test_context_manager
TEST(BarrierTest, EveryPartyGetsADistinctArrivalIndex) {
    run([]() -> aio::Coro<void> {
        aio::Barrier barrier(3);
        auto res = co_await gather_tasks(3, [&] { return barrier.wait(); });
        std::sort(res.begin(), res.end());
        EXPECT_EQ(res, iota_vec(3));
        EXPECT_EQ(barrier.n_waiting(), 0u);
        EXPECT_FALSE(barrier.broken());
    });
}

// test_filling_one_task, test_filling_one_task_twice
TEST(BarrierTest, ABarrierOfOnePartyNeverWaits) {
    run([]() -> aio::Coro<void> {
        aio::Barrier barrier(1);
        EXPECT_EQ(co_await barrier.wait(), 0u);
        auto t1 = aio::create_task(barrier.wait());
        co_await tick();
        EXPECT_EQ(barrier.n_waiting(), 0u);
        auto t2 = aio::create_task(barrier.wait());
        co_await tick();
        EXPECT_TRUE(t1.done() && t2.done());
        EXPECT_EQ(t1.result(), t2.result());
        EXPECT_EQ(barrier.n_waiting(), 0u);
        EXPECT_FALSE(barrier.broken());
    });
}

// test_filling_task_by_task
TEST(BarrierTest, NWaitingCountsTheArrivals) {
    run([]() -> aio::Coro<void> {
        aio::Barrier barrier(3);
        auto t1 = aio::create_task(barrier.wait());
        co_await tick();
        EXPECT_EQ(barrier.n_waiting(), 1u);
        auto t2 = aio::create_task(barrier.wait());
        co_await tick();
        EXPECT_EQ(barrier.n_waiting(), 2u);
        auto t3 = aio::create_task(barrier.wait());
        co_await tick();
        EXPECT_EQ(co_await t3, 2u);  // the last to arrive
        EXPECT_EQ(co_await t1, 0u);
        EXPECT_EQ(co_await t2, 1u);
        EXPECT_EQ(barrier.n_waiting(), 0u);
        EXPECT_FALSE(barrier.broken());
    });
}

// test_filling_tasks_wait_twice, test_filling_tasks_check_return_value
TEST(BarrierTest, TheBarrierCanBePassedAgainAndAgain) {
    run([]() -> aio::Coro<void> {
        aio::Barrier barrier(N);
        std::vector<bool> results;
        auto res = co_await gather_tasks(N, [&]() -> aio::Coro<std::size_t> {
            co_await barrier.wait();
            results.push_back(true);
            std::size_t i = co_await barrier.wait();
            results.push_back(false);
            co_return i;
        });
        EXPECT_EQ(results.size(), 2 * N);
        EXPECT_EQ(std::count(results.begin(), results.end(), true), static_cast<long>(N));
        std::sort(res.begin(), res.end());
        EXPECT_EQ(res, iota_vec(N));
        EXPECT_EQ(barrier.n_waiting(), 0u);
        EXPECT_FALSE(barrier.broken());
    });
}

// test_blocking_tasks_while_draining
TEST(BarrierTest, ArrivalsWhileDrainingWaitForTheNextCycle) {
    run([]() -> aio::Coro<void> {
        constexpr int rewait = 2;
        aio::Barrier barrier(N);
        aio::Barrier barrier_nowaiting(N - rewait);
        int rewait_n = rewait;
        co_await gather_tasks(N, [&]() -> aio::Coro<void> {
            co_await barrier.wait();
            if (rewait_n > 0) {
                --rewait_n;
                co_await barrier.wait();
            } else {
                co_await barrier_nowaiting.wait();
                co_await barrier.wait();
            }
        });
        EXPECT_EQ(barrier.n_waiting(), 0u);
    });
}

// test_filling_tasks_cancel_one
TEST(BarrierTest, CancelledWaiterLosesNothing) {
    run([]() -> aio::Coro<void> {
        aio::Barrier barrier(3);
        int passed = 0;
        auto coro = [&]() -> aio::Coro<void> {
            co_await barrier.wait();
            ++passed;
        };
        auto t1 = aio::create_task(coro());
        co_await tick();
        EXPECT_EQ(barrier.n_waiting(), 1u);
        auto t2 = aio::create_task(coro());
        co_await tick();
        EXPECT_EQ(barrier.n_waiting(), 2u);

        t1.cancel();
        co_await tick();
        EXPECT_EQ(barrier.n_waiting(), 1u);  // as if t1 never arrived
        EXPECT_TRUE(co_await ended_cancelled(t1));
        EXPECT_FALSE(barrier.broken());

        auto t3 = aio::create_task(coro());
        co_await tick();
        EXPECT_EQ(barrier.n_waiting(), 2u);
        auto t4 = aio::create_task(coro());
        co_await aio::gather(t2, t3, t4);
        EXPECT_EQ(passed, 3);
        EXPECT_EQ(barrier.n_waiting(), 0u);
        EXPECT_FALSE(barrier.broken());

        // Cancelled after the barrier tripped, before it ran: CancelledError for
        // it, the others pass.
        auto a = aio::create_task(coro());
        auto b = aio::create_task(coro());
        co_await tick();
        auto c = aio::create_task(coro());
        co_await tick();  // c trips the barrier: a and b are released
        a.cancel();
        EXPECT_TRUE(co_await ended_cancelled(a));
        co_await b;
        co_await c;
        EXPECT_EQ(passed, 5);
        EXPECT_EQ(barrier.n_waiting(), 0u);
        EXPECT_EQ((co_await gather_tasks(3, [&] { return barrier.wait(); })).size(),
                  3u);  // usable again
    });
}

// test_reset_barrier
TEST(BarrierTest, ResettingAnEmptyBarrierChangesNothing) {
    run([]() -> aio::Coro<void> {
        aio::Barrier barrier(1);
        barrier.reset();
        EXPECT_EQ(barrier.n_waiting(), 0u);
        EXPECT_FALSE(barrier.broken());
        EXPECT_EQ(co_await barrier.wait(), 0u);
    });
}

// test_reset_barrier_while_tasks_waiting
TEST(BarrierTest, ResetBreaksTheWaitingTasksOnly) {
    run([]() -> aio::Coro<void> {
        aio::Barrier barrier(N);
        int broken = 0;
        std::vector<aio::Task<void>> tasks;
        for (std::size_t i = 0; i + 1 < N; ++i) {
            tasks.push_back(aio::create_task([](aio::Barrier& b, int& n) -> aio::Coro<void> {
                try {
                    co_await b.wait();
                } catch (const aio::BrokenBarrierError&) {
                    ++n;
                }
            }(barrier, broken)));
        }
        co_await tick();
        barrier.reset();
        co_await aio::gather(std::move(tasks));
        EXPECT_EQ(broken, static_cast<int>(N - 1));
        EXPECT_EQ(barrier.n_waiting(), 0u);
        EXPECT_FALSE(barrier.broken());
    });
}

// test_reset_barrier_when_tasks_half_draining
TEST(BarrierTest, AResetWhileDrainingBreaksThePartiesThatHaveNotLeftYet) {
    run([]() -> aio::Coro<void> {
        aio::Barrier barrier(N);
        int broken = 0;
        int passed = 0;
        constexpr int rest_of_tasks = static_cast<int>(N) / 2;
        co_await gather_tasks(N, [&]() -> aio::Coro<void> {
            try {
                co_await barrier.wait();
            } catch (const aio::BrokenBarrierError&) {
                ++broken;
                co_return;
            }
            // The last task through resets, with rest_of_tasks still inside.
            if (++passed == static_cast<int>(N) - rest_of_tasks) barrier.reset();
        });
        EXPECT_EQ(broken, rest_of_tasks);
        EXPECT_EQ(barrier.n_waiting(), 0u);
        EXPECT_FALSE(barrier.broken());
    });
}

// test_reset_barrier_when_tasks_half_draining_half_blocking
TEST(BarrierTest, AResetWhileDrainingLetsTheBlockedArrivalsIntoTheNextCycle) {
    run([]() -> aio::Coro<void> {
        aio::Barrier barrier(N);
        int results1 = 0;
        int results2 = 0;
        constexpr int blocking_tasks = static_cast<int>(N) / 2;
        int count = 0;
        co_await gather_tasks(N, [&]() -> aio::Coro<void> {
            bool was_broken = false;
            try {
                co_await barrier.wait();
            } catch (const aio::BrokenBarrierError&) {
                was_broken = true;
            }
            if (was_broken) {
                ++results1;
                co_await barrier.wait();  // wait again to reach the parties
                co_return;
            }
            if (++count > blocking_tasks) {
                barrier.reset();
                co_await barrier.wait();
            } else {
                try {
                    co_await barrier.wait();
                } catch (const aio::BrokenBarrierError&) {
                    ++results2;
                }
            }
        });
        EXPECT_EQ(results1, blocking_tasks);
        EXPECT_EQ(results2, 0);
        EXPECT_EQ(barrier.n_waiting(), 0u);
        EXPECT_FALSE(barrier.broken());
    });
}

// test_reset_barrier_while_tasks_waiting_and_waiting_again
TEST(BarrierTest, TasksBrokenByAResetCanWaitAgain) {
    run([]() -> aio::Coro<void> {
        aio::Barrier barrier(N);
        int results1 = 0;
        int results2 = 0;
        std::vector<aio::Task<void>> tasks;
        for (std::size_t i = 0; i + 1 < N; ++i) {
            tasks.push_back(
                aio::create_task([](aio::Barrier& b, int& r1, int& r2) -> aio::Coro<void> {
                    try {
                        co_await b.wait();
                    } catch (const aio::BrokenBarrierError&) {
                        ++r1;
                    }
                    co_await b.wait();
                    ++r2;
                }(barrier, results1, results2)));
        }
        co_await tick();
        barrier.reset();
        co_await tick();
        auto last = aio::create_task([](aio::Barrier& b, int& r2) -> aio::Coro<void> {
            co_await b.wait();
            ++r2;
        }(barrier, results2));
        co_await aio::gather(std::move(tasks));
        co_await last;
        EXPECT_FALSE(barrier.broken());
        EXPECT_EQ(results1, static_cast<int>(N - 1));
        EXPECT_EQ(results2, static_cast<int>(N));
        EXPECT_EQ(barrier.n_waiting(), 0u);
    });
}

// test_reset_barrier_while_tasks_draining
TEST(BarrierTest, AResetByTheLastTaskOutDoesNotBreakTheNextCycle) {
    run([]() -> aio::Coro<void> {
        aio::Barrier barrier(N);
        int results1 = 0;
        int results2 = 0;
        int results3 = 0;
        int count = 0;
        co_await gather_tasks(N, [&]() -> aio::Coro<void> {
            co_await barrier.wait();
            if (++count == static_cast<int>(N)) {
                barrier.reset();
                co_await barrier.wait();
            } else {
                try {
                    co_await barrier.wait();
                    ++results1;
                } catch (const aio::BrokenBarrierError&) {
                    ++results2;
                }
            }
            co_await barrier.wait();
            ++results3;
        });
        EXPECT_FALSE(barrier.broken());
        EXPECT_EQ(results1, static_cast<int>(N - 1));
        EXPECT_EQ(results2, 0);
        EXPECT_EQ(results3, static_cast<int>(N));
        EXPECT_EQ(barrier.n_waiting(), 0u);
    });
}

// test_abort_barrier
TEST(BarrierTest, AnAbortedBarrierIsBrokenUntilReset) {
    run([]() -> aio::Coro<void> {
        aio::Barrier barrier(1);
        barrier.abort();
        EXPECT_TRUE(barrier.broken());
        EXPECT_EQ(barrier.n_waiting(), 0u);
        bool raised = false;
        try {
            co_await barrier.wait();
        } catch (const aio::BrokenBarrierError& e) {
            raised = true;
            EXPECT_STREQ(e.what(), "Barrier aborted");
        }
        EXPECT_TRUE(raised);
        barrier.reset();
        EXPECT_FALSE(barrier.broken());
        EXPECT_EQ(co_await barrier.wait(), 0u);
    });
}

// test_abort_barrier_when_tasks_half_draining_half_blocking
TEST(BarrierTest, AbortBreaksTheDrainingAndTheBlockedTasks) {
    run([]() -> aio::Coro<void> {
        aio::Barrier barrier(N);
        int results1 = 0;
        int results2 = 0;
        constexpr int blocking_tasks = static_cast<int>(N) / 2;
        int count = 0;
        co_await gather_tasks(N, [&]() -> aio::Coro<void> {
            try {
                co_await barrier.wait();
            } catch (const aio::BrokenBarrierError&) {
                ++results1;
                co_return;
            }
            if (++count > blocking_tasks) {
                barrier.abort();
            } else {
                try {
                    co_await barrier.wait();
                } catch (const aio::BrokenBarrierError&) {
                    ++results2;
                }
            }
        });
        EXPECT_TRUE(barrier.broken());
        EXPECT_EQ(results1, blocking_tasks);
        EXPECT_EQ(results2, static_cast<int>(N) - blocking_tasks - 1);
        EXPECT_EQ(barrier.n_waiting(), 0u);
    });
}

// test_abort_barrier_when_exception
TEST(BarrierTest, AnAbortAfterAnErrorBreaksEveryoneElse) {
    run([]() -> aio::Coro<void> {
        aio::Barrier barrier(N);
        int results1 = 0;
        int results2 = 0;
        co_await gather_tasks(N, [&]() -> aio::Coro<void> {
            try {
                std::size_t i = co_await barrier.wait();
                if (i == N / 2) throw std::runtime_error("boom");
                co_await barrier.wait();
                ++results1;
            } catch (const aio::BrokenBarrierError&) {
                ++results2;
            } catch (const std::runtime_error&) {
                barrier.abort();
            }
        });
        EXPECT_TRUE(barrier.broken());
        EXPECT_EQ(results1, 0);
        EXPECT_EQ(results2, static_cast<int>(N - 1));
        EXPECT_EQ(barrier.n_waiting(), 0u);
    });
}

// test_abort_barrier_when_exception_then_resetting
TEST(BarrierTest, ABarrierAbortedThenResetWorksAgain) {
    run([]() -> aio::Coro<void> {
        aio::Barrier barrier1(N);
        aio::Barrier barrier2(N);
        int results1 = 0;
        int results2 = 0;
        int results3 = 0;
        co_await gather_tasks(N, [&]() -> aio::Coro<void> {
            try {
                std::size_t i = co_await barrier1.wait();
                if (i == N / 2) throw std::runtime_error("boom");
                co_await barrier1.wait();
                ++results1;
            } catch (const aio::BrokenBarrierError&) {
                ++results2;
            } catch (const std::runtime_error&) {
                barrier1.abort();
            }
            std::size_t i = co_await barrier2.wait();
            if (i == N / 2) barrier1.reset();
            co_await barrier2.wait();
            co_await barrier1.wait();
            ++results3;
        });
        EXPECT_FALSE(barrier1.broken());
        EXPECT_EQ(results1, 0);
        EXPECT_EQ(results2, static_cast<int>(N - 1));
        EXPECT_EQ(results3, static_cast<int>(N));
        EXPECT_EQ(barrier1.n_waiting(), 0u);
    });
}

TEST(BarrierTest, AWaitCanBeBoundedByATimeoutWithoutBreakingTheBarrier) {
    run([]() -> aio::Coro<void> {
        aio::Barrier barrier(2);
        bool timed_out = false;
        try {
            co_await aio::wait_for(barrier.wait(), 1s);
        } catch (const aio::TimeoutError&) {
            timed_out = true;
        }
        EXPECT_TRUE(timed_out);
        EXPECT_EQ(barrier.n_waiting(), 0u);
        EXPECT_FALSE(barrier.broken());
        auto r = co_await gather_tasks(2, [&] { return barrier.wait(); });
        EXPECT_EQ(r.size(), 2u);
    });
}

}  // namespace
