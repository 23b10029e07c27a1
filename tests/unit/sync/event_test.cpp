// aio::Event — behaviour ported from CPython's test_locks.py (EventTests).

#include "aio/sync/event.hpp"

#include <vector>

#include "sync_test_util.hpp"

namespace {

using namespace synctest;

aio::Coro<void> wait_and_record(aio::Event& ev, std::vector<int>& out, int id) {
    co_await ev.wait();
    out.push_back(id);
}

TEST(EventTest, SetClearAndIsSet) {
    aio::Event ev;
    EXPECT_FALSE(ev.is_set());
    ev.set();
    EXPECT_TRUE(ev.is_set());
    ev.set();
    EXPECT_TRUE(ev.is_set());
    ev.clear();
    EXPECT_FALSE(ev.is_set());
}

// test_wait
TEST(EventTest, SetWakesEveryWaiter) {
    run([]() -> aio::Coro<void> {
        aio::Event ev;
        std::vector<int> result;
        auto t1 = aio::create_task(wait_and_record(ev, result, 1));
        auto t2 = aio::create_task(wait_and_record(ev, result, 2));
        co_await tick();
        EXPECT_EQ(result, std::vector<int>{});
        EXPECT_EQ(ev.n_waiting(), 2u);

        auto t3 = aio::create_task(wait_and_record(ev, result, 3));
        ev.set();
        co_await tick();
        // t3 was already scheduled and finds the event set; t1, t2 were woken after.
        EXPECT_EQ(result, (std::vector<int>{3, 1, 2}));
        EXPECT_TRUE(t1.done() && t2.done() && t3.done());
        EXPECT_EQ(ev.n_waiting(), 0u);
    });
}

// test_wait_on_set
TEST(EventTest, WaitingOnASetEventReturnsWithoutSuspending) {
    run([]() -> aio::Coro<void> {
        aio::Event ev;
        ev.set();
        bool other_ran = false;
        auto other = aio::create_task([](bool& r) -> aio::Coro<void> {
            r = true;
            co_return;
        }(other_ran));
        co_await ev.wait();
        EXPECT_FALSE(other_ran);
        co_await other;
    });
}

// test_wait_cancel
TEST(EventTest, ACancelledWaitLeavesTheQueue) {
    run([]() -> aio::Coro<void> {
        aio::Event ev;
        auto wait =
            aio::create_task([](aio::Event& e) -> aio::Coro<void> { co_await e.wait(); }(ev));
        aio::get_running_loop().call_soon([wait]() mutable { wait.cancel(); });
        EXPECT_TRUE(co_await ended_cancelled(wait));
        EXPECT_EQ(ev.n_waiting(), 0u);
    });
}

// test_clear_with_waiters
TEST(EventTest, ClearAfterSetDoesNotUnwakeTheWokenWaiters) {
    run([]() -> aio::Coro<void> {
        aio::Event ev;
        std::vector<int> result;
        auto t = aio::create_task(wait_and_record(ev, result, 1));
        co_await tick();
        EXPECT_EQ(result, std::vector<int>{});

        ev.set();
        ev.clear();
        EXPECT_FALSE(ev.is_set());
        ev.set();
        ev.set();
        co_await tick();
        EXPECT_EQ(result, (std::vector<int>{1}));
        EXPECT_EQ(ev.n_waiting(), 0u);
        EXPECT_TRUE(t.done());
    });
}

TEST(EventTest, CancelledWaiterLosesNothing) {
    run([]() -> aio::Coro<void> {
        aio::Event ev;
        std::vector<int> result;
        auto a = aio::create_task(wait_and_record(ev, result, 1));
        auto b = aio::create_task(wait_and_record(ev, result, 2));
        auto c = aio::create_task(wait_and_record(ev, result, 3));
        co_await tick();

        // Cancelled while waiting: leaves the queue, the others still wait.
        a.cancel();
        EXPECT_EQ(ev.n_waiting(), 2u);
        EXPECT_TRUE(co_await ended_cancelled(a));

        // Cancelled after set() woke it but before it ran: CancelledError, and
        // c still gets its wake-up.
        ev.set();
        b.cancel();
        EXPECT_TRUE(co_await ended_cancelled(b));
        co_await c;
        EXPECT_EQ(result, (std::vector<int>{3}));
        EXPECT_TRUE(ev.is_set());
    });
}

TEST(EventTest, AWaitCanBeBoundedByATimeout) {
    run([]() -> aio::Coro<void> {
        aio::Event ev;
        auto t0 = aio::get_running_loop().time();
        bool timed_out = false;
        try {
            co_await aio::timeout(1s, ev.wait());
        } catch (const aio::TimeoutError&) {
            timed_out = true;
        }
        EXPECT_TRUE(timed_out);
        EXPECT_EQ(aio::get_running_loop().time() - t0, std::chrono::nanoseconds(1s));
        EXPECT_EQ(ev.n_waiting(), 0u);
        aio::get_running_loop().call_later(10ms, [&ev] { ev.set(); });
        co_await aio::timeout(1s, ev.wait());
        EXPECT_TRUE(ev.is_set());
    });
}

TEST(EventTest, ManyWaitersAreAllWokenInWaitingOrder) {
    run([]() -> aio::Coro<void> {
        aio::Event ev;
        std::vector<int> result;
        std::vector<aio::Task<void>> tasks;
        for (int i = 0; i < 100; ++i)
            tasks.push_back(aio::create_task(wait_and_record(ev, result, i)));
        co_await tick();
        EXPECT_EQ(ev.n_waiting(), 100u);
        ev.set();
        co_await aio::gather(std::move(tasks));
        EXPECT_EQ(result.size(), 100u);
        for (std::size_t i = 0; i < result.size(); ++i) EXPECT_EQ(result[i], static_cast<int>(i));
    });
}

}  // namespace
