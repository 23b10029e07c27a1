// add_signal_handler / remove_signal_handler with real signals sent to this process. ctest runs
// every TEST in a process of its own, and each test removes what it installs, so no signal
// reaches another test.

#include <gtest/gtest.h>

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <thread>

#include "aio/core/exceptions.hpp"
#include "aio/core/run.hpp"
#include "aio/io/signals.hpp"
#include "aio/sync/event.hpp"
#include "aio/time/sleep.hpp"
#include "aio/time/wait_for.hpp"
#include "support/real_loop_fixture.hpp"

using namespace std::chrono_literals;

namespace {

void (*disposition(int sig))(int) {
    struct sigaction sa {};
    ::sigaction(sig, nullptr, &sa);
    return sa.sa_handler;
}

class SignalHandlerTest : public ::testing::Test {
protected:
    void TearDown() override {
        if (!loop.is_closed()) loop.run_shutdown_hooks();
    }
    template <class T>
    T run(aio::Coro<T> c) {
        return loop.run_until_complete(std::move(c));
    }
    aio::EventLoop loop;
};

}  // namespace

TEST_F(SignalHandlerTest, TheCallbackRunsOnTheLoopThreadWhenTheSignalArrives) {
    aio::Event got;
    std::thread::id ran_on;
    aio::add_signal_handler(loop, SIGUSR1, [&] {
        ran_on = std::this_thread::get_id();
        got.set();
    });
    auto body = [&]() -> aio::Coro<void> {
        ::raise(SIGUSR1);
        co_await aio::wait_for(got.wait(), 10s);
    };
    run(body());
    EXPECT_EQ(ran_on, std::this_thread::get_id());
    EXPECT_TRUE(aio::remove_signal_handler(loop, SIGUSR1));
}

TEST_F(SignalHandlerTest, ASignalDeliveredToAnotherThreadStillReachesTheLoop) {
    aio::Event got;
    aio::add_signal_handler(loop, SIGUSR2, [&] { got.set(); });
    auto body = [&]() -> aio::Coro<void> {
        // The C handler runs on the thread the signal is sent to; it only writes the self-pipe.
        std::thread t([] { ::pthread_kill(::pthread_self(), SIGUSR2); });
        t.join();
        co_await aio::wait_for(got.wait(), 10s);
    };
    run(body());
    aio::remove_signal_handler(loop, SIGUSR2);
}

TEST_F(SignalHandlerTest, SignalsThatArriveBeforeTheLoopRunsAreCoalescedIntoOneCall) {
    int calls = 0;
    aio::Event got;
    aio::add_signal_handler(loop, SIGUSR1, [&] {
        ++calls;
        got.set();
    });
    ::raise(SIGUSR1);
    ::raise(SIGUSR1);
    ::raise(SIGUSR1);
    run(aio::wait_for(got.wait(), 10s));
    // One more iteration: nothing else is queued for the signal.
    loop.stop();
    loop.run_forever();
    EXPECT_EQ(calls, 1);
    aio::remove_signal_handler(loop, SIGUSR1);
}

TEST_F(SignalHandlerTest, EveryLaterArrivalCallsTheCallbackAgain) {
    int calls = 0;
    aio::Event got;
    aio::add_signal_handler(loop, SIGUSR1, [&] {
        ++calls;
        got.set();
    });
    auto body = [&]() -> aio::Coro<void> {
        for (int i = 0; i < 5; ++i) {
            got.clear();
            ::raise(SIGUSR1);
            co_await aio::wait_for(got.wait(), 10s);
        }
    };
    run(body());
    EXPECT_EQ(calls, 5);
    aio::remove_signal_handler(loop, SIGUSR1);
}

TEST_F(SignalHandlerTest, RemovingRestoresThePreviousDisposition) {
    ::signal(SIGUSR1, SIG_IGN);
    aio::add_signal_handler(loop, SIGUSR1, [] {});
    EXPECT_NE(disposition(SIGUSR1), SIG_IGN);
    EXPECT_TRUE(aio::remove_signal_handler(loop, SIGUSR1));
    EXPECT_EQ(disposition(SIGUSR1), SIG_IGN);
    ::signal(SIGUSR1, SIG_DFL);

    aio::add_signal_handler(loop, SIGUSR2, [] {});
    aio::add_signal_handler(loop, SIGUSR2, [] {});  // replacing keeps the original to restore
    EXPECT_TRUE(aio::remove_signal_handler(loop, SIGUSR2));
    EXPECT_EQ(disposition(SIGUSR2), SIG_DFL);
}

TEST_F(SignalHandlerTest, ReplacingTheCallbackCallsOnlyTheNewOne) {
    int first = 0, second = 0;
    aio::Event got;
    aio::add_signal_handler(loop, SIGUSR1, [&] { ++first; });
    aio::add_signal_handler(loop, SIGUSR1, [&] {
        ++second;
        got.set();
    });
    ::raise(SIGUSR1);
    run(aio::wait_for(got.wait(), 10s));
    EXPECT_EQ(first, 0);
    EXPECT_EQ(second, 1);
    aio::remove_signal_handler(loop, SIGUSR1);
}

TEST_F(SignalHandlerTest, RemoveReturnsFalseWhenTheLoopHasNoHandlerForTheSignal) {
    EXPECT_FALSE(aio::remove_signal_handler(loop, SIGUSR1));
    aio::add_signal_handler(loop, SIGUSR1, [] {});
    EXPECT_TRUE(aio::remove_signal_handler(loop, SIGUSR1));
    EXPECT_FALSE(aio::remove_signal_handler(loop, SIGUSR1));
}

TEST_F(SignalHandlerTest, InvalidSignalNumbersAndUncatchableSignalsAreRefusedClearly) {
    EXPECT_THROW(aio::add_signal_handler(loop, 0, [] {}), aio::ValueError);
    EXPECT_THROW(aio::add_signal_handler(loop, -3, [] {}), aio::ValueError);
    EXPECT_THROW(aio::add_signal_handler(loop, NSIG, [] {}), aio::ValueError);
    EXPECT_THROW(aio::remove_signal_handler(loop, 0), aio::ValueError);
    try {
        aio::add_signal_handler(loop, SIGKILL, [] {});
        ADD_FAILURE() << "SIGKILL accepted";
    } catch (const aio::RuntimeError& e) {
        EXPECT_NE(std::string(e.what()).find("cannot be caught"), std::string::npos) << e.what();
    }
    EXPECT_THROW(aio::add_signal_handler(loop, SIGSTOP, [] {}), aio::RuntimeError);
    EXPECT_THROW(aio::add_signal_handler(loop, SIGUSR1, nullptr), aio::ValueError);
    EXPECT_EQ(disposition(SIGKILL), SIG_DFL);
}

TEST_F(SignalHandlerTest, AnExceptionFromTheCallbackGoesToTheExceptionHandlerAndTheHandlerStays) {
    std::vector<std::string> reports;
    loop.set_exception_handler([&](aio::EventLoop&, const aio::ExceptionContext& ctx) {
        reports.push_back(aio::describe_exception(ctx.exception));
    });
    aio::Event second;
    int calls = 0;
    aio::add_signal_handler(loop, SIGUSR1, [&] {
        if (++calls == 1) throw std::runtime_error("handler failed");
        second.set();
    });
    auto body = [&]() -> aio::Coro<void> {
        ::raise(SIGUSR1);
        while (reports.empty()) co_await aio::sleep(0s);
        ::raise(SIGUSR1);
        co_await aio::wait_for(second.wait(), 10s);
    };
    run(body());
    ASSERT_EQ(reports.size(), 1u);
    EXPECT_NE(reports[0].find("handler failed"), std::string::npos);
    aio::remove_signal_handler(loop, SIGUSR1);
}

TEST_F(SignalHandlerTest, ASignalBelongsToOneLoopAtATime) {
    aio::add_signal_handler(loop, SIGUSR1, [] {});
    aio::EventLoop other;
    EXPECT_THROW(aio::add_signal_handler(other, SIGUSR1, [] {}), aio::RuntimeError);
    aio::add_signal_handler(other, SIGUSR2, [] {});  // another signal is fine
    EXPECT_TRUE(aio::remove_signal_handler(loop, SIGUSR1));
    aio::add_signal_handler(other, SIGUSR1, [] {});  // free again
    other.run_shutdown_hooks();
    EXPECT_EQ(disposition(SIGUSR1), SIG_DFL);
    EXPECT_EQ(disposition(SIGUSR2), SIG_DFL);
}

TEST_F(SignalHandlerTest, ALoopClosedWithoutShutdownRemovesItsHandlersAndFreesTheSignal) {
    {
        aio::EventLoop other;
        aio::add_signal_handler(other, SIGUSR1, [] {});
        EXPECT_NE(disposition(SIGUSR1), SIG_DFL);
    }  // destroyed without run_shutdown_hooks(): close() removes what the loop still had
    EXPECT_EQ(disposition(SIGUSR1), SIG_DFL);
    aio::add_signal_handler(loop, SIGUSR1, [] {});  // and the signal no longer belongs to it
    EXPECT_TRUE(aio::remove_signal_handler(loop, SIGUSR1));
}

TEST_F(SignalHandlerTest, RemovingFromALoopThatNeverHadAHandlerIsFalse) {
    aio::EventLoop other;
    EXPECT_FALSE(aio::remove_signal_handler(other, SIGUSR1));
    other.close();
    EXPECT_FALSE(aio::remove_signal_handler(other, SIGUSR1));  // closed: nothing to remove
}

TEST_F(SignalHandlerTest, RemovingTheLastHandlerClosesTheSelfPipe) {
    int before = aio_test::count_open_fds();
    aio::add_signal_handler(loop, SIGUSR1, [] {});
    aio::add_signal_handler(loop, SIGUSR2, [] {});
    EXPECT_EQ(aio_test::count_open_fds(), before + 2);
    aio::remove_signal_handler(loop, SIGUSR1);
    aio::remove_signal_handler(loop, SIGUSR2);
    EXPECT_EQ(aio_test::count_open_fds(), before);
}

TEST(SignalHandlerRun, AioRunRemovesTheHandlersLeftWhenItShutsTheLoopDown) {
    auto body = []() -> aio::Coro<int> {
        aio::add_signal_handler(SIGUSR1, [] {});
        aio::add_signal_handler(SIGHUP, [] {});
        EXPECT_NE(disposition(SIGUSR1), SIG_DFL);
        co_return 0;
    };
    EXPECT_EQ(aio::run(body()), 0);
    EXPECT_EQ(disposition(SIGUSR1), SIG_DFL);
    EXPECT_EQ(disposition(SIGHUP), SIG_DFL);
}
