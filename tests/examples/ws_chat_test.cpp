// examples/ws_chat: three clients join the room over real websockets, a message from one reaches
// all three, a client that leaves is gone from the room, and SIGTERM closes every open socket
// with 1001 "Server shutdown" before the program exits 0 (seed 003's on_shutdown pattern).

#include "aio/http/client.hpp"
#include "aio/ws/websocket.hpp"
#include "integration/http_server_client.hpp"
#include "web_process.hpp"

using namespace http_test;
using web_examples_test::WebProcess;

namespace {

class WsChatExample : public HttpServerTest {};

}  // namespace

TEST_F(WsChatExample, BroadcastsToTheRoomAndSaysGoingAwayOnShutdown) {
    WebProcess server("ws_chat", {"--host", "127.0.0.1", "--port", "0"});
    ASSERT_TRUE(server.started());
    const int port = server.running_port();
    ASSERT_GT(port, 0) << server.first_line;
    const std::string url = "ws://127.0.0.1:" + std::to_string(port) + "/ws";
    auto body = [&]() -> aio::Coro<void> {
        aio::http::ClientSession session;
        aio::ws::WebSocket a = co_await session.ws_connect(url);
        EXPECT_EQ(co_await a.receive_str(5s), "joined: 1");
        aio::ws::WebSocket b = co_await session.ws_connect(url);
        EXPECT_EQ(co_await b.receive_str(5s), "joined: 2");
        aio::ws::WebSocket c = co_await session.ws_connect(url);
        EXPECT_EQ(co_await c.receive_str(5s), "joined: 3");

        co_await a.send_str("hello, room");
        EXPECT_EQ(co_await a.receive_str(5s), "#1: hello, room");
        EXPECT_EQ(co_await b.receive_str(5s), "#1: hello, room");
        EXPECT_EQ(co_await c.receive_str(5s), "#1: hello, room");

        // c leaves; the next message reaches the two left, and a fourth client counts three.
        EXPECT_TRUE(co_await c.close());
        co_await b.send_str("bye, c");
        EXPECT_EQ(co_await a.receive_str(5s), "#2: bye, c");
        EXPECT_EQ(co_await b.receive_str(5s), "#2: bye, c");
        aio::ws::WebSocket d = co_await session.ws_connect(url);
        EXPECT_EQ(co_await d.receive_str(5s), "joined: 3");

        server.signal(SIGTERM);
        for (aio::ws::WebSocket* ws : {&a, &b, &d}) {
            aio::ws::WSMessage msg = co_await ws->receive(5s);
            EXPECT_EQ(msg.type, aio::ws::WSMsgType::close);
            EXPECT_EQ(msg.close_code, 1001);
            EXPECT_EQ(msg.extra, "Server shutdown");
        }
        session.close();
    };
    run(body());
    EXPECT_EQ(server.wait_exit(), 0);
}

TEST_F(WsChatExample, ServesItsPage) {
    WebProcess server("ws_chat", {"--host", "127.0.0.1", "--port", "0"});
    ASSERT_TRUE(server.started());
    const int port = server.running_port();
    ASSERT_GT(port, 0) << server.first_line;
    auto body = [&]() -> aio::Coro<void> {
        auto conn = co_await RawClient::connect(static_cast<std::uint16_t>(port));
        co_await conn.send(get("/"));
        RawResponse page = co_await conn.response();
        EXPECT_EQ(page.status, 200);
        EXPECT_EQ(page.field("content-type").rfind("text/html", 0), 0u) << page.field("content-type");
        EXPECT_NE(page.body.find("new WebSocket"), std::string::npos);
        co_await conn.close();
    };
    run(body());
    server.signal(SIGINT);
    EXPECT_EQ(server.wait_exit(), 0);
}
