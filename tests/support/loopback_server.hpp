#pragma once
// One loopback connection for protocol-level tests: a server on 127.0.0.1 whose single
// connection gets a protocol the test inspects, a client connected to it, and the teardown
// that waits for both ends before closing the server. Plus the test bytes they send.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include "aio/aio.hpp"

namespace aio_test {

/// `n` letters whose pattern does not repeat with any short period, so a byte that is lost,
/// duplicated or reordered shows up in the comparison.
inline std::string pattern(std::size_t n) {
    std::string s(n, '\0');
    for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + (i * 7 + i / 251) % 26);
    return s;
}

/// The server side: `accepted` is the protocol of the connection, set (with `made`) once the
/// server has accepted it. ServerProto needs an aio::Event `lost`, set in connection_lost.
template <class ServerProto>
struct LoopbackServer {
    std::shared_ptr<ServerProto> accepted;
    aio::Event made;
    std::shared_ptr<aio::Server> server;
    std::uint16_t port() const { return server->sockets().at(0).port(); }
};

template <class ClientProto>
using ClientEnd = std::pair<std::shared_ptr<aio::Transport>, std::shared_ptr<ClientProto>>;

/// Starts `s`, whose connection's protocol `make()` builds, and connects a ClientProto to it.
/// The options are taken by value and passed named: g++ 12 mishandles a braced temporary
/// inside co_await.
template <class ClientProto, class ServerProto, class Make>
aio::Coro<ClientEnd<ClientProto>> serve_and_connect(LoopbackServer<ServerProto>& s, Make make,
                                                    aio::ServerOptions sopts, aio::ConnectOptions copts) {
    auto factory = [&s, make] {
        s.accepted = make();
        s.made.set();
        return s.accepted;
    };
    s.server = co_await aio::create_server(factory, "127.0.0.1", 0, sopts);
    auto client = [] { return std::make_shared<ClientProto>(); };
    co_return co_await aio::create_connection(client, "127.0.0.1", s.port(), copts);
}

template <class ClientProto, class ServerProto, class Make>
aio::Coro<ClientEnd<ClientProto>> serve_and_connect(LoopbackServer<ServerProto>& s, Make make) {
    aio::ServerOptions sopts;
    aio::ConnectOptions copts;
    co_return co_await serve_and_connect<ClientProto>(s, std::move(make), sopts, copts);
}

/// Waits until the accepted connection and the client `p` (which needs an aio::Event `lost`)
/// are both lost, then closes the server.
template <class ServerProto, class ClientProto>
aio::Coro<void> wait_both_lost(LoopbackServer<ServerProto>& s, ClientProto& p) {
    co_await s.made.wait();
    co_await s.accepted->lost.wait();
    co_await p.lost.wait();
    s.server->close();
    co_await s.server->wait_closed();
}

}  // namespace aio_test
