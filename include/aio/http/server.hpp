#pragma once
/// aio::http::Server — the HTTP/1.1 server core (aiohttp's `web.Server` with its
/// `RequestHandler` protocol): one protocol per connection that parses requests in place from
/// its read buffer and runs the handler for each, answering in order.
///
/// ```
/// aio::Coro<aio::http::Response> handler(aio::http::Request& req) {
///     if (req.path() == "/") co_return aio::http::Response("Hello, World!");
///     co_return aio::http::Response("not found", 404);
/// }
/// auto server = co_await aio::http::serve(handler, "127.0.0.1", 8080);
/// co_await stop.wait();
/// co_await server->shutdown(std::chrono::seconds(5));
/// ```
///
/// What the server does for every request, so that the handler does not have to: keep-alive and
/// pipelining (responses in request order), HEAD (the same head, no body), a Date header (formatted
/// once a second), Content-Length or chunked framing, `Expect: 100-continue`, 400/413/414/431/505
/// for what the parser refuses (then close), 500 for a handler's exception (reported to the loop's
/// exception handler; the body says nothing about it), and the timeouts of ServerOptions.
///
/// Layers above wrap the handler (routing, middlewares: a Handler calling a Handler) and take
/// connections over through Request::take_over() (WebSocket).

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "aio/core/clock.hpp"
#include "aio/core/coro.hpp"
#include "aio/http/request.hpp"
#include "aio/http/response.hpp"
#include "aio/io/server.hpp"

namespace aio::http {

/// A request handler.
using Handler = std::function<Coro<Response>(Request&)>;

/// The server's settings. Every member is trivially destructible, so a braced temporary inside
/// `co_await` is safe with g++ 12.
struct ServerOptions {
    /// The largest body Request::read()/text()/json() accept (aiohttp's client_max_size): over
    /// it, 413 and close.
    std::uint64_t client_max_size = 1024 * 1024;
    /// From the first byte of a request to the end of its head (slowloris). aiohttp has none.
    Duration header_timeout = std::chrono::seconds(10);
    /// An idle keep-alive connection is closed after this (aiohttp's keepalive_timeout: 75 s).
    Duration keepalive_timeout = std::chrono::seconds(75);
    /// A handler waiting for body bytes gets HTTPException(408) after this long without any.
    Duration body_timeout = std::chrono::seconds(60);
    /// Cancel the handler when the client disconnects before the response is sent. Off by
    /// default, as in aiohttp 3.9+: the handler runs to its end and its response is dropped.
    /// When on, an EOF from the client while its handler runs counts as leaving (a read cannot
    /// tell a half-close from a close); when off, a half-closed client still gets its answer.
    bool cancel_handler_on_disconnect = false;
    /// Keep-alive at all; false: `Connection: close` on every response.
    bool keep_alive = true;
    /// The limits of the request parser (414, 431).
    ParserLimits limits = {};
    /// Sent as the Server field; empty: none. A view: the text must outlive the server (a
    /// literal does).
    std::string_view server_name = "aio";
    /// listen() backlog (see aio::ServerOptions).
    int backlog = SOMAXCONN;
    /// SO_REUSEPORT: several processes or loops serve one port. For TLS, make the server by hand:
    /// aio::create_server with make_protocol() and the SSL context.
    bool reuse_port = false;
};

namespace detail {
class ServerState;
}

class Server {
public:
    Server(Handler handler, ServerOptions options);
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;
    /// Aborts the connections still open (call shutdown() first for a graceful end).
    ~Server();

    /// Listens on `host`:`port` (0: a free port). Throws what aio::create_server throws.
    Coro<void> listen(std::string host, std::uint16_t port);
    /// A protocol for one connection, for a server made by hand (aio::create_server with an
    /// SSLContext, a Unix socket). shutdown() does not know such a listener: close it first.
    std::shared_ptr<Protocol> make_protocol();

    /// The first step of the graceful end, on its own (aiohttp's `Server.pre_shutdown`): stops
    /// accepting, closes idle keep-alive connections, and makes every request in progress the
    /// last of its connection (`Connection: close`); a connection that a hand-made listener
    /// still accepts is closed at once. The requests in progress go on. Idempotent.
    ///
    /// Between this and shutdown() the layers above say goodbye to their long-lived
    /// connections (web's `on_shutdown`, where websockets get close 1001).
    void pre_shutdown() noexcept;

    /// The graceful end: pre_shutdown(), then lets the requests in progress finish (their
    /// connections close after the response) for at most `timeout`, then aborts what is left,
    /// cancelling the handlers (those of taken-over connections too), and waits for them to end.
    /// Afterwards no connection, socket or task of the server is left.
    Coro<void> shutdown(Duration timeout = std::chrono::seconds(60));

    /// The addresses listened on, with the real port.
    std::vector<SocketAddress> sockets() const;
    /// The first listening port.
    std::uint16_t port() const;
    /// Connections open now.
    std::size_t connections() const noexcept;
    /// Requests answered so far.
    std::uint64_t requests() const noexcept;
    const ServerOptions& options() const noexcept;

private:
    std::shared_ptr<detail::ServerState> state_;
    std::shared_ptr<aio::Server> listener_;
};

/// Makes a Server and listens (aiohttp's `web.Server` + `loop.create_server`).
Coro<std::unique_ptr<Server>> serve(Handler handler, std::string host, std::uint16_t port,
                                    ServerOptions options = {});

}  // namespace aio::http
