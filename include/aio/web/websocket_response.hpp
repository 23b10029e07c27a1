#pragma once
/// aio::web::WebSocketResponse — aiohttp's `web.WebSocketResponse`: a WebSocket that a handler
/// prepares on its request, then uses with the aio::ws API, and returns.
///
/// ```
/// aio::Coro<aio::http::Response> handler(aio::http::Request& request) {
///     aio::web::WebSocketResponse ws;
///     co_await ws.prepare(request);
///     while (auto msg = co_await ws.next())
///         if (msg->type == aio::ws::WSMsgType::text) co_await ws.send_str(msg->data);
///     co_return ws;
/// }
/// ```
///
/// It is an aio::ws::WebSocket (every method of that API is there) plus prepare(); returning it
/// gives the server a Response marked as taken over (nothing more is sent for the request).

#include "aio/core/coro.hpp"
#include "aio/http/request.hpp"
#include "aio/http/response.hpp"
#include "aio/ws/websocket.hpp"

namespace aio::web {

class WebSocketResponse : public ws::WebSocket {
public:
    /// `options` as for aio::ws::accept (timeout, heartbeat, protocols, compress...).
    explicit WebSocketResponse(ws::WSOptions options = {}) noexcept : options_(options) {}

    /// Whether `request` is a WebSocket upgrade this response could prepare (aiohttp's
    /// can_prepare).
    bool can_prepare(const http::Request& request) const noexcept { return ws::can_accept(request); }
    /// The opening handshake (aio::ws::accept): the 101 is sent and the connection is this
    /// WebSocket's. Throws as accept() (http::HTTPException 400 or 426 for a bad upgrade, whose
    /// answer is already sent); RuntimeError if already prepared.
    Coro<void> prepare(http::Request& request);
    bool prepared() const noexcept { return static_cast<bool>(*this); }

    /// For `co_return ws;` in a handler.
    operator http::Response() const { return http::Response::taken_over(); }

private:
    ws::WSOptions options_;
};

}  // namespace aio::web
