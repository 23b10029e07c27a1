// aio::http::Server over time: its timeouts, a client that leaves mid-request, the graceful
// shutdown, back-pressure on a StreamResponse, and handing a connection over (upgrade).

#include "http_server_client.hpp"

using namespace http_test;

namespace {

aio::http::ServerOptions short_timeouts() {
    aio::http::ServerOptions o;
    o.header_timeout = 150ms;
    o.keepalive_timeout = 150ms;
    o.body_timeout = 150ms;
    return o;
}

aio::Coro<aio::http::Response> hello(aio::http::Request& req) {
    if (req.path() == "/echo") co_return aio::http::Response(co_await req.read());
    co_return aio::http::Response("hi");
}

class HttpServerLifecycle : public HttpServerTest {};

}  // namespace

TEST_F(HttpServerLifecycle, AHeadThatTakesTooLongGets408AndIsClosed) {
    auto body = [&]() -> aio::Coro<void> {
        aio::http::Handler h = hello;
        auto server = co_await aio::http::serve(h, "127.0.0.1", 0, short_timeouts());
        auto c = co_await RawClient::connect(server->port());
        co_await c.send("GET / HTTP/1.1\r\nHost: x\r\n");
        auto t0 = std::chrono::steady_clock::now();
        RawResponse r = co_await c.response();
        EXPECT_EQ(r.status, 408);
        EXPECT_TRUE(co_await c.closed_by_server());
        EXPECT_LT(std::chrono::steady_clock::now() - t0, 1s);
        co_await c.close();
        co_await server->shutdown(1s);
    };
    run(body());
}

TEST_F(HttpServerLifecycle, AnIdleKeptAliveConnectionIsClosedAfterTheKeepaliveTimeout) {
    auto body = [&]() -> aio::Coro<void> {
        aio::http::Handler h = hello;
        auto server = co_await aio::http::serve(h, "127.0.0.1", 0, short_timeouts());
        auto c = co_await RawClient::connect(server->port());
        co_await c.send(get("/"));
        EXPECT_EQ((co_await c.response()).body, "hi");
        EXPECT_TRUE(co_await c.closed_by_server(2s));  // no 408: between requests there is nothing to answer
        co_await c.close();
        EXPECT_EQ(server->connections(), 0u);
        co_await server->shutdown(1s);
    };
    run(body());
}

TEST_F(HttpServerLifecycle, ABodyThatStopsArrivingGets408) {
    auto body = [&]() -> aio::Coro<void> {
        aio::http::Handler h = hello;
        auto server = co_await aio::http::serve(h, "127.0.0.1", 0, short_timeouts());
        auto c = co_await RawClient::connect(server->port());
        co_await c.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc");
        RawResponse r = co_await c.response();
        EXPECT_EQ(r.status, 408);
        EXPECT_TRUE(co_await c.closed_by_server());
        co_await c.close();
        co_await server->shutdown(1s);
    };
    run(body());
}

TEST_F(HttpServerLifecycle, AClientThatDisconnectsDoesNotCancelTheHandlerByDefault) {
    aio::Event started, finished;
    bool cancelled = false;
    auto slow = [&](aio::http::Request&) -> aio::Coro<aio::http::Response> {
        started.set();
        try {
            co_await aio::sleep(200ms);  // work that outlasts the client
        } catch (const aio::CancelledError&) {
            cancelled = true;
            throw;
        }
        finished.set();
        co_return aio::http::Response("late");
    };
    auto body = [&]() -> aio::Coro<void> {
        aio::http::Handler h = slow;
        auto server = co_await aio::http::serve(h, "127.0.0.1", 0);
        auto c = co_await RawClient::connect(server->port());
        co_await c.send(get("/"));
        co_await aio::wait_for(started.wait(), 2s);
        co_await c.close();
        co_await aio::wait_for(finished.wait(), 2s);
        EXPECT_FALSE(cancelled);
        co_await server->shutdown(1s);
    };
    run(body());
}

TEST_F(HttpServerLifecycle, WithTheOptionADisconnectCancelsTheHandler) {
    aio::Event started, cancelled;
    auto slow = [&](aio::http::Request&) -> aio::Coro<aio::http::Response> {
        started.set();
        try {
            co_await aio::sleep(10s);
        } catch (const aio::CancelledError&) {
            cancelled.set();
            throw;
        }
        co_return aio::http::Response("never");
    };
    auto body = [&]() -> aio::Coro<void> {
        aio::http::Handler h = slow;
        aio::http::ServerOptions o;
        o.cancel_handler_on_disconnect = true;
        auto server = co_await aio::http::serve(h, "127.0.0.1", 0, o);
        auto c = co_await RawClient::connect(server->port());
        co_await c.send(get("/"));
        co_await aio::wait_for(started.wait(), 2s);
        co_await c.close();
        co_await aio::wait_for(cancelled.wait(), 2s);
        co_await server->shutdown(1s);
        EXPECT_EQ(server->connections(), 0u);
    };
    run(body());
}

TEST_F(HttpServerLifecycle, ShutdownClosesIdleConnectionsAndLetsARequestInProgressFinish) {
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
        auto idle = co_await RawClient::connect(server->port());
        co_await idle.send(get("/"));
        EXPECT_EQ((co_await idle.response()).body, "done");
        auto busy = co_await RawClient::connect(server->port());
        co_await busy.send(get("/slow"));
        co_await aio::wait_for(started.wait(), 2s);

        auto stopping = aio::create_task(server->shutdown(5s));
        EXPECT_TRUE(co_await idle.closed_by_server());
        EXPECT_FALSE(stopping.done());
        release.set();
        RawResponse r = co_await busy.response();
        EXPECT_EQ(r.body, "done");
        EXPECT_EQ(r.field("connection"), "close");
        EXPECT_TRUE(co_await busy.closed_by_server());
        co_await aio::wait_for(stopping, 2s);
        EXPECT_EQ(server->connections(), 0u);
        co_await idle.close();
        co_await busy.close();
    };
    run(body());
}

TEST_F(HttpServerLifecycle, ShutdownAbortsWhatIsStillRunningAtTheTimeout) {
    aio::Event started;
    bool cancelled = false;
    auto handler = [&](aio::http::Request&) -> aio::Coro<aio::http::Response> {
        started.set();
        try {
            co_await aio::sleep(30s);
        } catch (const aio::CancelledError&) {
            cancelled = true;
            throw;
        }
        co_return aio::http::Response("never");
    };
    auto body = [&]() -> aio::Coro<void> {
        aio::http::Handler h = handler;
        auto server = co_await aio::http::serve(h, "127.0.0.1", 0);
        auto c = co_await RawClient::connect(server->port());
        co_await c.send(get("/"));
        co_await aio::wait_for(started.wait(), 2s);
        auto t0 = std::chrono::steady_clock::now();
        co_await server->shutdown(100ms);
        EXPECT_LT(std::chrono::steady_clock::now() - t0, 1s);
        EXPECT_TRUE(cancelled);
        EXPECT_EQ(server->connections(), 0u);
        EXPECT_TRUE(co_await c.closed_by_server());
        co_await c.close();
    };
    run(body());
}

TEST_F(HttpServerLifecycle, StreamResponseWritesWaitForASlowClient) {
    std::size_t largest_buffer = 0;
    constexpr std::size_t kChunk = 64 * 1024, kChunks = 128;  // 8 MiB
    auto handler = [&](aio::http::Request& req) -> aio::Coro<aio::http::Response> {
        aio::http::StreamResponse resp;
        resp.content_length = kChunk * kChunks;
        co_await resp.prepare(req);
        std::string chunk(kChunk, 'x');
        for (std::size_t i = 0; i < kChunks; ++i) {
            co_await resp.write(chunk);
            largest_buffer = std::max(largest_buffer, req.transport().get_write_buffer_size());
        }
        co_await resp.write_eof();
        co_return resp;
    };
    auto body = [&]() -> aio::Coro<void> {
        aio::http::Handler h = handler;
        auto server = co_await aio::http::serve(h, "127.0.0.1", 0);
        auto c = co_await RawClient::connect(server->port());
        co_await c.send(get("/"));
        RawResponse r = co_await c.response();
        EXPECT_EQ(r.body.size(), kChunk * kChunks);
        // write() returned only below the high-water mark: memory stayed bounded, whatever the
        // kernel's socket buffers took.
        EXPECT_LE(largest_buffer, 64u * 1024u);
        co_await c.close();
        co_await server->shutdown(1s);
    };
    run(body());
}

namespace {
struct Echo : aio::Protocol {
    aio::Transport* t = nullptr;
    void data_received(std::string_view d) override { t->write(d); }
};
}  // namespace

TEST_F(HttpServerLifecycle, AHandlerTakesTheConnectionOverWithTheBytesAfterTheHead) {
    auto upgrade = [&](aio::http::Request& req) -> aio::Coro<aio::http::Response> {
        EXPECT_TRUE(req.head().upgrade);
        aio::http::TakenOver t = req.take_over();
        t.transport->write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: upgrade\r\n\r\n");
        auto echo = std::make_shared<Echo>();
        echo->t = t.transport.get();
        t.transport->set_protocol(echo);
        t.transport->write(t.tail);  // the new protocol's first bytes arrived with the head
        t.transport->resume_reading();
        co_return aio::http::Response();
    };
    auto body = [&]() -> aio::Coro<void> {
        aio::http::Handler h = upgrade;
        auto server = co_await aio::http::serve(h, "127.0.0.1", 0);
        auto c = co_await RawClient::connect(server->port());
        co_await c.send("GET /chat HTTP/1.1\r\nHost: x\r\nConnection: upgrade\r\nUpgrade: echo\r\n\r\nearly;");
        std::string head = co_await aio::wait_for(c.reader.readuntil("\r\n\r\n"), 2s);
        EXPECT_EQ(head.rfind("HTTP/1.1 101 ", 0), 0u);
        EXPECT_EQ(co_await aio::wait_for(c.reader.readexactly(6), 2s), "early;");
        co_await c.send("later");
        EXPECT_EQ(co_await aio::wait_for(c.reader.readexactly(5), 2s), "later");
        EXPECT_EQ(server->connections(), 0u);  // no longer the server's
        co_await c.close();
        co_await server->shutdown(1s);
        for (int i = 0; i < 5 && watched() > 0; ++i) co_await aio::sleep(0ms);
    };
    run(body());
}

TEST_F(HttpServerLifecycle, TheFirstConnectionOfAServerIsNotTakenForIdleSinceTheEpoch) {
    // A regression: the first connection was stamped before the sweep had read the clock, so the
    // first sweep closed it whatever the keep-alive timeout.
    auto body = [&]() -> aio::Coro<void> {
        aio::http::Handler h = hello;
        aio::http::ServerOptions o;
        o.keepalive_timeout = 2s;  // a sweep every 500 ms
        auto server = co_await aio::http::serve(h, "127.0.0.1", 0, o);
        auto c = co_await RawClient::connect(server->port());
        co_await aio::sleep(700ms);  // no request yet; past the first sweep, within the timeout
        co_await c.send(get("/"));
        EXPECT_EQ((co_await c.response()).body, "hi");
        co_await c.close();
        co_await server->shutdown(1s);
    };
    run(body());
}
