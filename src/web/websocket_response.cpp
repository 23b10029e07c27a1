#include "aio/web/websocket_response.hpp"

#include "aio/core/exceptions.hpp"

namespace aio::web {

Coro<void> WebSocketResponse::prepare(http::Request& request) {
    if (prepared()) throw RuntimeError("the WebSocketResponse was already prepared");
    ws::WebSocket accepted = co_await ws::accept(request, options_);
    static_cast<ws::WebSocket&>(*this) = std::move(accepted);
}

}  // namespace aio::web
