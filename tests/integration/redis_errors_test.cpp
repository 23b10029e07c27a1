// aio::redis failures: AUTH refused or missing, a command timeout that leaves the pipeline in
// step, and a fake server answering malformed RESP.

#include <gtest/gtest.h>

#include <string>

#include "aio/redis/redis.hpp"
#include "support/io_fixture.hpp"
#include "support/redis_server.hpp"

using namespace std::chrono_literals;
using aio::redis::Redis;

namespace {

class RedisAuthTest : public aio_io_test::IoTest {
protected:
    aio_test::RedisServer server{{.requirepass = "s3cret", .debug_command = false}};
    // URLs are named before co_await: g++ 12 destroys string temporaries inside it twice.
    const std::string url = server.url();
    const std::string port = std::to_string(server.port());
};

class RedisDebugTest : public aio_io_test::IoTest {
protected:
    aio_test::RedisServer server{{.requirepass = {}, .debug_command = true}};
};

class RedisFakeServerTest : public aio_io_test::IoTest {};

std::string base(const aio_test::RedisServer& s) { return "redis://127.0.0.1:" + std::to_string(s.port()); }

}  // namespace

TEST_F(RedisAuthTest, ThePasswordIsSentAtConnect) {
    auto body = [&]() -> aio::Coro<void> {
        Redis r = co_await aio::redis::connect(url);
        EXPECT_EQ(co_await r.ping(), "PONG");
        const std::string with_user_url = "redis://default:s3cret@127.0.0.1:" + port;
        Redis with_user = co_await aio::redis::connect(with_user_url);
        EXPECT_EQ(co_await with_user.ping(), "PONG");
        aio::redis::ClientOptions resp3{.protocol = 3};
        Redis hello = co_await aio::redis::connect(url, resp3);
        EXPECT_EQ(co_await hello.ping(), "PONG");
        co_await r.aclose();
        co_await with_user.aclose();
        co_await hello.aclose();
    };
    run(body());
}

TEST_F(RedisAuthTest, AWrongPasswordIsAnAuthenticationError) {
    auto body = [&]() -> aio::Coro<void> {
        try {
            const std::string wrong = "redis://:wrong@127.0.0.1:" + port;
            co_await aio::redis::connect(wrong);
            ADD_FAILURE() << "connected with a wrong password";
        } catch (const aio::redis::AuthenticationError& e) {
            EXPECT_NE(std::string(e.what()).find("WRONGPASS"), std::string::npos) << e.what();
        }
        const std::string no_password = base(server);
        Redis none = co_await aio::redis::connect(no_password);
        try {
            co_await none.ping();
            ADD_FAILURE() << "PING without AUTH answered";
        } catch (const aio::redis::ReplyError& e) {
            EXPECT_EQ(e.code(), "NOAUTH");
        }
        co_await none.aclose();
    };
    run(body());
}

TEST_F(RedisDebugTest, ACommandTimeoutLeavesThePipelineInStep) {
    auto body = [&]() -> aio::Coro<void> {
        aio::redis::ClientOptions opts{.command_timeout = 50ms};
        const std::string plain = base(server);
        Redis r = co_await aio::redis::connect(plain, opts);
        EXPECT_THROW(co_await r.execute("DEBUG", "SLEEP", 0.2), aio::TimeoutError);
        // The late "+OK" of DEBUG SLEEP is read and dropped, never handed to a later command:
        // each ECHO gets its own answer or times out while the server still sleeps.
        std::string got;
        for (int i = 0; i < 100 && got.empty(); ++i) {
            try {
                aio::redis::Reply echo = co_await r.execute("ECHO", "mine");
                got = echo.as_string();
            } catch (const aio::TimeoutError&) {
            }
        }
        EXPECT_EQ(got, "mine");
        co_await r.aclose();
    };
    run(body());
}

TEST_F(RedisFakeServerTest, MalformedRespIsAProtocolErrorAndNothingHangs) {
    auto body = [&]() -> aio::Coro<void> {
        auto garbage = [](aio::StreamReader reader, aio::StreamWriter writer) -> aio::Coro<void> {
            co_await reader.read(1024);
            writer.write("$5\r\nhelloXX:1\r\n");  // a bulk string whose CRLF is missing
            co_await writer.drain();
            co_await reader.read(1024);  // until the client hangs up
            writer.close();
        };
        const std::string host = "127.0.0.1";
        auto srv = co_await aio::start_server(garbage, host, 0);
        const std::string fake = "redis://127.0.0.1:" + std::to_string(srv->sockets()[0].port());
        Redis r = co_await aio::redis::connect(fake);
        try {
            co_await r.ping();
            ADD_FAILURE() << "a malformed reply was accepted";
        } catch (const aio::redis::ProtocolError& e) {
            EXPECT_NE(std::string(e.what()).find("not followed by CRLF"), std::string::npos) << e.what();
        }
        co_await r.aclose();
        srv->close();
        co_await srv->wait_closed();
    };
    run(body());
}
