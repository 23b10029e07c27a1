// aio::redis pub/sub against a real redis-server: messages in order, patterns, unsubscribing when
// the consumer goes, and a reconnect with resubscription after the server is killed and started
// again on the same port.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "aio/redis/redis.hpp"
#include "support/co_assert.hpp"
#include "support/redis_fixture.hpp"

using namespace std::chrono_literals;

using aio::redis::Message;
using aio::redis::Redis;

namespace {

using RedisPubSubTest = aio_test::RedisTest;

// Subscribers of `channel` the server counts, polled (bounded) until it equals `want`: the
// UNSUBSCRIBE travels on another connection than the question.
aio::Coro<std::int64_t> numsub_becomes(Redis& r, std::string_view channel, std::int64_t want) {
    std::int64_t n = -1;
    for (int i = 0; i < 400 && n != want; ++i) {
        if (i) co_await aio::sleep(5ms);
        aio::redis::Reply reply = co_await r.execute("PUBSUB", "NUMSUB", channel);
        n = reply.as_array().at(1).as_int();
    }
    co_return n;
}

}  // namespace

TEST_F(RedisPubSubTest, SubscribersGetEveryMessageInOrder) {
    auto body = [&]() -> aio::Coro<void> {
        Redis r = co_await aio::redis::connect(url);
        auto news = co_await r.subscribe("news", "sport");
        EXPECT_EQ(co_await r.publish("news", "one"), 1);
        EXPECT_EQ(co_await r.publish("sport", "two"), 1);
        const std::string binary("th\0ree", 6);
        EXPECT_EQ(co_await r.publish("news", binary), 1);
        std::optional<Message> m = co_await news.next();
        EXPECT_EQ(m->type, "message");
        EXPECT_EQ(m->channel, "news");
        EXPECT_EQ(m->data, "one");
        EXPECT_EQ((co_await news.next())->channel, "sport");
        EXPECT_EQ((co_await news.next())->data, binary);
        co_await news.aclose();
        co_await r.aclose();
    };
    run(body());
}

TEST_F(RedisPubSubTest, PatternSubscriptionsNameTheirPattern) {
    auto body = [&]() -> aio::Coro<void> {
        Redis r = co_await aio::redis::connect(url);
        auto news = co_await r.psubscribe("news.*");
        co_await r.publish("weather", "not me");
        co_await r.publish("news.tech", "me");
        auto m = co_await news.next();
        EXPECT_EQ(m->type, "pmessage");
        EXPECT_EQ(m->pattern, "news.*");
        EXPECT_EQ(m->channel, "news.tech");
        EXPECT_EQ(m->data, "me");
        co_await news.aclose();
        co_await r.aclose();
    };
    run(body());
}

TEST_F(RedisPubSubTest, DestroyingOrCancellingTheConsumerUnsubscribes) {
    auto body = [&]() -> aio::Coro<void> {
        Redis r = co_await aio::redis::connect(url);
        {
            auto news = co_await r.subscribe("news");
            EXPECT_EQ(co_await numsub_becomes(r, "news", 1), 1);
        }
        EXPECT_EQ(co_await numsub_becomes(r, "news", 0), 0);
        auto consume = [&]() -> aio::Coro<void> {
            auto news = co_await r.subscribe("news");
            while (co_await news.next()) {
            }
        };
        auto consumer = aio::create_task(consume());
        EXPECT_EQ(co_await numsub_becomes(r, "news", 1), 1);
        consumer.cancel();
        EXPECT_THROW(co_await consumer, aio::CancelledError);
        EXPECT_EQ(co_await numsub_becomes(r, "news", 0), 0);
        co_await r.aclose();
    };
    run(body());
}

TEST_F(RedisPubSubTest, AKilledServerIsReconnectedAndResubscribed) {
    auto body = [&]() -> aio::Coro<void> {
        Redis r = co_await aio::redis::connect(url);
        aio::Event resubscribed;
        std::vector<std::string> lines;
        r.set_reconnect_callback([&](const std::string& line) {
            lines.push_back(line);
            if (line.starts_with("reconnected")) resubscribed.set();
        });
        auto news = co_await r.subscribe("news", "alerts");
        auto next_message = [&]() -> aio::Coro<std::optional<Message>> { co_return co_await news.next(); };
        auto first = aio::create_task(next_message());
        co_await aio::sleep(0s);  // the consumer is reading
        server.kill();
        server.start();  // same port: the backoff finds it
        co_await aio::wait_for(resubscribed.wait(), 10s);
        EXPECT_EQ(co_await r.publish("alerts", "back"), 1);  // r reconnects on its own too
        auto m = co_await aio::wait_for(std::move(first), 5s);
        CO_ASSERT_EQ(m.has_value(), true);
        EXPECT_EQ(m->data, "back");
        EXPECT_EQ(lines.back(), "reconnected, resubscribed to 2 channels");
        co_await news.aclose();
        co_await r.aclose();
    };
    run(body());
}
