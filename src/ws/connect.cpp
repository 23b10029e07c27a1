// The client's side: ClientSession::ws_connect (declared in aio/http/client.hpp, defined here
// so that the HTTP layer knows nothing of WebSockets). The handshake is an ordinary request
// through the session's connector; its 101 connection leaves the pool for the protocol.

#include <cctype>

#include "aio/core/event_loop.hpp"
#include "aio/http/client.hpp"
#include "aio/http/request.hpp"
#include "aio/ws/handshake.hpp"
#include "aio/ws/websocket.hpp"
#include "ws/connection.hpp"

namespace aio::http {

Coro<ws::WebSocket> ClientSession::ws_connect(std::string url) {
    ws::WSConnectOptions o;
    co_return co_await ws_connect(std::move(url), o);
}

Coro<ws::WebSocket> ClientSession::ws_connect(std::string url_text, const ws::WSConnectOptions& options) {
    if (closed_) throw ClientConnectionError("Session is closed", url_text);
    URL url(url_text);
    if (!url.is_absolute() || url.host().empty()) throw InvalidURL(url_text, "an absolute ws(s) URL is needed");
    std::string scheme(url.scheme());
    for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (scheme == "ws")
        url = url.with_scheme("http");
    else if (scheme == "wss")
        url = url.with_scheme("https");
    else if (scheme != "http" && scheme != "https")
        throw InvalidURL(url_text, "the scheme is not ws, wss, http or https");
    url = url.with_fragment("");

    ws::ClientHandshakeOptions hso;
    hso.protocols = options.protocols;
    hso.compress = options.compress;
    hso.origin = options.origin;
    ws::ClientHandshake hs = ws::client_handshake(std::move(hso));

    // The session's headers, the caller's over them, the handshake's over both.
    Headers headers = options_.headers;
    for (const auto& [name, value] : options.headers) headers.erase(name);
    headers.extend(options.headers);
    for (const auto& [name, value] : hs.headers) headers.erase(name);
    headers.extend(hs.headers);

    RequestOptions ro;
    ro.verify_ssl = options.verify_ssl;
    ClientTimeout timeout = options_.timeout;
    std::optional<TimePoint> deadline;
    if (options.timeout) deadline = get_running_loop().time() + *options.timeout;
    static const std::string no_body;
    ClientResponse resp = co_await send("GET", url, headers, no_body, ro, timeout, deadline);

    std::string shown = url.without_credentials().str();
    ws::ClientHandshakeResult agreed = hs.check_response(resp.status, resp.headers, shown);
    TakenOver taken = take_over(resp);
    if (!taken.transport || taken.transport->is_closing())
        throw ServerDisconnectedError(shown);

    ws::detail::Config config = ws::detail::make_config(ws::Role::client, options, options.close_timeout,
                                                        agreed.deflate, std::move(agreed.protocol));
    auto conn = std::make_shared<ws::detail::Connection>(std::move(config));
    conn->start(std::move(taken.transport), taken.tail);
    co_return ws::WebSocket(std::move(conn));
}

}  // namespace aio::http
