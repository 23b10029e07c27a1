// aio::Future<T>: asyncio.Future (CPython Lib/test/test_asyncio/test_futures.py): states,
// InvalidStateError, done callbacks scheduled with call_soon, awaiting, cancellation.

#include "aio/core/future.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "aio/core/task.hpp"
#include "aio/time/sleep.hpp"
#include "support/loop_fixture.hpp"

using namespace std::chrono_literals;

namespace {

using FutureTest = aio_test::VirtualLoopTest;
using Log = std::vector<std::string>;

/// Awaits `f` and logs "name:value".
aio::Coro<void> log_result(aio::Future<std::string>& f, Log& log, std::string name) {
    std::string v = co_await f;
    log.push_back(name + ":" + v);
}

}  // namespace

// ---- states --------------------------------------------------------------------------------

TEST_F(FutureTest, ANewFutureIsPending) {
    auto f = loop.create_future<int>();
    EXPECT_FALSE(f.done());
    EXPECT_FALSE(f.cancelled());
    EXPECT_EQ(&f.get_loop(), &loop);
}

TEST_F(FutureTest, SetResultMakesTheFutureDoneWithThatValue) {
    auto f = loop.create_future<std::string>();
    f.set_result("hello");
    EXPECT_TRUE(f.done());
    EXPECT_FALSE(f.cancelled());
    EXPECT_EQ(f.result(), "hello");
    EXPECT_EQ(f.exception(), nullptr);
}

TEST_F(FutureTest, AVoidFutureCompletesWithSetResult) {
    auto f = loop.create_future<void>();
    f.set_result();
    EXPECT_TRUE(f.done());
    EXPECT_NO_THROW(f.result());
}

TEST_F(FutureTest, SetExceptionMakesResultRethrowIt) {
    auto f = loop.create_future<int>();
    f.set_exception(std::invalid_argument("bad"));
    EXPECT_TRUE(f.done());
    EXPECT_FALSE(f.cancelled());
    EXPECT_THROW(f.result(), std::invalid_argument);
    ASSERT_NE(f.exception(), nullptr);
    EXPECT_EQ(aio_test::message_of(f.exception()), "bad");
}

TEST_F(FutureTest, SetExceptionAcceptsAnExceptionPtr) {
    auto f = loop.create_future<int>();
    f.set_exception(std::make_exception_ptr(std::runtime_error("ptr")));
    EXPECT_THROW(f.result(), std::runtime_error);
}

TEST_F(FutureTest, CancelMakesTheFutureCancelledAndResultRaisesCancelledError) {
    auto f = loop.create_future<int>();
    EXPECT_TRUE(f.cancel("no longer needed"));
    EXPECT_TRUE(f.done());
    EXPECT_TRUE(f.cancelled());
    try {
        f.result();
        FAIL() << "expected CancelledError";
    } catch (const aio::CancelledError& e) {
        EXPECT_EQ(e.message(), "no longer needed");
    }
    EXPECT_THROW(f.exception(), aio::CancelledError);
}

TEST_F(FutureTest, CancelOnADoneFutureReturnsFalseAndChangesNothing) {
    auto f = loop.create_future<int>();
    f.set_result(1);
    EXPECT_FALSE(f.cancel());
    EXPECT_FALSE(f.cancelled());
    EXPECT_EQ(f.result(), 1);

    auto g = loop.create_future<int>();
    g.cancel();
    EXPECT_FALSE(g.cancel());
    EXPECT_TRUE(g.cancelled());
}

// ---- InvalidStateError ---------------------------------------------------------------------

TEST_F(FutureTest, ResultOfAPendingFutureThrowsInvalidStateError) {
    auto f = loop.create_future<int>();
    EXPECT_THROW(f.result(), aio::InvalidStateError);
    EXPECT_THROW(f.exception(), aio::InvalidStateError);
}

TEST_F(FutureTest, SettingADoneFutureThrowsInvalidStateError) {
    auto f = loop.create_future<int>();
    f.set_result(1);
    EXPECT_THROW(f.set_result(2), aio::InvalidStateError);
    EXPECT_THROW(f.set_exception(std::runtime_error("x")), aio::InvalidStateError);
    EXPECT_EQ(f.result(), 1);

    auto g = loop.create_future<int>();
    g.set_exception(std::runtime_error("first"));
    EXPECT_THROW(g.set_result(2), aio::InvalidStateError);
    EXPECT_THROW(g.set_exception(std::runtime_error("second")), aio::InvalidStateError);
    EXPECT_EQ(aio_test::message_of(g.exception()), "first");
}

TEST_F(FutureTest, SettingACancelledFutureThrowsInvalidStateError) {
    auto f = loop.create_future<int>();
    f.cancel();
    EXPECT_THROW(f.set_result(2), aio::InvalidStateError);
    EXPECT_THROW(f.set_exception(std::runtime_error("x")), aio::InvalidStateError);
    EXPECT_TRUE(f.cancelled());
}

TEST_F(FutureTest, CreatingAFutureWithoutARunningLoopThrowsRuntimeError) {
    EXPECT_THROW(aio::Future<int>(), aio::RuntimeError);
    aio::Future<int> bound(loop);  // explicit loop: fine
    EXPECT_EQ(&bound.get_loop(), &loop);
}

// ---- done callbacks ------------------------------------------------------------------------

TEST_F(FutureTest, DoneCallbacksAreScheduledWithCallSoonNotCalledSynchronously) {
    Log log;
    auto f = loop.create_future<int>();
    f.add_done_callback(
        [&](aio::Future<int> done) { log.push_back("cb " + std::to_string(done.result())); });
    f.set_result(3);
    EXPECT_TRUE(log.empty()) << "set_result must not call the callback itself";
    run_once();
    EXPECT_EQ(log, (Log{"cb 3"}));
}

TEST_F(FutureTest, DoneCallbacksRunInRegistrationOrder) {
    Log log;
    auto f = loop.create_future<void>();
    for (int i = 0; i < 4; ++i)
        f.add_done_callback([&log, i](aio::Future<void>) { log.push_back(std::to_string(i)); });
    f.set_result();
    run_once();
    EXPECT_EQ(log, (Log{"0", "1", "2", "3"}));
}

TEST_F(FutureTest, ACallbackAddedToADoneFutureIsScheduledNotCalled) {
    Log log;
    auto f = loop.create_future<int>();
    f.set_result(1);
    f.add_done_callback([&](aio::Future<int>) { log.push_back("late"); });
    EXPECT_TRUE(log.empty());
    run_once();
    EXPECT_EQ(log, (Log{"late"}));
}

TEST_F(FutureTest, RemoveDoneCallbackStopsItFromRunning) {
    Log log;
    auto f = loop.create_future<int>();
    auto a = f.add_done_callback([&](aio::Future<int>) { log.push_back("a"); });
    auto b = f.add_done_callback([&](aio::Future<int>) { log.push_back("b"); });
    f.add_done_callback([&](aio::Future<int>) { log.push_back("c"); });
    EXPECT_EQ(f.remove_done_callback(b), 1u);
    EXPECT_EQ(f.remove_done_callback(b), 0u) << "already removed";
    (void)a;
    f.set_result(1);
    run_once();
    EXPECT_EQ(log, (Log{"a", "c"}));
}

TEST_F(FutureTest, DoneCallbacksRunForCancelledAndFailedFuturesToo) {
    Log log;
    auto f = loop.create_future<int>();
    auto g = loop.create_future<int>();
    f.add_done_callback(
        [&](aio::Future<int> x) { log.push_back(x.cancelled() ? "f cancelled" : "f ?"); });
    g.add_done_callback([&](aio::Future<int> x) {
        log.push_back(x.exception() ? "g failed" : "g ?");  // exception() retrieves it
    });
    f.cancel();
    g.set_exception(std::runtime_error("x"));
    run_once();
    EXPECT_EQ(log, (Log{"f cancelled", "g failed"}));
}

TEST_F(FutureTest, AnExceptionThrownByADoneCallbackReachesTheHandler) {
    auto f = loop.create_future<int>();
    bool second_ran = false;
    f.add_done_callback([](aio::Future<int>) { throw std::runtime_error("cb failed"); });
    f.add_done_callback([&](aio::Future<int>) { second_ran = true; });
    f.set_result(1);
    run_once();
    EXPECT_TRUE(second_ran);
    ASSERT_EQ(reports.size(), 1u) << reports.describe();
    EXPECT_EQ(aio_test::message_of(reports[0].exception), "cb failed");
    reports.clear();
}

// ---- awaiting ------------------------------------------------------------------------------

TEST_F(FutureTest, AwaitingAFutureSuspendsUntilItsResultIsSet) {
    auto f = loop.create_future<int>();
    loop.call_later(30ms, [&] { f.set_result(8); });
    auto body = [&]() -> aio::Coro<int> { co_return co_await f; };
    EXPECT_EQ(run(body()), 8);
    EXPECT_EQ(elapsed(), 30ms);
}

TEST_F(FutureTest, AwaitingADoneFutureDoesNotSuspend) {
    auto f = loop.create_future<int>();
    f.set_result(2);
    auto body = [&]() -> aio::Coro<std::uint64_t> {
        std::uint64_t before = loop.iteration();
        (void)co_await f;
        co_return loop.iteration() - before;
    };
    EXPECT_EQ(run(body()), 0u);
}

TEST_F(FutureTest, AwaitingAFailedFutureRethrowsItsException) {
    auto f = loop.create_future<int>();
    loop.call_later(1ms, [&] { f.set_exception(std::domain_error("nope")); });
    auto body = [&]() -> aio::Coro<std::string> {
        try {
            co_await f;
        } catch (const std::domain_error& e) {
            co_return e.what();
        }
        co_return "";
    };
    EXPECT_EQ(run(body()), "nope");
}

TEST_F(FutureTest, AwaitingACancelledFutureRaisesCancelledError) {
    auto f = loop.create_future<int>();
    loop.call_later(1ms, [&] { f.cancel("gone"); });
    std::string msg;
    auto body = [&]() -> aio::Coro<void> {
        try {
            co_await f;
        } catch (const aio::CancelledError& e) {
            msg = e.message();
            throw;
        }
    };
    auto t = loop.create_task(body());
    EXPECT_THROW(loop.run_until_complete(t), aio::CancelledError);
    EXPECT_EQ(msg, "gone");
    EXPECT_TRUE(t.cancelled());
}

TEST_F(FutureTest, EveryTaskAwaitingAFutureGetsItsResultInAwaitOrder) {
    Log log;
    auto f = loop.create_future<std::string>();
    auto a = loop.create_task(log_result(f, log, "a"));
    auto b = loop.create_task(log_result(f, log, "b"));
    auto c = loop.create_task(log_result(f, log, "c"));
    run_once();
    f.set_result("x");
    loop.run_until_complete(c);
    EXPECT_TRUE(a.done() && b.done());
    EXPECT_EQ(log, (Log{"a:x", "b:x", "c:x"}));
}

// Until a future needs its rarely used fields (callbacks, name, exception), the word that will
// point to them holds the head of the awaiter list; these pin the hand-over between the two.
TEST_F(FutureTest, AwaitersAlreadyWaitingAreWokenInOrderWhenACallbackIsAddedBeforeTheResult) {
    Log log;
    auto f = loop.create_future<std::string>();
    auto a = loop.create_task(log_result(f, log, "a"));
    auto b = loop.create_task(log_result(f, log, "b"));
    run_once();
    f.add_done_callback([&](const aio::Future<std::string>&) { log.push_back("callback"); });
    f.set_result("x");
    loop.run_until_complete(b);
    run_once();
    EXPECT_TRUE(a.done());
    EXPECT_EQ(log, (Log{"a:x", "b:x", "callback"}));
}

TEST_F(FutureTest, TasksAwaitingATaskThatIsRenamedAndThenFailsAllSeeItsException) {
    Log log;
    auto gate = loop.create_future<void>();
    auto body = [&]() -> aio::Coro<int> {
        co_await gate;
        throw std::runtime_error("late");
    };
    auto target = loop.create_task(body());
    auto waiter = [&](std::string name) -> aio::Coro<void> {
        try {
            co_await target;
        } catch (const std::runtime_error& e) {
            log.push_back(name + ":" + e.what());
        }
    };
    auto a = loop.create_task(waiter("a"));
    auto b = loop.create_task(waiter("b"));
    run_once();
    target.set_name("renamed");  // the extra is created while a and b are listening
    gate.set_result();
    loop.run_until_complete(b);
    EXPECT_TRUE(a.done());
    EXPECT_EQ(target.get_name(), "renamed");
    EXPECT_EQ(log, (Log{"a:late", "b:late"}));
}

TEST_F(FutureTest, AwaitingAnRvalueFutureMovesTheValueOut) {
    auto f = loop.create_future<std::unique_ptr<int>>();
    f.set_result(std::make_unique<int>(6));
    auto body = [&]() -> aio::Coro<int> {
        std::unique_ptr<int> p = co_await std::move(f);
        co_return *p;
    };
    EXPECT_EQ(run(body()), 6);
}

TEST_F(FutureTest, AFutureCompletedFromAnotherTaskWakesTheAwaiter) {
    auto f = loop.create_future<int>();
    auto producer = [&]() -> aio::Coro<void> {
        co_await aio::sleep(5ms);
        f.set_result(99);
    };
    auto consumer = [&]() -> aio::Coro<int> { co_return co_await f; };
    auto p = loop.create_task(producer());
    EXPECT_EQ(run(consumer()), 99);
    EXPECT_TRUE(p.done());
}

TEST_F(FutureTest, AFutureOutlivesItsLoop) {
    std::optional<aio::Future<int>> f;
    int callbacks = 0;
    {
        aio::testing::VirtualClock clock2;
        aio::EventLoop other(clock2);
        f = other.create_future<int>();
        f->add_done_callback([&](aio::Future<int>) { ++callbacks; });
    }
    f->set_result(3);  // the loop is gone: nothing can be scheduled, nothing may crash
    EXPECT_EQ(f->result(), 3);
    EXPECT_EQ(callbacks, 0);
}

// ---- never retrieved -------------------------------------------------------------------------

TEST_F(FutureTest, AFailedFutureWhoseExceptionWasNeverRetrievedIsReportedOnce) {
    {
        auto f = loop.create_future<int>();
        f.set_exception(std::runtime_error("lost"));
    }
    ASSERT_EQ(reports.size(), 1u) << reports.describe();
    EXPECT_NE(reports[0].message.find("exception was never retrieved"), std::string::npos)
        << reports[0].message;
    EXPECT_EQ(aio_test::message_of(reports[0].exception), "lost");
    reports.clear();
}

TEST_F(FutureTest, AFailedFutureWhoseExceptionWasRetrievedIsNotReported) {
    {
        auto f = loop.create_future<int>();
        f.set_exception(std::runtime_error("seen"));
        (void)f.exception();
    }
    {
        auto f = loop.create_future<int>();
        f.set_exception(std::runtime_error("seen"));
        EXPECT_THROW(f.result(), std::runtime_error);
    }
    EXPECT_TRUE(reports.empty()) << reports.describe();
}
