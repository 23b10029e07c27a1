// aio::redis::Redis against a real redis-server: URLs, AUTH and SELECT, every typed helper,
// error replies, timeouts, pipelining from many tasks, cancellation mid-pipeline, a server that
// is down, and a fake server that speaks malformed RESP.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "aio/redis/redis.hpp"
#include "support/co_assert.hpp"
#include "support/redis_fixture.hpp"

using namespace std::chrono_literals;

using aio::redis::Redis;
using aio::redis::ReplyError;

namespace {

using RedisClientTest = aio_test::RedisTest;

}  // namespace

TEST_F(RedisClientTest, TypedHelpersAnswerAsRedisPy) {
    auto body = [&]() -> aio::Coro<void> {
        Redis r = co_await aio::redis::connect(url);
        EXPECT_EQ(co_await r.ping(), "PONG");
        EXPECT_EQ(co_await r.get("missing"), std::nullopt);
        EXPECT_TRUE(co_await r.set("k", "v"));
        EXPECT_EQ(co_await r.get("k"), "v");
        aio::redis::SetOptions nx{.nx = true};
        EXPECT_FALSE(co_await r.set("k", "other", nx));
        aio::redis::SetOptions xx_ex{.ex = 100s, .xx = true};
        EXPECT_TRUE(co_await r.set("k", "w", xx_ex));
        EXPECT_GT(co_await r.ttl("k"), 90);
        aio::redis::SetOptions px{.px = 100000ms};
        const std::string binary("\0bin\r\n", 6);
        EXPECT_TRUE(co_await r.set("p", binary, px));
        EXPECT_EQ(co_await r.get("p"), binary);
        EXPECT_EQ(co_await r.incr("n"), 1);
        EXPECT_EQ(co_await r.incrby("n", 41), 42);
        EXPECT_TRUE(co_await r.expire("n", 50s));
        EXPECT_FALSE(co_await r.expire("nothing", 50s));
        EXPECT_EQ(co_await r.del("k", "p", "nothing"), 2);
        EXPECT_EQ(co_await r.hset("h", "f", "1"), 1);
        // Lists named before co_await: g++ 12 cannot keep an initializer_list's array in the frame.
        const aio::redis::FieldList two_fields{{"f", "2"}, {"g", "3"}};
        EXPECT_EQ(co_await r.hset("h", two_fields), 1);
        EXPECT_EQ(co_await r.hget("h", "f"), "2");
        EXPECT_EQ(co_await r.hget("h", "none"), std::nullopt);
        auto all = co_await r.hgetall("h");
        CO_ASSERT_EQ(all.size(), 2u);
        EXPECT_EQ(all[1], (std::pair<std::string, std::string>("g", "3")));
        EXPECT_EQ(co_await r.lpush("list", "a", "b"), 2);
        EXPECT_EQ(co_await r.rpush("list", "z"), 3);
        auto popped = co_await r.brpop("list", 1s);
        EXPECT_EQ(popped, (std::pair<std::string, std::string>("list", "z")));
        EXPECT_EQ(co_await r.brpop("empty", 0.05s), std::nullopt);  // timed out server-side
        EXPECT_EQ(co_await r.publish("nobody", "hi"), 0);
        EXPECT_TRUE(co_await r.xgroup_create("s", "g", "0"));
        EXPECT_FALSE(co_await r.xgroup_create("s", "g", "0"));  // BUSYGROUP
        const aio::redis::FieldList entry{{"a", "1"}, {"b", "2"}};
        std::string id = co_await r.xadd("s", entry);
        auto entries = co_await r.xreadgroup("g", "c1", "s");
        CO_ASSERT_EQ(entries.size(), 1u);
        EXPECT_EQ(entries[0].id, id);
        EXPECT_EQ(entries[0].fields.size(), 2u);
        EXPECT_EQ(entries[0].fields[1].second, "2");
        aio::redis::ReadGroupOptions block{.block = 20ms};
        EXPECT_TRUE((co_await r.xreadgroup("g", "c1", "s", ">", block)).empty());
        EXPECT_EQ(co_await r.xack("s", "g", id), 1);
        co_await r.aclose();
        EXPECT_TRUE(r.is_closed());
        EXPECT_THROW(co_await r.ping(), aio::ConnectionError);
    };
    run(body());
}

TEST_F(RedisClientTest, ExecuteTakesAnyArgumentsAndRaisesErrorReplies) {
    auto body = [&]() -> aio::Coro<void> {
        Redis r = co_await aio::redis::connect(url);
        std::string key = "mixed";
        co_await r.execute("RPUSH", key, std::string_view("a"), 7, -3LL, 2.5);
        aio::redis::Reply all = co_await r.execute("LRANGE", key, 0, -1);
        CO_ASSERT_EQ(all.as_array().size(), 4u);
        EXPECT_EQ(all.as_array()[1].as_string(), "7");
        EXPECT_EQ(all.as_array()[3].as_string(), "2.5");
        try {
            co_await r.execute("INCR", key);
            ADD_FAILURE() << "INCR on a list succeeded";
        } catch (const ReplyError& e) {
            EXPECT_EQ(e.code(), "WRONGTYPE");
            EXPECT_NE(std::string(e.what()).find("wrong kind of value"), std::string::npos);
        }
        EXPECT_THROW(co_await r.get(key), ReplyError);
        // The error reply kept the pipeline in step.
        EXPECT_EQ(co_await r.ping(), "PONG");
        co_await r.aclose();
    };
    run(body());
}

TEST_F(RedisClientTest, TenThousandCommandsFromSixtyFourTasksAreAnsweredInOrder) {
    auto body = [&]() -> aio::Coro<void> {
        Redis r = co_await aio::redis::connect(url);
        std::vector<std::int64_t> seen;
        auto worker = [&](int t) -> aio::Coro<void> {
            std::string mine = "task:" + std::to_string(t);
            for (int i = 1; i <= 10000 / 64 + 1; ++i) {
                // Per task, INCR must count 1, 2, 3...; the shared counter's values, all distinct.
                EXPECT_EQ(co_await r.incr(mine), i);
                seen.push_back(co_await r.incr("shared"));
            }
        };
        std::vector<aio::Task<void>> tasks;
        for (int t = 0; t < 64; ++t) tasks.push_back(aio::create_task(worker(t)));
        for (auto& t : tasks) co_await t;
        std::sort(seen.begin(), seen.end());
        const auto n = static_cast<std::int64_t>(seen.size());
        EXPECT_EQ(n, 64 * (10000 / 64 + 1));
        for (std::int64_t i = 0; i < n; ++i) CO_ASSERT_EQ(seen[static_cast<std::size_t>(i)], i + 1);
        co_await r.aclose();
    };
    run(body());
}

TEST_F(RedisClientTest, ACancelledCommandLosesNoOtherReply) {
    auto body = [&]() -> aio::Coro<void> {
        Redis r = co_await aio::redis::connect(url);
        for (int i = 0; i < 90; ++i) {
            const std::string key = "key:" + std::to_string(i), value = "value:" + std::to_string(i);
            co_await r.set(key, value);
        }
        auto getter = [&](int i) -> aio::Coro<std::string> {
            const std::string key = "key:" + std::to_string(i);
            auto v = co_await r.get(key);
            co_return v.value_or("nil");
        };
        std::vector<aio::Task<std::string>> tasks;
        for (int i = 0; i < 90; ++i) tasks.push_back(aio::create_task(getter(i)));
        co_await aio::sleep(0s);  // every GET is queued, none answered
        for (int i = 0; i < 90; i += 3) tasks[static_cast<std::size_t>(i)].cancel();
        for (int i = 0; i < 90; ++i) {
            auto& t = tasks[static_cast<std::size_t>(i)];
            if (i % 3 == 0) {
                EXPECT_THROW(co_await t, aio::CancelledError);
            } else {
                const std::string want = "value:" + std::to_string(i);
                EXPECT_EQ(co_await t, want);
            }
        }
        EXPECT_EQ(co_await r.get("key:89"), "value:89");
        co_await r.aclose();
    };
    run(body());
}

TEST_F(RedisClientTest, UnixSocketUrlSelectsTheDatabase) {
    auto body = [&]() -> aio::Coro<void> {
        const std::string unix_url = "unix://" + server.unix_path() + "?db=3";
        Redis r = co_await aio::redis::connect(unix_url);
        co_await r.set("where", "db3");
        aio::redis::Reply info = co_await r.execute("CLIENT", "INFO");
        EXPECT_NE(info.as_string().find(" db=3 "), std::string::npos) << info.as_string();
        const std::string db3 = url + "/3";
        Redis tcp = co_await aio::redis::connect(db3);
        EXPECT_EQ(co_await tcp.get("where"), "db3");
        Redis db0 = co_await aio::redis::connect(url);
        EXPECT_EQ(co_await db0.get("where"), std::nullopt);
        co_await r.aclose();
        co_await tcp.aclose();
        co_await db0.aclose();
    };
    run(body());
}

TEST_F(RedisClientTest, Resp3RepliesComeAsTheirOwnTypes) {
    auto body = [&]() -> aio::Coro<void> {
        aio::redis::ClientOptions resp3{.protocol = 3};
        Redis r = co_await aio::redis::connect(url, resp3);
        const aio::redis::FieldList fields{{"a", "1"}, {"b", "2"}};
        co_await r.hset("h", fields);
        aio::redis::Reply m = co_await r.execute("HGETALL", "h");
        EXPECT_EQ(m.type(), aio::redis::ReplyType::map);
        EXPECT_EQ((co_await r.hgetall("h")).size(), 2u);
        co_await r.execute("ZADD", "z", 1.5, "m");
        aio::redis::Reply score = co_await r.execute("ZSCORE", "z", "m");
        EXPECT_EQ(score.type(), aio::redis::ReplyType::double_);
        EXPECT_DOUBLE_EQ(score.as_double(), 1.5);
        co_await r.aclose();
    };
    run(body());
}

TEST_F(RedisClientTest, RedisDownAtConnectIsAClearError) {
    auto body = [&]() -> aio::Coro<void> {
        const std::uint16_t port = server.port();
        server.stop();
        try {
            const std::string down = "redis://127.0.0.1:" + std::to_string(port);
            co_await aio::redis::connect(down);
            ADD_FAILURE() << "connected to a stopped server";
        } catch (const aio::ConnectionRefusedError& e) {
            EXPECT_EQ(std::string(e.what()),
                      "connecting to Redis at 127.0.0.1:" + std::to_string(port) + ": Connection refused");
        }
        EXPECT_THROW(aio::redis::ConnectionConfig::from_url("http://x"), aio::ValueError);
        EXPECT_THROW(aio::redis::ConnectionConfig::from_url("redis://h:99999"), aio::ValueError);
        EXPECT_THROW(aio::redis::ConnectionConfig::from_url("redis://h/x"), aio::ValueError);
        auto c = aio::redis::ConnectionConfig::from_url("redis://us%40r:p%3Aw@[::1]:6380/2");
        EXPECT_EQ(c.username, "us@r");
        EXPECT_EQ(c.password, "p:w");
        EXPECT_EQ(c.host, "::1");
        EXPECT_EQ(c.port, 6380);
        EXPECT_EQ(c.db, 2);
    };
    run(body());
}

TEST_F(RedisClientTest, CommandsPendingWhenTheServerDiesFailAndTheNextOneReconnects) {
    auto body = [&]() -> aio::Coro<void> {
        Redis r = co_await aio::redis::connect(url);
        // BLPOP holds the connection's queue: everything behind it is pending at the kill.
        auto blocked = aio::create_task(r.execute("BLPOP", "never", 0));
        std::vector<aio::Task<std::optional<std::string>>> behind;
        for (int i = 0; i < 10; ++i) behind.push_back(aio::create_task(r.get("k")));
        co_await aio::sleep(0s);  // all eleven written
        server.kill();
        EXPECT_THROW(co_await blocked, aio::ConnectionError);
        for (auto& t : behind) EXPECT_THROW(co_await t, aio::ConnectionError);
        EXPECT_THROW(co_await r.ping(), aio::ConnectionError);  // connect refused
        server.start();
        EXPECT_EQ(co_await r.ping(), "PONG");
        co_await r.aclose();
    };
    run(body());
}

namespace {

// INFO clients' blocked_clients: how many connections wait in a blocking command on the server.
aio::Coro<int> blocked_clients(Redis& r) {
    aio::redis::Reply info = co_await r.execute("INFO", "clients");
    const std::string& text = info.as_string();
    auto at = text.find("blocked_clients:");
    if (at == std::string::npos) co_return -1;
    co_return std::stoi(text.substr(at + 16));
}

}  // namespace

TEST_F(RedisClientTest, MaxBlockingConnectionsHoldsBackTheCommandsPastItUntilOneEnds) {
    auto body = [&]() -> aio::Coro<void> {
        aio::redis::ClientOptions options;
        options.max_blocking_connections = 1;
        Redis r = co_await aio::redis::connect(url, options);
        auto first = aio::create_task(r.brpop("first", 10s));
        auto second = aio::create_task(r.brpop("second", 10s));
        int blocked = 0;
        for (int i = 0; i < 2000 && blocked == 0; ++i) blocked = co_await blocked_clients(r);
        CO_ASSERT_EQ(blocked, 1);
        // Without the bound the second BRPOP connects and blocks within a few round trips.
        for (int i = 0; i < 50; ++i) {
            int now = co_await blocked_clients(r);
            CO_ASSERT_EQ(now, 1);
        }
        EXPECT_EQ(co_await r.lpush("second", "s"), 1);
        aio::redis::Reply left = co_await r.execute("LLEN", "second");
        EXPECT_EQ(left.as_int(), 1) << "the second BRPOP must not have reached the server";
        EXPECT_EQ(co_await r.lpush("first", "f"), 1);
        auto got_first = co_await first;
        EXPECT_EQ(got_first, (std::pair<std::string, std::string>("first", "f")));
        auto got_second = co_await second;  // now on the connection the first gave back
        EXPECT_EQ(got_second, (std::pair<std::string, std::string>("second", "s")));
        co_await r.aclose();
    };
    run(body());
}
