#include "core/timer_heap.hpp"

namespace aio::detail {

void TimerHeap::push(TimerNode* n) {
    std::int64_t when = n->when_.time_since_epoch().count();
    // Append to the run if that keeps it sorted (seq_ grows with every push,
    // so equal deadlines stay in insertion order) and its slots fit the index.
    if ((run_live_ == 0 || when >= run_last_when_) && run_.size() < kInRunBit - 1) {
        n->heap_index_ = static_cast<std::uint32_t>(run_.size()) | kInRunBit;
        run_.push_back(n);
        ++run_live_;
        run_last_when_ = when;
        return;
    }
    Entry e{when, n};
    heap_.push_back(e);
    sift_up(static_cast<std::uint32_t>(heap_.size() - 1), e);
}

TimerNode* TimerHeap::pop() noexcept {
    TimerNode* n;
    if (run_live_ == 0) {
        n = heap_.front().node;
    } else {
        n = run_[run_head_];
        if (!heap_.empty() && before(heap_.front(), Entry{n->when_.time_since_epoch().count(), n}))
            n = heap_.front().node;
    }
    remove(n);
    return n;
}

void TimerHeap::remove(TimerNode* n) noexcept {
    std::uint32_t i = n->heap_index_;
    if (!(i & kInRunBit)) {
        heap_remove(n);
        return;
    }
    n->heap_index_ = TimerNode::kNotInHeap;
    run_[i & ~kInRunBit] = nullptr;
    --run_live_;
    run_skip_holes();
}

// Keeps run_head_ on a live entry, and the holes left by cancelled timers
// from outgrowing the live ones (amortised O(1): a compaction follows at least
// as many removals as it moves entries).
void TimerHeap::run_skip_holes() noexcept {
    if (run_live_ == 0) {
        run_.clear();
        run_head_ = 0;
        return;
    }
    while (!run_[run_head_]) ++run_head_;
    while (!run_.back()) run_.pop_back();
    std::size_t span = run_.size() - run_head_;
    std::size_t holes = span - run_live_;
    if ((run_head_ >= 4096 && run_head_ >= span) || (holes >= 4096 && holes >= 2 * run_live_)) run_compact();
}

void TimerHeap::run_compact() noexcept {
    std::size_t out = 0;
    for (std::size_t i = run_head_; i < run_.size(); ++i) {
        if (TimerNode* n = run_[i]) {
            n->heap_index_ = static_cast<std::uint32_t>(out) | kInRunBit;
            run_[out++] = n;
        }
    }
    run_.shrink_to(out);
    run_head_ = 0;
}

void TimerHeap::heap_remove(TimerNode* n) noexcept {
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
