// The client as users write it: request options as braced initialisers inline inside co_await,
// with owning members (strings, headers, JSON) that g++ 12 would destroy twice. Built only with
// a correct compiler (see natural_forms_test.cpp); the asan preset turns a double destruction
// into a failure. Served by MockResponses, so nothing but the client is in the way.

#include <gtest/gtest.h>

#include <string>

#include "aio/aio.hpp"
#include "aio/http/client.hpp"
#include "aio/testing/mock_responses.hpp"
#include "support/real_loop_fixture.hpp"

using namespace std::chrono_literals;

namespace {

class HttpClientNatural : public aio_test::RealLoopTest {
protected:
    std::string heap_string(const char* what) { return std::string(what) + std::string(64, '.'); }
};

TEST_F(HttpClientNatural, inline_braced_params_and_headers_reach_the_server) {
    aio::testing::MockResponses mocked;
    mocked.get("http://api.test/search?q=aio&page=2", {.payload = {{"hits", 3}}});
    std::string token = heap_string("token");
    auto hits = run([&]() -> aio::Coro<int> {
        aio::http::ClientSession session;
        auto r = co_await session.get("http://api.test/search",
                                      {.params = {{"q", "aio"}, {"page", "2"}}, .headers = {{"X-Token", token}}});
        auto j = co_await r.json();
        co_return j["hits"].get<int>();
    }());
    EXPECT_EQ(hits, 3);
    EXPECT_EQ(mocked.requests().at(0).headers.get("X-Token", ""), token);
}

TEST_F(HttpClientNatural, inline_json_and_data_bodies_and_a_timeout_are_sent) {
    aio::testing::MockResponses mocked;
    mocked.post("http://api.test/users", {.status = 201, .body = "made", .repeat = true});
    std::string name = heap_string("Ada");
    auto status = run([&]() -> aio::Coro<int> {
        aio::http::ClientSession session({.headers = {{"User-Agent", "natural"}}, .timeout = {.total = 5s}});
        auto a = co_await session.post("http://api.test/users", {.json = {{"name", name}}, .timeout = {{.sock_read = 2s}}});
        auto b = co_await session.post("http://api.test/users", {.data = std::string(name)});
        co_return a.status + b.status;
    }());
    EXPECT_EQ(status, 402);
    EXPECT_EQ(nlohmann::json::parse(mocked.requests().at(0).body)["name"], name);
    EXPECT_EQ(mocked.requests().at(1).body, name);
    EXPECT_EQ(mocked.requests().at(1).headers.get("User-Agent", ""), "natural");
}

TEST_F(HttpClientNatural, iter_chunked_in_a_while_loop_reads_the_whole_body) {
    aio::testing::MockResponses mocked;
    mocked.get("http://files.test/big", {.body = std::string(10000, 'x'), .content_type = "text/plain"});
    auto total = run([&]() -> aio::Coro<std::size_t> {
        aio::http::ClientSession session;
        auto r = co_await session.get("http://files.test/big", {.timeout = {{.total = 5s}}});
        std::size_t n = 0;
        auto chunks = r.content.iter_chunked(1024);
        while (auto chunk = co_await chunks.next()) n += chunk->size();
        co_return n;
    }());
    EXPECT_EQ(total, 10000u);
}

}  // namespace
