#pragma once
/// The errors of aio's queues: asyncio.QueueEmpty, QueueFull and QueueShutDown.
///
/// ```
/// try { q.put_nowait(x); } catch (const aio::QueueFull&) {}   // drop or retry later
/// ```
/// `task_done()` called more times than items were put throws aio::ValueError (asyncio's
/// ValueError; aio/core/exceptions.hpp).

#include <stdexcept>
#include <string>

namespace aio {

/// `get_nowait()` on an empty queue (asyncio.QueueEmpty).
///
/// ```
/// try { auto v = q.get_nowait(); } catch (const aio::QueueEmpty&) {}   // nothing yet
/// ```
class QueueEmpty : public std::runtime_error {
public:
    QueueEmpty();
    explicit QueueEmpty(const std::string& what);
};

/// `put_nowait()` on a full queue (asyncio.QueueFull). Use `try_put()` to get the
/// item back instead of losing it.
///
/// ```
/// try { q.put_nowait(x); } catch (const aio::QueueFull&) { ++dropped; }
/// ```
class QueueFull : public std::runtime_error {
public:
    QueueFull();
    explicit QueueFull(const std::string& what);
};

/// A put on a queue that was shut down, or a get on a shut-down queue that has
/// nothing left to give (asyncio.QueueShutDown, Python 3.13).
///
/// ```
/// try { for (;;) handle(co_await q.get()); } catch (const aio::QueueShutDown&) {}   // drained
/// ```
class QueueShutDown : public std::runtime_error {
public:
    QueueShutDown();
    explicit QueueShutDown(const std::string& what);
};

}  // namespace aio
