// aio::web::AccessLogger on a real server: aiohttp's default line, every directive, a streamed
// body's size, a handler's exception, and a request that took the connection over.

#include <regex>

#include "aio/web/access_log.hpp"
#include "http_server_client.hpp"

using namespace http_test;

namespace {

class WebAccessLog : public HttpServerTest {
protected:
    // Serves `inner` wrapped by a logger of `format` that appends to `lines`.
    aio::Coro<std::unique_ptr<aio::http::Server>> serve(aio::http::Handler inner, std::string_view format) {
        auto sink = [this](std::string_view l) { lines.emplace_back(l); };
        auto logger = std::make_shared<const aio::web::AccessLogger>(format, sink);
        aio::http::Handler h = aio::web::AccessLogger::wrap(std::move(inner), std::move(logger));
        co_return co_await aio::http::serve(std::move(h), "127.0.0.1", 0);
    }
    std::vector<std::string> lines;
};

aio::Coro<aio::http::Response> hello_handler(aio::http::Request& req) {
    if (req.path() == "/missing") co_return aio::http::Response("nope", 404);
    if (req.path() == "/fail") throw aio::RuntimeError("boom");
    if (req.path() == "/teapot") throw aio::http::HTTPException(418, "short and stout");
    aio::http::Response r("hello");
    r.headers.add("X-Out", "yes");
    co_return r;
}

}  // namespace

TEST_F(WebAccessLog, TheDefaultFormatIsAiohttpsLine) {
    auto body = [&]() -> aio::Coro<void> {
        aio::http::Handler h = hello_handler;  // named first: no temporary inside co_await (g++ 12)
        auto server = co_await serve(h, aio::web::kDefaultAccessLogFormat);
        auto c = co_await RawClient::connect(server->port());
        co_await c.send("GET /hello?x=1 HTTP/1.1\r\nHost: t\r\nUser-Agent: curl/8.5.0\r\nReferer: http://r/\r\n\r\n");
        EXPECT_EQ((co_await c.response()).body, "hello");
        co_await c.send(get("/missing"));
        EXPECT_EQ((co_await c.response()).status, 404);
        co_await c.close();
        co_await server->shutdown(1s);
    };
    run(body());
    ASSERT_EQ(lines.size(), 2u);
    // 127.0.0.1 [07/Dec/2026:06:10:00 +0000] "GET /hello?x=1 HTTP/1.1" 200 5 "http://r/" "curl/8.5.0"
    std::regex line(R"(127\.0\.0\.1 \[\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d \+0000\] )"
                    R"("GET /hello\?x=1 HTTP/1\.1" 200 5 "http://r/" "curl/8\.5\.0")");
    EXPECT_TRUE(std::regex_match(lines[0], line)) << lines[0];
    EXPECT_NE(lines[1].find(R"("GET /missing HTTP/1.1" 404 4 "-" "-")"), std::string::npos) << lines[1];
}

TEST_F(WebAccessLog, EveryDirectiveIsFormatted) {
    ::setenv("AIO_ACCESS_LOG_TEST", "env-value", 1);
    auto body = [&]() -> aio::Coro<void> {
        aio::http::Handler h = hello_handler;
        auto server = co_await serve(h, "%% %P %s %b %{X-Out}o %{X-Missing}o %{Host}i %{AIO_ACCESS_LOG_TEST}e %T %Tf %D %q %");
        auto c = co_await RawClient::connect(server->port());
        co_await c.send(get("/"));
        co_await c.response();
        co_await c.close();
        co_await server->shutdown(1s);
    };
    run(body());
    ASSERT_EQ(lines.size(), 1u);
    std::string pid = "<" + std::to_string(::getpid()) + ">";
    std::regex line("% " + pid + R"( 200 5 yes - test env-value 0 0\.\d{6} \d+ %q %)");
    EXPECT_TRUE(std::regex_match(lines[0], line)) << lines[0];
}

TEST_F(WebAccessLog, AHandlersExceptionIsLoggedWithTheStatusTheServerAnswers) {
    auto body = [&]() -> aio::Coro<void> {
        aio::http::Handler h = hello_handler;
        auto server = co_await serve(h, "%r %s");
        auto c = co_await RawClient::connect(server->port());
        co_await c.send(get("/teapot"));
        EXPECT_EQ((co_await c.response()).status, 418);
        co_await c.send(get("/fail"));
        EXPECT_EQ((co_await c.response()).status, 500);
        co_await c.close();
        co_await server->shutdown(1s);
    };
    run(body());
    reports.clear();  // the 500's exception went to the loop's handler, as it should
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(lines[0], "GET /teapot HTTP/1.1 418");
    EXPECT_EQ(lines[1], "GET /fail HTTP/1.1 500");
}

TEST_F(WebAccessLog, AStreamedBodyIsLoggedWithTheBytesWritten) {
    auto streamed = [](aio::http::Request& req) -> aio::Coro<aio::http::Response> {
        aio::http::StreamResponse resp;
        co_await resp.prepare(req);
        co_await resp.write("abc");
        co_await resp.write("defg");
        co_await resp.write_eof();
        co_return resp;
    };
    auto body = [&]() -> aio::Coro<void> {
        aio::http::Handler h = streamed;
        auto server = co_await serve(h, "%s %b");
        auto c = co_await RawClient::connect(server->port());
        co_await c.send(get("/"));
        EXPECT_EQ((co_await c.response()).body, "abcdefg");
        co_await c.send("HEAD / HTTP/1.1\r\nHost: t\r\n\r\n");
        co_await c.response(true);
        co_await c.close();
        co_await server->shutdown(1s);
    };
    run(body());
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(lines[0], "200 7");
    EXPECT_EQ(lines[1], "200 0");  // HEAD: no body sent
}

TEST_F(WebAccessLog, ATakenOverConnectionIsLoggedWhenItsHandlerEnds) {
    aio::Event taken, finish;
    auto upgrade = [&](aio::http::Request& req) -> aio::Coro<aio::http::Response> {
        aio::http::TakenOver t = req.take_over();
        t.transport->write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\nConnection: upgrade\r\n\r\n");
        taken.set();
        co_await finish.wait();  // the websocket's life
        t.transport->close();
        co_return aio::http::Response({}, 101);
    };
    auto body = [&]() -> aio::Coro<void> {
        aio::http::Handler h = upgrade;
        auto server = co_await serve(h, "%r %s");
        auto c = co_await RawClient::connect(server->port());
        co_await c.send("GET /ws HTTP/1.1\r\nHost: x\r\nConnection: upgrade\r\nUpgrade: x\r\n\r\n");
        co_await aio::wait_for(taken.wait(), 2s);
        co_await aio::sleep(0s);
        EXPECT_TRUE(lines.empty());  // not while the websocket is open
        finish.set();
        EXPECT_TRUE(co_await c.closed_by_server());
        co_await c.close();
        co_await server->shutdown(1s);
        for (int i = 0; i < 5 && watched() > 0; ++i) co_await aio::sleep(0ms);
    };
    run(body());
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_EQ(lines[0], "GET /ws HTTP/1.1 101");
}

TEST_F(WebAccessLog, ASinkThatThrowsDoesNotFailTheRequest) {
    auto body = [&]() -> aio::Coro<void> {
        auto sink = [](std::string_view) { throw aio::RuntimeError("disk full"); };
        auto logger = std::make_shared<const aio::web::AccessLogger>(aio::web::kDefaultAccessLogFormat, sink);
        aio::http::Handler h = aio::web::AccessLogger::wrap(hello_handler, std::move(logger));
        auto server = co_await aio::http::serve(std::move(h), "127.0.0.1", 0);
        auto c = co_await RawClient::connect(server->port());
        co_await c.send(get("/"));
        EXPECT_EQ((co_await c.response()).body, "hello");
        co_await c.close();
        co_await server->shutdown(1s);
    };
    run(body());
    EXPECT_FALSE(reports.empty());  // reported to the loop's exception handler
    reports.clear();
}
