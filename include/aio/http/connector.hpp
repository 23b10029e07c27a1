#pragma once
/// aiohttp's TCPConnector: the pool of keep-alive connections a ClientSession draws from.
///
/// ```
/// auto connector = std::make_shared<aio::http::TCPConnector>(aio::http::TCPConnectorOptions{.limit = 10});
/// aio::http::ClientSession session({.connector = connector});
/// ```
///
/// Connections are pooled per (scheme, host, port, TLS settings). A connection goes back to the
/// pool only once its response's body was read to the end and both sides kept it alive; a
/// request that failed or was cancelled closes its connection. An idle connection the server
/// closed is noticed (EOF while idle) and dropped; one that idled past `keepalive_timeout` is
/// closed. At most `limit` connections are in use at once (`limit_per_host` per host); a
/// request beyond that waits, in FIFO order, for one to be released.
///
/// Names resolve through aio's resolver and https runs on aio's TLS (aio/io/tls.hpp), with the
/// server's certificate and host name verified unless `verify_ssl` is false.

#include <sys/socket.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "aio/core/clock.hpp"
#include "aio/core/coro.hpp"
#include "aio/io/protocol.hpp"
#include "aio/io/transport.hpp"

namespace aio {
class SSLContext;
}

namespace aio::http {

class URL;

namespace detail {
class ConnectorImpl;
class Lease;
struct ConnectParams;
}  // namespace detail

struct TCPConnectorOptions {
    /// Connections in use at once, over every host (0: no limit). aiohttp: 100.
    std::size_t limit = 100;
    /// Connections in use at once to one (scheme, host, port) (0: no limit).
    std::size_t limit_per_host = 0;
    /// How long an idle connection stays in the pool (aiohttp: 15 s). nullopt: forever.
    std::optional<Duration> keepalive_timeout = std::chrono::seconds(15);
    /// Close every connection after its response instead of pooling it.
    bool force_close = false;
    /// The TLS context for https (null: the system's CAs, certificate and host name checked).
    std::shared_ptr<SSLContext> ssl = nullptr;
    /// False: https without checking the certificate (aiohttp's `ssl=False`).
    bool verify_ssl = true;
    /// AF_INET or AF_INET6 to use only that family.
    int family = AF_UNSPEC;
};

class TCPConnector {
public:
    explicit TCPConnector(TCPConnectorOptions options = {});
    TCPConnector(const TCPConnector&) = delete;
    TCPConnector& operator=(const TCPConnector&) = delete;
    /// Closes the pool.
    ~TCPConnector();

    /// Closes every idle connection; connections in use close when their response is released.
    /// Later requests raise ClientConnectionError. Idempotent.
    void close() noexcept;
    bool closed() const noexcept;

    std::size_t limit() const noexcept;
    std::size_t limit_per_host() const noexcept;
    /// Connections opened so far (sockets, or MockResponses' in-memory transports).
    std::size_t connections_made() const noexcept;
    /// Connections waiting in the pool now.
    std::size_t idle_connections() const noexcept;
    /// Connections lent to requests now.
    std::size_t acquired_connections() const noexcept;

    /// For ClientSession: a connection to `url`'s origin, pooled or new. Throws
    /// ClientConnectorError, ClientConnectionError (closed connector), aio::TimeoutError.
    /// Cancel safety: a cancelled connect closes its socket; no permit is kept.
    Coro<detail::Lease> connect(const URL& url, const detail::ConnectParams& params);

private:
    std::shared_ptr<detail::ConnectorImpl> impl_;
};

namespace detail {

/// The hook MockResponses plugs into every connector of this thread: while one is set,
/// connections are opened by it instead of by create_connection.
class ConnectHook {
public:
    virtual ~ConnectHook() = default;
    /// Makes a transport to `origin` (`http://host:port`) for `protocol` and calls its
    /// connection_made(), or throws.
    virtual std::shared_ptr<Transport> open(const URL& origin, std::shared_ptr<Protocol> protocol) = 0;
};

/// Sets this thread's hook (null: none); returns the previous one.
ConnectHook* set_connect_hook(ConnectHook* hook) noexcept;
ConnectHook* connect_hook() noexcept;

}  // namespace detail

}  // namespace aio::http
