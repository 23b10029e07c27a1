// aio::AsyncGenerator: Python's async generators (PEP 525; CPython Lib/test/test_asyncgen.py):
// laziness, awaits in the body, exceptions, RAII on early destruction, aclose(), pipelines,
// cancellation of the consumer, shutdown by aio::run.

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "aio/exec/to_thread.hpp"
#include "gen_support.hpp"

using aio::AsyncGenerator;
using aio::Coro;
using namespace aio_gen_test;

namespace {

using AsyncGeneratorTest = GenTest;

AsyncGenerator<int> count_to(int n) {
    for (int i = 1; i <= n; ++i) co_yield i;
}

AsyncGenerator<int> ticking(int n, aio::Duration every) {
    for (int i = 1; i <= n; ++i) {
        co_await aio::sleep(every);
        co_yield i;
    }
}

AsyncGenerator<std::string> chunks_of(std::vector<std::string> chunks) {
    for (auto& c : chunks) {
        co_await aio::sleep(0s);  // a chunk arrives later, as from a socket
        co_yield c;
    }
}

// Seed 001's split_lines, without its bugs: lines may span chunks, and a last line without a
// newline is still a line.
AsyncGenerator<std::string> split_lines(AsyncGenerator<std::string> stream) {
    std::string leftover;
    while (auto chunk = co_await stream.next()) {
        leftover += *chunk;
        std::size_t start = 0;
        for (std::size_t nl; (nl = leftover.find('\n', start)) != std::string::npos; start = nl + 1)
            co_yield leftover.substr(start, nl - start);
        leftover.erase(0, start);
    }
    if (!leftover.empty()) co_yield leftover;
}

AsyncGenerator<int> squares(AsyncGenerator<int> in) {
    while (auto v = co_await in.next()) co_yield *v** v;
}

AsyncGenerator<int> evens(AsyncGenerator<int> in) {
    while (auto v = co_await in.next())
        if (*v % 2 == 0) co_yield *v;
}

}  // namespace

// ---- basics -----------------------------------------------------------------------------------

TEST_F(AsyncGeneratorTest, YieldsItsValuesInOrderThenNullopt) {
    run([]() -> Coro<void> {
        auto gen = count_to(3);
        EXPECT_EQ(co_await gen.next(), std::optional<int>(1));
        EXPECT_EQ(co_await gen.next(), std::optional<int>(2));
        EXPECT_EQ(co_await gen.next(), std::optional<int>(3));
        EXPECT_EQ(co_await gen.next(), std::nullopt);
        EXPECT_TRUE(gen.done());
        EXPECT_EQ(co_await gen.next(), std::nullopt);  // and stays finished
    }());
}

TEST_F(AsyncGeneratorTest, TheBodyRunsOnlyWhenNextIsAwaited) {
    run([]() -> Coro<void> {
        std::vector<std::string> log;
        auto body = [](std::vector<std::string>* log) -> AsyncGenerator<int> {
            log->push_back("start");
            co_yield 1;
            log->push_back("after 1");
            co_yield 2;
            log->push_back("end");
        };
        auto gen = body(&log);
        EXPECT_TRUE(log.empty());  // created, not started
        co_await gen.next();
        EXPECT_EQ(log, (std::vector<std::string>{"start"}));
        co_await gen.next();
        EXPECT_EQ(log, (std::vector<std::string>{"start", "after 1"}));
        co_await gen.next();
        EXPECT_EQ(log, (std::vector<std::string>{"start", "after 1", "end"}));
    }());
}

TEST_F(AsyncGeneratorTest, AwaitsInTheBodySuspendTheConsumersTaskAndLetOthersRun) {
    run([this]() -> Coro<void> {
        int other_ticks = 0;
        auto other = aio::create_task([](int* ticks) -> Coro<void> {
            for (int i = 0; i < 3; ++i) {
                co_await aio::sleep(500ms);
                ++*ticks;
            }
        }(&other_ticks));
        auto gen = ticking(3, 1s);
        std::vector<int> got;
        while (auto v = co_await gen.next()) got.push_back(*v);
        EXPECT_EQ(got, (std::vector<int>{1, 2, 3}));
        EXPECT_EQ(elapsed(), 3s);
        EXPECT_EQ(other_ticks, 3);
        co_await other;
    }());
}

TEST_F(AsyncGeneratorTest, TheBodyRunsInTheConsumersTask) {
    run([]() -> Coro<void> {
        auto body = []() -> AsyncGenerator<aio::AnyTask> {
            co_yield aio::current_task();
            co_await aio::sleep(1ms);
            co_yield aio::current_task();
        };
        auto gen = body();
        auto me = aio::current_task();
        EXPECT_TRUE(*(co_await gen.next()) == me);
        EXPECT_TRUE(*(co_await gen.next()) == me);
    }());
}

TEST_F(AsyncGeneratorTest, AGeneratorOfMoveOnlyValues) {
    run([]() -> Coro<void> {
        auto body = []() -> AsyncGenerator<std::unique_ptr<int>> {
            co_yield std::make_unique<int>(1);
            auto p = std::make_unique<int>(2);
            co_yield std::move(p);
        };
        auto gen = body();
        EXPECT_EQ(**(co_await gen.next()), 1);
        EXPECT_EQ(**(co_await gen.next()), 2);
        EXPECT_EQ(co_await gen.next(), std::nullopt);
    }());
}

TEST_F(AsyncGeneratorTest, YieldingAnLvalueCopiesItAndLeavesTheBodysVariableIntact) {
    run([]() -> Coro<void> {
        auto body = []() -> AsyncGenerator<std::string> {
            std::string s = "kept";
            co_yield s;
            co_yield s + " still";
        };
        auto gen = body();
        EXPECT_EQ(co_await gen.next(), std::optional<std::string>("kept"));
        EXPECT_EQ(co_await gen.next(), std::optional<std::string>("kept still"));
    }());
}

TEST_F(AsyncGeneratorTest, AnextIsNext) {
    run([]() -> Coro<void> {
        auto gen = count_to(1);
        EXPECT_EQ(co_await aio::anext(gen), std::optional<int>(1));
        EXPECT_EQ(co_await aio::anext(gen), std::nullopt);
    }());
}

TEST_F(AsyncGeneratorTest, AMovedFromGeneratorYieldsNothing) {
    run([]() -> Coro<void> {
        auto gen = count_to(2);
        auto moved = std::move(gen);
        EXPECT_FALSE(gen.valid());
        EXPECT_EQ(co_await gen.next(), std::nullopt);
        EXPECT_EQ(co_await moved.next(), std::optional<int>(1));
    }());
}

// ---- exceptions -------------------------------------------------------------------------------

TEST_F(AsyncGeneratorTest, ExceptionInGeneratorBodyPropagatesToConsumer) {
    run([]() -> Coro<void> {
        auto body = []() -> AsyncGenerator<int> {
            co_yield 1;
            throw Boom("in the body");
        };
        auto gen = body();
        EXPECT_EQ(co_await gen.next(), std::optional<int>(1));
        auto e = co_await outcome_of(gen.next());
        EXPECT_TRUE(holds<Boom>(e));
        EXPECT_TRUE(gen.done());
        EXPECT_EQ(co_await gen.next(), std::nullopt);  // finished after the exception
    }());
}

TEST_F(AsyncGeneratorTest, AnExceptionAfterAnAwaitInTheBodyPropagatesToo) {
    run([]() -> Coro<void> {
        auto body = []() -> AsyncGenerator<int> {
            co_await aio::sleep(1s);
            throw Boom("after a suspension");
            co_yield 0;
        };
        auto gen = body();
        auto e = co_await outcome_of(gen.next());
        EXPECT_TRUE(holds<Boom>(e));
    }());
}

TEST_F(AsyncGeneratorTest, AnExceptionInAnInnerGeneratorPropagatesThroughThePipeline) {
    run([]() -> Coro<void> {
        auto failing = []() -> AsyncGenerator<int> {
            co_yield 2;
            co_await aio::sleep(1ms);
            throw Boom("inner");
        };
        auto gen = squares(failing());
        EXPECT_EQ(co_await gen.next(), std::optional<int>(4));
        auto e = co_await outcome_of(gen.next());
        EXPECT_TRUE(holds<Boom>(e));
    }());
}

// ---- lifetime ---------------------------------------------------------------------------------

TEST_F(AsyncGeneratorTest, GeneratorDestroyedEarlyRunsItsDestructors) {
    run([]() -> Coro<void> {
        int destroyed = 0;
        bool ran_past_yield = false;
        auto body = [](int* destroyed, bool* ran_past) -> AsyncGenerator<int> {
            Probe outer(destroyed);
            {
                Probe inner(destroyed);
                co_await aio::sleep(1ms);
                co_yield 1;
                *ran_past = true;
            }
            co_yield 2;
        };
        {
            auto gen = body(&destroyed, &ran_past_yield);
            EXPECT_EQ(co_await gen.next(), std::optional<int>(1));
            EXPECT_EQ(destroyed, 0);
        }  // suspended at `co_yield 1`: both locals are destroyed, no code after the yield runs
        EXPECT_EQ(destroyed, 2);
        EXPECT_FALSE(ran_past_yield);
    }());
}

TEST_F(AsyncGeneratorTest, DestroyingAPipelineDestroysTheGeneratorsItConsumes) {
    run([]() -> Coro<void> {
        int destroyed = 0;
        auto source = [](int* destroyed) -> AsyncGenerator<int> {
            Probe p(destroyed);
            for (int i = 1;; ++i) co_yield i;
        };
        {
            auto gen = evens(squares(source(&destroyed)));
            EXPECT_EQ(co_await gen.next(), std::optional<int>(4));
        }
        EXPECT_EQ(destroyed, 1);
    }());
}

TEST_F(AsyncGeneratorTest, AGeneratorNeverStartedNeverRunsItsBody) {
    run([]() -> Coro<void> {
        bool ran = false;
        {
            auto gen = [](bool* ran) -> AsyncGenerator<int> {
                *ran = true;
                co_yield 1;
            }(&ran);
        }
        EXPECT_FALSE(ran);
        co_return;
    }());
}

// ---- aclose -----------------------------------------------------------------------------------

TEST_F(AsyncGeneratorTest, AcloseRunsTheBodysCleanupInTheCallingTask) {
    run([this]() -> Coro<void> {
        std::vector<std::string> log;
        auto body = [](std::vector<std::string>* log) -> AsyncGenerator<int> {
            bool exiting = false;
            try {
                co_yield 1;
                co_yield 2;
            } catch (const aio::GeneratorExit&) {
                exiting = true;
            }
            // Async cleanup (C++ forbids co_await inside a catch block).
            log->push_back(exiting ? "closing" : "finished");
            co_await aio::sleep(1s);
            log->push_back(aio::current_task() ? "cleaned up in a task" : "no task");
        };
        auto gen = body(&log);
        EXPECT_EQ(co_await gen.next(), std::optional<int>(1));
        auto t0 = elapsed();
        co_await gen.aclose();
        EXPECT_EQ(elapsed() - t0, 1s);
        EXPECT_EQ(log, (std::vector<std::string>{"closing", "cleaned up in a task"}));
        EXPECT_TRUE(gen.done());
        EXPECT_EQ(co_await gen.next(), std::nullopt);
        co_await gen.aclose();  // a second aclose() does nothing
    }());
}

TEST_F(AsyncGeneratorTest, AcloseRunsTheDestructorsOfTheBodysLocals) {
    run([]() -> Coro<void> {
        int destroyed = 0;
        auto body = [](int* destroyed) -> AsyncGenerator<int> {
            Probe p(destroyed);
            co_yield 1;
            co_yield 2;
        };
        auto gen = body(&destroyed);
        co_await gen.next();
        co_await gen.aclose();
        EXPECT_EQ(destroyed, 1);
    }());
}

TEST_F(AsyncGeneratorTest, AcloseOfAGeneratorThatYieldsAgainIsARuntimeError) {
    run([]() -> Coro<void> {
        auto stubborn = []() -> AsyncGenerator<int> {
            for (;;) {
                try {
                    co_yield 1;
                } catch (const aio::GeneratorExit&) {
                }  // swallowed: the loop yields again
            }
        };
        auto gen = stubborn();
        co_await gen.next();
        auto e = co_await outcome_of(gen.aclose());
        EXPECT_TRUE(holds<aio::RuntimeError>(e));
        try {
            if (e) std::rethrow_exception(e);
        } catch (const aio::RuntimeError& r) {
            EXPECT_STREQ(r.what(), "async generator ignored GeneratorExit");
        }
        EXPECT_TRUE(gen.done());
        EXPECT_EQ(co_await gen.next(), std::nullopt);
    }());
}

TEST_F(AsyncGeneratorTest, AcloseOfANeverStartedGeneratorNeverRunsTheBody) {
    run([]() -> Coro<void> {
        bool ran = false;
        auto gen = [](bool* ran) -> AsyncGenerator<int> {
            *ran = true;
            co_yield 1;
        }(&ran);
        co_await gen.aclose();
        EXPECT_FALSE(ran);
        EXPECT_EQ(co_await gen.next(), std::nullopt);
        EXPECT_FALSE(ran);
    }());
}

TEST_F(AsyncGeneratorTest, AnExceptionThrownByTheCleanupPropagatesFromAclose) {
    run([]() -> Coro<void> {
        auto body = []() -> AsyncGenerator<int> {
            bool exiting = false;
            try {
                co_yield 1;
            } catch (const aio::GeneratorExit&) {
                exiting = true;
            }
            if (exiting) throw Boom("cleanup failed");
        };
        auto gen = body();
        co_await gen.next();
        auto e = co_await outcome_of(gen.aclose());
        EXPECT_TRUE(holds<Boom>(e));
        EXPECT_TRUE(gen.done());
    }());
}

TEST_F(AsyncGeneratorTest, GeneratorExitIsNotCaughtAsAStdException) {
    run([]() -> Coro<void> {
        bool caught_as_std = false;
        auto body = [](bool* caught) -> AsyncGenerator<int> {
            try {
                co_yield 1;
            } catch (const std::exception&) {
                *caught = true;
            }
        };
        auto gen = body(&caught_as_std);
        co_await gen.next();
        co_await gen.aclose();
        EXPECT_FALSE(caught_as_std);
    }());
}

// ---- pipelines --------------------------------------------------------------------------------

TEST_F(AsyncGeneratorTest, SplitLinesOverChunkStreamHandlesBoundariesAndALastLineWithoutNewline) {
    auto lines = run([]() -> Coro<std::vector<std::string>> {
        std::vector<std::string> chunks;
        for (const char* c : {"ab", "c\nde", "f\n\ng", "", "h\n", "\n", "last"})
            chunks.emplace_back(c);
        auto gen = split_lines(chunks_of(std::move(chunks)));
        co_return co_await collect(gen);
    }());
    EXPECT_EQ(lines, (std::vector<std::string>{"abc", "def", "", "gh", "", "last"}));
}

TEST_F(AsyncGeneratorTest, SplitLinesOfAStreamEndingWithANewlineHasNoEmptyLastLine) {
    auto lines = run([]() -> Coro<std::vector<std::string>> {
        std::vector<std::string> chunks;
        for (const char* c : {"one\ntw", "o\n"}) chunks.emplace_back(c);
        auto gen = split_lines(chunks_of(std::move(chunks)));
        co_return co_await collect(gen);
    }());
    EXPECT_EQ(lines, (std::vector<std::string>{"one", "two"}));
}

TEST_F(AsyncGeneratorTest, AThreeStagePipelineOfGeneratorsComposes) {
    auto out = run([]() -> Coro<std::vector<int>> {
        auto gen = evens(squares(ticking(6, 10ms)));
        co_return co_await collect(gen);
    }());
    EXPECT_EQ(out, (std::vector<int>{4, 16, 36}));
}

TEST_F(AsyncGeneratorTest, ABodyCanAwaitAThreadPoolJob) {
    auto out = run([]() -> Coro<std::vector<int>> {
        auto body = []() -> AsyncGenerator<int> {
            for (int i = 1; i <= 3; ++i)
                co_yield co_await aio::to_thread([](int v) { return v * 10; }, i);
        };
        auto gen = body();
        co_return co_await collect(gen);
    }());
    EXPECT_EQ(out, (std::vector<int>{10, 20, 30}));
}

// ---- cancellation and misuse ------------------------------------------------------------------

TEST_F(AsyncGeneratorTest, CancellingTheConsumerWhileTheBodyAwaitsRaisesCancelledErrorInTheBody) {
    run([]() -> Coro<void> {
        bool body_saw_cancel = false;
        auto body = [](bool* saw) -> AsyncGenerator<int> {
            co_yield 1;
            try {
                co_await aio::sleep(1h);
            } catch (const aio::CancelledError&) {
                *saw = true;
                throw;
            }
            co_yield 2;
        };
        auto consumer = aio::create_task([](AsyncGenerator<int> gen) -> Coro<int> {
            int n = 0;
            while (auto v = co_await gen.next()) n += *v;
            co_return n;
        }(body(&body_saw_cancel)));
        co_await aio::sleep(1s);  // the body now sleeps inside the consumer's next()
        EXPECT_EQ(consumer.awaiting().rfind("sleep", 0), 0u);
        consumer.cancel();
        auto e = co_await outcome_of(consumer);
        EXPECT_TRUE(holds<aio::CancelledError>(e));
        EXPECT_TRUE(consumer.cancelled());
        EXPECT_TRUE(body_saw_cancel);
    }());
}

TEST_F(AsyncGeneratorTest, NextWhileAnotherNextIsInProgressIsARuntimeError) {
    run([]() -> Coro<void> {
        auto gen = ticking(2, 1s);
        auto first = aio::create_task([](AsyncGenerator<int>* g) -> Coro<std::optional<int>> {
            co_return co_await g->next();
        }(&gen));
        co_await aio::sleep(10ms);  // `first` is inside next(), the body sleeping
        EXPECT_THROW((void)gen.next(), aio::RuntimeError);
        EXPECT_THROW((void)gen.aclose(), aio::RuntimeError);
        EXPECT_EQ(co_await first, std::optional<int>(1));
        EXPECT_EQ(co_await gen.next(), std::optional<int>(2));
    }());
}

TEST_F(AsyncGeneratorTest, AMillionSynchronousYieldsDoNotGrowTheStack) {
    long sum = run([]() -> Coro<long> {
        auto gen = count_to(1'000'000);
        long s = 0;
        while (auto v = co_await gen.next()) s += *v;
        co_return s;
    }());
    EXPECT_EQ(sum, 1'000'000L * 1'000'001 / 2);
}

TEST_F(AsyncGeneratorTest, ManyYieldsAfterRealSuspensionsDoNotGrowTheStack) {
    long n = run([]() -> Coro<long> {
        auto body = []() -> AsyncGenerator<int> {
            for (int i = 0; i < 100'000; ++i) {
                co_await aio::sleep(0s);  // resumed by the loop, then hands over to the consumer
                co_yield i % 100;
            }
        };
        auto inner = body();
        auto gen = squares(std::move(inner));
        long count = 0;
        while (co_await gen.next()) ++count;
        co_return count;
    }());
    EXPECT_EQ(n, 100'000);
}

// ---- shutdown ---------------------------------------------------------------------------------

TEST_F(AsyncGeneratorTest, RunAclosesGeneratorsStillAliveWhenTheLoopShutsDown) {
    // asyncio.run's shutdown_asyncgens: a started generator that outlives every task is closed
    // (its cleanup runs, with the loop still there) before the loop closes.
    std::vector<std::string> log;
    auto keeper = std::make_unique<AsyncGenerator<int>>();
    run([&]() -> Coro<void> {
        auto body = [](std::vector<std::string>* log) -> AsyncGenerator<int> {
            bool exiting = false;
            try {
                co_yield 1;
            } catch (const aio::GeneratorExit&) {
                exiting = true;
            }
            co_await aio::sleep(1s);
            log->push_back(exiting ? "closed by the loop" : "finished");
        };
        *keeper = body(&log);
        co_await keeper->next();
    }());
    EXPECT_EQ(log, (std::vector<std::string>{"closed by the loop"}));
    EXPECT_TRUE(keeper->done());
    keeper.reset();
}

TEST_F(AsyncGeneratorTest, AnErrorWhileTheLoopClosesAGeneratorIsReported) {
    auto keeper = std::make_unique<AsyncGenerator<int>>();
    run([&]() -> Coro<void> {
        auto body = []() -> AsyncGenerator<int> {
            bool exiting = false;
            try {
                co_yield 1;
            } catch (const aio::GeneratorExit&) {
                exiting = true;
            }
            if (exiting) throw Boom("cleanup failed at shutdown");
        };
        *keeper = body();
        co_await keeper->next();
    }());
    auto reports = take_reports();
    ASSERT_EQ(reports.size(), 1u);
    EXPECT_EQ(reports[0].message, "an error occurred during closing of asynchronous generator");
    EXPECT_TRUE(holds<Boom>(reports[0].exception));
}
