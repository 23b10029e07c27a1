// examples/web_hello's websocket route: an echo at /ws, the open sockets kept in the app, closed
// with 1001 GOING_AWAY "Server shutdown" by on_shutdown (seed 003's pattern).

#include "websockets.hpp"

#include <memory>
#include <set>
#include <vector>

#include "aio/web/request.hpp"
#include "aio/web/websocket_response.hpp"

namespace web_hello {

namespace {
using Socket = std::shared_ptr<aio::web::WebSocketResponse>;
// Shared pointers: on_shutdown's close() may still be running when the handler returns.
const aio::web::AppKey<std::set<Socket>> kSockets{"websockets"};

aio::Coro<aio::web::Response> echo(aio::web::Request& req) {
    auto ws = std::make_shared<aio::web::WebSocketResponse>();
    co_await ws->prepare(req);
    auto& sockets = req.app()[kSockets].get();
    sockets.insert(ws);
    std::exception_ptr failure;
    try {
        while (auto msg = co_await ws->next()) {
            if (msg->type == aio::ws::WSMsgType::text) co_await ws->send_str(msg->data);
            else if (msg->type == aio::ws::WSMsgType::binary) co_await ws->send_bytes(msg->data);
        }
    } catch (...) {
        failure = std::current_exception();
    }
    sockets.erase(ws);
    if (failure) std::rethrow_exception(failure);
    co_return *ws;
}

aio::Coro<void> close_all(aio::web::Application& app) {
    std::vector<Socket> open(app[kSockets].get().begin(), app[kSockets].get().end());
    for (const Socket& ws : open) co_await ws->close(aio::ws::WSCloseCode::going_away, "Server shutdown");
}
}  // namespace

void add_websockets(aio::web::Application& app) {
    app[kSockets] = std::set<Socket>{};
    app.router().add_get("/ws", echo);
    app.on_shutdown.push_back(close_all);
}

}  // namespace web_hello
