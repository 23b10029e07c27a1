// aio::ThreadsafeChannel: seed 004's thread-safe writer. Worker threads hand values to a loop
// task; wake-ups go through call_soon_threadsafe; the channel closes with its last sender; a
// cancelled receiver loses nothing.

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "exec_support.hpp"

using aio::Coro;
using aio::ThreadsafeChannel;
using aio::ThreadsafeSender;
using namespace aio_exec_test;

namespace {

using ThreadsafeChannelTest = ExecTest;

}  // namespace

TEST_F(ThreadsafeChannelTest, AWorkerThreadReportsProgressLinesToALoopTask) {
    std::vector<std::string> lines = run([]() -> Coro<std::vector<std::string>> {
        ThreadsafeChannel<std::string> progress;
        auto job = aio::run_in_executor(
            nullptr,
            [](ThreadsafeSender<std::string> out) {
                for (int i = 1; i <= 5; ++i) out.send("progress " + std::to_string(i) + "/5");
            },
            progress.sender());
        std::vector<std::string> seen;
        while (auto line = co_await progress.next()) seen.push_back(*line);
        co_await job;
        co_return seen;
    }());
    EXPECT_EQ(lines, (std::vector<std::string>{"progress 1/5", "progress 2/5", "progress 3/5",
                                               "progress 4/5", "progress 5/5"}));
}

TEST_F(ThreadsafeChannelTest, EightSenderThreadsDeliverEveryValueInPerSenderOrder) {
    constexpr int kThreads = 8, kValues = 5000;
    run([]() -> Coro<void> {
        ThreadsafeChannel<std::pair<int, int>> channel;
        std::vector<std::thread> threads;
        {
            // Held until every thread has its copy: a thread that finished early would
            // otherwise drop the last sender and close the channel (Tokio's mpsc rule).
            auto tx = channel.sender();
            for (int t = 0; t < kThreads; ++t) {
                threads.emplace_back(
                    [t](ThreadsafeSender<std::pair<int, int>> mine) {
                        for (int i = 0; i < kValues; ++i) EXPECT_TRUE(mine.send({t, i}));
                    },
                    tx);
            }
        }
        std::vector<int> next(kThreads, 0);
        long received = 0;
        while (auto v = co_await channel.next()) {
            EXPECT_EQ(v->second, next[v->first]) << "sender " << v->first << " out of order";
            next[v->first] = v->second + 1;
            ++received;
        }
        for (auto& th : threads) th.join();
        EXPECT_EQ(received, long(kThreads) * kValues);
    }());
}

TEST_F(ThreadsafeChannelTest, TheChannelClosesWhenTheLastSenderIsDestroyed) {
    run([]() -> Coro<void> {
        ThreadsafeChannel<int> channel;
        {
            auto a = channel.sender();
            auto b = a;  // copies count as senders too
            a.send(1);
        }
        EXPECT_TRUE(channel.closed());
        EXPECT_EQ(co_await channel.next(), std::optional<int>(1));  // sent before the close
        EXPECT_EQ(co_await channel.next(), std::nullopt);
    }());
}

TEST_F(ThreadsafeChannelTest, AWorkerThatFailsStillEndsTheReadersLoop) {
    run([]() -> Coro<void> {
        ThreadsafeChannel<int> channel;
        auto job = aio::run_in_executor(
            nullptr,
            [](ThreadsafeSender<int> tx) {
                tx.send(1);
                throw Boom("worker failed");
            },
            channel.sender());
        int n = 0;
        while (auto v = co_await channel.next()) n += *v;
        EXPECT_EQ(n, 1);
        auto e = co_await outcome_of(await_future(job));
        EXPECT_TRUE(holds<Boom>(e));
    }());
}

TEST_F(ThreadsafeChannelTest, AfterTheReceiverClosesSendReturnsFalse) {
    run([]() -> Coro<void> {
        ThreadsafeChannel<int> channel;
        auto tx = channel.sender();
        EXPECT_TRUE(tx.send(1));
        channel.close();
        EXPECT_FALSE(tx.send(2));
        EXPECT_TRUE(tx.closed());
        EXPECT_EQ(co_await channel.next(), std::optional<int>(1));
        EXPECT_EQ(co_await channel.next(), std::nullopt);
    }());
}

TEST_F(ThreadsafeChannelTest, ASenderClosingWakesAWaitingReceiverWithTheEnd) {
    run([]() -> Coro<void> {
        ThreadsafeChannel<int> channel;
        auto tx = channel.sender();
        std::thread closer;
        auto receiver = aio::create_task([](ThreadsafeChannel<int>* ch) -> Coro<bool> {
            co_return !(co_await ch->next()).has_value();
        }(&channel));
        co_await aio::sleep(0s);  // the receiver waits
        closer = std::thread([&tx] { tx.close(); });
        EXPECT_TRUE(co_await receiver);
        closer.join();
    }());
}

TEST_F(ThreadsafeChannelTest, AValueAlreadyThereIsReturnedWithoutSuspending) {
    run([]() -> Coro<void> {
        ThreadsafeChannel<int> channel;
        auto tx = channel.sender();
        tx.send(7);
        auto it = aio::get_running_loop().iteration();
        EXPECT_EQ(co_await channel.next(), std::optional<int>(7));
        EXPECT_EQ(aio::get_running_loop().iteration(), it);
        EXPECT_EQ(channel.try_next(), std::nullopt);
    }());
}

TEST_F(ThreadsafeChannelTest, CancellingAWaitingReceiverLosesNoValue) {
    run([]() -> Coro<void> {
        ThreadsafeChannel<int> channel;
        auto tx = channel.sender();
        auto receiver =
            aio::create_task([](ThreadsafeChannel<int>* ch) -> Coro<std::optional<int>> {
                co_return co_await ch->next();
            }(&channel));
        co_await aio::sleep(0s);  // the receiver waits
        receiver.cancel();
        auto e = co_await outcome_of(receiver);
        EXPECT_TRUE(holds<aio::CancelledError>(e));
        tx.send(5);
        EXPECT_EQ(co_await channel.next(), std::optional<int>(5));
    }());
}

TEST_F(ThreadsafeChannelTest, AReceiverCancelledAfterItWasHandedAValuePutsItBack) {
    run([]() -> Coro<void> {
        aio::EventLoop& loop = aio::get_running_loop();
        ThreadsafeChannel<int> channel;
        auto tx = channel.sender();
        auto receiver =
            aio::create_task([](ThreadsafeChannel<int>* ch) -> Coro<std::optional<int>> {
                co_return co_await ch->next();
            }(&channel));
        co_await aio::sleep(0s);  // the receiver waits
        // The wake-up hands 41 to the receiver and wakes it; the cancel, queued right behind
        // it, comes before the receiver runs.
        tx.send(41);
        loop.call_soon_threadsafe([receiver]() mutable { receiver.cancel(); });
        auto e = co_await outcome_of(receiver);
        EXPECT_TRUE(holds<aio::CancelledError>(e));
        EXPECT_EQ(channel.try_next(), std::optional<int>(41));  // back at the front
    }());
}

TEST_F(ThreadsafeChannelTest, TwoTasksAwaitingNextAtOnceIsARuntimeError) {
    run([]() -> Coro<void> {
        ThreadsafeChannel<int> channel;
        auto tx = channel.sender();
        auto first = aio::create_task([](ThreadsafeChannel<int>* ch) -> Coro<std::optional<int>> {
            co_return co_await ch->next();
        }(&channel));
        co_await aio::sleep(0s);
        auto e = co_await outcome_of(channel.next());
        EXPECT_TRUE(holds<aio::RuntimeError>(e));
        tx.send(1);
        EXPECT_EQ(co_await first, std::optional<int>(1));
    }());
}

TEST_F(ThreadsafeChannelTest, ABoundedChannelNeverHoldsMoreThanItsCapacity) {
    run([]() -> Coro<void> {
        ThreadsafeChannel<int> channel(2);
        std::thread producer(
            [](ThreadsafeSender<int> tx) {
                for (int i = 0; i < 1000; ++i) tx.send(i);  // blocks while two values wait
            },
            channel.sender());
        int expected = 0;
        while (auto v = co_await channel.next()) {
            EXPECT_LE(channel.size(), 2u);
            EXPECT_EQ(*v, expected++);
        }
        producer.join();
        EXPECT_EQ(expected, 1000);
    }());
}

TEST_F(ThreadsafeChannelTest, TrySendOnAFullChannelReturnsFullAndKeepsTheValue) {
    run([]() -> Coro<void> {
        ThreadsafeChannel<std::string> channel(1);
        auto tx = channel.sender();
        std::string a = "a", b = "b";
        EXPECT_EQ(tx.try_send(std::move(a)), aio::SendStatus::sent);
        EXPECT_EQ(tx.try_send(std::move(b)), aio::SendStatus::full);
        EXPECT_EQ(b, "b");
        EXPECT_EQ(co_await channel.next(), std::optional<std::string>("a"));
        channel.close();
        EXPECT_EQ(tx.try_send(std::move(b)), aio::SendStatus::closed);
        EXPECT_EQ(b, "b");
    }());
}

TEST_F(ThreadsafeChannelTest, ABlockingSendOnTheChannelsOwnLoopThreadIsARuntimeError) {
    run([]() -> Coro<void> {
        ThreadsafeChannel<int> channel(1);
        auto tx = channel.sender();
        tx.send(1);
        EXPECT_THROW(tx.send(2), aio::RuntimeError);  // would block the loop forever
        co_return;
    }());
}

TEST_F(ThreadsafeChannelTest, ASenderOutlivingTheReceiverSeesTheChannelClosed) {
    std::optional<ThreadsafeSender<int>> kept;
    run([&]() -> Coro<void> {
        ThreadsafeChannel<int> channel;
        kept.emplace(channel.sender());
        co_return;
    }());
    EXPECT_FALSE(kept->send(1));
}

TEST_F(ThreadsafeChannelTest, CreatingAChannelWithoutARunningLoopIsARuntimeError) {
    EXPECT_THROW(ThreadsafeChannel<int>(), aio::RuntimeError);
}
