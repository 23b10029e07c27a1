// aio::Coro<T>: asyncio's `async def`. Lazy, awaited once, a direct call when awaited, and no
// stack growth on long chains of synchronously completing awaits (cppcoro's "lots of synchronous
// completions doesn't result in stack-overflow").

#include "aio/core/coro.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>

#include "aio/core/future.hpp"
#include "aio/core/task.hpp"
#include "aio/time/sleep.hpp"
#include "support/loop_fixture.hpp"

using namespace std::chrono_literals;

namespace {

using CoroTest = aio_test::VirtualLoopTest;

// An awaited Coro is a direct call, so nesting runs on the thread's stack. With ASan at -O0 (the
// asan preset: clang defines neither __SANITIZE_ADDRESS__ nor __OPTIMIZE__ there) each level's
// frame and redzones take ~800 bytes, and 10,000 levels brush the 8 MiB limit. The depth tests
// run in every other build (-O0 and -O2 without ASan, TSan, g++).
#if defined(__has_feature)
#if __has_feature(address_sanitizer) && !defined(__OPTIMIZE__)
#define AIO_TEST_STACK_IS_SHORT 1
#endif
#endif
#ifdef AIO_TEST_STACK_IS_SHORT
constexpr bool kTenThousandLevelsFitTheStack = false;
#else
constexpr bool kTenThousandLevelsFitTheStack = true;
#endif

aio::Coro<int> completes_at_once(int v) { co_return v; }

aio::Coro<void> immediate_void() { co_return; }

aio::Coro<int> throws_logic_error() {
    throw std::logic_error("boom");
    co_return 0;
}

/// Counts live instances, like cppcoro's test/counted.hpp.
struct Counted {
    static inline int alive = 0;
    Counted() { ++alive; }
    Counted(const Counted&) { ++alive; }
    ~Counted() { --alive; }
};

aio::Coro<int> holds_counted(bool* started) {
    Counted c;
    *started = true;
    co_await aio::sleep(1h);
    co_return 1;
}

// Depth-first recursion through nested Coro awaits; the leaf completes synchronously.
aio::Coro<std::int64_t> nested_sync(int depth) {
    if (depth == 0) co_return 0;
    std::int64_t below = co_await nested_sync(depth - 1);
    co_return below + 1;
}

// The same, but the leaf suspends: the chain then unwinds by symmetric transfer from the loop.
aio::Coro<std::int64_t> nested_suspending(int depth) {
    if (depth == 0) {
        co_await aio::sleep(0s);
        co_return 0;
    }
    std::int64_t below = co_await nested_suspending(depth - 1);
    co_return below + 1;
}

// Throws `what`, after a sleep when `delay` is positive (so the awaiter resumes from the loop).
aio::Coro<int> fails_with(std::string what, aio::Duration delay) {
    if (delay > aio::Duration::zero()) co_await aio::sleep(delay);
    throw std::runtime_error(what);
    co_return 0;
}

/// An exception that keeps a Counted alive for as long as it exists.
struct CountedError : std::runtime_error {
    CountedError() : std::runtime_error("counted"), held(std::make_shared<Counted>()) {}
    std::shared_ptr<Counted> held;
};

aio::Coro<void> throws_counted() {
    throw CountedError();
    co_return;
}

}  // namespace

TEST_F(CoroTest, ACoroutineDoesNotRunUntilAwaited) {
    bool ran = false;
    auto body = [&]() -> aio::Coro<int> {
        ran = true;
        co_return 1;
    };
    auto main = [&]() -> aio::Coro<int> {
        aio::Coro<int> c = body();
        co_await aio::sleep(0s);
        EXPECT_FALSE(ran) << "a Coro is lazy: creating it must not start it";
        int v = co_await std::move(c);
        EXPECT_TRUE(ran);
        co_return v;
    };
    EXPECT_EQ(run(main()), 1);
}

TEST_F(CoroTest, ACoroutineNeverAwaitedNeverRunsAndItsFrameIsFreed) {
    bool started = false;
    {
        aio::Coro<int> c = holds_counted(&started);
        EXPECT_TRUE(c.valid());
    }
    EXPECT_FALSE(started);
    EXPECT_EQ(Counted::alive, 0);
}

TEST_F(CoroTest, AwaitingACoroutineReturnsItsValue) {
    auto main = []() -> aio::Coro<std::string> {
        int a = co_await completes_at_once(20);
        int b = co_await completes_at_once(22);
        co_await immediate_void();
        co_return std::to_string(a + b);
    };
    EXPECT_EQ(run(main()), "42");
}

TEST_F(CoroTest, AnExceptionInAnAwaitedCoroutinePropagatesToTheAwaiter) {
    auto main = []() -> aio::Coro<std::string> {
        try {
            co_await throws_logic_error();
        } catch (const std::logic_error& e) {
            co_return e.what();
        }
        co_return "not thrown";
    };
    EXPECT_EQ(run(main()), "boom");
}

TEST_F(CoroTest, AwaitingTheSameCoroutineTwiceThrowsInvalidStateError) {
    auto main = []() -> aio::Coro<int> {
        aio::Coro<int> c = completes_at_once(5);
        int first = co_await c;
        EXPECT_THROW(co_await c, aio::InvalidStateError);
        co_return first;
    };
    EXPECT_EQ(run(main()), 5);
}

TEST_F(CoroTest, AwaitingAMovedFromCoroutineThrowsInvalidStateError) {
    auto main = []() -> aio::Coro<int> {
        aio::Coro<int> c = completes_at_once(5);
        aio::Coro<int> d = std::move(c);
        EXPECT_FALSE(c.valid());
        EXPECT_THROW(co_await c, aio::InvalidStateError);
        co_return co_await d;
    };
    EXPECT_EQ(run(main()), 5);
}

TEST_F(CoroTest, AwaitingASynchronousCoroutineDoesNotYieldToTheLoop) {
    // Awaiting a coroutine is a direct call (principle 1): no loop iteration passes.
    auto main = [&]() -> aio::Coro<std::uint64_t> {
        std::uint64_t before = loop.iteration();
        for (int i = 0; i < 100; ++i) (void)co_await completes_at_once(i);
        co_return loop.iteration() - before;
    };
    EXPECT_EQ(run(main()), 0u);
}

TEST_F(CoroTest, DestroyingASuspendedTaskFrameRunsTheDestructorsOfItsLocals) {
    // Closing the loop destroys pending frames so their destructors run ("Task was destroyed
    // but it is pending!" is reported).
    bool started = false;
    {
        aio::testing::VirtualClock clock2;
        aio::EventLoop loop2(clock2);
        aio_test::ReportLog log;
        loop2.set_exception_handler(log.handler());
        auto t = loop2.create_task(holds_counted(&started));
        loop2.stop();
        loop2.run_forever();  // one iteration: the task starts and sleeps
        EXPECT_TRUE(started);
        EXPECT_EQ(Counted::alive, 1);
        loop2.close();
        EXPECT_EQ(Counted::alive, 0);
        EXPECT_TRUE(t.done());
        EXPECT_TRUE(t.cancelled());
        EXPECT_EQ(log.count_containing("Task was destroyed but it is pending"), 1u)
            << log.describe();
    }
    EXPECT_EQ(Counted::alive, 0);
}

TEST_F(CoroTest, AMillionSynchronouslyCompletingAwaitsInARowDoNotOverflowTheStack) {
    auto main = []() -> aio::Coro<std::int64_t> {
        std::int64_t sum = 0;
        for (int i = 0; i < 1'000'000; ++i) sum += co_await completes_at_once(1);
        co_return sum;
    };
    EXPECT_EQ(run(main()), 1'000'000);
}

TEST_F(CoroTest, AMillionAwaitsOfACompletedFutureInARowDoNotOverflowTheStack) {
    auto main = [&]() -> aio::Coro<std::int64_t> {
        auto fut = loop.create_future<int>();
        fut.set_result(1);
        std::int64_t sum = 0;
        for (int i = 0; i < 1'000'000; ++i) sum += co_await fut;
        co_return sum;
    };
    EXPECT_EQ(run(main()), 1'000'000);
}

TEST_F(CoroTest, TenThousandNestedSynchronousCoroutineAwaitsComplete) {
    if (!kTenThousandLevelsFitTheStack) GTEST_SKIP() << "ASan at -O0: 10,000 nested frames brush the 8 MiB stack";
    EXPECT_EQ(run(nested_sync(10'000)), 10'000);
}

TEST_F(CoroTest, TenThousandNestedCoroutinesUnwindAfterTheLeafSuspends) {
    if (!kTenThousandLevelsFitTheStack) GTEST_SKIP() << "ASan at -O0: 10,000 nested frames brush the 8 MiB stack";
    EXPECT_EQ(run(nested_suspending(10'000)), 10'000);
}

// A finished coroutine's exception waits in one per-thread slot until its awaiter takes it
// (coro.hpp). These pin that each awaiter gets its own exception, however failures interleave.
TEST_F(CoroTest, AnAwaiterHoldingOneFailureGetsTheNextFailureItAwaitsNotTheFirstAgain) {
    auto main = []() -> aio::Coro<std::string> {
        std::string seen;
        for (aio::Duration delay : {aio::Duration::zero(), aio::Duration(1ms)}) {
            // The first exception is still held (caught) while the second coroutine fails.
            std::exception_ptr first;
            try {
                co_await fails_with("first", delay);
            } catch (const std::runtime_error&) {
                first = std::current_exception();
            }
            try {
                co_await fails_with("second", delay);
            } catch (const std::runtime_error& second) {
                seen += std::string("/") + second.what();
            }
            try {
                std::rethrow_exception(first);
            } catch (const std::runtime_error& e) {
                seen += std::string("/") + e.what() + ";";
            }
        }
        co_return seen;
    };
    EXPECT_EQ(run(main()), "/second/first;/second/first;");
}

TEST_F(CoroTest, TasksWhoseCoroutinesFailInTheSameIterationEachKeepTheirOwnException) {
    auto awaits_failure = [](std::string what) -> aio::Coro<int> { co_return co_await fails_with(what, 1s); };
    auto a = loop.create_task(awaits_failure("a"));
    auto b = loop.create_task(fails_with("b", 1s));
    auto c = loop.create_task(awaits_failure("c"));
    auto main = [&]() -> aio::Coro<std::string> {
        std::string seen;
        for (auto* t : {&a, &b, &c}) {
            try {
                co_await *t;
            } catch (const std::runtime_error& e) {
                seen += e.what();
            }
        }
        co_return seen;
    };
    EXPECT_EQ(run(main()), "abc");
}

TEST_F(CoroTest, AnExceptionIsFreedOnceItsAwaiterIsDoneWithIt) {
    auto main = []() -> aio::Coro<int> {
        try {
            co_await throws_counted();
        } catch (const CountedError&) {
            if (Counted::alive != 1) co_return -1;
        }
        co_return Counted::alive;  // nothing may keep the caught exception alive
    };
    EXPECT_EQ(run(main()), 0);
}

TEST_F(CoroTest, ACancelledErrorEndingATaskCancelsItAndOtherExceptionsFailIt) {
    auto raises_cancelled = []() -> aio::Coro<int> {
        throw aio::CancelledError("by hand");
        co_return 0;
    };
    auto cancelled = loop.create_task(raises_cancelled());
    auto failed = loop.create_task(fails_with("plain", aio::Duration::zero()));
    auto settle = [](aio::AnyTask t) -> aio::Coro<void> {
        try {
            co_await t;
        } catch (...) {
        }
    };
    run(settle(cancelled));
    run(settle(failed));
    EXPECT_TRUE(cancelled.cancelled());
    EXPECT_FALSE(failed.cancelled());
    try {
        std::rethrow_exception(failed.exception());
    } catch (const std::runtime_error& e) {
        EXPECT_STREQ(e.what(), "plain");
    }
}
