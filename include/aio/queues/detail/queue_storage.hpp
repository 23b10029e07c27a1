#pragma once
// Where a queue keeps its items: the part asyncio's Queue subclasses override
// (_init/_put/_get). Each item carries its put sequence number, so that an item
// handed to a getter that is then cancelled can be restored to exactly the
// place it would hold had it never left (restore()), and so that equal
// priorities come out first-in first-out.
//
// A storage is kept sorted by sequence number (FIFO and LIFO) or is a heap on
// (priority, sequence number); restore() keeps that order.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <utility>
#include <vector>

namespace aio::detail {

template <class T>
struct QueueEntry {
    T value;
    std::uint64_t seq;
};

/// First in, first out (asyncio.Queue) or last in, first out (asyncio.LifoQueue).
template <class T, bool Lifo>
class SequenceStorage {
public:
    static constexpr const char* kind = Lifo ? "LifoQueue" : "Queue";

    bool empty() const noexcept { return items_.empty(); }
    std::size_t size() const noexcept { return items_.size(); }
    void push(T&& v, std::uint64_t seq) { items_.push_back(QueueEntry<T>{std::move(v), seq}); }
    T pop() {
        auto& e = Lifo ? items_.back() : items_.front();
        T v = std::move(e.value);
        if constexpr (Lifo)
            items_.pop_back();
        else
            items_.pop_front();
        return v;
    }
    /// Puts back an item that left with sequence number `seq`. Items returned
    /// this way are older than any item that stayed, so the search ends near
    /// the front (FIFO: next out; LIFO: the bottom of the stack).
    void restore(T&& v, std::uint64_t seq) {
        auto it =
            std::upper_bound(items_.begin(), items_.end(), seq,
                             [](std::uint64_t s, const QueueEntry<T>& e) { return s < e.seq; });
        items_.insert(it, QueueEntry<T>{std::move(v), seq});
    }
    void clear() noexcept { items_.clear(); }

private:
    std::deque<QueueEntry<T>> items_;
};

template <class T>
using FifoStorage = SequenceStorage<T, false>;
template <class T>
using LifoStorage = SequenceStorage<T, true>;

/// Smallest first by `Compare`, first-in first-out among equals (asyncio.PriorityQueue).
template <class T, class Compare>
class HeapStorage {
public:
    static constexpr const char* kind = "PriorityQueue";

    HeapStorage() = default;
    explicit HeapStorage(Compare comp) : comp_(std::move(comp)) {}

    bool empty() const noexcept { return heap_.empty(); }
    std::size_t size() const noexcept { return heap_.size(); }
    void push(T&& v, std::uint64_t seq) {
        heap_.push_back(QueueEntry<T>{std::move(v), seq});
        std::push_heap(heap_.begin(), heap_.end(), After{&comp_});
    }
    T pop() {
        std::pop_heap(heap_.begin(), heap_.end(), After{&comp_});
        T v = std::move(heap_.back().value);
        heap_.pop_back();
        return v;
    }
    /// With its old sequence number the item lands where it always belonged.
    void restore(T&& v, std::uint64_t seq) { push(std::move(v), seq); }
    void clear() noexcept { heap_.clear(); }

private:
    // The std heap keeps its greatest element first; "greatest" here is the
    // entry that must come out first: smallest value, then oldest.
    struct After {
        const Compare* comp;
        bool operator()(const QueueEntry<T>& a, const QueueEntry<T>& b) const {
            if ((*comp)(b.value, a.value)) return true;
            if ((*comp)(a.value, b.value)) return false;
            return b.seq < a.seq;
        }
    };
    std::vector<QueueEntry<T>> heap_;
    [[no_unique_address]] Compare comp_{};
};

}  // namespace aio::detail
