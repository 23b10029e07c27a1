// examples/news_relay against a real redis-server: a PUBLISH on `news` reaches every websocket as
// "news: <msg>"; SIGTERM, SIGHUP and SIGINT each close every websocket with 1001 "Server
// shutdown" and exit 0 after the background tasks are stopped; Redis down at start-up is a clear
// line and a retry, and forwarding begins once it is up; Redis killed and restarted: forwarding
// resumes (the client resubscribes, and the log says so); GET / changes once the updater runs.
//
// Messages are published until PUBLISH says a subscriber got one, so no test guesses when the
// relay's subscription is in place; every wait has a deadline.

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <optional>
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
using web_examples_test::WebProcess;

namespace {

std::vector<std::string> relay_args(const aio_test::RedisServer& redis) {
    return {"--host", "127.0.0.1", "--port", "0", "--redis", redis.url(), "--update-interval", "0.05"};
}

std::string ws_url(int port) { return "ws://127.0.0.1:" + std::to_string(port) + "/ws"; }

// A redis-server and the relay on it: start_relay() (under ASSERT_NO_FATAL_FAILURE) runs the
// program once its Redis is as the test wants it, up or down.
class NewsRelayExample : public HttpServerTest {
protected:
    void start_relay() {
        relay_.emplace("news_relay", relay_args(redis));
        ASSERT_TRUE(relay_->started());
        port = relay_->running_port();
        ASSERT_GT(port, 0) << relay_->first_line;
        redis_url = redis.url();
        url = ws_url(port);
    }
    WebProcess& relay() { return *relay_; }
    void TearDown() override {
        relay_.reset();  // its stdout pipe, before the base class counts the fds
        HttpServerTest::TearDown();
    }

    aio_test::RedisServer redis;
    int port = 0;
    std::string redis_url;  // named for the co_awaits below (g++ 12, STYLE.md)
    std::string url;        // the relay's /ws

private:
    std::optional<WebProcess> relay_;
};

// Whether a stderr line containing `text` shows up within `limit` (the log is a file).
bool wait_for_log(const WebProcess& server, const std::string& text,
                  std::chrono::milliseconds limit = std::chrono::seconds(5)) {
    auto until = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < until) {
        for (const std::string& l : server.err_lines())
            if (l.find(text) != std::string::npos) return true;
        ::usleep(5000);
    }
    return false;
}

std::string joined(const std::vector<std::string>& lines) {
    std::string out;
    for (const auto& l : lines) out += l + "\n";
    return out;
}

// PUBLISHes `message` on `news` until a subscriber got it (the relay's subscription may not be
// there yet, or may be coming back after a restart); false after `limit`.
aio::Coro<bool> publish_until_heard(const std::string& url, std::string_view message,
                                    std::chrono::milliseconds limit = std::chrono::seconds(5)) {
    auto until = std::chrono::steady_clock::now() + limit;
    aio::redis::Redis r = co_await aio::redis::connect(url);
    bool heard = false;
    while (!heard && std::chrono::steady_clock::now() < until) {
        heard = co_await r.publish("news", message) >= 1;
        if (!heard) co_await aio::sleep(std::chrono::milliseconds(10));
    }
    co_await r.aclose();
    co_return heard;
}

aio::Coro<std::string> get_body(int port, const char* path) {
    auto conn = co_await RawClient::connect(static_cast<std::uint16_t>(port));
    co_await conn.send(get(path));
    RawResponse response = co_await conn.response();
    co_await conn.close();
    co_return response.body;
}

// Every std::string a co_await below uses is named first (g++ 12, STYLE.md).

}  // namespace

TEST_F(NewsRelayExample, ForwardsAPublishToEveryWebsocket) {
    ASSERT_NO_FATAL_FAILURE(start_relay());
    WebProcess& server = relay();
    auto body = [&]() -> aio::Coro<void> {
        aio::http::ClientSession session;
        aio::ws::WebSocket a = co_await session.ws_connect(url);
        aio::ws::WebSocket b = co_await session.ws_connect(url);
        EXPECT_TRUE(co_await publish_until_heard(redis_url, "hello"));
        EXPECT_EQ(co_await a.receive_str(5s), "news: hello");
        EXPECT_EQ(co_await b.receive_str(5s), "news: hello");
        // b leaves; a still gets the next one.
        EXPECT_TRUE(co_await b.close());
        EXPECT_TRUE(co_await publish_until_heard(redis_url, "second"));
        EXPECT_EQ(co_await a.receive_str(5s), "news: second");
        EXPECT_TRUE(co_await a.close());
        session.close();
    };
    run(body());
    server.signal(SIGTERM);
    EXPECT_EQ(server.wait_exit(), 0) << joined(server.err_lines());
    EXPECT_TRUE(wait_for_log(server, "subscribed to 'news' at 127.0.0.1:" + std::to_string(redis.port())))
        << joined(server.err_lines());
}

class NewsRelayShutdown : public NewsRelayExample, public ::testing::WithParamInterface<int> {};

TEST_P(NewsRelayShutdown, ClosesEveryWebsocketWithGoingAwayAndExitsZero) {
    ASSERT_NO_FATAL_FAILURE(start_relay());
    WebProcess& server = relay();
    auto body = [&]() -> aio::Coro<void> {
        aio::http::ClientSession session;
        aio::ws::WebSocket a = co_await session.ws_connect(url);
        aio::ws::WebSocket b = co_await session.ws_connect(url);
        EXPECT_TRUE(co_await publish_until_heard(redis_url, "hello"));
        EXPECT_EQ(co_await a.receive_str(5s), "news: hello");
        EXPECT_EQ(co_await b.receive_str(5s), "news: hello");
        server.signal(GetParam());
        for (aio::ws::WebSocket* ws : {&a, &b}) {
            aio::ws::WSMessage msg = co_await ws->receive(5s);
            EXPECT_EQ(msg.type, aio::ws::WSMsgType::close);
            EXPECT_EQ(msg.close_code, 1001);
            EXPECT_EQ(msg.extra, "Server shutdown");
        }
        session.close();
    };
    run(body());
    EXPECT_EQ(server.wait_exit(), 0) << joined(server.err_lines());
    const std::string log = joined(server.err_lines());
    EXPECT_NE(log.find("closing 2 websocket(s)"), std::string::npos) << log;
    EXPECT_NE(log.find("background tasks stopped"), std::string::npos) << log;
    // The listener went away cleanly: its client is gone from the server.
    auto check = [&]() -> aio::Coro<void> {
        aio::redis::Redis r = co_await aio::redis::connect(redis_url);
        aio::redis::Reply numsub = co_await r.execute("PUBSUB", "NUMSUB", "news");
        EXPECT_EQ(numsub.as_array().at(1).as_int(), 0);
        co_await r.aclose();
    };
    run(check());
}

INSTANTIATE_TEST_SUITE_P(Signals, NewsRelayShutdown, ::testing::Values(SIGTERM, SIGHUP, SIGINT),
                         [](const ::testing::TestParamInfo<int>& info) {
                             return std::string(info.param == SIGTERM ? "SIGTERM"
                                                : info.param == SIGHUP ? "SIGHUP"
                                                                       : "SIGINT");
                         });

TEST_F(NewsRelayExample, RedisDownAtStartUpIsRetriedAndForwardingBeginsOnceItIsUp) {
    redis.stop();
    ASSERT_NO_FATAL_FAILURE(start_relay());
    WebProcess& server = relay();
    ASSERT_TRUE(wait_for_log(server, "Connection refused; retrying in")) << joined(server.err_lines());
    auto body = [&]() -> aio::Coro<void> {
        // The server serves meanwhile.
        EXPECT_EQ((co_await get_body(port, "/")).rfind("{\"updates\": ", 0), 0u);
        aio::http::ClientSession session;
        aio::ws::WebSocket a = co_await session.ws_connect(url);
        redis.start();
        EXPECT_TRUE(co_await publish_until_heard(redis_url, "up now"));
        EXPECT_EQ(co_await a.receive_str(5s), "news: up now");
        EXPECT_TRUE(co_await a.close());
        session.close();
    };
    run(body());
    server.signal(SIGTERM);
    EXPECT_EQ(server.wait_exit(), 0) << joined(server.err_lines());
}

TEST_F(NewsRelayExample, RedisKilledAndRestartedForwardingResumes) {
    ASSERT_NO_FATAL_FAILURE(start_relay());
    WebProcess& server = relay();
    auto body = [&]() -> aio::Coro<void> {
        aio::http::ClientSession session;
        aio::ws::WebSocket a = co_await session.ws_connect(url);
        EXPECT_TRUE(co_await publish_until_heard(redis_url, "before"));
        EXPECT_EQ(co_await a.receive_str(5s), "news: before");
        redis.kill();
        redis.start();
        EXPECT_TRUE(co_await publish_until_heard(redis_url, "after"));
        EXPECT_EQ(co_await a.receive_str(5s), "news: after");
        EXPECT_TRUE(co_await a.close());
        session.close();
    };
    run(body());
    EXPECT_TRUE(wait_for_log(server, "redis: reconnected, resubscribed to 1 channels")) << joined(server.err_lines());
    server.signal(SIGTERM);
    EXPECT_EQ(server.wait_exit(), 0) << joined(server.err_lines());
}

TEST_F(NewsRelayExample, TheUserfeedChangesAfterTheUpdaterRuns) {
    ASSERT_NO_FATAL_FAILURE(start_relay());
    WebProcess& server = relay();
    auto body = [&]() -> aio::Coro<void> {
        const std::string first = co_await get_body(port, "/");
        EXPECT_EQ(first.rfind("{\"updates\": ", 0), 0u) << first;
        std::string now = first;
        auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
        while (now == first && std::chrono::steady_clock::now() < until) now = co_await get_body(port, "/");
        EXPECT_NE(now, first);
        EXPECT_EQ(now.rfind("{\"updates\": ", 0), 0u) << now;
        EXPECT_NE(now.find("\"userfeed\": [0"), std::string::npos) << now;  // 1 to 20 numbers from 0
        const std::string html = co_await get_body(port, "/page");
        EXPECT_NE(html.find("new WebSocket"), std::string::npos);
    };
    run(body());
    server.signal(SIGINT);
    EXPECT_EQ(server.wait_exit(), 0) << joined(server.err_lines());
}

TEST_F(NewsRelayExample, ABadFlagIsAUsageError) {
    for (std::vector<std::string> args : {std::vector<std::string>{"--update-interval", "0"},
                                          std::vector<std::string>{"--update-interval", "soon"},
                                          std::vector<std::string>{"--redis", "http://x"}}) {
        WebProcess server("news_relay", args);
        ASSERT_TRUE(server.started());
        EXPECT_EQ(server.wait_exit(), 2) << args[0] << " " << args[1];
        EXPECT_FALSE(server.err_lines().empty()) << args[0] << " " << args[1];
    }
}
