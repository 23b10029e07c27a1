// A small aio::web application started with web::run_app: routes with path parameters, JSON, a
// POST, static files, a middleware and the lifecycle hooks; SIGINT, SIGTERM or SIGHUP end it
// gracefully (the requests in progress finish, then on_cleanup runs) and it exits 0.
//
//   example_web_hello [--host 0.0.0.0] [--port 8080] [--path SOCKET] [--static DIR]
//                     [--shutdown-timeout MS] [--no-access-log]
//
//   GET  /hello          -> 200 "hello"
//   GET  /hello/{name}   -> 200 "hello, NAME"
//   GET  /json           -> 200 {"hello":"world","requests":N}
//   POST /echo           -> 200 with the request body
//   GET  /slow?ms=N      -> 200 "slept N ms" after N ms (what a graceful end waits for)
//   GET  /static/...     -> the files of DIR (default: the static/ folder beside this file)
//   GET  /ws             -> a websocket echo (text to text, binary to binary), closed with
//                           1001 GOING_AWAY "Server shutdown" by on_shutdown
//   every response       -> X-Served-By: aio (the middleware)
//
// It prints aiohttp's "======== Running on http://HOST:PORT ========" once listening (the real
// port with --port 0) and "cleaned up after N requests" from its on_cleanup hook.

#include <charconv>
#include <cstdio>
#include <filesystem>
#include <string>

#include "aio/aio.hpp"
#include "aio/web/app_runner.hpp"
#include "aio/web/application.hpp"
#include "aio/web/request.hpp"
#include "aio/web/run_app.hpp"
#include "common/args.hpp"
#include "websockets.hpp"

namespace {

const aio::web::AppKey<std::uint64_t> kRequests{"requests"};

aio::Coro<aio::web::Response> hello(aio::web::Request&) { co_return aio::web::Response("hello"); }

aio::Coro<aio::web::Response> hello_name(aio::web::Request& req) {
    std::string text = "hello, ";
    text += req.match_info()["name"];
    co_return aio::web::Response(std::move(text));
}

aio::Coro<aio::web::Response> json(aio::web::Request& req) {
    nlohmann::json data = {{"hello", "world"}, {"requests", req.app()[kRequests].get()}};
    co_return aio::web::json_response(data);
}

aio::Coro<aio::web::Response> echo(aio::web::Request& req) {
    std::string body = co_await req.read();
    co_return aio::web::Response(std::move(body), 200, "application/octet-stream");
}

aio::Coro<aio::web::Response> slow(aio::web::Request& req) {
    std::string_view ms_text = req.query().get("ms", "100");
    long ms = 0;
    std::from_chars(ms_text.data(), ms_text.data() + ms_text.size(), ms);
    co_await aio::sleep(std::chrono::milliseconds(std::clamp(ms, 0L, 600'000L)));
    co_return aio::web::Response("slept " + std::to_string(ms) + " ms");
}

// The middleware: counts the requests and marks every answer.
aio::Coro<aio::web::Response> served_by(aio::web::Request& req, const aio::web::Handler& next) {
    ++req.app()[kRequests].get();
    aio::web::Response resp = co_await next(req);
    resp.headers.set("X-Served-By", "aio");
    co_return resp;
}

aio::Coro<void> report_cleanup(aio::web::Application& app) {
    std::printf("cleaned up after %llu requests\n", static_cast<unsigned long long>(app[kRequests].get()));
    std::fflush(stdout);
    co_return;
}

const char* const kUsage =
    "example_web_hello [--host 0.0.0.0] [--port 8080] [--path SOCKET] [--static DIR] [--shutdown-timeout MS] "
    "[--no-access-log]";

}  // namespace

int main(int argc, char** argv) {
    aio::web::RunAppOptions options;
    std::string host, path;
    std::filesystem::path static_dir = std::filesystem::path(__FILE__).parent_path() / "static";
    try {
        example::Args args(argc, argv);
        while (!args.done()) {
            std::string a = args.next();
            if (a == "--port")
                options.port = static_cast<std::uint16_t>(args.number(0, 65535));
            else if (a == "--host")
                host = args.value();
            else if (a == "--path")
                path = args.value();
            else if (a == "--static")
                static_dir = args.value();
            else if (a == "--shutdown-timeout")
                options.shutdown_timeout = args.milliseconds();
            else if (a == "--no-access-log")
                options.access_log = false;
            else
                args.unknown(kUsage);
        }
    } catch (const example::UsageError& e) {
        return example::usage_error(argv[0], e);
    }
    if (!host.empty()) options.host = host;
    options.path = path;

    aio::web::Application app;
    app[kRequests] = std::uint64_t{0};
    app.middlewares.push_back(served_by);
    app.router().add_get("/hello", hello);
    app.router().add_get("/hello/{name}", hello_name);
    app.router().add_get("/json", json);
    app.router().add_post("/echo", echo);
    app.router().add_get("/slow", slow);
    app.router().add_static("/static", static_dir);
    web_hello::add_websockets(app);
    app.on_cleanup.push_back(report_cleanup);
    try {
        aio::web::run_app(app, options);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s: %s\n", argv[0], e.what());
        return 1;
    }
    return 0;
}
