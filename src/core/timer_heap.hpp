#pragma once
// The loop's timers, ordered by (deadline, insertion order), in two parts:
//
// - the FIFO run: timers whose deadline is no earlier than that of the timer
//   appended to the run before them. Most timers are `now + d` for a fixed d
//   (sleeps, timeouts, call_later of one delay), so they arrive in deadline
//   order: appending and popping are O(1), and so is cancelling, which leaves
//   a hole (most timeouts are cancelled before they fire) that popping skips.
// - a 4-ary min-heap for the others: O(log n) push, pop and cancel (each node
//   knows its slot). A 4-ary heap halves the depth of a binary one and keeps
//   siblings on one cache line.
//
// The next timer is whichever of the heap's top and the run's head comes first.

#include <cstdint>

#include "aio/core/handle.hpp"
#include "core/pod_buffer.hpp"

namespace aio::detail {

class TimerHeap {
public:
    bool empty() const noexcept { return heap_.empty() && run_live_ == 0; }
    std::size_t size() const noexcept { return heap_.size() + run_live_; }
    /// The deadline of the next timer. Not empty() only.
    TimePoint top_when() const noexcept {
        if (run_live_ == 0) return TimePoint(Duration(heap_.front().when));
        TimePoint w = run_[run_head_]->when_;
        if (heap_.empty()) return w;
        TimePoint h(Duration(heap_.front().when));
        return h < w ? h : w;
    }

    void push(TimerNode* n);
    void remove(TimerNode* n) noexcept;
    /// Takes out and returns the next timer. Not empty() only.
    TimerNode* pop() noexcept;

private:
    static constexpr std::uint32_t kInRunBit = 0x80000000u;

    struct Entry {
        std::int64_t when;
        TimerNode* node;
    };
    static bool before(const Entry& a, const Entry& b) noexcept {
        return a.when < b.when ||
               (a.when == b.when && static_cast<std::int32_t>(a.node->seq_ - b.node->seq_) < 0);
    }
    void place(std::uint32_t i, const Entry& e) noexcept {
        heap_[i] = e;
        e.node->heap_index_ = i;
    }
    void heap_remove(TimerNode* n) noexcept;
    void sift_up(std::uint32_t i, Entry e) noexcept;
    void sift_down(std::uint32_t i, Entry e) noexcept;
    void run_skip_holes() noexcept;
    void run_compact() noexcept;

    PodBuffer<Entry> heap_;
    // The run: run_[run_head_..] in deadline order, null where a timer was
    // cancelled; run_live_ counts the non-null entries.
    PodBuffer<TimerNode*> run_;
    std::size_t run_head_ = 0;
    std::size_t run_live_ = 0;
    std::int64_t run_last_when_ = INT64_MIN;  // deadline of the last timer appended to the run
};

}  // namespace aio::detail
