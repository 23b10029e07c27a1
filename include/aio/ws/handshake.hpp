#pragma once
/// The opening handshake (RFC 6455 4): the checks and the bytes, no I/O. The server checks a
/// request head and answers `101 Switching Protocols` or a clear 400, 403 or 426; the client makes
/// the request's fields and checks the server's answer.
///
/// ```
/// // server
/// aio::ws::ServerHandshakeOptions options;
/// options.protocols = {"chat.v2", "chat.v1"};
/// aio::ws::ServerHandshake hs = aio::ws::server_handshake(request.head(), options);
/// transport.write(hs.response_head());   // the 101, or the error response whole
/// if (!hs.ok()) co_return;
/// // hs.protocol, hs.deflate: what the connection runs with
///
/// // client
/// aio::ws::ClientHandshake hs = aio::ws::client_handshake({.compress = true});
/// // send a GET with hs.headers, then, with the response:
/// aio::ws::ClientHandshakeResult r = hs.check_response(response.status(), response.headers(), url);
/// ```

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aio/http/headers.hpp"
#include "aio/http/parser.hpp"
#include "aio/ws/deflate.hpp"
#include "aio/ws/message.hpp"

namespace aio::ws {

/// The `Sec-WebSocket-Accept` value for a `Sec-WebSocket-Key`: base64(SHA-1(key + the RFC's
/// GUID)), through OpenSSL. accept_key("dGhlIHNhbXBsZSBub25jZQ==") is
/// "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" (RFC 6455 1.3).
std::string accept_key(std::string_view sec_websocket_key);

/// A fresh `Sec-WebSocket-Key`: 16 random bytes (OpenSSL RAND_bytes), base64.
std::string make_key();

/// Whether `key` is the base64 of exactly 16 bytes (24 characters, ending "==").
bool is_valid_key(std::string_view key) noexcept;

/// What the server accepts. Not trivially destructible (the lists, the hook): build it once and
/// keep it, as the connection's settings.
struct ServerHandshakeOptions {
    /// The subprotocols we speak, in our order of preference; the first one the client also
    /// offered is chosen (aiohttp's rule). None chosen: no `Sec-WebSocket-Protocol` in the answer
    /// (the client decides whether to go on).
    std::vector<std::string> protocols;
    /// Negotiate permessage-deflate when the client offers it.
    bool compress = true;
    DeflateServerOptions deflate;
    /// Called with the `Origin` field (empty when absent); false refuses the handshake with 403.
    /// Empty: every origin is accepted.
    std::function<bool(std::string_view origin)> origin_check;
    /// Extra fields for the 101 response.
    http::Headers headers;
};

/// The server's verdict on an upgrade request.
struct ServerHandshake {
    /// 101 when accepted; else 400 (a malformed upgrade), 403 (origin refused), 405 (not GET),
    /// 426 (another Sec-WebSocket-Version).
    int status = 101;
    /// Why it was refused (the error response's body), empty when accepted.
    std::string reason;
    /// The `Sec-WebSocket-Accept` value.
    std::string accept;
    /// The chosen subprotocol, empty if none.
    std::string protocol;
    /// The negotiated permessage-deflate parameters, nullopt if off.
    std::optional<DeflateParams> deflate;
    /// Extra fields for the response (copied from the options).
    http::Headers headers;

    bool ok() const noexcept { return status == 101; }
    /// The whole response head to write: "HTTP/1.1 101 Switching Protocols", `Upgrade`,
    /// `Connection`, `Sec-WebSocket-Accept`, and `Sec-WebSocket-Protocol`,
    /// `Sec-WebSocket-Extensions` and the extra fields when they apply, then the blank line.
    /// When refused: the error response, head and text body, `Connection: close`, and for 426
    /// `Sec-WebSocket-Version: 13`.
    std::string response_head() const;
};

/// Checks an upgrade request (RFC 6455 4.2.1): GET, HTTP/1.1 or later, `Upgrade` holding the
/// token `websocket` and `Connection` the token `upgrade` (case-insensitive, among others),
/// `Sec-WebSocket-Key` the base64 of 16 bytes and present once, `Sec-WebSocket-Version: 13`
/// (another version: 426); then the origin hook, the subprotocol and permessage-deflate. Never
/// throws for a bad request: the verdict says what is wrong.
ServerHandshake server_handshake(const http::RequestHead& head, const ServerHandshakeOptions& options);

/// What the client asks for.
struct ClientHandshakeOptions {
    /// Subprotocols offered, in our order of preference.
    std::vector<std::string> protocols;
    /// Offer permessage-deflate.
    bool compress = true;
    DeflateClientOptions deflate;
    /// The `Origin` field to send, none when empty.
    std::string origin;
};

/// What the server agreed to.
struct ClientHandshakeResult {
    std::string protocol;  ///< empty if the server chose none
    std::optional<DeflateParams> deflate;
};

/// The client's side of one handshake: the key it sent, to check the answer against.
struct ClientHandshake {
    std::string key;
    /// The request's fields: `Upgrade: websocket`, `Connection: Upgrade`, `Sec-WebSocket-Key`,
    /// `Sec-WebSocket-Version: 13`, and `Sec-WebSocket-Protocol`, `Sec-WebSocket-Extensions`,
    /// `Origin` as asked.
    http::Headers headers;
    ClientHandshakeOptions options;

    /// Checks the server's answer (RFC 6455 4.1): status 101, `Upgrade: websocket`,
    /// `Connection: upgrade`, `Sec-WebSocket-Accept` matching our key, a protocol only among those
    /// offered, extensions only as offered. Throws WSServerHandshakeError (status, what is wrong,
    /// the headers, `url`) otherwise.
    ClientHandshakeResult check_response(int status, const http::Headers& headers, const std::string& url = {}) const;
    ClientHandshakeResult check_response(const http::ResponseHead& head, const std::string& url = {}) const;
};

/// A new client handshake with a fresh key.
ClientHandshake client_handshake(ClientHandshakeOptions options = {});

}  // namespace aio::ws
