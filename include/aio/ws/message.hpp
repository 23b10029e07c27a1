#pragma once
/// WebSocket messages as the application sees them, aiohttp's names: WSMsgType, WSMessage,
/// WSCloseCode, and the errors WebSocketError and WSServerHandshakeError.
///
/// ```
/// while (auto msg = co_await ws.next()) {          // stops at close, closing, closed
///     if (msg->type == aio::ws::WSMsgType::text) co_await ws.send_str(msg->data);
///     else if (msg->type == aio::ws::WSMsgType::error) break;
/// }
/// ```

#include <cstdint>
#include <exception>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "aio/core/exceptions.hpp"
#include "aio/http/client_errors.hpp"
#include "aio/http/headers.hpp"

namespace aio::ws {

/// What a message is (aiohttp's WSMsgType). `text`, `binary`, `ping`, `pong` and `close` come
/// from the wire; `closing`, `closed` and `error` are states the connection reports.
enum class WSMsgType : std::uint8_t {
    text,     ///< a complete text message, valid UTF-8, in `data`
    binary,   ///< a complete binary message, in `data`
    ping,     ///< a ping's payload (at most 125 bytes) in `data`
    pong,     ///< a pong's payload in `data`
    close,    ///< the peer's close frame: `close_code` and the reason in `extra`
    closing,  ///< our close frame is sent, the peer's not yet received
    closed,   ///< the connection is closed
    error,    ///< the connection failed: `exception` holds why, `extra` describes it
};

/// The enumerator's name: "text", "binary", ...
const char* name(WSMsgType type) noexcept;

/// Close status codes (RFC 6455 7.4.1), aiohttp's WSCloseCode names. `abnormal_closure` (1006)
/// is never sent: it says the connection ended without a close frame.
enum class WSCloseCode : std::uint16_t {
    ok = 1000,
    going_away = 1001,
    protocol_error = 1002,
    unsupported_data = 1003,
    abnormal_closure = 1006,
    invalid_text = 1007,
    policy_violation = 1008,
    message_too_big = 1009,
    mandatory_extension = 1010,
    internal_error = 1011,
    service_restart = 1012,
    try_again_later = 1013,
    bad_gateway = 1014,
};

/// The code carried by a close frame without a payload (RFC 6455 7.1.5: "no status received").
/// Reported in WSMessage::close_code, never sent on the wire.
inline constexpr std::uint16_t close_code_none = 1005;

/// Whether `code` may appear in a close frame (RFC 6455 7.4): 1000-1003 and 1007-1014 (defined
/// or registered with IANA) and 3000-4999 (libraries, frameworks, applications). 1004, 1005,
/// 1006, 1015, codes below 1000, 1016-2999 and 5000 and above are not.
constexpr bool is_valid_close_code(std::uint16_t code) noexcept {
    return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}

/// A message, a control frame, or a state of the connection.
struct WSMessage {
    WSMsgType type = WSMsgType::closed;
    /// The payload: a text message's UTF-8, a binary message's bytes, a ping's or pong's data.
    std::string data;
    /// For `close`: the code the peer sent, close_code_none (1005) when its frame had none.
    std::uint16_t close_code = 0;
    /// For `close`: the reason the peer gave (UTF-8, maybe empty). For `error`: a description.
    std::string extra;
    /// For `error`: the exception that failed the connection (a WebSocketError, an OSError...).
    std::exception_ptr exception;

    /// `data` parsed as JSON (aiohttp's msg.json()). Throws nlohmann::json::parse_error if it is
    /// not JSON.
    nlohmann::json json() const;
    /// False for `close`, `closing` and `closed`: the end of `async for msg in ws` in aiohttp,
    /// which hands out `error` messages and stops at the others.
    explicit operator bool() const noexcept {
        return type != WSMsgType::close && type != WSMsgType::closing && type != WSMsgType::closed;
    }
};

/// A protocol violation, or a message refused by a limit (aiohttp's WebSocketError): `code()` is
/// the close code to send the peer (1002 protocol error, 1007 invalid text, 1009 too big...).
class WebSocketError : public RuntimeError {
public:
    WebSocketError(std::uint16_t code, const std::string& message) : RuntimeError(message), code_(code) {}
    WebSocketError(WSCloseCode code, const std::string& message)
        : WebSocketError(static_cast<std::uint16_t>(code), message) {}
    /// The close code that reports this error to the peer.
    std::uint16_t code() const noexcept { return code_; }

private:
    std::uint16_t code_;
};

/// The server refused the opening handshake, or answered it wrongly (aiohttp's
/// WSServerHandshakeError, a ClientResponseError): `status()` is the response's status (101 when
/// the 101 itself was wrong), `message()` says what was wrong.
class WSServerHandshakeError : public http::ClientResponseError {
public:
    using http::ClientResponseError::ClientResponseError;
};

}  // namespace aio::ws
