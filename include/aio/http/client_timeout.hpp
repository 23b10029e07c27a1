#pragma once
/// aiohttp's ClientTimeout: the deadlines of one request, each optional.
///
/// ```
/// aio::http::ClientTimeout t{.total = 10s, .sock_read = 2s};
/// aio::http::ClientSession session({.timeout = t});
/// ```
/// Any deadline that passes raises aio::TimeoutError; the connection is closed, never pooled.

#include <optional>

#include "aio/core/clock.hpp"

namespace aio::http {

struct ClientTimeout {
    /// The whole request: connecting, sending, the response head and reading the body, redirects
    /// included (aiohttp's default: 5 minutes).
    std::optional<Duration> total = std::chrono::minutes(5);
    /// Getting a connection: waiting for a free one in the pool plus connecting.
    std::optional<Duration> connect = std::nullopt;
    /// Connecting one socket (name resolution, TCP and TLS handshakes).
    std::optional<Duration> sock_connect = std::nullopt;
    /// The longest wait for the next bytes of the response, head or body.
    std::optional<Duration> sock_read = std::nullopt;
};

}  // namespace aio::http
