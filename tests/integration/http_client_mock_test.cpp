// aio::testing::MockResponses (aioresponses): seed 001's mocked test, matching rules, recorded
// requests, exceptions, and the real client code (redirects, gzip, timeouts) over the in-memory
// transport, with no socket opened.

#include <gtest/gtest.h>

#include "aio/http/client.hpp"
#include "aio/http/content_decoder.hpp"
#include "aio/testing/mock_responses.hpp"
#include "support/io_fixture.hpp"

namespace aio_http_client_test {
namespace {

using namespace std::chrono_literals;
using aio::http::ClientResponse;
using aio::http::ClientSession;
using aio::http::RequestOptions;
using aio::testing::MockResponse;
using aio::testing::MockResponses;

class HttpClientMock : public aio_io_test::IoTest {};

// Seed 001: "Mocked HTTP responses in tests".
//     async def get_username(loop):
//         async with aiohttp.ClientSession(loop=loop) as session:
//             async with session.get(f"{SERVER_URL}/profile") as response:
//                 data = await response.json()
//                 return data["name"]
const std::string SERVER_URL = "http://api.example.org";

aio::Coro<std::string> get_username() {
    ClientSession session;
    ClientResponse response = co_await session.get(SERVER_URL + "/profile");
    nlohmann::json data = co_await response.json();
    co_return data["name"].get<std::string>();
}

TEST_F(HttpClientMock, Seed001GetUsernameReadsTheMockedProfile) {
    int fds = aio_test::count_open_fds();
    MockResponses mocked;
    // self.remote_content = {"/profile": {"name": "Ada"}}
    mocked.get(SERVER_URL + "/profile", MockResponse{.payload = {{"name", "Ada"}}});
    EXPECT_EQ(run(get_username()), "Ada");
    EXPECT_EQ(mocked.requests().size(), 1u);
    EXPECT_EQ(mocked.requests().at(0).method, "GET");
    EXPECT_EQ(mocked.requests().at(0).url.str(), SERVER_URL + "/profile");
    EXPECT_EQ(aio_test::count_open_fds(), fds);  // no socket, no epoll registration
    EXPECT_EQ(watched(), 0u);
}

TEST_F(HttpClientMock, AnUnmatchedRequestIsAClientConnectionErrorNamingTheUrl) {
    MockResponses mocked;
    mocked.get("http://h.test/a");
    run([]() -> aio::Coro<void> {
        ClientSession session;
        try {
            ClientResponse r = co_await session.get("http://h.test/b");
            ADD_FAILURE() << "no error";
        } catch (const aio::http::ClientConnectionError& e) {
            EXPECT_NE(std::string(e.what()).find("GET http://h.test/b"), std::string::npos) << e.what();
        }
        // Same URL, other method: no match either.
        EXPECT_THROW((void)co_await session.post("http://h.test/a"), aio::http::ClientConnectionError);
    }());
}

TEST_F(HttpClientMock, MatchingIgnoresQueryOrderAndTakesRegexesAndRepeat) {
    MockResponses mocked;
    mocked.get("http://h.test/search?b=2&a=1", MockResponse{.body = "found", .content_type = "text/plain"});
    mocked.get(std::regex(R"(http://h\.test/items/\d+)"), MockResponse{.body = "item", .repeat = true});
    run([]() -> aio::Coro<void> {
        ClientSession session;
        RequestOptions q{.params = {{"a", "1"}, {"b", "2"}}};
        ClientResponse a = co_await session.get("http://h.test/search", q);
        EXPECT_EQ(co_await a.text(), "found");
        EXPECT_EQ(a.content_type(), "text/plain");
        // Used once: the same request again is unmatched.
        EXPECT_THROW((void)co_await session.get("http://h.test/search", q), aio::http::ClientConnectionError);
        for (int i = 0; i < 3; ++i) {
            ClientResponse r = co_await session.get("http://h.test/items/" + std::to_string(i));
            EXPECT_EQ(co_await r.read(), "item");
        }
    }());
    EXPECT_EQ(mocked.requests().size(), 5u);
}

TEST_F(HttpClientMock, RequestsAreRecordedWithHeadersAndBody) {
    MockResponses mocked;
    mocked.post("http://h.test/users", MockResponse{.status = 201, .payload = {{"id", 7}}});
    run([]() -> aio::Coro<void> {
        ClientSession session;
        RequestOptions opts{.headers = {{"X-Token", "t"}}, .json = {{"name", "Ada"}}};
        ClientResponse r = co_await session.post("http://h.test/users", opts);
        EXPECT_EQ(r.status, 201);
        EXPECT_EQ(r.reason, "Created");
        EXPECT_EQ((co_await r.json())["id"], 7);
    }());
    const auto& req = mocked.requests().at(0);
    EXPECT_EQ(req.method, "POST");
    EXPECT_EQ(req.headers.get("X-Token", ""), "t");
    EXPECT_EQ(nlohmann::json::parse(req.body)["name"], "Ada");
}

TEST_F(HttpClientMock, AnExceptionResponseFailsTheRequestWithIt) {
    MockResponses mocked;
    mocked.get("http://h.test/down",
               MockResponse{.exception = std::make_exception_ptr(aio::http::ServerDisconnectedError("http://h.test/down"))});
    run([]() -> aio::Coro<void> {
        ClientSession session;
        EXPECT_THROW((void)co_await session.get("http://h.test/down"), aio::http::ServerDisconnectedError);
    }());
}

TEST_F(HttpClientMock, RedirectsGzipStatusAndPoolingRunAsOverASocket) {
    MockResponses mocked;
    mocked.get("http://h.test/old", MockResponse{.status = 301, .headers = {{"Location", "/new"}}});
    aio::http::ContentEncoder enc(aio::http::ContentCoding::gzip);
    std::string gz;
    enc.compress("compressed text", gz);
    enc.finish(gz);
    mocked.get("http://h.test/new", MockResponse{.body = gz, .headers = {{"Content-Encoding", "gzip"}}});
    mocked.get("http://h.test/missing", MockResponse{.status = 404});
    run([]() -> aio::Coro<void> {
        ClientSession session;
        ClientResponse r = co_await session.get("http://h.test/old");
        EXPECT_EQ(r.status, 200);
        EXPECT_EQ(r.history.size(), 1u);
        EXPECT_EQ(co_await r.read(), "compressed text");
        ClientResponse m = co_await session.get("http://h.test/missing");
        EXPECT_THROW(m.raise_for_status(), aio::http::ClientResponseError);
        EXPECT_EQ(session.connector().connections_made(), 1u);  // one kept-alive in-memory connection
    }());
    EXPECT_EQ(mocked.connections_made(), 1u);
}

TEST_F(HttpClientMock, TimeoutsApplyToMockedResponsesToo) {
    MockResponses mocked;
    mocked.get("http://h.test/slow", MockResponse{.body = "late", .repeat = true, .delay = 200ms});
    run([]() -> aio::Coro<void> {
        ClientSession session;
        RequestOptions opts{.timeout = aio::http::ClientTimeout{.sock_read = 20ms}};
        EXPECT_THROW((void)co_await session.get("http://h.test/slow", opts), aio::TimeoutError);
        ClientResponse r = co_await session.get("http://h.test/slow");
        EXPECT_EQ(co_await r.read(), "late");
    }());
}

TEST_F(HttpClientMock, WithoutAMockTheClientGoesToTheNetworkAgain) {
    {
        MockResponses mocked;
        EXPECT_THROW(MockResponses second, aio::RuntimeError);
    }
    run([]() -> aio::Coro<void> {
        ClientSession session;
        // Nothing listens on port 1 of loopback: a real connect, refused.
        EXPECT_THROW((void)co_await session.get("http://127.0.0.1:1/"), aio::http::ClientConnectorError);
    }());
}

}  // namespace
}  // namespace aio_http_client_test
