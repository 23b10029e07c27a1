// examples/fixtures: the fixture server as a program (example_fixtures) serves the Hacker News
// API twin and the RSS feeds the seeds read, in the real API's shapes and with the counts the
// seeds print, misbehaves exactly as its knobs say, and ends gracefully on SIGTERM.

#include <nlohmann/json.hpp>

#include "integration/http_server_client.hpp"
#include "web_process.hpp"

using namespace http_test;
using web_examples_test::WebProcess;

namespace {

// The fixture program started with `args`, and the port its first line names.
struct Fixture {
    explicit Fixture(std::vector<std::string> args) : process("fixtures", with_port(std::move(args))) {
        first_line = process.line();
        std::string prefix = "listening on http://127.0.0.1:";
        if (first_line.rfind(prefix, 0) == 0) port = static_cast<std::uint16_t>(std::stoi(first_line.substr(prefix.size())));
    }
    static std::vector<std::string> with_port(std::vector<std::string> args) {
        args.insert(args.begin(), {"--host", "127.0.0.1", "--port", "0"});
        return args;
    }
    WebProcess process;
    std::string first_line;
    std::uint16_t port = 0;
};

class FixturesExample : public HttpServerTest {
protected:
    // One request on a new connection.
    RawResponse fetch(std::uint16_t port, const std::string& target) {
        auto body = [](std::uint16_t port, std::string target) -> aio::Coro<RawResponse> {
            auto c = co_await RawClient::connect(port);
            co_await c.send(get(target));
            RawResponse r = co_await c.response();
            co_await c.close();
            co_return r;
        };
        return run(body(port, target));
    }
    nlohmann::json item(std::uint16_t port, std::int64_t id) {
        return nlohmann::json::parse(fetch(port, "/v0/item/" + std::to_string(id) + ".json").body);
    }
    // Every item under `id`, fetched one by one over one keep-alive connection, depth first.
    std::size_t count_items(std::uint16_t port, std::int64_t id) {
        auto body = [](std::uint16_t port, std::int64_t root) -> aio::Coro<std::size_t> {
            auto c = co_await RawClient::connect(port);
            std::vector<std::int64_t> todo{root};
            std::size_t seen = 0;
            while (!todo.empty()) {
                std::int64_t id = todo.back();
                todo.pop_back();
                co_await c.send(get("/v0/item/" + std::to_string(id) + ".json"));
                RawResponse r = co_await c.response();
                auto j = nlohmann::json::parse(r.body);
                ++seen;
                if (j.contains("kids"))
                    for (auto& kid : j["kids"]) todo.push_back(kid.get<std::int64_t>());
            }
            co_await c.close();
            co_return seen;
        };
        return run(body(port, id));
    }
};

TEST_F(FixturesExample, PrintsItsUrlAndEndsGracefullyOnSigterm) {
    Fixture f({});
    ASSERT_GT(f.port, 0) << f.first_line;
    EXPECT_EQ(fetch(f.port, "/v0/item/8863.json").status, 200);
    f.process.signal(SIGTERM);
    EXPECT_EQ(f.process.line(), "served 1 requests");
    EXPECT_EQ(f.process.wait_exit(), 0);
}

TEST_F(FixturesExample, Story8863HasTheSeedsSeventyTwoCommentsInSeventyThreeItems) {
    Fixture f({});
    ASSERT_GT(f.port, 0) << f.first_line;
    nlohmann::json story = item(f.port, 8863);
    EXPECT_EQ(story["id"], 8863);
    EXPECT_EQ(story["type"], "story");
    EXPECT_EQ(story["descendants"], 72);
    for (const char* key : {"by", "kids", "score", "time", "title", "url"}) EXPECT_TRUE(story.contains(key)) << key;
    EXPECT_FALSE(story.contains("parent"));
    EXPECT_FALSE(story.contains("text"));
    EXPECT_EQ(count_items(f.port, 8863), 73u);

    nlohmann::json comment = item(f.port, story["kids"][0].get<std::int64_t>());
    EXPECT_EQ(comment["type"], "comment");
    EXPECT_EQ(comment["parent"], 8863);
    for (const char* key : {"by", "id", "text", "time"}) EXPECT_TRUE(comment.contains(key)) << key;
    for (const char* key : {"descendants", "score", "title"}) EXPECT_FALSE(comment.contains(key)) << key;
}

TEST_F(FixturesExample, TopStoriesAreFiveHundredStoriesEachWithTheTreeItsDescendantsSay) {
    Fixture f({});
    ASSERT_GT(f.port, 0) << f.first_line;
    RawResponse top = fetch(f.port, "/v0/topstories.json");
    EXPECT_EQ(top.status, 200);
    EXPECT_EQ(top.field("content-type").rfind("application/json", 0), 0u) << top.field("content-type");
    auto ids = nlohmann::json::parse(top.body);
    ASSERT_EQ(ids.size(), 500u);
    for (int i = 0; i < 5; ++i) {
        auto id = ids[static_cast<std::size_t>(i)].get<std::int64_t>();
        nlohmann::json story = item(f.port, id);
        EXPECT_EQ(story["type"], "story");
        EXPECT_EQ(count_items(f.port, id), story["descendants"].get<std::size_t>() + 1) << id;
    }
}

TEST_F(FixturesExample, AnUnknownIdIsNullWith200AsTheRealApi) {
    Fixture f({});
    ASSERT_GT(f.port, 0) << f.first_line;
    for (const char* target : {"/v0/item/1.json", "/v0/item/abc.json", "/v0/item/99999999999.json"}) {
        RawResponse r = fetch(f.port, target);
        EXPECT_EQ(r.status, 200) << target;
        EXPECT_EQ(r.body, "null") << target;
    }
    EXPECT_EQ(fetch(f.port, "/v0/item/8863").status, 404);
}

TEST_F(FixturesExample, ItemsMakesStory8863TheRootOfATreeOfThatManyItems) {
    Fixture f({"--items", "10000"});
    ASSERT_GT(f.port, 0) << f.first_line;
    EXPECT_EQ(item(f.port, 8863)["descendants"], 9999);
    EXPECT_EQ(count_items(f.port, 8863), 10000u);
}

TEST_F(FixturesExample, TheFeedsHaveTheSeedsLengthsAndAreRss) {
    Fixture f({});
    ASSERT_GT(f.port, 0) << f.first_line;
    for (auto [target, length] : {std::pair{"/feeds/abcnews/topstories", 40697u}, std::pair{"/feeds/sample.xml", 8631u}}) {
        RawResponse r = fetch(f.port, target);
        EXPECT_EQ(r.status, 200);
        EXPECT_EQ(r.field("content-type"), "application/rss+xml") << target;
        EXPECT_EQ(r.body.size(), length) << target;
        EXPECT_EQ(r.body.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\">", 0), 0u);
        EXPECT_TRUE(r.body.ends_with("</channel>\n</rss>\n"));
    }
}

TEST_F(FixturesExample, FailEveryAnswersEveryNthApiRequestWith500) {
    Fixture f({"--fail-every", "3"});
    ASSERT_GT(f.port, 0) << f.first_line;
    std::vector<int> statuses;
    for (int i = 0; i < 6; ++i) statuses.push_back(fetch(f.port, "/v0/item/8863.json").status);
    EXPECT_EQ(statuses, (std::vector<int>{200, 200, 500, 200, 200, 500}));
    EXPECT_EQ(fetch(f.port, "/feeds/sample.xml").status, 200);  // the feeds are not counted
}

TEST_F(FixturesExample, DropEveryClosesEveryNthConnectionWithoutAnAnswer) {
    Fixture f({"--drop-every", "2"});
    ASSERT_GT(f.port, 0) << f.first_line;
    EXPECT_EQ(fetch(f.port, "/v0/item/8863.json").status, 200);
    auto dropped = [](std::uint16_t port) -> aio::Coro<bool> {
        auto c = co_await RawClient::connect(port);
        co_await c.send(get("/v0/item/8863.json"));
        bool closed = co_await c.closed_by_server(5s);
        co_await c.close();
        co_return closed;
    };
    EXPECT_TRUE(run(dropped(f.port)));
    EXPECT_EQ(fetch(f.port, "/v0/item/8863.json").status, 200);
}

TEST_F(FixturesExample, ASlowItemNeverAnswersAndDoesNotHoldUpTheGracefulEnd) {
    Fixture f({"--slow-item", "8863"});
    ASSERT_GT(f.port, 0) << f.first_line;
    auto stalled = [](std::uint16_t port) -> aio::Coro<bool> {
        auto c = co_await RawClient::connect(port);
        co_await c.send(get("/v0/item/8863.json"));
        bool timed_out = false;
        try {
            co_await aio::wait_for(c.reader.readuntil("\r\n\r\n"), 200ms);
        } catch (const aio::TimeoutError&) {
            timed_out = true;
        }
        co_await c.close();
        co_return timed_out;
    };
    EXPECT_TRUE(run(stalled(f.port)));
    EXPECT_EQ(item(f.port, 9000000)["parent"], 8863);  // the first comment: other items still answer
    f.process.signal(SIGTERM);
    EXPECT_EQ(f.process.line(), "served 2 requests");
    EXPECT_EQ(f.process.wait_exit(), 0);
}

TEST_F(FixturesExample, InvalidJsonAndTruncatedItemsAreBrokenAsTheirKnobsSay) {
    Fixture f({"--invalid-json-item", "8863", "--truncated-item", "9000000"});
    ASSERT_GT(f.port, 0) << f.first_line;
    RawResponse invalid = fetch(f.port, "/v0/item/8863.json");
    EXPECT_EQ(invalid.status, 200);
    EXPECT_FALSE(nlohmann::json::accept(invalid.body)) << invalid.body;
    auto truncated = [](std::uint16_t port) -> aio::Coro<std::string> {
        auto c = co_await RawClient::connect(port);
        co_await c.send(get("/v0/item/9000000.json"));
        std::string head = co_await aio::wait_for(c.reader.readuntil("\r\n\r\n"), 5s);
        std::string got;
        for (;;) {
            std::string piece = co_await aio::wait_for(c.reader.read(65536), 5s);
            if (piece.empty()) break;
            got += piece;
        }
        co_await c.close();
        co_return head + got;
    };
    std::string raw = run(truncated(f.port));
    auto length_at = lower(raw).find("content-length: ");
    ASSERT_NE(length_at, std::string::npos) << raw;
    std::size_t promised = std::stoul(raw.substr(length_at + 16));
    std::size_t body = raw.size() - (raw.find("\r\n\r\n") + 4);
    EXPECT_LT(body, promised);
    EXPECT_GT(body, 0u);
}

TEST_F(FixturesExample, BadFlagsAreUsageErrors) {
    for (std::vector<std::string> args : {std::vector<std::string>{"--items", "0"}, {"--fail-every", "-1"},
                                          {"--port", "70000"}, {"--bogus"}}) {
        WebProcess p("fixtures", args);
        EXPECT_EQ(p.line(), "<eof>");
        EXPECT_EQ(p.wait_exit(), 2) << args[0];
    }
}

}  // namespace
