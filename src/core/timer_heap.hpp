#pragma once
// The loop's timers: a 4-ary min-heap ordered by (deadline, insertion order),
// each node knowing its slot so cancellation removes it in O(log n). A 4-ary
// heap halves the depth of a binary one and keeps siblings on one cache line.

#include <cstdint>
#include <vector>

#include "aio/core/handle.hpp"

namespace aio::detail {

class TimerHeap {
public:
    bool empty() const noexcept { return heap_.empty(); }
    std::size_t size() const noexcept { return heap_.size(); }
    TimerNode* top() const noexcept { return heap_.front().node; }
    TimePoint top_when() const noexcept { return TimePoint(Duration(heap_.front().when)); }

    void push(TimerNode* n);
    void remove(TimerNode* n) noexcept;
    TimerNode* pop() noexcept;

private:
    struct Entry {
        std::int64_t when;
        TimerNode* node;
    };
    static bool before(const Entry& a, const Entry& b) noexcept {
        return a.when < b.when || (a.when == b.when && a.node->seq_ < b.node->seq_);
    }
    void place(std::uint32_t i, const Entry& e) noexcept {
        heap_[i] = e;
        e.node->heap_index_ = i;
    }
    void sift_up(std::uint32_t i, Entry e) noexcept;
    void sift_down(std::uint32_t i, Entry e) noexcept;

    std::vector<Entry> heap_;
};

}  // namespace aio::detail
