// aio::run_in_executor and aio::to_thread: asyncio's loop.run_in_executor / asyncio.to_thread
// (CPython Lib/test/test_asyncio/test_threads.py, test_base_events.py): results and exceptions
// cross back to the loop, cancellation before and after the job started, the loop's default
// executor and its shutdown by aio::run.

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "exec_support.hpp"

using aio::Coro;
using aio::Future;
using aio::ThreadPoolExecutor;
using namespace aio_exec_test;

namespace {

using RunInExecutorTest = ExecTest;
using ToThreadTest = ExecTest;
using DefaultExecutorTest = ExecTest;

int twice(int x) { return 2 * x; }

struct Adder {
    int base;
    int add(int x) const { return base + x; }
};

}  // namespace

// ---- results and exceptions -------------------------------------------------------------------

TEST_F(RunInExecutorTest, TheResultOfTheFunctionReachesTheAwaiter) {
    int r = run([]() -> Coro<int> {
        ThreadPoolExecutor pool(2);
        co_return co_await aio::run_in_executor(
            pool, [](int a, int b) { return a * b; }, 6, 7);
    }());
    EXPECT_EQ(r, 42);
}

TEST_F(RunInExecutorTest, TheFunctionRunsOnAWorkerAndTheAwaiterResumesOnTheLoopThread) {
    auto loop_thread = std::this_thread::get_id();
    run([&]() -> Coro<void> {
        ThreadPoolExecutor pool(2);
        auto worker =
            co_await aio::run_in_executor(pool, [] { return std::this_thread::get_id(); });
        EXPECT_NE(worker, loop_thread);
        EXPECT_EQ(std::this_thread::get_id(), loop_thread);
    }());
}

TEST_F(RunInExecutorTest, ExceptionThrownInTheWorkerReachesTheAwaiter) {
    run([]() -> Coro<void> {
        ThreadPoolExecutor pool(2);
        auto f = aio::run_in_executor(pool, []() -> int { throw Boom("from the worker"); });
        try {
            co_await f;
            ADD_FAILURE() << "no exception";
        } catch (const Boom& e) {
            EXPECT_STREQ(e.what(), "from the worker");
        }
    }());
}

TEST_F(RunInExecutorTest, AnExceptionOfAnyTypeReachesTheAwaiter) {
    run([]() -> Coro<void> {
        ThreadPoolExecutor pool(1);
        try {
            co_await aio::run_in_executor(pool, [] { throw 17; });
            ADD_FAILURE() << "no exception";
        } catch (int v) {
            EXPECT_EQ(v, 17);
        }
    }());
}

TEST_F(RunInExecutorTest, AnyCallableWorks) {
    run([]() -> Coro<void> {
        ThreadPoolExecutor pool(2);
        EXPECT_EQ(co_await aio::run_in_executor(pool, twice, 21), 42);
        EXPECT_EQ(co_await aio::run_in_executor(pool, &twice, 4), 8);
        Adder adder{100};
        EXPECT_EQ(co_await aio::run_in_executor(pool, &Adder::add, &adder, 5), 105);
        std::function<std::string(std::string)> shout = [](std::string s) { return s + "!"; };
        EXPECT_EQ(co_await aio::run_in_executor(pool, shout, std::string("hey")), "hey!");
        // Move-only arguments and results.
        auto p = co_await aio::run_in_executor(
            pool, [](std::unique_ptr<int> v) { return std::make_unique<int>(*v + 1); },
            std::make_unique<int>(1));
        EXPECT_EQ(*p, 2);
        // std::ref shares an object instead of copying it.
        int counter = 0;
        co_await aio::run_in_executor(
            pool, [](int& c) { c = 5; }, std::ref(counter));
        EXPECT_EQ(counter, 5);
    }());
}

TEST_F(RunInExecutorTest, AFutureNobodyAwaitedGetsItsDoneCallbackOnTheLoop) {
    // Seed 001's batch consumer: task = loop.run_in_executor(...); task.add_done_callback(markdone)
    auto loop_thread = std::this_thread::get_id();
    int result = 0;
    bool callback_on_loop = false;
    run([&]() -> Coro<void> {
        ThreadPoolExecutor pool(1);
        auto done = aio::Future<void>();
        auto f = aio::run_in_executor(pool, [] { return 3; });
        f.add_done_callback([&, done](Future<int> fut) mutable {
            result = fut.result();
            callback_on_loop = std::this_thread::get_id() == loop_thread;
            done.set_result();
        });
        co_await done;
    }());
    EXPECT_EQ(result, 3);
    EXPECT_TRUE(callback_on_loop);
}

TEST_F(RunInExecutorTest, AFailedFutureNobodyLookedAtIsReported) {
    run([]() -> Coro<void> {
        ThreadPoolExecutor pool(1);
        Gate ran;
        {
            auto f = aio::run_in_executor(pool, [&ran]() -> int {
                ran.open();
                throw Boom("unobserved");
            });
        }                 // the handle is dropped: the loop still delivers the outcome
        pool.shutdown();  // the job has run; its outcome is on its way to the loop
        co_await aio::sleep(0s);
        co_await aio::sleep(0s);
    }());
    auto reports = take_reports();
    ASSERT_EQ(reports.size(), 1u);
    EXPECT_EQ(reports[0].message, "Future exception was never retrieved");
    EXPECT_TRUE(holds<Boom>(reports[0].exception));
}

TEST_F(RunInExecutorTest, ManyTasksAwaitingThousandsOfJobsOnEightWorkersGetEveryResult) {
    long total = run([]() -> Coro<long> {
        ThreadPoolExecutor pool(8);
        auto one_task = [](ThreadPoolExecutor* p, int base) -> Coro<long> {
            long sum = 0;
            std::vector<Future<int>> futures;
            for (int i = 0; i < 50; ++i)
                futures.push_back(aio::run_in_executor(
                    p, [](int v) { return v; }, base + i));
            for (auto& f : futures) sum += co_await f;
            co_return sum;
        };
        std::vector<Coro<long>> tasks;
        for (int t = 0; t < 40; ++t) tasks.push_back(one_task(&pool, t * 50));
        auto sums = co_await aio::gather(std::move(tasks));
        long total = 0;
        for (long s : sums) total += s;
        co_return total;
    }());
    EXPECT_EQ(total, 2000L * 1999 / 2);
}

TEST_F(RunInExecutorTest, FourWorkersRunEightJobsInTwoWavesWhileTheLoopAwaitsThem) {
    std::vector<int> phases = run([]() -> Coro<std::vector<int>> {
        ThreadPoolExecutor pool(4);
        InFlight in_flight;
        Barrier wave(4);  // a job finishes only once four run at the same time
        std::vector<Future<int>> jobs;
        for (int i = 0; i < 8; ++i) {
            jobs.push_back(aio::run_in_executor(pool, [&] {
                in_flight.enter();
                int phase = wave.arrive_and_wait();
                in_flight.leave();
                return phase;
            }));
        }
        std::vector<int> out;
        for (auto& j : jobs) out.push_back(co_await j);
        EXPECT_EQ(in_flight.max(), 4);
        EXPECT_EQ(pool.num_threads(), 4u);
        co_return out;
    }());
    EXPECT_EQ(std::count(phases.begin(), phases.end(), 0), 4);
    EXPECT_EQ(std::count(phases.begin(), phases.end(), 1), 4);
}

// ---- cancellation -----------------------------------------------------------------------------

TEST_F(RunInExecutorTest, CancellingTheAwaiterBeforeTheFunctionStartsMeansItNeverRuns) {
    std::atomic<bool> second_ran{false};
    run([&]() -> Coro<void> {
        ThreadPoolExecutor pool(1);
        Gate release;
        aio::ThreadsafeChannel<int> started;
        // The only worker is busy with the first job...
        auto first = aio::run_in_executor(
            pool,
            [&release](aio::ThreadsafeSender<int> tx) {
                tx.send(1);
                release.wait();
            },
            started.sender());
        co_await started.next();
        // ...so the second is queued when its awaiter is cancelled.
        auto second = aio::run_in_executor(pool, [&] {
            second_ran = true;
            return 2;
        });
        auto waiter = aio::create_task(await_future(second));
        co_await aio::sleep(0s);  // the waiter now awaits the future
        waiter.cancel();
        auto e = co_await outcome_of(waiter);
        EXPECT_TRUE(holds<aio::CancelledError>(e));
        EXPECT_TRUE(waiter.cancelled());
        EXPECT_TRUE(second.cancelled());
        release.open();
        co_await first;
        pool.shutdown(true);  // the worker has dequeued and skipped the second job
    }());
    EXPECT_FALSE(second_ran.load());
}

TEST_F(RunInExecutorTest,
       CancellingAfterTheFunctionStartedRaisesCancelledErrorAtOnceAndDropsTheResult) {
    std::atomic<int> finished{0};
    run([&]() -> Coro<void> {
        ThreadPoolExecutor pool(1);
        Gate release;
        aio::ThreadsafeChannel<int> started;
        auto job = aio::run_in_executor(
            pool,
            [&](aio::ThreadsafeSender<int> tx) {
                tx.send(1);
                release.wait();
                ++finished;
                return Counted(5);
            },
            started.sender());
        auto waiter = aio::create_task(await_future(job));
        co_await aio::sleep(0s);  // the waiter awaits the future
        co_await started.next();  // the function is running
        waiter.cancel("stop waiting");
        auto e = co_await outcome_of(waiter);
        EXPECT_TRUE(holds<aio::CancelledError>(e));
        EXPECT_TRUE(job.cancelled());
        EXPECT_EQ(finished.load(), 0);  // the awaiter did not wait for the function
        release.open();
        pool.shutdown(true);  // the function finishes on its thread; its result is dropped
        EXPECT_EQ(finished.load(), 1);
        co_await aio::sleep(0s);  // the late outcome reaches the loop and is dropped there
        co_await aio::sleep(0s);
    }());
    EXPECT_EQ(Counted::alive.load(), 0);
}

TEST_F(RunInExecutorTest, CancellingTheFutureItselfBeforeTheJobStartsMeansItNeverRuns) {
    std::atomic<bool> ran{false};
    run([&]() -> Coro<void> {
        ThreadPoolExecutor pool(1);
        Gate release;
        auto blocker = aio::run_in_executor(pool, [&] { release.wait(); });
        auto f = aio::run_in_executor(pool, [&] { ran = true; });
        EXPECT_TRUE(f.cancel());
        release.open();
        co_await blocker;
        pool.shutdown(true);
    }());
    EXPECT_FALSE(ran.load());
}

TEST_F(RunInExecutorTest, AnExecutorShutDownWithCancelFuturesCancelsTheQueuedJobsFutures) {
    run([]() -> Coro<void> {
        ThreadPoolExecutor pool(1);
        Gate release;
        aio::ThreadsafeChannel<int> started;
        auto running = aio::run_in_executor(
            pool,
            [&release](aio::ThreadsafeSender<int> tx) {
                tx.send(1);
                release.wait();
                return 1;
            },
            started.sender());
        co_await started.next();
        auto queued = aio::run_in_executor(pool, [] { return 2; });
        pool.shutdown(false, true);
        auto e = co_await outcome_of(await_future(queued));
        EXPECT_TRUE(holds<aio::CancelledError>(e));
        release.open();
        EXPECT_EQ(co_await running, 1);
    }());
}

TEST_F(RunInExecutorTest, RunInExecutorOnAShutDownExecutorIsARuntimeError) {
    run([]() -> Coro<void> {
        ThreadPoolExecutor pool(1);
        pool.shutdown();
        EXPECT_THROW((void)aio::run_in_executor(pool, [] {}), aio::RuntimeError);
        co_return;
    }());
}

TEST_F(RunInExecutorTest, RunInExecutorWithoutARunningLoopIsARuntimeError) {
    ThreadPoolExecutor pool(1);
    EXPECT_THROW((void)aio::run_in_executor(pool, [] {}), aio::RuntimeError);
}

TEST_F(RunInExecutorTest, AJobStillRunningWhenItsLoopShutsDownDropsItsResultSafely) {
    ThreadPoolExecutor pool(1);  // outlives the loop
    Gate started, release;
    std::atomic<bool> finished{false};
    run([&]() -> Coro<void> {
        auto f = aio::run_in_executor(pool, [&] {
            started.open();
            release.wait();
            finished = true;
            return Counted(1);
        });
        started.wait();
        co_return;  // nobody awaits f; aio::run shuts the loop down while the job runs
    }());
    EXPECT_FALSE(finished.load());
    release.open();
    pool.shutdown(true);  // the outcome finds the loop gone and is dropped on the worker
    EXPECT_TRUE(finished.load());
    EXPECT_EQ(Counted::alive.load(), 0);
}

// ---- the default executor ---------------------------------------------------------------------

TEST_F(DefaultExecutorTest, ANullExecutorMeansTheLoopsDefaultExecutorCreatedOnFirstUse) {
    run([]() -> Coro<void> {
        ThreadPoolExecutor& ex = aio::get_default_executor();
        EXPECT_EQ(&ex, &aio::get_default_executor());
        EXPECT_EQ(ex.max_workers(), ThreadPoolExecutor::default_max_workers());
        EXPECT_EQ(ex.num_threads(), 0u);
        EXPECT_EQ(co_await aio::run_in_executor(nullptr, twice, 5), 10);
        EXPECT_EQ(ex.num_threads(), 1u);
    }());
}

TEST_F(DefaultExecutorTest, EachLoopHasItsOwnDefaultExecutor) {
    ThreadPoolExecutor* executors[2] = {nullptr, nullptr};
    Barrier both_alive(2);
    auto loop_main = [&](int i) -> Coro<void> {
        executors[i] = &aio::get_default_executor();
        co_await aio::to_thread([] {});
        both_alive.arrive_and_wait();  // blocks this loop's thread: both executors exist now
    };
    std::thread a([&] { run(loop_main(0)); });
    std::thread b([&] { run(loop_main(1)); });
    a.join();
    b.join();
    ASSERT_NE(executors[0], nullptr);
    ASSERT_NE(executors[1], nullptr);
    EXPECT_NE(executors[0], executors[1]);
}

TEST_F(DefaultExecutorTest, RunShutsTheDefaultExecutorDownAfterItsJobsFinish) {
    // A fire-and-forget job still running when main returns: aio::run waits for it (joining on
    // a helper thread, so the loop still delivers its result and done callback).
    std::atomic<bool> job_done{false};
    bool callback_ran = false;
    Gate release;
    std::thread opener;
    run([&]() -> Coro<void> {
        auto f = aio::run_in_executor(nullptr, [&] {
            release.wait();
            job_done = true;
            return 1;
        });
        f.add_done_callback([&](Future<int> done) { callback_ran = done.result() == 1; });
        opener = std::thread([&] { release.open(); });
        co_return;
    }());
    opener.join();
    EXPECT_TRUE(job_done.load());
    EXPECT_TRUE(callback_ran);
}

TEST_F(DefaultExecutorTest, SetDefaultExecutorIsUsedForANullExecutor) {
    run([]() -> Coro<void> {
        auto pool = std::make_shared<ThreadPoolExecutor>(3, "custom");
        aio::set_default_executor(pool);
        EXPECT_EQ(&aio::get_default_executor(), pool.get());
        co_await aio::to_thread([] {});
        EXPECT_EQ(pool->num_threads(), 1u);
    }());
}

TEST_F(DefaultExecutorTest, UsingTheDefaultExecutorAfterShutdownDefaultExecutorIsARuntimeError) {
    run([]() -> Coro<void> {
        co_await aio::to_thread([] {});
        co_await aio::shutdown_default_executor();
        EXPECT_THROW((void)aio::run_in_executor(nullptr, [] {}), aio::RuntimeError);
        auto e = co_await outcome_of(aio::to_thread([] {}));
        EXPECT_TRUE(holds<aio::RuntimeError>(e));
    }());
}

TEST_F(DefaultExecutorTest, ShutdownDefaultExecutorWaitsForTheRunningJobs) {
    run([]() -> Coro<void> {
        std::atomic<int> done{0};
        for (int i = 0; i < 4; ++i) (void)aio::run_in_executor(nullptr, [&done] { ++done; });
        co_await aio::shutdown_default_executor();
        EXPECT_EQ(done.load(), 4);
    }());
}

// ---- to_thread --------------------------------------------------------------------------------

TEST_F(ToThreadTest, ToThreadRunsTheFunctionOnTheDefaultExecutor) {
    run([]() -> Coro<void> {
        auto id = co_await aio::to_thread([] { return std::this_thread::get_id(); });
        EXPECT_NE(id, std::this_thread::get_id());
        EXPECT_EQ(aio::get_default_executor().num_threads(), 1u);
        EXPECT_EQ(co_await aio::to_thread(twice, 8), 16);
    }());
}

TEST_F(ToThreadTest, ToThreadIsLazyLikeAnAsyncDef) {
    run([]() -> Coro<void> {
        std::atomic<bool> ran{false};
        {
            auto never = aio::to_thread([&ran] { ran = true; });
        }  // never awaited: never queued
        co_await aio::shutdown_default_executor();
        EXPECT_FALSE(ran.load());
    }());
}

TEST_F(ToThreadTest, ToThreadCoroutinesRunConcurrentlyUnderGather) {
    run([]() -> Coro<void> {
        Barrier both(2);  // each call finishes only once the other runs too
        auto [a, b] =
            co_await aio::gather(aio::to_thread([&both] { return both.arrive_and_wait() >= 0; }),
                                 aio::to_thread([&both] { return both.arrive_and_wait() >= 0; }));
        EXPECT_TRUE(a);
        EXPECT_TRUE(b);
    }());
}

TEST_F(ToThreadTest, AnExceptionFromToThreadPropagates) {
    run([]() -> Coro<void> {
        auto e = co_await outcome_of(aio::to_thread([] { throw Boom("x"); }));
        EXPECT_TRUE(holds<Boom>(e));
    }());
}

TEST_F(ToThreadTest, CancellingATaskInToThreadBeforeTheCallStartsMeansItNeverRuns) {
    std::atomic<bool> ran{false};
    run([&]() -> Coro<void> {
        auto pool = std::make_shared<ThreadPoolExecutor>(1);
        aio::set_default_executor(pool);
        Gate release;
        aio::ThreadsafeChannel<int> started;
        auto blocker = aio::create_task(aio::to_thread(
            [&release](aio::ThreadsafeSender<int> tx) {
                tx.send(1);
                release.wait();
            },
            started.sender()));
        co_await started.next();
        auto victim = aio::create_task(aio::to_thread([&ran] { ran = true; }));
        co_await aio::sleep(0s);
        victim.cancel();
        auto e = co_await outcome_of(victim);
        EXPECT_TRUE(holds<aio::CancelledError>(e));
        release.open();
        co_await blocker;
    }());
    EXPECT_FALSE(ran.load());
}

// ---- loops driven by hand -----------------------------------------------------------------------

TEST_F(DefaultExecutorTest, ALoopDrivenByHandShutsItsDefaultExecutorDownWithRunShutdownHooks) {
    aio::EventLoop loop;
    std::atomic<bool> job_done{false};
    bool callback_ran = false;
    auto start = [&]() -> Coro<void> {
        auto f = aio::run_in_executor(nullptr, [&] { job_done = true; });
        f.add_done_callback([&](Future<void>) { callback_ran = true; });
        co_return;
    };
    loop.run_until_complete(start());
    loop.run_shutdown_hooks();  // what aio::run does: waits for the job while the loop delivers it
    EXPECT_TRUE(job_done.load());
    EXPECT_TRUE(callback_ran);
    loop.close();
}

TEST_F(DefaultExecutorTest,
       ALoopDestroyedWithoutShutdownReleasesItsExecutorAndANewLoopThereGetsItsOwn) {
    std::optional<aio::EventLoop> loop;
    loop.emplace();
    aio::EventLoop* first_address = &*loop;
    auto mine = std::make_shared<ThreadPoolExecutor>(1, "mine");
    std::weak_ptr<ThreadPoolExecutor> watch = mine;
    auto use = [](std::shared_ptr<ThreadPoolExecutor> executor) -> Coro<int> {
        if (executor) aio::set_default_executor(std::move(executor));
        co_return co_await aio::to_thread([] { return 1; });
    };
    EXPECT_EQ(loop->run_until_complete(use(std::move(mine))), 1);
    loop.reset();  // no shutdown hooks: the executor goes with the loop, shut down without waiting
    EXPECT_TRUE(watch.expired());
    loop.emplace();
    ASSERT_EQ(&*loop, first_address);
    std::size_t workers = 0;
    auto default_size = [](std::size_t* n) -> Coro<int> {
        *n = aio::get_default_executor().max_workers();
        co_return co_await aio::to_thread([] { return 2; });
    };
    EXPECT_EQ(loop->run_until_complete(default_size(&workers)), 2);
    EXPECT_EQ(workers, ThreadPoolExecutor::default_max_workers());  // not the first loop's "mine"
    loop->run_shutdown_hooks();
}

TEST_F(DefaultExecutorTest, ALoopClosedWithACallInFlightCancelsItsFutureAndDropsTheLateResult) {
    aio::EventLoop loop;
    // Shared with the worker, which nobody joins once the loop has shut its executor down.
    auto started = std::make_shared<Gate>();
    auto release = std::make_shared<Gate>();
    auto returned = std::make_shared<Gate>();
    std::optional<Future<int>> f;
    auto start = [&]() -> Coro<void> {
        f = aio::run_in_executor(nullptr, [started, release, returned] {
            started->open();
            release->wait();
            returned->open();
            return 7;
        });
        co_return;
    };
    loop.run_until_complete(start());
    // A job no worker took yet would just never run: wait until one is inside the call.
    ASSERT_TRUE(started->wait());
    loop.close();  // no run_shutdown_hooks(): the worker is still inside the call
    EXPECT_TRUE(f->cancelled());
    release->open();
    EXPECT_TRUE(returned->wait());  // its outcome finds the link detached and is dropped
}
