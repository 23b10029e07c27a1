#pragma once
/// aio::PriorityQueue<T, Compare> — asyncio.PriorityQueue: smallest item first
/// (like heapq), and first-in first-out among equal items.
///
/// ```
/// aio::PriorityQueue<std::pair<int, std::string>> q;   // (priority, payload)
/// q.put_nowait({2, "later"});
/// q.put_nowait({1, "first"});
/// auto [prio, what] = co_await q.get();                 // {1, "first"}
/// ```
/// Everything else (back-pressure, task_done/join, shutdown, cancel safety) is
/// aio::Queue's. An item handed to a waiting getter is the smallest at the time
/// of the put (the queue was empty); a getter cancelled before it ran puts its
/// item back where its priority and age place it.

#include <cstddef>
#include <functional>
#include <utility>

#include "aio/queues/detail/queue_storage.hpp"
#include "aio/queues/queue.hpp"

namespace aio {

/// A queue that gives out the smallest item by `Compare` first (a strict weak
/// order, std::less by default); equal items come out in put order. `T` may be
/// move-only (it must be move-assignable).
///
/// ```
/// auto by_deadline = [](const Job& a, const Job& b) { return a.deadline < b.deadline; };
/// aio::PriorityQueue<Job, decltype(by_deadline)> q(0, by_deadline);
/// ```
template <class T, class Compare = std::less<T>>
class PriorityQueue : public Queue<T, detail::HeapStorage<T, Compare>> {
public:
    /// At most `maxsize` items (0: unbounded), ordered by `comp`.
    explicit PriorityQueue(std::size_t maxsize = 0, Compare comp = Compare())
        : Queue<T, detail::HeapStorage<T, Compare>>(
              maxsize, detail::HeapStorage<T, Compare>(std::move(comp))) {}
};

}  // namespace aio
