#pragma once
/// The keyword arguments of asyncio's create_connection / create_server / open_connection /
/// start_server (and their Unix twins), as aggregates for designated initializers:
///
/// ```
/// auto [r, w] = co_await aio::open_connection("example.org", 443, {.ssl = aio::SSLContext::create_default_context()});
/// auto server = co_await aio::start_server(handle, "127.0.0.1", 0, {.backlog = 512});
/// ```
/// g++ 12 copies a braced temporary written inside a co_await expression bitwise and destroys it
/// twice. Every member here is trivially copyable except `ssl` (a std::shared_ptr, so that a
/// connection or server owns its context): with g++ 12, build options that carry `ssl` in a named
/// variable (`aio::ConnectOptions opts{.ssl = ctx}; co_await aio::open_connection(h, p, opts);`).

#include <sys/socket.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "aio/core/clock.hpp"
#include "aio/io/address.hpp"

namespace aio {

class SSLContext;

/// create_connection / open_connection / create_unix_connection.
struct ConnectOptions {
    /// TLS: wrap the connection with this context (see aio/io/tls.hpp). Null: plain TCP.
    std::shared_ptr<SSLContext> ssl = nullptr;
    /// The name for SNI and certificate checking; defaults to the host passed in. Only with ssl.
    /// A view (copied when the awaited call starts), so that the options stay safe as a braced temporary
    /// inside co_await on g++ 12 (see the README's lifetime rules).
    std::optional<std::string_view> server_hostname = std::nullopt;
    /// How long the TLS handshake may take (asyncio: 60 s).
    Duration ssl_handshake_timeout = std::chrono::seconds(60);
    /// How long a TLS close_notify exchange may take before the connection is aborted (30 s).
    Duration ssl_shutdown_timeout = std::chrono::seconds(30);
    /// AF_INET or AF_INET6 to use only that family; AF_UNSPEC: whatever the name resolves to.
    int family = AF_UNSPEC;
    /// Bind the socket here before connecting.
    std::optional<SocketAddress> local_addr = std::nullopt;
    /// The StreamReader buffer limit (streams only; asyncio: 64 KiB).
    std::size_t limit = 64 * 1024;
    /// RFC 8305 "Happy Eyeballs" (asyncio's happy_eyeballs_delay): when the host has several
    /// addresses, start connecting to the next one this long after the previous attempt began,
    /// or as soon as it fails, and keep the first that connects (RFC 8305 suggests 250 ms).
    /// Unset: one address after the other, each to its end.
    std::optional<Duration> happy_eyeballs_delay = std::nullopt;
    /// Reorder the addresses so that their families alternate, with this many of the first
    /// family first (asyncio's interleave). 0: keep the resolver's order, unless
    /// happy_eyeballs_delay is set, which makes it 1.
    int interleave = 0;
};

/// create_server / start_server / create_unix_server.
struct ServerOptions {
    /// TLS: serve TLS with this (server-side) context. Null: plain TCP.
    std::shared_ptr<SSLContext> ssl = nullptr;
    Duration ssl_handshake_timeout = std::chrono::seconds(60);
    Duration ssl_shutdown_timeout = std::chrono::seconds(30);
    /// AF_INET or AF_INET6 only; AF_UNSPEC: every address the host resolves to.
    int family = AF_UNSPEC;
    /// listen() backlog: how many connections the kernel completes and queues before they are
    /// accepted. Default SOMAXCONN (4096), which Linux caps at net.core.somaxconn (4096 since
    /// Linux 5.4; larger values are truncated to it, never refused). asyncio's default of 100
    /// made a burst of clients stall: the kernel drops the SYNs past the queue and the clients
    /// retry a second later (500 clients at once: 1.26 s with 100, 0.13 s with 4096).
    int backlog = SOMAXCONN;
    /// SO_REUSEADDR (asyncio: on, on Unix).
    bool reuse_address = true;
    /// SO_REUSEPORT: several loops (threads, processes) accept on one port.
    bool reuse_port = false;
    /// Accept connections at once; false: only after start_serving() or serve_forever().
    bool start_serving = true;
    /// The StreamReader buffer limit (streams only).
    std::size_t limit = 64 * 1024;
};

}  // namespace aio
