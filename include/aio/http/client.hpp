#pragma once
/// aiohttp's ClientSession: HTTP/1.1 requests over a pool of keep-alive connections.
///
/// ```
/// aio::http::ClientSession session;
/// auto r = co_await session.get("http://127.0.0.1:8080/search", {.params = {{"q", "aio"}}});
/// std::string body = co_await r.text();
///
/// auto created = co_await session.post(url, {.json = {{"name", "Ada"}}});
/// nlohmann::json reply = co_await created.json();
/// ```
///
/// Each request: the URL (with `params` appended) must be absolute http or https, else InvalidURL.
/// The session's headers, then the request's, are sent with Host, `Accept: */*`,
/// `Accept-Encoding: gzip, deflate` and a User-Agent unless given; a body from `data` (bytes, or
/// a form sent urlencoded) or `json` gets its Content-Length and Content-Type. Redirects
/// (301/302/303/307/308) are followed unless `allow_redirects` is false: 303, and 301/302 of a
/// POST, become a GET without body (as browsers and aiohttp do); 307/308 keep method and body;
/// a relative Location is resolved against the request's URL; Authorization is dropped when the
/// redirect leaves the origin; TooManyRedirects after `max_redirects`.
///
/// Throws: InvalidURL, ClientConnectorError (connecting failed), ServerDisconnectedError (the
/// connection closed before the response head), ClientResponseError (a malformed response head,
/// or status >= 400 with raise_for_status), TooManyRedirects, aio::TimeoutError (ClientTimeout).
///
/// Cancel safety: a cancelled request closes its connection (no socket, registration or permit
/// is left behind); it never goes back to the pool half-read.
///
/// With g++ 12, build the options in a named variable first (`aio::http::RequestOptions o{...};
/// co_await session.get(url, o);`): see docs/toolchain.md.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include <nlohmann/json.hpp>

#include "aio/core/coro.hpp"
#include "aio/http/client_errors.hpp"
#include "aio/http/client_response.hpp"
#include "aio/http/client_timeout.hpp"
#include "aio/http/connector.hpp"
#include "aio/http/cookie_jar.hpp"
#include "aio/http/headers.hpp"
#include "aio/http/url.hpp"

namespace aio {
class SSLContext;
}

namespace aio::ws {
class WebSocket;
struct WSConnectOptions;
}  // namespace aio::ws

namespace aio::http {

struct TakenOver;

/// The keyword arguments of session.request() and friends.
struct RequestOptions {
    /// Appended to the URL's query.
    QueryParams params = {};
    /// Added to (and replacing by name) the session's headers.
    Headers headers = {};
    /// The body: bytes as they are, or a form sent as application/x-www-form-urlencoded.
    std::variant<std::monostate, std::string, QueryParams> data = {};
    /// A JSON body (application/json); `discarded` (the default) means none.
    nlohmann::json json = nlohmann::json(nlohmann::json::value_t::discarded);
    /// Replaces the session's timeout for this request.
    std::optional<ClientTimeout> timeout = std::nullopt;
    bool allow_redirects = true;
    /// The redirect that makes this many raises TooManyRedirects; 0: no bound (as aiohttp).
    int max_redirects = 10;
    /// Replaces the session's raise_for_status for this request.
    std::optional<bool> raise_for_status = std::nullopt;
    /// The TLS context for https (null: the connector's).
    std::shared_ptr<SSLContext> ssl = nullptr;
    /// False: do not check the server's certificate (aiohttp's `ssl=False`).
    bool verify_ssl = true;
};

struct ClientSessionOptions {
    /// The pool to draw connections from (shared by several sessions, if you like); null: the
    /// session makes its own TCPConnector with the default options.
    std::shared_ptr<TCPConnector> connector = nullptr;
    /// Sent with every request.
    Headers headers = {};
    ClientTimeout timeout = {};
    /// Call raise_for_status() on every response.
    bool raise_for_status = false;
    /// Decode gzip and deflate bodies (and send `Accept-Encoding: gzip, deflate`).
    bool auto_decompress = true;
    /// Where the session keeps cookies: each response's Set-Cookie is stored (redirect hops
    /// too) and the matching ones are sent as Cookie. Null: a CookieJar of the session's own
    /// (as aiohttp: it refuses cookies from IP-address hosts unless made with `unsafe`); a
    /// DummyCookieJar keeps none.
    std::shared_ptr<CookieJar> cookie_jar = nullptr;
};

class ClientSession {
public:
    explicit ClientSession(ClientSessionOptions options = {});
    ClientSession(const ClientSession&) = delete;
    ClientSession& operator=(const ClientSession&) = delete;
    /// Closes the connector if the session made it. Requests still running in other tasks must
    /// end first (finish, or be cancelled and awaited): they run on the session as a member
    /// function runs on its object. Python keeps a session alive while a request refers to it;
    /// C++ does not (see the gather_scoped of examples/hn_comments/hn_crawl.hpp).
    ~ClientSession();

    /// Sends a request and returns once the response head has arrived. See the file's comment.
    Coro<ClientResponse> request(std::string method, std::string url, RequestOptions options = {});
    Coro<ClientResponse> get(std::string url, RequestOptions options = {});
    Coro<ClientResponse> post(std::string url, RequestOptions options = {});
    Coro<ClientResponse> put(std::string url, RequestOptions options = {});
    Coro<ClientResponse> patch(std::string url, RequestOptions options = {});
    /// DELETE (`delete` is a C++ keyword).
    Coro<ClientResponse> delete_(std::string url, RequestOptions options = {});
    Coro<ClientResponse> head(std::string url, RequestOptions options = {});
    Coro<ClientResponse> options(std::string url, RequestOptions options = {});

    /// Opens a WebSocket (aiohttp's `session.ws_connect`): ws://, wss://, http:// or https://,
    /// through the session's connector (TLS settings included), headers and cookies. The
    /// connection leaves the pool for good. Defined in the ws layer: include
    /// `aio/ws/websocket.hpp` (and link `aio::ws`) to call it; see there for the options.
    ///
    /// Throws: InvalidURL, the connection errors of request(), WSServerHandshakeError (a status
    /// other than 101, or a 101 whose Upgrade, Connection, Sec-WebSocket-Accept, protocol or
    /// extensions are wrong), aio::TimeoutError (`WSConnectOptions::timeout`).
    Coro<ws::WebSocket> ws_connect(std::string url);
    Coro<ws::WebSocket> ws_connect(std::string url, const ws::WSConnectOptions& options);

    /// Closes the session (and its connector if it made it); later requests raise
    /// ClientConnectionError. Idempotent.
    void close() noexcept;
    bool closed() const noexcept { return closed_; }
    TCPConnector& connector() noexcept { return *connector_; }
    const Headers& headers() const noexcept { return options_.headers; }
    CookieJar& cookie_jar() noexcept { return *cookie_jar_; }

private:
    Coro<ClientResponse> send(std::string_view method, const URL& url, const Headers& headers,
                              const std::string& body, const RequestOptions& options, const ClientTimeout& timeout,
                              std::optional<TimePoint> deadline);

    // A 101 response's connection, out of the pool: its transport and the bytes after the head.
    static TakenOver take_over(ClientResponse& upgraded);

    ClientSessionOptions options_;
    std::shared_ptr<TCPConnector> connector_;
    std::shared_ptr<CookieJar> cookie_jar_;
    bool owns_connector_ = false;
    bool closed_ = false;
};

}  // namespace aio::http
