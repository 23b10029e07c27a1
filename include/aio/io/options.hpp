#pragma once
/// The keyword arguments of asyncio's create_connection / create_server / open_connection /
/// start_server (and their Unix twins), as aggregates for designated initializers:
///
/// ```
/// auto [r, w] = co_await aio::open_connection("example.org", 443, {.ssl = aio::SSLContext::create_default_context()});
/// auto server = co_await aio::start_server(handle, "127.0.0.1", 0, {.backlog = 512});
/// ```

#include <sys/socket.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "aio/core/clock.hpp"
#include "aio/io/address.hpp"

namespace aio {

class SSLContext;

/// create_connection / open_connection / create_unix_connection.
struct ConnectOptions {
    /// TLS: wrap the connection with this context (see aio/io/tls.hpp). Null: plain TCP.
    std::shared_ptr<SSLContext> ssl = nullptr;
    /// The name for SNI and certificate checking; defaults to the host passed in. Only with ssl.
    std::optional<std::string> server_hostname = std::nullopt;
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
};

/// create_server / start_server / create_unix_server.
struct ServerOptions {
    /// TLS: serve TLS with this (server-side) context. Null: plain TCP.
    std::shared_ptr<SSLContext> ssl = nullptr;
    Duration ssl_handshake_timeout = std::chrono::seconds(60);
    Duration ssl_shutdown_timeout = std::chrono::seconds(30);
    /// AF_INET or AF_INET6 only; AF_UNSPEC: every address the host resolves to.
    int family = AF_UNSPEC;
    /// listen() backlog (asyncio: 100).
    int backlog = 100;
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
