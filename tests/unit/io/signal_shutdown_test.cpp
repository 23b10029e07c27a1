// GracefulShutdown: real signals to this process (each TEST runs in a process of its own under
// ctest; every test leaves the dispositions as it found them).

#include <gtest/gtest.h>

#include <signal.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "aio/core/exceptions.hpp"
#include "aio/core/run.hpp"
#include "aio/io/graceful_shutdown.hpp"
#include "aio/sync/event.hpp"
#include "aio/time/sleep.hpp"
#include "aio/time/wait_for.hpp"

using namespace std::chrono_literals;

namespace {

void (*current_disposition(int sig))(int) {
    struct sigaction sa {};
    ::sigaction(sig, nullptr, &sa);
    return sa.sa_handler;
}

// A background job that runs until cancelled; `cleaned` records that its clean-up ran.
aio::Coro<void> worker(std::vector<std::string>* log, std::string name, bool fail_on_cancel) {
    try {
        for (;;) co_await aio::sleep(1h);
    } catch (const aio::CancelledError&) {
        log->push_back(name + " cancelled");
        if (fail_on_cancel) throw std::runtime_error(name + " failed while cleaning up");
        throw;
    }
}

}  // namespace

TEST(GracefulShutdown, OnSigtermStepsRunThenOtherTasksAreCancelledAndTheWaiterGoesOn) {
    std::vector<std::string> log;
    auto body = [&]() -> aio::Coro<int> {
        aio::GracefulShutdown shutdown;
        shutdown.on_shutdown([&]() -> aio::Coro<void> {
            log.push_back("stop accepting");
            co_return;
        });
        shutdown.on_shutdown([&]() -> aio::Coro<void> {
            co_await aio::sleep(0s);
            log.push_back("close websockets");
        });
        aio::create_task(worker(&log, "updater", false));
        aio::create_task(worker(&log, "listener", true));
        co_await aio::sleep(0s);  // let the workers start
        EXPECT_FALSE(shutdown.requested());
        ::raise(SIGTERM);
        co_await aio::wait_for(shutdown.wait(), 10s);
        EXPECT_TRUE(shutdown.done());
        EXPECT_EQ(shutdown.signal(), SIGTERM);
        EXPECT_EQ(aio::all_tasks().size(), 1u);  // only this one
        EXPECT_EQ(shutdown.errors().size(), 1u);
        if (!shutdown.errors().empty()) {
            EXPECT_NE(aio::describe_exception(shutdown.errors()[0]).find("listener failed"), std::string::npos);
        }
        EXPECT_EQ(current_disposition(SIGTERM), SIG_DFL) << "the handlers are removed once the shutdown is over";
        co_return 0;
    };
    EXPECT_EQ(aio::run(body()), 0);
    ASSERT_EQ(log.size(), 4u);
    EXPECT_EQ(log[0], "stop accepting");
    EXPECT_EQ(log[1], "close websockets");
    EXPECT_EQ(log[2], "updater cancelled");
    EXPECT_EQ(log[3], "listener cancelled");
}

TEST(GracefulShutdown, AFailingStepIsCollectedAndTheNextStepsStillRun) {
    auto body = []() -> aio::Coro<int> {
        aio::GracefulShutdown shutdown({.signals = {SIGUSR1}});
        bool second = false;
        shutdown.on_shutdown([]() -> aio::Coro<void> {
            throw std::runtime_error("step failed");
            co_return;
        });
        shutdown.on_shutdown([&]() -> aio::Coro<void> {
            second = true;
            co_return;
        });
        ::raise(SIGUSR1);
        co_await aio::wait_for(shutdown.wait(), 10s);
        EXPECT_TRUE(second);
        EXPECT_EQ(shutdown.signal(), SIGUSR1);
        EXPECT_EQ(shutdown.errors().size(), 1u);
        co_return 0;
    };
    EXPECT_EQ(aio::run(body()), 0);
}

TEST(GracefulShutdown, TriggerStartsItWithoutASignalAndASecondTriggerIsIgnored) {
    auto body = []() -> aio::Coro<int> {
        aio::GracefulShutdown shutdown({.signals = {SIGUSR2}});
        int steps = 0;
        shutdown.on_shutdown([&]() -> aio::Coro<void> {
            ++steps;
            co_return;
        });
        shutdown.trigger();
        shutdown.trigger(SIGTERM);
        co_await aio::wait_for(shutdown.wait(), 10s);
        EXPECT_EQ(steps, 1);
        EXPECT_EQ(shutdown.signal(), 0);
        co_await shutdown.wait();  // over: returns at once
        co_return 0;
    };
    EXPECT_EQ(aio::run(body()), 0);
}

TEST(GracefulShutdown, StopLoopEndsRunForever) {
    aio::EventLoop loop;
    std::vector<std::string> log;
    {
        aio::GracefulShutdown shutdown(loop, {.signals = {SIGHUP}, .stop_loop = true});
        loop.create_task(worker(&log, "job", false));
        loop.call_soon([] { ::raise(SIGHUP); });
        loop.run_forever();  // stopped by the shutdown
        EXPECT_TRUE(shutdown.done());
        EXPECT_EQ(shutdown.signal(), SIGHUP);
    }
    EXPECT_EQ(log, std::vector<std::string>{"job cancelled"});
    EXPECT_TRUE(loop.all_tasks().empty());
    EXPECT_EQ(current_disposition(SIGHUP), SIG_DFL);
    loop.run_shutdown_hooks();
}

TEST(GracefulShutdown, ATaskThatIgnoresCancellationIsGivenUpOnAfterTheGracePeriod) {
    auto body = []() -> aio::Coro<int> {
        aio::GracefulShutdown shutdown({.signals = {SIGUSR1}, .grace = 50ms});
        aio::Event release;
        auto stubborn = aio::create_task([](aio::Event* ev) -> aio::Coro<void> {
            try {
                co_await aio::sleep(1h);
            } catch (const aio::CancelledError&) {
            }
            co_await ev->wait();  // keeps running after the cancellation
        }(&release));
        co_await aio::sleep(0s);
        shutdown.trigger();
        co_await aio::wait_for(shutdown.wait(), 10s);
        EXPECT_EQ(shutdown.errors().size(), 1u);
        if (!shutdown.errors().empty()) {
            EXPECT_THROW(std::rethrow_exception(shutdown.errors()[0]), aio::TimeoutError);
        }
        EXPECT_FALSE(stubborn.done());
        release.set();
        co_await stubborn;
        co_return 0;
    };
    EXPECT_EQ(aio::run(body()), 0);
}

TEST(GracefulShutdown, DestroyingItRemovesTheHandlers) {
    aio::EventLoop loop;
    {
        aio::GracefulShutdown shutdown(loop);
        EXPECT_NE(current_disposition(SIGINT), SIG_DFL);
        EXPECT_NE(current_disposition(SIGTERM), SIG_DFL);
    }
    EXPECT_EQ(current_disposition(SIGINT), SIG_DFL);
    EXPECT_EQ(current_disposition(SIGTERM), SIG_DFL);
    EXPECT_EQ(current_disposition(SIGHUP), SIG_DFL);
    loop.run_shutdown_hooks();
}
