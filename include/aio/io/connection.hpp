#pragma once
/// Client connections at the protocol level: asyncio's loop.create_connection and
/// loop.create_unix_connection.
///
/// ```
/// struct Client : aio::Protocol { ... };
/// auto [transport, protocol] =
///     co_await aio::create_connection([] { return std::make_shared<Client>(); }, "127.0.0.1", 8888);
/// transport->write("hello");
/// ```
/// The factory returns a std::shared_ptr to a Protocol subclass; the pair holds the transport and
/// that protocol, typed. connection_made() has run when the await returns.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>

#include "aio/core/coro.hpp"
#include "aio/io/options.hpp"
#include "aio/io/protocol.hpp"
#include "aio/io/transport.hpp"

namespace aio {

namespace detail {
using ProtocolFactory = std::function<std::shared_ptr<BaseProtocol>()>;
using ConnectionPair = std::pair<std::shared_ptr<Transport>, std::shared_ptr<BaseProtocol>>;

template <class Factory>
using factory_protocol_t = typename std::invoke_result_t<Factory&>::element_type;

Coro<ConnectionPair> create_connection_impl(ProtocolFactory factory, std::string host, std::uint16_t port,
                                            ConnectOptions opts);
Coro<ConnectionPair> create_unix_connection_impl(ProtocolFactory factory, std::string path, ConnectOptions opts);
Coro<ConnectionPair> connect_accepted_socket_impl(ProtocolFactory factory, int fd, ConnectOptions opts);

// g++ 12 destroys the captures of a lambda-expression that appears inside a co_await expression
// twice (a compiler bug): library code builds such lambdas in a named variable, never inline.
template <class Factory>
ProtocolFactory erase_factory(Factory factory) {
    return [f = std::move(factory)]() mutable -> std::shared_ptr<BaseProtocol> { return f(); };
}

template <class P>
std::pair<std::shared_ptr<Transport>, std::shared_ptr<P>> typed(ConnectionPair p) {
    return {std::move(p.first), std::static_pointer_cast<P>(std::move(p.second))};
}
}  // namespace detail

/// Resolves `host`, tries every address in order until one connects, and runs `factory()`'s
/// protocol on it. Throws ConnectionRefusedError (and the rest of the OSError family), GaiError
/// for a name that does not resolve, SSLError / SSLCertVerificationError with `opts.ssl`; if every
/// address failed with different errors, an OSError listing them ("Multiple exceptions: ...").
/// Cancel safety: a cancelled connect closes its socket; no registration is left behind.
template <class Factory, class P = detail::factory_protocol_t<Factory>>
Coro<std::pair<std::shared_ptr<Transport>, std::shared_ptr<P>>> create_connection(
    Factory factory, std::string host, std::uint16_t port, ConnectOptions opts = {}) {
    static_assert(std::is_base_of_v<Protocol, P>, "the factory must return std::shared_ptr<a Protocol subclass>");
    auto wrapped = detail::erase_factory(std::move(factory));
    co_return detail::typed<P>(
        co_await detail::create_connection_impl(std::move(wrapped), std::move(host), port, std::move(opts)));
}

/// The same over a Unix socket at `path` (a leading '\0' is an abstract address).
template <class Factory, class P = detail::factory_protocol_t<Factory>>
Coro<std::pair<std::shared_ptr<Transport>, std::shared_ptr<P>>> create_unix_connection(
    Factory factory, std::string path, ConnectOptions opts = {}) {
    static_assert(std::is_base_of_v<Protocol, P>, "the factory must return std::shared_ptr<a Protocol subclass>");
    auto wrapped = detail::erase_factory(std::move(factory));
    co_return detail::typed<P>(
        co_await detail::create_unix_connection_impl(std::move(wrapped), std::move(path), std::move(opts)));
}

/// Wraps a connected stream socket that the program already has (asyncio's
/// connect_accepted_socket); the transport owns `fd` from now on.
template <class Factory, class P = detail::factory_protocol_t<Factory>>
Coro<std::pair<std::shared_ptr<Transport>, std::shared_ptr<P>>> connect_accepted_socket(Factory factory, int fd,
                                                                                        ConnectOptions opts = {}) {
    auto wrapped = detail::erase_factory(std::move(factory));
    co_return detail::typed<P>(co_await detail::connect_accepted_socket_impl(std::move(wrapped), fd, std::move(opts)));
}

}  // namespace aio
