#pragma once
/// aio::LifoQueue<T> — asyncio.LifoQueue: the most recently put item first (a stack).
///
/// ```
/// aio::LifoQueue<int> q;
/// q.put_nowait(1);
/// q.put_nowait(2);
/// int top = co_await q.get();   // 2
/// ```
/// Everything else (back-pressure, task_done/join, shutdown, cancel safety) is
/// aio::Queue's. A getter cancelled after an item was handed to it puts the
/// item back where it was: below every item put after it.

#include <cstddef>

#include "aio/queues/detail/queue_storage.hpp"
#include "aio/queues/queue.hpp"

namespace aio {

/// A last-in first-out queue of `T` (may be move-only).
///
/// ```
/// aio::LifoQueue<std::unique_ptr<Node>> stack(64);
/// ```
template <class T>
class LifoQueue : public Queue<T, detail::LifoStorage<T>> {
public:
    /// At most `maxsize` items (0: unbounded).
    explicit LifoQueue(std::size_t maxsize = 0) : Queue<T, detail::LifoStorage<T>>(maxsize) {}
};

}  // namespace aio
