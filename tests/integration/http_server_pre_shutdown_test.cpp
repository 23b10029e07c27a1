// aio::http::Server's graceful end in two steps, as the web layer's runner uses it: pre_shutdown()
// (stop accepting, close idle connections) before the application says goodbye, then shutdown()
// with its grace; and the handler of a taken-over connection cancelled at the end of the grace.

#include "http_server_client.hpp"

using namespace http_test;

namespace {
class HttpServerPreShutdown : public HttpServerTest {};
}  // namespace

TEST_F(HttpServerPreShutdown, PreShutdownStopsAcceptingClosesIdleConnectionsAndLetsARequestRun) {
    aio::Event started, release;
    auto handler = [&](aio::http::Request& req) -> aio::Coro<aio::http::Response> {
        if (req.path() == "/slow") {
            started.set();
            co_await release.wait();
        }
        co_return aio::http::Response("done");
    };
    auto body = [&]() -> aio::Coro<void> {
        aio::http::Handler h = handler;
        auto server = co_await aio::http::serve(h, "127.0.0.1", 0);
        std::uint16_t port = server->port();
        auto idle = co_await RawClient::connect(port);
        co_await idle.send(get("/"));
        EXPECT_EQ((co_await idle.response()).body, "done");
        auto busy = co_await RawClient::connect(port);
        co_await busy.send(get("/slow"));
        co_await aio::wait_for(started.wait(), 2s);

        server->pre_shutdown();
        EXPECT_TRUE(co_await idle.closed_by_server());
        bool refused = false;
        try {
            auto late = co_await RawClient::connect(port);
            co_await late.close();
        } catch (const aio::ConnectionRefusedError&) {
            refused = true;
        }
        EXPECT_TRUE(refused);
        EXPECT_EQ(server->connections(), 1u);  // the busy one goes on
        release.set();
        RawResponse r = co_await busy.response();
        EXPECT_EQ(r.body, "done");
        EXPECT_EQ(r.field("connection"), "close");
        EXPECT_TRUE(co_await busy.closed_by_server());
        co_await aio::wait_for(server->shutdown(1s), 2s);
        EXPECT_EQ(server->connections(), 0u);
        co_await idle.close();
        co_await busy.close();
    };
    run(body());
}

TEST_F(HttpServerPreShutdown, ShutdownCancelsTheHandlerOfATakenOverConnectionAtTheTimeout) {
    aio::Event taken;
    bool cancelled = false;
    std::shared_ptr<aio::Transport> transport;
    auto upgrade = [&](aio::http::Request& req) -> aio::Coro<aio::http::Response> {
        aio::http::TakenOver t = req.take_over();
        transport = t.transport;
        transport->write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\nConnection: upgrade\r\n\r\n");
        taken.set();
        try {
            co_await aio::sleep(30s);  // a websocket loop that never ends by itself
        } catch (const aio::CancelledError&) {
            cancelled = true;
            transport->abort();  // the new protocol's owner closes its transport
            throw;
        }
        co_return aio::http::Response();
    };
    auto body = [&]() -> aio::Coro<void> {
        aio::http::Handler h = upgrade;
        auto server = co_await aio::http::serve(h, "127.0.0.1", 0);
        auto c = co_await RawClient::connect(server->port());
        co_await c.send("GET / HTTP/1.1\r\nHost: x\r\nConnection: upgrade\r\nUpgrade: x\r\n\r\n");
        co_await aio::wait_for(taken.wait(), 2s);
        auto t0 = std::chrono::steady_clock::now();
        co_await aio::wait_for(server->shutdown(100ms), 2s);
        EXPECT_LT(std::chrono::steady_clock::now() - t0, 1s);
        EXPECT_TRUE(cancelled);
        EXPECT_EQ(server->connections(), 0u);
        EXPECT_TRUE(co_await c.closed_by_server());
        co_await c.close();
        transport.reset();
        for (int i = 0; i < 5 && watched() > 0; ++i) co_await aio::sleep(0ms);
    };
    run(body());
}
