// A minimal HTTP/1.1 server on aio::http::Server: the program the http benchmark runs against
// wrk (and the peers' hello servers do the same).
//
//   example_http_hello [--host 127.0.0.1] [--port 8080]
//
//   GET  /       -> 200 "Hello, World!" (text/plain)
//   GET  /hello  -> 200 "hello"
//   POST /echo   -> 200 with the request body
//   anything else -> 404
//
// It prints "listening on HOST:PORT" once it accepts (the real port with --port 0), and on
// SIGINT or SIGTERM shuts down gracefully (requests in progress finish, for at most 5 s), then
// prints "shut down after N requests" and exits 0.

#include <csignal>
#include <cstdio>
#include <string>

#include "aio/aio.hpp"
#include "aio/http/server.hpp"
#include "common/args.hpp"

namespace {

aio::Coro<aio::http::Response> handle(aio::http::Request& req) {
    std::string_view path = req.path();
    if (req.method() == "GET" || req.method() == "HEAD") {
        if (path == "/") co_return aio::http::Response("Hello, World!");
        if (path == "/hello") co_return aio::http::Response("hello");
    } else if (req.method() == "POST" && path == "/echo") {
        std::string body = co_await req.read();
        co_return aio::http::Response(std::move(body), 200, "application/octet-stream");
    }
    co_return aio::http::Response("not found\n", 404);
}

aio::Coro<int> serve(std::string host, std::uint16_t port) {
    auto& loop = aio::get_running_loop();
    auto server = co_await aio::http::serve(handle, host, port);
    aio::Event stop;
    for (int sig : {SIGINT, SIGTERM}) aio::add_signal_handler(loop, sig, [&stop] { stop.set(); });
    std::printf("listening on %s\n", server->sockets().at(0).to_string().c_str());
    std::fflush(stdout);
    co_await stop.wait();
    co_await server->shutdown(std::chrono::seconds(5));
    std::printf("shut down after %llu requests\n", static_cast<unsigned long long>(server->requests()));
    co_return 0;
}

const char* const kUsage = "example_http_hello [--host 127.0.0.1] [--port 8080]";

}  // namespace

int main(int argc, char** argv) {
    std::string host = "127.0.0.1";
    std::uint16_t port = 8080;
    try {
        example::Args args(argc, argv);
        while (!args.done()) {
            std::string a = args.next();
            if (a == "--port")
                port = static_cast<std::uint16_t>(args.number(0, 65535));
            else if (a == "--host")
                host = args.value();
            else
                args.unknown(kUsage);
        }
    } catch (const example::UsageError& e) {
        return example::usage_error(argv[0], e);
    }
    return aio::run_main(argv[0], serve(host, port));
}
