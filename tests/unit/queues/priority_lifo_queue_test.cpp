// aio::PriorityQueue and aio::LifoQueue: CPython 3.13's LifoQueueTests and
// PriorityQueueTests (test_order), plus stability among equal priorities,
// custom comparators, move-only items, back-pressure, and where an item goes
// back when the getter it was handed to is cancelled.

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "queues_support.hpp"

using namespace std::chrono_literals;
using qtest::ended_cancelled;
using qtest::get_from;
using qtest::put_into;
using qtest::run;
using qtest::tick;

// ---- LifoQueue ----------------------------------------------------------------------

TEST(LifoQueue, ItemsComeOutMostRecentFirst) {
    run([]() -> aio::Coro<void> {
        aio::LifoQueue<int> q;
        for (int i : {1, 3, 2}) co_await q.put(i);
        std::vector<int> items;
        for (int i = 0; i < 3; ++i) items.push_back(co_await q.get());
        EXPECT_EQ(items, (std::vector<int>{2, 3, 1}));
    });
}

TEST(LifoQueue, BackPressureWorksAsForQueue) {
    run([]() -> aio::Coro<void> {
        aio::LifoQueue<std::unique_ptr<int>> q(2);
        co_await q.put(std::make_unique<int>(1));
        co_await q.put(std::make_unique<int>(2));
        EXPECT_TRUE(q.full());
        auto p = aio::create_task(put_into(q, std::make_unique<int>(3)));
        co_await tick();
        EXPECT_FALSE(p.done());
        std::unique_ptr<int> top = co_await q.get();
        EXPECT_EQ(*top, 2);
        co_await p;
        EXPECT_EQ(*q.get_nowait(), 3);
        EXPECT_EQ(*q.get_nowait(), 1);
    });
}

TEST(LifoQueue, AGetterCancelledAfterTheHandOffPutsItsItemBelowLaterItems) {
    run([]() -> aio::Coro<void> {
        aio::LifoQueue<std::string> q;
        auto g = aio::create_task(get_from(q));
        co_await tick();
        q.put_nowait("a");  // handed to g
        q.put_nowait("b");
        q.put_nowait("c");
        g.cancel();
        EXPECT_TRUE(co_await ended_cancelled(g));
        // As if "a" had never left: it was put first, so it is at the bottom.
        EXPECT_EQ(q.get_nowait(), "c");
        EXPECT_EQ(q.get_nowait(), "b");
        EXPECT_EQ(q.get_nowait(), "a");
    });
}

// ---- PriorityQueue ------------------------------------------------------------------

TEST(PriorityQueue, ItemsComeOutSmallestFirst) {
    run([]() -> aio::Coro<void> {
        aio::PriorityQueue<int> q;
        for (int i : {1, 3, 2}) co_await q.put(i);
        std::vector<int> items;
        for (int i = 0; i < 3; ++i) items.push_back(co_await q.get());
        EXPECT_EQ(items, (std::vector<int>{1, 2, 3}));
    });
}

TEST(PriorityQueue, EqualPrioritiesComeOutInPutOrder) {
    struct ByPriority {
        bool operator()(const std::pair<int, std::string>& a,
                        const std::pair<int, std::string>& b) const {
            return a.first < b.first;
        }
    };
    aio::PriorityQueue<std::pair<int, std::string>, ByPriority> q;
    const char* names[] = {"a", "b", "c", "d", "e", "f", "g", "h"};
    for (int i = 0; i < 8; ++i) q.put_nowait({i % 2, names[i]});
    std::string order;
    while (auto v = q.try_get()) order += v->second;
    EXPECT_EQ(order, "acegbdfh");
}

TEST(PriorityQueue, ACustomComparatorChoosesTheOrder) {
    aio::PriorityQueue<int, std::greater<int>> q;
    for (int i : {5, 1, 9, 3}) q.put_nowait(i);
    std::vector<int> items;
    while (auto v = q.try_get()) items.push_back(*v);
    EXPECT_EQ(items, (std::vector<int>{9, 5, 3, 1}));
}

TEST(PriorityQueue, MoveOnlyItemsWithAComparatorOnTheirPointees) {
    run([]() -> aio::Coro<void> {
        auto by_value = [](const std::unique_ptr<int>& a, const std::unique_ptr<int>& b) {
            return *a < *b;
        };
        aio::PriorityQueue<std::unique_ptr<int>, decltype(by_value)> q(3, by_value);
        for (int i : {7, 2, 5}) co_await q.put(std::make_unique<int>(i));
        auto p = aio::create_task(put_into(q, std::make_unique<int>(1)));
        co_await tick();
        EXPECT_FALSE(p.done());  // full
        std::unique_ptr<int> a = co_await q.get();
        EXPECT_EQ(*a, 2);
        co_await p;
        std::vector<int> rest;
        while (auto v = q.try_get()) rest.push_back(**v);
        EXPECT_EQ(rest, (std::vector<int>{1, 5, 7}));
    });
}

TEST(PriorityQueue, AGetterCancelledAfterTheHandOffPutsItsItemBackInPriorityAndPutOrder) {
    run([]() -> aio::Coro<void> {
        struct ByPriority {
            bool operator()(const std::pair<int, char>& a, const std::pair<int, char>& b) const {
                return a.first < b.first;
            }
        };
        aio::PriorityQueue<std::pair<int, char>, ByPriority> q;
        auto g = aio::create_task(get_from(q));
        co_await tick();
        q.put_nowait({5, 'a'});  // handed to g
        q.put_nowait({5, 'b'});
        q.put_nowait({1, 'c'});
        q.put_nowait({9, 'd'});
        g.cancel();
        EXPECT_TRUE(co_await ended_cancelled(g));
        std::string order;
        while (auto v = q.try_get()) order += v->second;
        EXPECT_EQ(order, "cabd");  // 'a' is back before 'b', its equal put later
    });
}

TEST(PriorityQueue, JoinAndShutdownWorkAsForQueue) {
    run([]() -> aio::Coro<void> {
        aio::PriorityQueue<int> q;
        q.put_nowait(2);
        q.put_nowait(1);
        auto j = aio::create_task(qtest::join_of(q));
        int v = co_await q.get();
        EXPECT_EQ(v, 1);
        q.task_done();
        q.shutdown(true);  // drops 2: nothing unfinished
        co_await j;
        EXPECT_THROW(q.get_nowait(), aio::QueueShutDown);
    });
}
