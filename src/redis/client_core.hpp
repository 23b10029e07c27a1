#pragma once
// The state behind a Redis handle: the pipelined connection, its FIFO of pending replies, the
// writes gathered for this loop iteration, the reader task, and the blocking pool.
//
// Invariant: pending_[i] waits for the i-th reply the server has yet to send on conn_. A waiter
// that gave up leaves its future in place (done, cancelled): the reply is read and dropped.

#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "aio/core/future.hpp"
#include "aio/core/handle.hpp"
#include "aio/core/task.hpp"
#include "aio/redis/config.hpp"
#include "aio/redis/reply.hpp"
#include "aio/sync/lock.hpp"
#include "aio/sync/semaphore.hpp"
#include "redis/connection.hpp"

namespace aio::redis::detail {

struct ClientCore : std::enable_shared_from_this<ClientCore> {
    ClientCore(ConnectionConfig c, ClientOptions o) : config(std::move(c)), options(o) {}

    /// Makes conn_ usable: connects again after a lost connection. Throws as Connection::open.
    Coro<void> ensure_connected();
    void adopt(std::unique_ptr<Connection> c);
    Future<Reply> enqueue(std::string command);
    void flush() noexcept;
    /// Fails every pending reply with `error` and forgets the connection.
    void fail_all(std::exception_ptr error) noexcept;
    void close() noexcept;

    ConnectionConfig config;
    ClientOptions options;
    std::function<void(const std::string&)> on_reconnect;

    std::unique_ptr<Connection> conn;
    std::deque<Future<Reply>> pending;
    std::string outbuf;
    bool flush_scheduled = false;
    bool closed = false;
    std::optional<Task<void>> reader;
    Lock connecting;

    std::vector<std::unique_ptr<Connection>> idle_blocking;
    /// With options.max_blocking_connections: a permit per blocking command in flight.
    std::unique_ptr<Semaphore> blocking_slots;
};

}  // namespace aio::redis::detail
