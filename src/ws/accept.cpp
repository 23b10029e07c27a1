// The server's side of the opening handshake: the codec's checks and 101 (or its refusal) on a
// connection taken over from the HTTP server, then the protocol set on the transport.

#include <algorithm>

#include "aio/core/os_errors.hpp"
#include "aio/http/response.hpp"
#include "aio/ws/handshake.hpp"
#include "aio/ws/websocket.hpp"
#include "ws/connection.hpp"

namespace aio::ws {

namespace {

ServerHandshakeOptions handshake_options(const WSOptions& o, const http::Request& request) {
    ServerHandshakeOptions h;
    h.protocols.assign(o.protocols.begin(), o.protocols.end());
    h.compress = o.compress;
    if (!o.origins.empty() || o.check_origin) {
        h.origin_check = [&o, &request](std::string_view origin) {
            if (!o.origins.empty() && std::find(o.origins.begin(), o.origins.end(), origin) == o.origins.end())
                return false;
            return !o.check_origin || o.check_origin(origin, request);
        };
    }
    return h;
}

}  // namespace

bool can_accept(const http::Request& request) noexcept {
    try {
        ServerHandshakeOptions none;
        none.compress = false;
        return server_handshake(request.head(), none).ok();
    } catch (...) {
        return false;
    }
}

Coro<WebSocket> accept(http::Request& request, WSOptions options) {
    ServerHandshake hs = server_handshake(request.head(), handshake_options(options, request));
    http::TakenOver taken = request.take_over();
    taken.transport->write(hs.response_head());
    if (!hs.ok()) {
        // The refusal is on its way: close after it and tell the handler (the server ignores
        // the handler's answer for a taken-over connection).
        taken.transport->close();
        throw http::HTTPException(hs.status, hs.reason);
    }
    detail::Config config =
        detail::make_config(Role::server, options, options.timeout, hs.deflate, std::move(hs.protocol));
    auto conn = std::make_shared<detail::Connection>(std::move(config));
    conn->start(std::move(taken.transport), taken.tail);
    co_return WebSocket(std::move(conn));
}

}  // namespace aio::ws
