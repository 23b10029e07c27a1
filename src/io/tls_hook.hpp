#pragma once
// The seam between the connection code (create_connection, create_server, start_tls) and TLS
// (tls.cpp): asyncio's SSLProtocol. The raw transport talks to the returned protocol, which runs
// the handshake and then presents `app` with the TLS transport.

#include <memory>
#include <optional>
#include <string>

#include "aio/core/clock.hpp"
#include "aio/core/event_loop.hpp"
#include "aio/core/future.hpp"
#include "aio/io/protocol.hpp"
#include "aio/io/transport.hpp"

namespace aio {
class SSLContext;
}

namespace aio::io {

struct TlsParams {
    std::shared_ptr<SSLContext> context;
    bool server_side = false;
    /// SNI and the name the certificate must match (client side; empty: no SNI, and the name
    /// check is skipped only if the context does not check host names).
    std::string server_hostname;
    Duration handshake_timeout = std::chrono::seconds(60);
    Duration shutdown_timeout = std::chrono::seconds(30);
};

struct TlsWrapping {
    /// Give this to the raw transport (FdTransport) as its protocol.
    std::shared_ptr<BaseProtocol> raw_protocol;
    /// The transport `app` sees (what create_connection returns).
    std::shared_ptr<Transport> app_transport;
};

/// Builds asyncio's SSLProtocol for `app`. Once the raw transport calls connection_made on
/// raw_protocol, the handshake starts; when it completes, app->deliver_connection_made(*app_transport)
/// runs and `waiter` (if any) is set; if it fails or times out, `waiter` gets the error (an
/// SSLError / SSLCertVerificationError / TimeoutError) and the raw transport is closed, and app
/// gets no callback at all.
TlsWrapping make_tls_protocol(EventLoop& loop, TlsParams params, std::shared_ptr<BaseProtocol> app,
                              std::optional<Future<void>> waiter);

}  // namespace aio::io
