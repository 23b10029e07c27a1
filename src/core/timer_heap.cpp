#include "core/timer_heap.hpp"

namespace aio::detail {

void TimerHeap::push(TimerNode* n) {
    Entry e{n->when_.time_since_epoch().count(), n};
    heap_.push_back(e);
    sift_up(static_cast<std::uint32_t>(heap_.size() - 1), e);
}

TimerNode* TimerHeap::pop() noexcept {
    TimerNode* n = heap_.front().node;
    remove(n);
    return n;
}

void TimerHeap::remove(TimerNode* n) noexcept {
    std::uint32_t i = n->heap_index_;
    n->heap_index_ = TimerNode::kNotInHeap;
    Entry last = heap_.back();
    heap_.pop_back();
    if (i == heap_.size()) return;
    if (i > 0 && before(last, heap_[(i - 1) / 4]))
        sift_up(i, last);
    else
        sift_down(i, last);
}

void TimerHeap::sift_up(std::uint32_t i, Entry e) noexcept {
    while (i > 0) {
        std::uint32_t parent = (i - 1) / 4;
        if (!before(e, heap_[parent])) break;
        place(i, heap_[parent]);
        i = parent;
    }
    place(i, e);
}

void TimerHeap::sift_down(std::uint32_t i, Entry e) noexcept {
    const std::uint32_t n = static_cast<std::uint32_t>(heap_.size());
    for (;;) {
        std::uint32_t first = 4 * i + 1;
        if (first >= n) break;
        std::uint32_t best = first;
        std::uint32_t end = first + 4 < n ? first + 4 : n;
        for (std::uint32_t c = first + 1; c < end; ++c)
            if (before(heap_[c], heap_[best])) best = c;
        if (!before(heap_[best], e)) break;
        place(i, heap_[best]);
        i = best;
    }
    place(i, e);
}

}  // namespace aio::detail
