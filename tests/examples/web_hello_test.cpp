// examples/web_hello: the program started with web::run_app answers its routes (path parameters,
// JSON, a POST, static files, the middleware's header) over real sockets, logs each request in
// aiohttp's format, and ends gracefully with exit 0 on SIGTERM, SIGINT and SIGHUP.

#include <nlohmann/json.hpp>

#include "integration/http_server_client.hpp"
#include "web_process.hpp"

using namespace http_test;
using web_examples_test::WebProcess;

namespace {

class WebHelloExample : public HttpServerTest {
protected:
    void serves_then_ends_on(int sig) {
        WebProcess server("web_hello", {"--host", "127.0.0.1", "--port", "0"});
        ASSERT_TRUE(server.started());
        int port = server.running_port();
        ASSERT_GT(port, 0) << server.first_line;
        EXPECT_EQ(server.line(), "(Press CTRL+C to quit)");
        auto body = [&]() -> aio::Coro<void> {
            auto c = co_await RawClient::connect(static_cast<std::uint16_t>(port));
            co_await c.send(get("/hello"));
            RawResponse hello = co_await c.response();
            EXPECT_EQ(hello.status, 200);
            EXPECT_EQ(hello.body, "hello");
            EXPECT_EQ(hello.field("x-served-by"), "aio");  // the middleware
            co_await c.send(get("/hello/world"));
            EXPECT_EQ((co_await c.response()).body, "hello, world");
            co_await c.send(get("/json"));
            RawResponse json = co_await c.response();
            EXPECT_EQ(json.field("content-type").rfind("application/json", 0), 0u) << json.field("content-type");
            auto parsed = nlohmann::json::parse(json.body);
            EXPECT_EQ(parsed["hello"], "world");
            EXPECT_EQ(parsed["requests"], 3);
            co_await c.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\nhello there");
            EXPECT_EQ((co_await c.response()).body, "hello there");
            co_await c.send(get("/static/hello.txt"));
            RawResponse file = co_await c.response();
            EXPECT_EQ(file.status, 200);
            EXPECT_EQ(file.body, "hello from a static file\n");
            co_await c.send(get("/static/%2e%2e/main.cpp"));
            RawResponse escape = co_await c.response();
            EXPECT_TRUE(escape.status == 403 || escape.status == 404) << escape.status;
            co_await c.send(get("/nowhere"));
            EXPECT_EQ((co_await c.response()).status, 404);
            // The connection stays open and idle: the graceful end closes it.
            server.signal(sig);
            EXPECT_TRUE(co_await c.closed_by_server(5s));
            co_await c.close();
        };
        run(body());
        EXPECT_EQ(server.line(), "cleaned up after 7 requests");
        EXPECT_EQ(server.wait_exit(), 0);
        auto log = server.err_lines();
        ASSERT_GE(log.size(), 1u);
        EXPECT_NE(log[0].find(R"("GET /hello HTTP/1.1" 200 5 "-" "-")"), std::string::npos) << log[0];
        EXPECT_EQ(log[0].rfind("127.0.0.1 [", 0), 0u) << log[0];
    }
};

}  // namespace

TEST_F(WebHelloExample, ServesItsRoutesAndEndsGracefullyOnSigterm) { serves_then_ends_on(SIGTERM); }
TEST_F(WebHelloExample, ServesItsRoutesAndEndsGracefullyOnSigint) { serves_then_ends_on(SIGINT); }
TEST_F(WebHelloExample, ServesItsRoutesAndEndsGracefullyOnSighup) { serves_then_ends_on(SIGHUP); }

TEST_F(WebHelloExample, WithOnlyAPathItServesOnTheUnixSocketAlone) {
    std::string path = "/tmp/aio_web_hello_" + std::to_string(::getpid()) + ".sock";
    WebProcess server("web_hello", {"--path", path, "--no-access-log"});
    ASSERT_TRUE(server.started());
    EXPECT_EQ(server.line(), "======== Running on http://unix:" + path + ": ========");
    auto body = [&]() -> aio::Coro<void> {
        auto [r, w] = co_await aio::open_unix_connection(path);
        RawClient c(std::move(r), std::move(w));
        co_await c.send(get("/hello"));
        EXPECT_EQ((co_await c.response()).body, "hello");
        co_await c.close();
    };
    run(body());
    server.signal(SIGTERM);
    EXPECT_EQ(server.line(), "(Press CTRL+C to quit)");
    EXPECT_EQ(server.line(), "cleaned up after 1 requests");
    EXPECT_EQ(server.wait_exit(), 0);
    EXPECT_TRUE(server.err_lines().empty());  // --no-access-log
}

TEST_F(WebHelloExample, ABadCommandLineIsAUsageError) {
    WebProcess bad("web_hello", {"--port", "99999"});
    ASSERT_TRUE(bad.started());
    EXPECT_EQ(bad.line(), "<eof>");
    EXPECT_NE(bad.wait_exit(), 0);
    auto err = bad.err_lines();
    ASSERT_FALSE(err.empty());
    EXPECT_NE(err[0].find("--port"), std::string::npos) << err[0];
}

TEST_F(WebHelloExample, APortInUseIsAClearErrorAndExit1) {
    WebProcess first("web_hello", {"--host", "127.0.0.1", "--port", "0", "--no-access-log"});
    int port = first.running_port();
    ASSERT_GT(port, 0) << first.first_line;
    WebProcess second("web_hello", {"--host", "127.0.0.1", "--port", std::to_string(port), "--no-access-log"});
    EXPECT_EQ(second.line(), "cleaned up after 0 requests");  // the start-up had run: it is undone
    EXPECT_EQ(second.line(), "<eof>");
    EXPECT_EQ(second.wait_exit(), 1);
    auto err = second.err_lines();
    ASSERT_FALSE(err.empty());
    EXPECT_NE(err[0].find("Address already in use"), std::string::npos) << err[0];
    first.signal(SIGTERM);
    EXPECT_EQ(first.wait_exit(), 0);
}
