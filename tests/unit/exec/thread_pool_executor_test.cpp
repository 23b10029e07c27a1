// aio::ThreadPoolExecutor: concurrent.futures.ThreadPoolExecutor's behaviour (CPython
// Lib/test/test_concurrent_futures/test_thread_pool.py): lazy workers, max_workers, FIFO jobs,
// shutdown(wait, cancel_futures), many threads submitting at once.

#include "aio/exec/thread_pool_executor.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <future>
#include <memory>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include "exec_support.hpp"

using aio::ThreadPoolExecutor;
using namespace aio_exec_test;

namespace {

template <class T>
bool ready_within_bound(std::future<T>& f) {
    return f.wait_for(kBound) == std::future_status::ready;
}

}  // namespace

TEST(ThreadPoolExecutorTest, TheDefaultMaxWorkersIsMin32AndCoresPlusFour) {
    std::size_t cores = std::max(1u, std::thread::hardware_concurrency());
    EXPECT_EQ(ThreadPoolExecutor::default_max_workers(), std::min<std::size_t>(32, cores + 4));
    ThreadPoolExecutor pool;
    EXPECT_EQ(pool.max_workers(), ThreadPoolExecutor::default_max_workers());
}

TEST(ThreadPoolExecutorTest, ZeroMaxWorkersIsAValueError) {
    EXPECT_THROW(ThreadPoolExecutor(0), aio::ValueError);
}

TEST(ThreadPoolExecutorTest, NoThreadStartsBeforeTheFirstJob) {
    ThreadPoolExecutor pool(4);
    EXPECT_EQ(pool.num_threads(), 0u);
}

TEST(ThreadPoolExecutorTest, OneJobStartsOneWorker) {
    ThreadPoolExecutor pool(4);
    auto f = pool.submit([] { return 1; });
    ASSERT_TRUE(ready_within_bound(f));
    EXPECT_EQ(pool.num_threads(), 1u);
}

TEST(ThreadPoolExecutorTest, JobsThatFindEveryWorkerBusyStartNewWorkersUpToMaxWorkers) {
    ThreadPoolExecutor pool(3);
    Gate release;
    std::vector<std::future<void>> jobs;
    for (int i = 0; i < 6; ++i) {
        jobs.push_back(pool.submit([&] { release.wait(); }));
        EXPECT_EQ(pool.num_threads(), std::min<std::size_t>(i + 1, 3));
    }
    release.open();
    for (auto& j : jobs) ASSERT_TRUE(ready_within_bound(j));
    EXPECT_EQ(pool.num_threads(), 3u);
}

TEST(ThreadPoolExecutorTest, SubmitReturnsAFutureForTheResult) {
    ThreadPoolExecutor pool(2);
    auto f = pool.submit([](int a, int b) { return a + b; }, 20, 22);
    ASSERT_TRUE(ready_within_bound(f));
    EXPECT_EQ(f.get(), 42);
}

TEST(ThreadPoolExecutorTest, AnExceptionThrownByAJobReachesItsFuture) {
    ThreadPoolExecutor pool(2);
    auto f = pool.submit([]() -> int { throw Boom("in the job"); });
    ASSERT_TRUE(ready_within_bound(f));
    EXPECT_THROW(f.get(), Boom);
}

TEST(ThreadPoolExecutorTest, JobsRunOnWorkerThreadsNotTheSubmittingThread) {
    ThreadPoolExecutor pool(2);
    auto f = pool.submit([] { return std::this_thread::get_id(); });
    ASSERT_TRUE(ready_within_bound(f));
    EXPECT_NE(f.get(), std::this_thread::get_id());
}

TEST(ThreadPoolExecutorTest, FourWorkersRunEightJobsInTwoWavesOfFour) {
    ThreadPoolExecutor pool(4);
    InFlight in_flight;
    Barrier wave(4);  // a job finishes only once four jobs run at the same time
    std::vector<std::future<int>> jobs;
    for (int i = 0; i < 8; ++i) {
        jobs.push_back(pool.submit([&] {
            in_flight.enter();
            int phase = wave.arrive_and_wait();
            in_flight.leave();
            return phase;
        }));
    }
    std::vector<int> phases;
    for (auto& j : jobs) {
        ASSERT_TRUE(ready_within_bound(j));
        phases.push_back(j.get());
    }
    EXPECT_EQ(in_flight.max(), 4);
    EXPECT_EQ(pool.num_threads(), 4u);
    EXPECT_EQ(std::count(phases.begin(), phases.end(), 0), 4);
    EXPECT_EQ(std::count(phases.begin(), phases.end(), 1), 4);
}

TEST(ThreadPoolExecutorTest, JobsStartInSubmissionOrder) {
    ThreadPoolExecutor pool(1);
    Gate release;
    std::vector<int> order;  // only the single worker writes it
    auto blocker = pool.submit([&] { release.wait(); });
    std::vector<std::future<void>> jobs;
    for (int i = 0; i < 10; ++i) jobs.push_back(pool.submit([&order, i] { order.push_back(i); }));
    release.open();
    for (auto& j : jobs) ASSERT_TRUE(ready_within_bound(j));
    EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
}

TEST(ThreadPoolExecutorTest, SubmitAfterShutdownIsARuntimeError) {
    ThreadPoolExecutor pool(2);
    pool.shutdown();
    EXPECT_TRUE(pool.is_shutdown());
    try {
        (void)pool.submit([] {});
        FAIL() << "submit() after shutdown() did not throw";
    } catch (const aio::RuntimeError& e) {
        EXPECT_STREQ(e.what(), "cannot schedule new futures after shutdown");
    }
}

TEST(ThreadPoolExecutorTest, ShutdownWithWaitRunsEveryQueuedJobFirst) {
    ThreadPoolExecutor pool(2);
    std::atomic<int> ran{0};
    for (int i = 0; i < 100; ++i) (void)pool.submit([&] { ++ran; });
    pool.shutdown(true);
    EXPECT_EQ(ran.load(), 100);
}

TEST(ThreadPoolExecutorTest, ShutdownWithCancelFuturesCancelsTheJobsNoWorkerTook) {
    ThreadPoolExecutor pool(1);
    Gate started, release;
    std::atomic<int> ran{0};
    auto running = pool.submit([&] {
        started.open();
        release.wait();
        ++ran;
    });
    ASSERT_TRUE(started.wait());
    std::vector<std::future<void>> queued;
    for (int i = 0; i < 5; ++i) queued.push_back(pool.submit([&] { ++ran; }));
    pool.shutdown(false, true);  // cancels the queued jobs; the running one is blocked
    release.open();
    pool.shutdown(true);
    EXPECT_EQ(ran.load(), 1);  // only the job that had started
    ASSERT_TRUE(ready_within_bound(running));
    running.get();
    for (auto& f : queued) {
        ASSERT_TRUE(ready_within_bound(f));
        EXPECT_THROW(f.get(), aio::CancelledError);
    }
}

TEST(ThreadPoolExecutorTest, ShutdownWithoutWaitReturnsWhileAJobStillRuns) {
    auto pool = std::make_unique<ThreadPoolExecutor>(1);
    Gate started, release;
    auto job = pool->submit([&] {
        started.open();
        release.wait();
        return 7;
    });
    ASSERT_TRUE(started.wait());
    pool->shutdown(false);  // returns although the job is blocked
    EXPECT_EQ(job.wait_for(0s), std::future_status::timeout);
    release.open();
    pool.reset();  // the destructor waits
    EXPECT_EQ(job.get(), 7);
}

TEST(ThreadPoolExecutorTest, TwoThreadsShuttingDownWithWaitBothReturnAfterTheJobs) {
    ThreadPoolExecutor pool(2);
    Gate release;
    std::atomic<int> ran{0};
    for (int i = 0; i < 4; ++i)
        (void)pool.submit([&] {
            release.wait();
            ++ran;
        });
    std::atomic<int> returned{0};
    std::thread a([&] {
        pool.shutdown(true);
        EXPECT_EQ(ran.load(), 4);
        ++returned;
    });
    std::thread b([&] {
        pool.shutdown(true);
        EXPECT_EQ(ran.load(), 4);
        ++returned;
    });
    release.open();
    a.join();
    b.join();
    EXPECT_EQ(returned.load(), 2);
}

TEST(ThreadPoolExecutorTest, AnExecutorDestroyedByItsOwnJobDoesNotDeadlock) {
    auto pool = std::make_shared<ThreadPoolExecutor>(1);
    Gate done;
    std::weak_ptr<ThreadPoolExecutor> weak = pool;
    (void)pool->submit([pool, &done]() mutable {
        pool.reset();  // the last reference: ~ThreadPoolExecutor runs on its own worker
        done.open();
    });
    pool.reset();
    ASSERT_TRUE(done.wait());
    EXPECT_TRUE(weak.expired());
}

TEST(ThreadPoolExecutorTest, EightThreadsSubmittingAThousandJobsEachOnEightWorkersRunThemAll) {
    ThreadPoolExecutor pool(8);
    constexpr int kThreads = 8, kJobs = 1000;
    std::atomic<long> sum{0};
    std::set<std::thread::id> worker_ids;
    std::mutex ids_mutex;
    std::vector<std::thread> submitters;
    std::vector<std::vector<std::future<int>>> results(kThreads);
    for (int t = 0; t < kThreads; ++t) {
        submitters.emplace_back([&, t] {
            for (int i = 0; i < kJobs; ++i) {
                results[t].push_back(pool.submit([&, i] {
                    sum += i;
                    std::lock_guard<std::mutex> lock(ids_mutex);
                    worker_ids.insert(std::this_thread::get_id());
                    return i;
                }));
            }
        });
    }
    for (auto& s : submitters) s.join();
    long expected = 0;
    for (auto& per_thread : results)
        for (auto& f : per_thread) {
            ASSERT_TRUE(ready_within_bound(f));
            expected += f.get();
        }
    pool.shutdown();
    EXPECT_EQ(sum.load(), expected);
    EXPECT_EQ(expected, long(kThreads) * kJobs * (kJobs - 1) / 2);
    EXPECT_LE(pool.num_threads(), 8u);
    EXPECT_LE(worker_ids.size(), 8u);
}
