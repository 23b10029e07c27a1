// Pub/sub: each subscription generator owns a connection; it reconnects and subscribes again
// when that connection drops.

#include <cerrno>
#include <exception>
#include <iostream>
#include <optional>

#include "aio/core/os_errors.hpp"
#include "aio/redis/client.hpp"
#include "aio/time/sleep.hpp"
#include "redis/client_core.hpp"

namespace aio::redis {

namespace {

struct Subscription {
    ConnectionConfig config;
    ClientOptions options;
    std::function<void(const std::string&)> report;
    bool patterns = false;
    std::vector<std::string> names;

    std::string subscribe_command() const {
        CommandBuilder b;
        b.args(patterns ? "PSUBSCRIBE" : "SUBSCRIBE", names);
        return b.finish();
    }
    void say(const std::string& line) const {
        if (report)
            report(line);
        else
            std::cerr << "aio.redis: " << line << "\n";
    }
};

// Connects, subscribes, and reads the server's confirmation of every name.
Coro<std::unique_ptr<detail::Connection>> open_subscribed(const Subscription& sub) {
    auto conn = co_await detail::Connection::open(sub.config, sub.options);
    conn->write(sub.subscribe_command());
    std::string_view kind = sub.patterns ? "psubscribe" : "subscribe";
    for (std::size_t confirmed = 0; confirmed < sub.names.size();) {
        Reply r = co_await conn->read_reply();
        r.throw_if_error();
        if (!r.is_aggregate() || r.as_array().empty()) throw ProtocolError("a subscribe reply of " + r.to_debug_string());
        if (r.as_array()[0].as_string() == kind) ++confirmed;
    }
    co_return conn;
}

// Closes the connection as the generator's frame goes, saying UNSUBSCRIBE first: the bytes
// are queued on the transport, which flushes them before it closes.
struct Unsubscriber {
    std::unique_ptr<detail::Connection>* conn;
    bool patterns;
    ~Unsubscriber() {
        if (!*conn) return;
        try {
            (*conn)->write(encode_command(patterns ? "PUNSUBSCRIBE" : "UNSUBSCRIBE"));
        } catch (...) {  // already closed: the server has dropped the subscription itself
        }
        (*conn)->close();
    }
};

Coro<std::unique_ptr<detail::Connection>> reconnect(const Subscription& sub, std::exception_ptr why) {
    Duration delay = sub.options.reconnect_initial_delay;
    std::exception_ptr last = why;
    for (int attempt = 1; attempt <= sub.options.reconnect_attempts; ++attempt) {
        co_await sleep(delay);
        try {
            auto conn = co_await open_subscribed(sub);
            sub.say("reconnected, resubscribed to " + std::to_string(sub.names.size()) +
                    (sub.patterns ? " patterns" : " channels"));
            co_return conn;
        } catch (const std::exception& e) {
            last = std::current_exception();
            sub.say("reconnect attempt " + std::to_string(attempt) + " failed: " + e.what());
        }
        delay = std::min(delay * 2, sub.options.reconnect_max_delay);
    }
    std::rethrow_exception(last);
}

std::optional<Message> message_of(const Reply& r) {
    if (!r.is_aggregate()) throw ProtocolError("a pub/sub push of " + r.to_debug_string());
    const auto& parts = r.as_array();
    if (parts.size() == 3 && parts[0].as_string() == "message")
        return Message{"message", parts[1].as_string(), {}, parts[2].as_string()};
    if (parts.size() == 4 && parts[0].as_string() == "pmessage")
        return Message{"pmessage", parts[2].as_string(), parts[1].as_string(), parts[3].as_string()};
    return std::nullopt;  // subscribe / unsubscribe confirmations, pong
}

AsyncGenerator<Message> listen(Subscription sub, std::unique_ptr<detail::Connection> conn) {
    Unsubscriber unsubscribe{&conn, sub.patterns};
    for (;;) {
        std::optional<Reply> r;
        std::exception_ptr lost;
        try {
            r = co_await conn->read_reply();
        } catch (const ConnectionError&) {
            lost = std::current_exception();
        } catch (const ProtocolError&) {
            lost = std::current_exception();
        }
        if (lost) {
            conn->close();
            conn.reset();
            sub.say("connection to " + sub.config.describe() + " lost; reconnecting");
            conn = co_await reconnect(sub, lost);
            continue;
        }
        if (r->is_error()) r->throw_if_error();
        if (auto m = message_of(*r)) co_yield std::move(*m);
    }
}

}  // namespace

Coro<AsyncGenerator<Message>> Redis::open_pubsub(bool patterns, std::vector<std::string> names) {
    if (!core_) throw InvalidStateError("subscribe() on a moved-from Redis");
    if (names.empty()) throw ValueError(patterns ? "psubscribe() needs a pattern" : "subscribe() needs a channel");
    if (core_->closed) throw ConnectionError(ENOTCONN, "the Redis client is closed");
    Subscription sub{core_->config, core_->options, core_->on_reconnect, patterns, std::move(names)};
    auto conn = co_await open_subscribed(sub);
    co_return listen(std::move(sub), std::move(conn));
}

}  // namespace aio::redis
