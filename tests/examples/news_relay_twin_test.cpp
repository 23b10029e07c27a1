// examples/news_relay beside its Python twin (bench/peers/seeds/news_relay.py, aiohttp +
// redis.asyncio on Debian's /usr/bin/python3) on the same redis-server: the same first GET /, the
// same "news: ..." lines on their websockets, the same close on SIGTERM, the same shutdown log
// lines and exit 0; both resume after Redis is killed and restarted, with the same log. Skipped
// when /usr/bin/python3 lacks aiohttp or redis. Each test takes 1 to 2.5 s (load): most of it is
// python3 importing aiohttp and redis (slower than the 2 s the house asks: said here).

#include <signal.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "aio/http/client.hpp"
#include "aio/redis/client.hpp"
#include "aio/time/sleep.hpp"
#include "aio/ws/websocket.hpp"
#include "integration/http_server_client.hpp"
#include "support/redis_server.hpp"
#include "web_process.hpp"

using namespace http_test;

namespace {

// A program (aio's or python3's) as a child, its "news_relay: " log lines compared.
struct Child : web_examples_test::WebProcess {
    explicit Child(std::vector<std::string> argv) : WebProcess(Command{std::move(argv)}) {}
    std::vector<std::string> log_lines() const { return err_lines_starting("news_relay: "); }
};

std::vector<std::string> relay_args(const std::string& redis_url) {
    return {"--host", "127.0.0.1", "--port", "0", "--redis", redis_url, "--update-interval", "60"};
}

// Waits (5 s at most) until `subscribers` relays are subscribed to `news`, then PUBLISHes once:
// publishing until enough of them heard would give the first ones a message twice.
aio::Coro<bool> publish_to(const std::string& url, std::string_view message, std::int64_t subscribers) {
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    aio::redis::Redis r = co_await aio::redis::connect(url);
    std::int64_t now = 0;
    while (now < subscribers && std::chrono::steady_clock::now() < until) {
        aio::redis::Reply numsub = co_await r.execute("PUBSUB", "NUMSUB", "news");
        now = numsub.as_array().at(1).as_int();
        if (now < subscribers) co_await aio::sleep(std::chrono::milliseconds(10));
    }
    const bool heard = now >= subscribers && co_await r.publish("news", message) == subscribers;
    co_await r.aclose();
    co_return heard;
}

aio::Coro<std::string> get_body(int port) {
    auto conn = co_await RawClient::connect(static_cast<std::uint16_t>(port));
    co_await conn.send(get("/"));
    RawResponse response = co_await conn.response();
    co_await conn.close();
    co_return response.body;
}

struct Seen {
    std::string feed;
    std::vector<std::string> news;
    int close_code = 0;
    std::string close_reason;
};

class NewsRelayTwin : public HttpServerTest {};

}  // namespace

TEST_F(NewsRelayTwin, TheAiohttpTwinSeesTheSameNewsAndTheSameClose) {
    if (std::system("/usr/bin/python3 -c 'import aiohttp, redis.asyncio' 2>/dev/null") != 0)
        GTEST_SKIP() << "/usr/bin/python3 lacks aiohttp or redis (python3-aiohttp, python3-redis)";
    aio_test::RedisServer redis;
    std::vector<std::string> aio_argv = relay_args(redis.url());
    aio_argv.insert(aio_argv.begin(), std::string(AIO_BIN_DIR) + "/example_news_relay");
    std::vector<std::string> py_argv = relay_args(redis.url());
    py_argv.insert(py_argv.begin(), {"/usr/bin/python3", std::string(AIO_SOURCE_DIR) + "/bench/peers/seeds/news_relay.py"});
    Child ours(aio_argv);
    Child twin(py_argv);
    const int our_port = ours.running_port();
    const int twin_port = twin.running_port();
    ASSERT_GT(our_port, 0) << ours.first_line;
    ASSERT_GT(twin_port, 0) << twin.first_line;
    EXPECT_EQ(twin.line(), "(Press CTRL+C to quit)");
    EXPECT_EQ(ours.line(), "(Press CTRL+C to quit)");

    const std::string redis_url = redis.url();  // named: g++ 12 and temporaries in co_await
    Seen seen[2];
    auto body = [&]() -> aio::Coro<void> {
        aio::http::ClientSession session;
        const int ports[2] = {our_port, twin_port};
        std::vector<aio::ws::WebSocket> sockets;
        for (int i = 0; i < 2; ++i) {
            seen[i].feed = co_await get_body(ports[i]);
            const std::string url = "ws://127.0.0.1:" + std::to_string(ports[i]) + "/ws";
            sockets.push_back(co_await session.ws_connect(url));
        }
        for (const char* message : {"hello", "second, with spaces", "ünïcode ✓"}) {
            EXPECT_TRUE(co_await publish_to(redis_url, message, 2)) << message;
            for (int i = 0; i < 2; ++i) seen[i].news.push_back(co_await sockets[i].receive_str(5s));
        }
        ours.signal(SIGTERM);
        twin.signal(SIGTERM);
        for (int i = 0; i < 2; ++i) {
            aio::ws::WSMessage msg = co_await sockets[i].receive(5s);
            EXPECT_EQ(msg.type, aio::ws::WSMsgType::close) << i;
            seen[i].close_code = msg.close_code;
            seen[i].close_reason = msg.extra;
        }
        session.close();
    };
    run(body());
    EXPECT_EQ(ours.wait_exit(), 0);
    EXPECT_EQ(twin.wait_exit(), 0);

    EXPECT_EQ(seen[0].feed, "{\"updates\": 0, \"userfeed\": []}");
    EXPECT_EQ(seen[0].feed, seen[1].feed);
    EXPECT_EQ(seen[0].news, (std::vector<std::string>{"news: hello", "news: second, with spaces", "news: ünïcode ✓"}));
    EXPECT_EQ(seen[0].news, seen[1].news);
    EXPECT_EQ(seen[0].close_code, 1001);
    EXPECT_EQ(seen[0].close_reason, "Server shutdown");
    EXPECT_EQ(seen[0].close_code, seen[1].close_code);
    EXPECT_EQ(seen[0].close_reason, seen[1].close_reason);
    // The same log, once the address is masked (both print the URL's host and port).
    EXPECT_EQ(ours.log_lines(), twin.log_lines());
}

namespace {

// The log without the lines whose count or wording is the client library's own: failed
// reconnect attempts (how many depends on how fast the server comes back) and connect errors.
std::vector<std::string> without_attempt_lines(const std::vector<std::string>& lines) {
    std::vector<std::string> out;
    for (const std::string& l : lines)
        if (l.find("reconnect attempt") == std::string::npos && l.find("retrying in") == std::string::npos)
            out.push_back(l);
    return out;
}

}  // namespace

TEST_F(NewsRelayTwin, BothResumeAfterRedisIsKilledAndRestartedAndLogTheSame) {
    if (std::system("/usr/bin/python3 -c 'import aiohttp, redis.asyncio' 2>/dev/null") != 0)
        GTEST_SKIP() << "/usr/bin/python3 lacks aiohttp or redis (python3-aiohttp, python3-redis)";
    aio_test::RedisServer redis;
    std::vector<std::string> aio_argv = relay_args(redis.url());
    aio_argv.insert(aio_argv.begin(), std::string(AIO_BIN_DIR) + "/example_news_relay");
    std::vector<std::string> py_argv = relay_args(redis.url());
    py_argv.insert(py_argv.begin(), {"/usr/bin/python3", std::string(AIO_SOURCE_DIR) + "/bench/peers/seeds/news_relay.py"});
    Child ours(aio_argv);
    Child twin(py_argv);
    const int ports[2] = {ours.running_port(), twin.running_port()};
    ASSERT_GT(ports[0], 0) << ours.first_line;
    ASSERT_GT(ports[1], 0) << twin.first_line;
    const std::string redis_url = redis.url();
    auto body = [&]() -> aio::Coro<void> {
        aio::http::ClientSession session;
        std::vector<aio::ws::WebSocket> sockets;
        for (int port : ports) {
            const std::string url = "ws://127.0.0.1:" + std::to_string(port) + "/ws";
            sockets.push_back(co_await session.ws_connect(url));
        }
        EXPECT_TRUE(co_await publish_to(redis_url, "before", 2));
        for (auto& ws : sockets) EXPECT_EQ(co_await ws.receive_str(5s), "news: before");
        redis.kill();
        redis.start();
        EXPECT_TRUE(co_await publish_to(redis_url, "after", 2));
        for (auto& ws : sockets) EXPECT_EQ(co_await ws.receive_str(5s), "news: after");
        ours.signal(SIGHUP);
        twin.signal(SIGHUP);
        for (int i = 0; i < 2; ++i) {
            aio::ws::WSMessage msg = co_await sockets[i].receive(5s);
            const char* who = i == 0 ? "aio" : "twin";
            EXPECT_EQ(msg.type, aio::ws::WSMsgType::close) << who << ": " << static_cast<int>(msg.type) << " " << msg.data;
            EXPECT_EQ(msg.close_code, 1001) << who;
            EXPECT_EQ(msg.extra, "Server shutdown") << who;
        }
        session.close();
    };
    run(body());
    EXPECT_EQ(ours.wait_exit(), 0);
    EXPECT_EQ(twin.wait_exit(), 0);
    const std::vector<std::string> log = without_attempt_lines(ours.log_lines());
    EXPECT_EQ(log, without_attempt_lines(twin.log_lines()));
    const std::string address = "127.0.0.1:" + std::to_string(redis.port());
    EXPECT_EQ(log, (std::vector<std::string>{"news_relay: subscribed to 'news' at " + address,
                                             "news_relay: redis: connection to " + address + " lost; reconnecting",
                                             "news_relay: redis: reconnected, resubscribed to 1 channels",
                                             "news_relay: shutting down: closing 1 websocket(s)",
                                             "news_relay: cancelling the redis listener and the data updater",
                                             "news_relay: background tasks stopped"}));
}
