#pragma once
/// aio::redis::ConnectionConfig and ClientOptions — where a Redis server is and how to talk to
/// it: redis-py's `from_url` and the keyword arguments of `redis.asyncio.Redis`.
///
/// ```
/// auto cfg = aio::redis::ConnectionConfig::from_url("redis://:secret@127.0.0.1:6380/2");
/// auto local = aio::redis::ConnectionConfig::from_url("unix:///run/redis.sock?db=1");
/// ```

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "aio/core/clock.hpp"

namespace aio::redis {

struct ConnectionConfig {
    std::string host = "127.0.0.1";
    std::uint16_t port = 6379;
    /// A unix socket path; when set, host and port are not used.
    std::string unix_path;
    /// AUTH's user (Redis 6 ACLs); empty sends `AUTH password` alone.
    std::string username;
    std::string password;
    int db = 0;

    /// `redis://[[user]:password@]host[:port][/db]` or `unix://path[?db=N&password=P&username=U]`,
    /// with %XX escapes in user and password. Throws aio::ValueError naming what is wrong
    /// (a `rediss://` URL: TLS is not supported yet).
    static ConnectionConfig from_url(std::string_view url);
    /// "127.0.0.1:6379" or "unix:/path", for messages.
    std::string describe() const;
};

/// Options written inline by users: every member is trivially destructible.
struct ClientOptions {
    /// Bounds connecting, AUTH and SELECT together; std::nullopt waits for the OS.
    std::optional<Duration> connect_timeout = std::chrono::seconds(10);
    /// Bounds each command's wait for its reply (aio::TimeoutError). The reply, when it comes,
    /// is read and dropped, so the pipeline stays in step. Blocking commands (BRPOP,
    /// XREADGROUP with BLOCK) wait their own timeout plus this (plus 1 s without one).
    std::optional<Duration> command_timeout = std::nullopt;
    /// 2 (RESP2, as redis-py's default) or 3 (HELLO 3: maps, sets, doubles, booleans, pushes).
    int protocol = 2;
    /// Idle connections kept for blocking commands, so they do not stall the pipeline.
    std::size_t blocking_pool_size = 4;
    /// At most this many blocking commands at once, each on its own connection; more wait for
    /// one to end (redis-py's max_connections). 0: no bound, as redis-py's default.
    std::size_t max_blocking_connections = 0;
    /// Pub/sub reconnects: the first delay, doubled after each failure up to the max, and the
    /// attempts made before next() gives up with the last error.
    Duration reconnect_initial_delay = std::chrono::milliseconds(50);
    Duration reconnect_max_delay = std::chrono::seconds(2);
    int reconnect_attempts = 40;
};

}  // namespace aio::redis
