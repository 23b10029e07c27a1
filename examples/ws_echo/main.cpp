// A WebSocket echo server and client on aio::ws.
//
//   example_ws_echo serve [--host 127.0.0.1] [--port 8765] [--no-compression]
//   example_ws_echo connect URL
//
// serve: an echo server at `/` (text to text, binary to binary; permessage-deflate accepted
// unless --no-compression). It prints "listening on HOST:PORT" once it accepts (the real port
// with --port 0); on SIGINT or SIGTERM it closes the open websockets with 1001 (going away),
// shuts down, prints "shut down" and exits 0.
// connect: sends each line of stdin as a text message and prints each echo; at the end of stdin
// it closes with 1000 and exits 0.

#include <csignal>
#include <cstdio>
#include <iostream>
#include <set>
#include <string>

#include "aio/aio.hpp"
#include "aio/http/server.hpp"
#include "aio/ws/websocket.hpp"
#include "common/args.hpp"

namespace {

struct EchoServer {
    bool compress = true;
    std::set<aio::ws::WebSocket*> open;  // closed with 1001 at shutdown

    aio::Coro<aio::http::Response> handle(aio::http::Request& req) {
        if (req.path() != "/") co_return aio::http::Response("not found\n", 404);
        aio::ws::WSOptions options;
        options.compress = compress;
        aio::ws::WebSocket ws = co_await aio::ws::accept(req, options);
        open.insert(&ws);
        while (auto msg = co_await ws.next()) {
            if (msg->type == aio::ws::WSMsgType::text)
                co_await ws.send_str(msg->data);
            else if (msg->type == aio::ws::WSMsgType::binary)
                co_await ws.send_bytes(msg->data);
        }
        open.erase(&ws);
        co_await ws.close();
        co_return aio::http::Response::taken_over();
    }
};

aio::Coro<int> serve(std::string host, std::uint16_t port, bool compress) {
    auto& loop = aio::get_running_loop();
    EchoServer echo;
    echo.compress = compress;
    aio::http::Handler handler = [&echo](aio::http::Request& req) { return echo.handle(req); };
    auto server = co_await aio::http::serve(handler, host, port);
    aio::Event stop;
    for (int sig : {SIGINT, SIGTERM}) aio::add_signal_handler(loop, sig, [&stop] { stop.set(); });
    std::printf("listening on %s\n", server->sockets().at(0).to_string().c_str());
    std::fflush(stdout);
    co_await stop.wait();
    // Going away: each socket's close handshake, then each handler's loop ends.
    std::vector<aio::Task<bool>> closing;
    for (aio::ws::WebSocket* ws : echo.open)
        closing.push_back(aio::create_task(ws->close(aio::ws::WSCloseCode::going_away, "Server shutdown")));
    for (auto& t : closing) {
        try {
            (void)co_await t;
        } catch (const std::exception&) {  // a peer gone meanwhile: nothing to close
        }
    }
    co_await server->shutdown(std::chrono::seconds(5));
    std::printf("shut down\n");
    co_return 0;
}

aio::Coro<int> connect(std::string url) {
    aio::http::ClientSession session;
    aio::ws::WebSocket ws = co_await session.ws_connect(url);
    aio::StreamReader in = co_await aio::stdin_reader();
    for (;;) {
        std::string line = co_await in.readline();
        if (line.empty()) break;
        if (line.back() == '\n') line.pop_back();
        co_await ws.send_str(line);
        aio::ws::WSMessage reply = co_await ws.receive();
        if (reply.type != aio::ws::WSMsgType::text && reply.type != aio::ws::WSMsgType::binary) {
            std::fprintf(stderr, "the server closed the connection (%s)\n", aio::ws::name(reply.type));
            co_return 1;
        }
        std::printf("%s\n", reply.data.c_str());
        std::fflush(stdout);
    }
    co_await ws.close();
    co_return 0;
}

const char* const kUsage =
    "example_ws_echo serve [--host 127.0.0.1] [--port 8765] [--no-compression]\n"
    "       example_ws_echo connect URL";

}  // namespace

int main(int argc, char** argv) {
    std::string mode, host = "127.0.0.1", url;
    std::uint16_t port = 8765;
    bool compress = true;
    try {
        example::Args args(argc, argv);
        if (args.done()) throw example::UsageError("a command is needed: serve or connect");
        mode = args.next();
        if (mode != "serve" && mode != "connect") throw example::UsageError("unknown command '" + mode + "'");
        while (!args.done()) {
            std::string a = args.next();
            if (mode == "serve" && a == "--port")
                port = static_cast<std::uint16_t>(args.number(0, 65535));
            else if (mode == "serve" && a == "--host")
                host = args.value();
            else if (mode == "serve" && a == "--no-compression")
                compress = false;
            else if (mode == "connect" && url.empty() && !a.starts_with("--"))
                url = a;
            else
                args.unknown(kUsage);
        }
        if (mode == "connect" && url.empty()) throw example::UsageError("connect: a URL is needed");
    } catch (const example::UsageError& e) {
        return example::usage_error(argv[0], e);
    }
    if (mode == "serve") return aio::run_main(argv[0], serve(host, port, compress));
    return aio::run_main(argv[0], connect(url));
}
