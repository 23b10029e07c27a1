#pragma once
/// aio::redis::Redis — a Redis client on aio streams (redis-py's `redis.asyncio.Redis`).
///
/// ```
/// auto r = co_await aio::redis::connect("redis://127.0.0.1:6379/0");
/// co_await r.set("greeting", "hello", {.ex = std::chrono::seconds(60)});
/// std::optional<std::string> v = co_await r.get("greeting");
/// aio::redis::Reply raw = co_await r.execute("HINCRBY", "h", "n", 5);
/// co_await r.aclose();
/// ```
/// One connection, pipelined: commands issued by any number of tasks are written together, once
/// per loop iteration, and answered in order from a FIFO of pending replies. Blocking commands
/// (`brpop`, `xreadgroup` with `block`) run on a small pool of dedicated connections instead, so
/// they never hold up the pipeline. Pub/sub (`subscribe`, `psubscribe`) takes a connection of its
/// own too (see pubsub.hpp).
///
/// Errors: an error reply raises ReplyError ("WRONGTYPE ..."); a lost connection fails every
/// pending command with aio::ConnectionError, and the next command connects again (redis-py's
/// pool does the same); malformed RESP raises ProtocolError and drops the connection.
///
/// Cancel safety: cancelling a command's wait loses no other command's reply. The command has
/// been (or will be) sent; its reply is read and dropped when it comes. Whether it ran is unknown,
/// as with any request whose answer was not awaited.

#include <chrono>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aio/core/coro.hpp"
#include "aio/gen/async_generator.hpp"
#include "aio/redis/command.hpp"
#include "aio/redis/config.hpp"
#include "aio/redis/pubsub.hpp"
#include "aio/redis/reply.hpp"

namespace aio::redis {

/// AUTH or HELLO refused the credentials (redis-py's AuthenticationError).
class AuthenticationError : public ReplyError {
public:
    using ReplyError::ReplyError;
};

/// SET's options (redis-py's `ex`, `px`, `nx`, `xx`, `keepttl`).
struct SetOptions {
    std::optional<std::chrono::seconds> ex = std::nullopt;
    std::optional<std::chrono::milliseconds> px = std::nullopt;
    bool nx = false;  ///< only if the key does not exist
    bool xx = false;  ///< only if it does
    bool keepttl = false;
};

/// One stream entry: its id and its field/value pairs, in order.
struct StreamEntry {
    std::string id;
    std::vector<std::pair<std::string, std::string>> fields;
};

/// XREADGROUP's options.
struct ReadGroupOptions {
    std::optional<std::int64_t> count = std::nullopt;
    /// Wait up to this long for entries (BLOCK); the command then runs on a blocking connection.
    std::optional<std::chrono::milliseconds> block = std::nullopt;
    bool noack = false;
};

/// Field/value pairs for HSET and XADD. Written inline (`r.hset("h", {{"f", "1"}})`) under clang;
/// g++ 12 cannot keep an initializer list's array across a co_await, so there name it first:
/// `const aio::redis::FieldList f{{"f", "1"}}; co_await r.hset("h", f);`.
using FieldList = std::initializer_list<std::pair<std::string_view, std::string_view>>;

namespace detail {
struct ClientCore;
}

class Redis {
public:
    /// Connects to `config` (TCP or unix socket), authenticates and selects the database.
    /// Throws aio::ConnectionError (the server is not there: "connecting to Redis at
    /// 127.0.0.1:6390: Connection refused"), aio::TimeoutError (connect_timeout passed),
    /// AuthenticationError, ReplyError (SELECT refused).
    static Coro<Redis> connect(ConnectionConfig config, ClientOptions options = {});

    Redis(Redis&&) noexcept;
    Redis& operator=(Redis&&) noexcept;
    /// Closes the connections; pending commands fail with ConnectionError.
    ~Redis();

    /// Sends a command and returns its reply: `co_await r.execute("SET", "k", "v")`. Arguments
    /// are any mix of strings, string views, integers and doubles. Throws ReplyError for an
    /// error reply, ConnectionError, ProtocolError, aio::TimeoutError (command_timeout).
    template <class... A>
    Coro<Reply> execute(const A&... args) {
        return execute_encoded(encode_command(args...));
    }
    /// Sends an already-encoded command (encode_command, CommandBuilder).
    Coro<Reply> execute_encoded(std::string command);
    /// As execute, on a dedicated connection from the blocking pool (for BLPOP, BRPOP, BLMOVE,
    /// XREAD BLOCK, WAIT ...). `timeout` bounds the wait (std::nullopt: the command's own).
    Coro<Reply> execute_blocking(std::string command, std::optional<Duration> timeout = std::nullopt);

    // ---- typed helpers: redis-py's names and return types ----
    /// PING: "PONG".
    Coro<std::string> ping();
    /// GET: the value, or std::nullopt when the key does not exist.
    Coro<std::optional<std::string>> get(std::string_view key);
    /// SET: true when the value was set, false when NX or XX stopped it.
    Coro<bool> set(std::string_view key, std::string_view value, SetOptions options = {});
    /// DEL: how many of the keys existed.
    template <class... K>
    Coro<std::int64_t> del(const K&... keys) {
        return int_command(encode_command("DEL", keys...));
    }
    Coro<std::int64_t> incr(std::string_view key);
    Coro<std::int64_t> incrby(std::string_view key, std::int64_t by);
    /// EXPIRE: true if the key exists and got the timeout.
    Coro<bool> expire(std::string_view key, std::chrono::seconds ttl);
    /// TTL in seconds: -2 when the key does not exist, -1 when it has no timeout.
    Coro<std::int64_t> ttl(std::string_view key);
    /// HSET: how many fields were added (not updated).
    Coro<std::int64_t> hset(std::string_view key, std::string_view field, std::string_view value);
    Coro<std::int64_t> hset(std::string_view key, FieldList mapping);
    Coro<std::optional<std::string>> hget(std::string_view key, std::string_view field);
    /// HGETALL as field/value pairs (RESP2 array or RESP3 map alike).
    Coro<std::vector<std::pair<std::string, std::string>>> hgetall(std::string_view key);
    /// LPUSH / RPUSH: the list's length afterwards.
    template <class... V>
    Coro<std::int64_t> lpush(std::string_view key, const V&... values) {
        return int_command(encode_command("LPUSH", key, values...));
    }
    template <class... V>
    Coro<std::int64_t> rpush(std::string_view key, const V&... values) {
        return int_command(encode_command("RPUSH", key, values...));
    }
    /// BRPOP on the blocking pool: {list, value}, or std::nullopt when `timeout` passed first
    /// (0 waits forever, as Redis).
    Coro<std::optional<std::pair<std::string, std::string>>> brpop(std::string_view key, std::chrono::duration<double> timeout);
    Coro<std::optional<std::pair<std::string, std::string>>> brpop(const std::vector<std::string>& keys,
                                                                  std::chrono::duration<double> timeout);
    /// XADD: the new entry's id (`id` "*" lets the server pick it).
    Coro<std::string> xadd(std::string_view stream, FieldList fields, std::string_view id = "*");
    /// XGROUP CREATE (MKSTREAM when `mkstream`); false when the group already exists (BUSYGROUP).
    Coro<bool> xgroup_create(std::string_view stream, std::string_view group, std::string_view id = "$",
                             bool mkstream = true);
    /// XREADGROUP for one stream: its entries (none when BLOCK passed without any).
    Coro<std::vector<StreamEntry>> xreadgroup(std::string_view group, std::string_view consumer,
                                              std::string_view stream, std::string_view id = ">",
                                              ReadGroupOptions options = {});
    /// XACK: how many entries were acknowledged.
    template <class... I>
    Coro<std::int64_t> xack(std::string_view stream, std::string_view group, const I&... ids) {
        return int_command(encode_command("XACK", stream, group, ids...));
    }
    /// PUBLISH: how many subscribers got the message.
    Coro<std::int64_t> publish(std::string_view channel, std::string_view message);

    /// SUBSCRIBE on a connection of its own; once the returned generator exists the server has
    /// confirmed every channel, so a message published after this co_await is delivered.
    /// See pubsub.hpp for reconnects and unsubscribing.
    template <class... C>
    Coro<AsyncGenerator<Message>> subscribe(const C&... channels) {
        return open_pubsub(false, std::vector<std::string>{std::string(channels)...});
    }
    /// PSUBSCRIBE: as subscribe, for glob-style patterns (`news.*`).
    template <class... P>
    Coro<AsyncGenerator<Message>> psubscribe(const P&... patterns) {
        return open_pubsub(true, std::vector<std::string>{std::string(patterns)...});
    }
    /// Called with "reconnected, resubscribed to N channels" after a pub/sub reconnect (and with
    /// each failed attempt's error); without one the line goes to stderr.
    void set_reconnect_callback(std::function<void(const std::string&)> callback);

    /// Closes every connection; pending commands fail with ConnectionError. Later commands
    /// raise ConnectionError("the client is closed").
    Coro<void> aclose();
    bool is_closed() const noexcept;
    const ConnectionConfig& config() const noexcept;

private:
    explicit Redis(std::shared_ptr<detail::ClientCore> core) noexcept;
    Coro<std::int64_t> int_command(std::string command);
    Coro<std::optional<std::string>> optional_string_command(std::string command);
    Coro<AsyncGenerator<Message>> open_pubsub(bool patterns, std::vector<std::string> names);

    std::shared_ptr<detail::ClientCore> core_;
};

/// redis-py's `redis.asyncio.from_url`: `co_await aio::redis::connect("redis://:pw@host:6379/1")`.
Coro<Redis> connect(std::string_view url, ClientOptions options = {});

}  // namespace aio::redis
