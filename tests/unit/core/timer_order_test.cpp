// The loop's timers keep asyncio's order, (deadline, scheduling order), whichever of their two
// structures holds a timer: the FIFO run (deadlines that arrive in order, as `now + d` for one
// d does) or the heap (the rest). Checked against a sorted reference on random mixes of both,
// with cancellations before and while timers fire.

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "aio/core/event_loop.hpp"
#include "core/timer_heap.hpp"
#include "support/loop_fixture.hpp"

using namespace std::chrono_literals;

namespace {

using TimerOrderTest = aio_test::VirtualLoopTest;

struct Planned {
    aio::TimePoint when;
    int index;
    bool cancelled = false;
};

// Schedules `deadlines` in order, cancels those `cancel` picks (some before the loop runs, some
// from inside an earlier timer), and checks the firing order.
void check_order(aio::EventLoop& loop, const std::vector<aio::Duration>& deadlines, std::mt19937& rng) {
    aio::TimePoint t0 = loop.time();
    std::vector<Planned> plan;
    std::vector<aio::TimerHandle> handles;
    std::vector<int> fired;
    for (std::size_t i = 0; i < deadlines.size(); ++i) {
        int idx = static_cast<int>(i);
        plan.push_back({t0 + deadlines[i], idx});
        handles.push_back(loop.call_at(t0 + deadlines[i], [&fired, idx] { fired.push_back(idx); }));
    }
    std::bernoulli_distribution cancel_now(0.3), cancel_later(0.1);
    for (auto& p : plan) {
        if (cancel_now(rng)) {
            p.cancelled = true;
            handles[static_cast<std::size_t>(p.index)].cancel();
        }
    }
    // The earliest timer cancels some of the later ones while the loop is firing timers.
    auto first = std::min_element(plan.begin(), plan.end(), [](const Planned& a, const Planned& b) {
        return a.when < b.when || (a.when == b.when && a.index < b.index);
    });
    std::vector<int> late;
    for (auto& p : plan)
        if (!p.cancelled && p.index != first->index && p.when > first->when && cancel_later(rng)) late.push_back(p.index);
    if (!first->cancelled) {
        for (int i : late) plan[static_cast<std::size_t>(i)].cancelled = true;
        handles[static_cast<std::size_t>(first->index)].cancel();
        handles[static_cast<std::size_t>(first->index)] = loop.call_at(first->when, [&, late] {
            fired.push_back(first->index);
            for (int i : late) handles[static_cast<std::size_t>(i)].cancel();
        });
    }
    aio::TimePoint last = t0;
    for (auto& p : plan) last = std::max(last, p.when);
    loop.call_at(last + 1ms, [&] { loop.stop(); });
    loop.run_forever();

    std::vector<Planned> expected_plan;
    for (auto& p : plan)
        if (!p.cancelled) expected_plan.push_back(p);
    // A re-scheduled first timer was scheduled last, but it is alone at its deadline or first
    // among equals only if nothing else shares it; sort it by its new scheduling position.
    std::stable_sort(expected_plan.begin(), expected_plan.end(), [&](const Planned& a, const Planned& b) {
        auto key = [&](const Planned& p) { return p.index == first->index ? int(plan.size()) : p.index; };
        return a.when < b.when || (a.when == b.when && key(a) < key(b));
    });
    std::vector<int> expected;
    for (auto& p : expected_plan) expected.push_back(p.index);
    EXPECT_EQ(fired, expected);
}

}  // namespace

TEST_F(TimerOrderTest, InOrderDeadlinesFireInOrderAndSkipCancelledOnes) {
    std::mt19937 rng(1);
    std::vector<aio::Duration> d;
    for (int i = 0; i < 5000; ++i) d.push_back(std::chrono::microseconds(i / 3));  // runs of equal deadlines
    check_order(loop, d, rng);
}

TEST_F(TimerOrderTest, OutOfOrderDeadlinesInterleaveWithInOrderOnes) {
    for (unsigned seed = 1; seed <= 20; ++seed) {
        std::mt19937 rng(seed);
        std::uniform_int_distribution<int> coin(0, 3), spread(0, 200);
        std::vector<aio::Duration> d;
        int rising = 0;
        for (int i = 0; i < 2000; ++i) {
            if (coin(rng) != 0)
                rising += coin(rng) == 0 ? 0 : 1;  // appended to the run
            d.push_back(coin(rng) == 0 ? std::chrono::microseconds(spread(rng)) : std::chrono::microseconds(rising));
        }
        check_order(loop, d, rng);
    }
}


TEST_F(TimerOrderTest, TimeoutsCancelledBehindALongTimerStillLetItFire) {
    // One long timer heads the run while a million short-lived timeouts behind it are
    // cancelled: the run's holes are compacted, and the long timer still fires once.
    int long_fired = 0, short_fired = 0;
    loop.call_later(10s, [&] { ++long_fired; });
    for (int i = 0; i < 200000; ++i) {
        aio::TimerHandle h = loop.call_later(20s, [&] { ++short_fired; });
        h.cancel();
    }
    aio::TimerHandle kept = loop.call_later(20s, [&] { ++short_fired; });
    loop.call_later(21s, [&] { loop.stop(); });
    loop.run_forever();
    EXPECT_EQ(long_fired, 1);
    EXPECT_EQ(short_fired, 1);
}

TEST_F(TimerOrderTest, EqualDeadlinesInHeapAndRunFireInSchedulingOrder) {
    std::vector<std::string> log;
    aio::TimePoint t0 = loop.time();
    aio::TimerHandle late = loop.call_at(t0 + 2s, [&] { log.push_back("late"); });
    loop.call_at(t0 + 1s, [&] { log.push_back("first"); });  // earlier than the run's last: the heap
    late.cancel();                                            // the run is empty again
    loop.call_at(t0 + 1s, [&] { log.push_back("second"); });  // starts a new run, same deadline
    loop.call_at(t0 + 1s, [&] { log.push_back("third"); });
    loop.call_at(t0 + 3s, [&] { loop.stop(); });
    loop.run_forever();
    EXPECT_EQ(log, (std::vector<std::string>{"first", "second", "third"}));
}

namespace {
struct RecordingTimer final : aio::detail::TimerNode {
    int id = 0;
    void fire() noexcept override {}
};
}  // namespace

TEST(TimerHeapTest, EqualDeadlinesKeepSchedulingOrderAcrossTheSequenceWrap) {
    // The loop numbers timers with 32 bits that wrap: a timer numbered just after the wrap (0, 1)
    // was still scheduled after one numbered just before it (UINT32_MAX - 1).
    const std::uint32_t seqs[] = {UINT32_MAX - 1, UINT32_MAX, 0, 1};
    aio::TimePoint when(std::chrono::seconds(5));
    aio::TimePoint later(std::chrono::seconds(9));
    RecordingTimer head, timers[4];
    aio::detail::TimerHeap heap;
    head.when_ = later;
    head.seq_ = UINT32_MAX - 2;
    heap.push(&head);  // heads the run, so the equal, earlier deadlines below go to the heap
    // Pushed in reverse, so only the sequence numbers can restore the order.
    for (int i = 3; i >= 0; --i) {
        timers[i].id = i;
        timers[i].when_ = when;
        timers[i].seq_ = seqs[i];
        heap.push(&timers[i]);
    }
    std::vector<int> order;
    while (heap.top_when() == when) order.push_back(static_cast<RecordingTimer*>(heap.pop())->id);
    EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3}));
    EXPECT_EQ(heap.pop(), &head);
    EXPECT_TRUE(heap.empty());
}

TEST(TimerHeapTest, HundredsOfThousandsOfTimersInBothPartsComeOutInOrder) {
    // Each part grows past 1 MiB, where its array moves to a mapping of its own and then
    // grows with mremap (pod_buffer.hpp): nothing may be lost or reordered on the way.
    constexpr int kEach = 300000;
    std::vector<RecordingTimer> timers(2 * kEach);
    aio::detail::TimerHeap heap;
    std::mt19937 rng(7);
    std::uniform_int_distribution<int> early(0, kEach - 1);
    for (int i = 0; i < 2 * kEach; ++i) {
        RecordingTimer& t = timers[static_cast<std::size_t>(i)];
        t.id = i;
        t.seq_ = static_cast<std::uint32_t>(i);
        // Even indexes rise (the run); odd ones land before the run's end (the heap).
        t.when_ = aio::TimePoint(std::chrono::microseconds(i % 2 == 0 ? kEach + i : early(rng)));
        heap.push(&t);
    }
    for (int i = 0; i < 2 * kEach; i += 3) heap.remove(&timers[static_cast<std::size_t>(i)]);
    std::vector<const RecordingTimer*> expected;
    for (const RecordingTimer& t : timers)
        if (t.id % 3 != 0) expected.push_back(&t);
    std::stable_sort(expected.begin(), expected.end(),
                     [](const RecordingTimer* a, const RecordingTimer* b) { return a->when_ < b->when_; });
    std::size_t out_of_order = 0, n = 0;
    while (!heap.empty()) {
        const aio::detail::TimerNode* got = heap.pop();
        if (n >= expected.size() || got != expected[n]) ++out_of_order;
        ++n;
    }
    EXPECT_EQ(n, expected.size());
    EXPECT_EQ(out_of_order, 0u);
}
