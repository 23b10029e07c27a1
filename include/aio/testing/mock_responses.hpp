#pragma once
/// aio::testing::MockResponses — aioresponses for aio's HTTP client: canned responses for the
/// requests of every ClientSession on this thread, with no socket opened.
///
/// ```
/// aio::testing::MockResponses mocked;                 // active from here on this thread
/// mocked.get("http://api.example.org/profile", {.payload = {{"name", "Ada"}}});
/// auto r = co_await session.get("http://api.example.org/profile");
/// (co_await r.json())["name"];                         // "Ada"
/// mocked.requests().at(0).method;                     // "GET"
/// ```
///
/// While one is alive, a connector opens an in-memory transport instead of a socket. Its far end
/// parses each request with aio's RequestParser, matches it (method, then URL: exactly, with the
/// query's order ignored, or a std::regex over the whole URL), records it, and writes the
/// serialized response back on a later loop iteration. So the client's parser, redirects,
/// decoding, pool and timeouts run as they do over a socket. A response is used once unless
/// `repeat` is set; the first registration that matches wins. A request nothing matches fails
/// with ClientConnectionError `"Connection refused: GET <url>"`; a response with `exception`
/// fails the request with that exception.
///
/// One MockResponses per thread at a time; when it is destroyed the hook goes away and the
/// transports it made are closed.

#include <chrono>
#include <cstddef>
#include <exception>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "aio/http/headers.hpp"
#include "aio/http/url.hpp"

namespace aio::testing {

/// What a mocked request answers (aioresponses' keyword arguments).
struct MockResponse {
    int status = 200;
    /// A JSON body (Content-Type application/json); `discarded` (the default): none.
    nlohmann::json payload = nlohmann::json(nlohmann::json::value_t::discarded);
    /// The body as bytes, when there is no payload.
    std::string body = {};
    /// Sent as they are, after Content-Type and before Content-Length.
    http::Headers headers = {};
    /// Content-Type (aioresponses' default: application/json), unless `headers` has one.
    std::string content_type = "application/json";
    /// Fail the request with this instead of answering.
    std::exception_ptr exception = nullptr;
    /// Answer every matching request, not just the first.
    bool repeat = false;
    /// The reason phrase ("" for the status's usual one).
    std::string reason = {};
    /// Answer this long after the request arrived (for the client's timeouts; not in
    /// aioresponses).
    std::chrono::milliseconds delay{0};
};

/// A request the mock received.
struct RecordedRequest {
    std::string method;
    http::URL url;
    http::Headers headers;
    std::string body;
};

namespace detail {
class MockState;
}

class MockResponses {
public:
    /// Becomes this thread's mock; RuntimeError if another one is active.
    MockResponses();
    MockResponses(const MockResponses&) = delete;
    MockResponses& operator=(const MockResponses&) = delete;
    ~MockResponses();

    void add(std::string method, std::string url, MockResponse response = {});
    void add(std::string method, std::regex url, MockResponse response = {});
    void get(std::string url, MockResponse response = {}) { add("GET", std::move(url), std::move(response)); }
    void post(std::string url, MockResponse response = {}) { add("POST", std::move(url), std::move(response)); }
    void put(std::string url, MockResponse response = {}) { add("PUT", std::move(url), std::move(response)); }
    void patch(std::string url, MockResponse response = {}) { add("PATCH", std::move(url), std::move(response)); }
    void delete_(std::string url, MockResponse response = {}) { add("DELETE", std::move(url), std::move(response)); }
    void head(std::string url, MockResponse response = {}) { add("HEAD", std::move(url), std::move(response)); }
    void options(std::string url, MockResponse response = {}) { add("OPTIONS", std::move(url), std::move(response)); }
    void get(std::regex url, MockResponse response = {}) { add("GET", std::move(url), std::move(response)); }
    void post(std::regex url, MockResponse response = {}) { add("POST", std::move(url), std::move(response)); }

    /// Every request received so far, in order.
    const std::vector<RecordedRequest>& requests() const noexcept;
    /// In-memory connections opened so far.
    std::size_t connections_made() const noexcept;
    /// Forgets the registered responses and the recorded requests.
    void clear();

private:
    std::shared_ptr<detail::MockState> state_;
};

}  // namespace aio::testing
