// A chat room on aio::web and aio::ws: every text message a client sends is broadcast to every
// open socket, the set of sockets is kept in the app, and on shutdown each one is closed with 1001
// GOING_AWAY "Server shutdown" (seed 003's websocket snippet, with aiohttp's names).
//
//   example_ws_chat [--host 127.0.0.1] [--port 8080] [--shutdown-timeout MS]
//
// GET / is a small page that joins the room from a browser; GET /ws is the room. A client gets
// "joined: N" (the number of people in the room) when it comes in; its messages go out to all as
// "#ID: text". SIGINT, SIGTERM or SIGHUP end it gracefully (web::run_app), exit code 0.

#include <cstdint>
#include <cstdio>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "aio/core/os_errors.hpp"
#include "aio/web/application.hpp"
#include "aio/web/request.hpp"
#include "aio/web/run_app.hpp"
#include "aio/web/websocket_response.hpp"
#include "common/args.hpp"

namespace {

using Socket = std::shared_ptr<aio::web::WebSocketResponse>;

// Shared pointers: a broadcast or on_shutdown may still be sending to a socket whose handler has
// just returned.
const aio::web::AppKey<std::set<Socket>> kRoom{"websockets"};
const aio::web::AppKey<std::uint64_t> kNextId{"next_id"};

constexpr const char* kPage = R"(<!doctype html>
<meta charset="utf-8"><title>aio chat</title>
<pre id="log"></pre><input id="say" autofocus placeholder="say something, then Enter">
<script>
const log = (t) => { document.getElementById('log').textContent += t + '\n'; };
const ws = new WebSocket(`ws://${location.host}/ws`);
ws.onmessage = (e) => log(e.data);
ws.onclose = (e) => log(`closed: ${e.code} ${e.reason}`);
document.getElementById('say').onkeydown = (e) => {
  if (e.key === 'Enter' && e.target.value) { ws.send(e.target.value); e.target.value = ''; }
};
</script>
)";

aio::Coro<aio::web::Response> page(aio::web::Request&) {
    co_return aio::web::Response(kPage, 200, "text/html");
}

// Sends `text` to every socket open now. A socket that closes meanwhile is skipped: its own
// handler is the one that removes it from the room.
aio::Coro<void> broadcast(std::set<Socket>& room, const std::string& text) {
    const std::vector<Socket> open(room.begin(), room.end());
    for (const Socket& ws : open) {
        if (ws->closed()) continue;
        try {
            co_await ws->send_str(text);
        } catch (const aio::ConnectionError&) {
            // the peer left while we were sending
        }
    }
}

aio::Coro<aio::web::Response> room(aio::web::Request& request) {
    auto ws = std::make_shared<aio::web::WebSocketResponse>();
    co_await ws->prepare(request);
    std::set<Socket>& sockets = request.app()[kRoom].get();
    std::uint64_t& next_id = request.app()[kNextId].get();
    const std::string name = "#" + std::to_string(++next_id);
    sockets.insert(ws);
    co_await ws->send_str("joined: " + std::to_string(sockets.size()));
    while (auto msg = co_await ws->next()) {
        if (msg->type == aio::ws::WSMsgType::text) co_await broadcast(sockets, name + ": " + msg->data);
    }
    sockets.erase(ws);
    co_return *ws;
}

aio::Coro<void> close_all(aio::web::Application& app) {
    const std::vector<Socket> open(app[kRoom].get().begin(), app[kRoom].get().end());
    for (const Socket& ws : open) co_await ws->close(aio::ws::WSCloseCode::going_away, "Server shutdown");
}

constexpr const char* kUsage = "[--host HOST] [--port PORT] [--shutdown-timeout MS]";

}  // namespace

int main(int argc, char** argv) {
    aio::web::RunAppOptions options;
    options.access_log = false;
    std::string host = "127.0.0.1";
    try {
        example::Args args(argc, argv);
        while (!args.done()) {
            std::string a = args.next();
            if (a == "--port")
                options.port = static_cast<std::uint16_t>(args.number(0, 65535));
            else if (a == "--host")
                host = args.value();
            else if (a == "--shutdown-timeout")
                options.shutdown_timeout = args.milliseconds();
            else
                args.unknown(kUsage);
        }
    } catch (const example::UsageError& e) {
        return example::usage_error(argv[0], e);
    }
    options.host = host;

    aio::web::Application app;
    app[kRoom] = std::set<Socket>{};
    app[kNextId] = std::uint64_t{0};
    app.router().add_get("/", page);
    app.router().add_get("/ws", room);
    app.on_shutdown.push_back(close_all);
    try {
        aio::web::run_app(app, options);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s: %s\n", argv[0], e.what());
        return 1;
    }
    return 0;
}
