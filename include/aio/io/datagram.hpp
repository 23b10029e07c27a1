#pragma once
/// UDP (and Unix datagram) endpoints: asyncio's loop.create_datagram_endpoint.
///
/// ```
/// struct EchoUdp : aio::DatagramProtocol {
///     aio::DatagramTransport* t = nullptr;
///     void connection_made(aio::DatagramTransport& tr) override { t = &tr; }
///     void datagram_received(std::string_view d, const aio::SocketAddress& from) override { t->sendto(d, from); }
/// };
/// auto [transport, protocol] = co_await aio::create_datagram_endpoint(
///     [] { return std::make_shared<EchoUdp>(); }, {.local_addr = aio::SocketAddress::ip("127.0.0.1", 9999)});
/// ```

#include <sys/socket.h>

#include <memory>
#include <optional>
#include <utility>

#include "aio/core/coro.hpp"
#include "aio/io/address.hpp"
#include "aio/io/connection.hpp"
#include "aio/io/protocol.hpp"
#include "aio/io/transport.hpp"

namespace aio {

struct DatagramOptions {
    /// Bind here (e.g. SocketAddress::ip("127.0.0.1", 0)); empty: the OS picks on first send.
    std::optional<SocketAddress> local_addr = std::nullopt;
    /// connect() to this peer: sendto() without an address goes there, and only its datagrams
    /// are received.
    std::optional<SocketAddress> remote_addr = std::nullopt;
    /// AF_INET / AF_INET6 / AF_UNIX when neither address says it.
    int family = AF_UNSPEC;
    bool reuse_port = false;
    /// SO_BROADCAST.
    bool allow_broadcast = false;
};

namespace detail {
using DatagramPair = std::pair<std::shared_ptr<DatagramTransport>, std::shared_ptr<BaseProtocol>>;
Coro<DatagramPair> create_datagram_endpoint_impl(ProtocolFactory factory, DatagramOptions opts);
}  // namespace detail

/// Creates the endpoint; connection_made() has run when the await returns. Throws OSError
/// (bind/connect failures), ValueError (no address and no family; addresses of different
/// families).
template <class Factory, class P = detail::factory_protocol_t<Factory>>
Coro<std::pair<std::shared_ptr<DatagramTransport>, std::shared_ptr<P>>> create_datagram_endpoint(
    Factory factory, DatagramOptions opts) {
    static_assert(std::is_base_of_v<DatagramProtocol, P>,
                  "the factory must return std::shared_ptr<a DatagramProtocol subclass>");
    auto wrapped = detail::erase_factory(std::move(factory));
    auto r = co_await detail::create_datagram_endpoint_impl(std::move(wrapped), std::move(opts));
    co_return std::pair<std::shared_ptr<DatagramTransport>, std::shared_ptr<P>>{
        std::move(r.first), std::static_pointer_cast<P>(std::move(r.second))};
}

}  // namespace aio
