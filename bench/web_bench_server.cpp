// web_bench_server: the server of `web_c256` (bench/http_bench.py): wrk's `GET /` answered
// through web::Application with one route and one middleware, started by web::run_app with the
// access log off, as the aiohttp peer (shared/peers/aiohttp/server.py) runs. The middleware adds a
// header, so that the onion is really walked on every request.
//
//   web_bench_server --port P
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "aio/web/run_app.hpp"
#include "aio/web/web.hpp"

namespace {

aio::Coro<aio::web::Response> hello(aio::web::Request&) {
    co_return aio::web::Response("Hello, World!");
}

aio::Coro<aio::web::Response> tag(aio::web::Request& request, const aio::web::Handler& next) {
    aio::web::Response response = co_await next(request);
    response.headers.add("X-Bench", "1");
    co_return response;
}

}  // namespace

int main(int argc, char** argv) {
    long port = 0;
    if (argc == 3 && std::string_view(argv[1]) == "--port") port = std::strtol(argv[2], nullptr, 10);
    if (port <= 0 || port > 65535) {
        std::fprintf(stderr, "usage: web_bench_server --port P\n");
        return 2;
    }
    aio::web::Application app;
    app.router().add_get("/", hello);
    app.middlewares.push_back(tag);
    aio::web::RunAppOptions options;
    options.host = "127.0.0.1";
    options.port = static_cast<std::uint16_t>(port);
    options.access_log = false;
    options.print = false;
    options.backlog = 4096;
    aio::web::run_app(app, options);
}
