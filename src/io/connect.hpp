#pragma once
// Connecting a socket and starting a transport on it: shared by create_connection, the Unix
// variant, connect_accepted_socket and sock_connect.

#include <memory>
#include <optional>

#include "aio/core/coro.hpp"
#include "aio/io/address.hpp"
#include "aio/io/connection.hpp"
#include "io/tls_hook.hpp"
#include "sys/syscall.hpp"

namespace aio::io {

/// A non-blocking socket of `type` connected to `addr` (bound to `local` first, if given).
/// Throws the OSError family; cancellation closes the socket.
Coro<sys::Fd> connect_socket(SocketAddress addr, int type, std::optional<SocketAddress> local = std::nullopt);

/// Starts a transport on a connected socket (TLS-wrapped when `ssl` is set) and waits until the
/// protocol's connection_made() has run (after the handshake, with TLS).
Coro<detail::ConnectionPair> start_transport(sys::Fd fd, std::shared_ptr<BaseProtocol> protocol,
                                             std::shared_ptr<SSLContext> ssl, TlsParams tls);

}  // namespace aio::io
