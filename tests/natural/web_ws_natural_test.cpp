// aio::web and aio::ws as users write them: capturing lambdas as handlers and middlewares,
// braced route and connect options inline (WSConnectOptions owns a vector of strings and headers,
// which g++ 12 would destroy twice inside co_await), a websocket echo in a lambda handler, and a
// JSON round trip. Built only with a correct compiler (see natural_forms_test.cpp); the asan
// preset turns a double destruction into a failure. Real sockets on loopback.

#include <gtest/gtest.h>

#include <string>

#include "aio/aio.hpp"
#include "aio/http/client.hpp"
#include "aio/http/server.hpp"
#include "aio/web/web.hpp"
#include "aio/ws/websocket.hpp"
#include "support/real_loop_fixture.hpp"

using namespace std::chrono_literals;

namespace {

class WebWsNatural : public aio_test::RealLoopTest {
protected:
    std::string heap_string(const char* what) { return std::string(what) + std::string(64, '.'); }
};

TEST_F(WebWsNatural, capturing_handlers_middlewares_and_inline_options_serve_requests) {
    std::string greeting = heap_string("hello");
    int seen = 0;
    aio::web::Application app;
    app.router().add_get(
        "/users/{id:\\d+}",
        [&greeting](aio::web::Request& req) -> aio::Coro<aio::web::Response> {
            co_return aio::web::json_response({{"id", std::string(req.match_info()["id"])}, {"greeting", greeting}});
        },
        {.name = "user"});
    app.middlewares.push_back([&seen](aio::web::Request& req, const aio::web::Handler& next) -> aio::Coro<aio::web::Response> {
        ++seen;
        aio::web::Response r = co_await next(req);
        r.headers.add("X-Seen", std::to_string(seen));
        co_return r;
    });
    auto body = run([&]() -> aio::Coro<std::string> {
        auto server = co_await aio::http::serve(app.make_handler(), "127.0.0.1", 0, {.keep_alive = true});
        aio::http::ClientSession session;
        std::string url = "http://127.0.0.1:" + std::to_string(server->port()) + "/users/42";
        auto r = co_await session.get(url, {.headers = {{"X-Who", greeting}}, .timeout = {{.total = 5s}}});
        auto j = co_await r.json();
        EXPECT_EQ(r.headers.get("X-Seen", ""), "1");
        session.close();
        co_await server->shutdown(1s);
        co_return j["id"].get<std::string>() + " " + j["greeting"].get<std::string>();
    }());
    EXPECT_EQ(body, "42 " + greeting);
    EXPECT_EQ(app.router()["user"].url_for({{"id", "7"}}).str(), "/users/7");
}

TEST_F(WebWsNatural, a_lambda_websocket_handler_echoes_to_a_client_connected_with_inline_options) {
    std::string prefix = heap_string("echo");
    aio::web::Application app;
    app.router().add_get("/ws", [&prefix](aio::web::Request& req) -> aio::Coro<aio::web::Response> {
        aio::web::WebSocketResponse ws;
        co_await ws.prepare(req);
        while (auto msg = co_await ws.next()) {
            if (msg->type == aio::ws::WSMsgType::text) co_await ws.send_str(prefix + ": " + msg->data);
        }
        co_return ws;
    });
    auto got = run([&]() -> aio::Coro<std::string> {
        auto server = co_await aio::http::serve(app.make_handler(), "127.0.0.1", 0);
        aio::http::ClientSession session;
        std::string url = "ws://127.0.0.1:" + std::to_string(server->port()) + "/ws";
        aio::ws::WebSocket ws = co_await session.ws_connect(
            url, {.protocols = {"chat", "superchat"}, .headers = {{"X-Token", prefix}}, .origin = "http://127.0.0.1"});
        co_await ws.send_str(std::string("hi ") + prefix);
        std::string echoed = co_await ws.receive_str(5s);
        EXPECT_TRUE(co_await ws.close());
        session.close();
        co_await server->shutdown(1s);
        co_return echoed;
    }());
    EXPECT_EQ(got, prefix + ": hi " + prefix);
}

}  // namespace
