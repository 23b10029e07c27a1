#pragma once
/// aio::redis::Message — one pub/sub message, as `Redis::subscribe` / `psubscribe` yield them.
///
/// ```
/// auto news = co_await r.subscribe("news");
/// while (auto m = co_await news.next()) std::cout << m->channel << ": " << m->data << "\n";
/// ```
/// The generator owns its own connection. Destroying it (or `co_await gen.aclose()`, or
/// cancelling the task that consumes it) sends UNSUBSCRIBE / PUNSUBSCRIBE and closes that
/// connection. When the connection drops, next() reconnects with backoff (ClientOptions'
/// reconnect_* settings: doubling, bounded), subscribes again to every channel and pattern,
/// reports "reconnected, resubscribed to N channels" (Redis::set_reconnect_callback) and goes on;
/// messages published while it was away are lost, as in Redis. After the last attempt next()
/// throws the last connect error.

#include <string>

namespace aio::redis {

struct Message {
    /// "message" (SUBSCRIBE) or "pmessage" (PSUBSCRIBE).
    std::string type;
    std::string channel;
    /// The pattern that matched; empty for a plain subscription.
    std::string pattern;
    std::string data;
};

}  // namespace aio::redis
