#pragma once
// examples/web_hello's websocket route (see websockets.cpp).

#include "aio/web/application.hpp"

namespace web_hello {

/// GET /ws: an echo websocket; on_shutdown closes every open one with 1001 "Server shutdown".
void add_websockets(aio::web::Application& app);

}  // namespace web_hello
