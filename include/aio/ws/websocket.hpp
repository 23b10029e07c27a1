#pragma once
/// aio::ws::WebSocket — one open WebSocket connection, aiohttp's WebSocketResponse and
/// ClientWebSocketResponse in one type: the server gets it from aio::ws::accept() (or
/// web::WebSocketResponse::prepare()), the client from ClientSession::ws_connect().
///
/// ```
/// aio::Coro<aio::http::Response> echo(aio::http::Request& req) {
///     aio::ws::WebSocket ws = co_await aio::ws::accept(req);
///     while (auto msg = co_await ws.next()) {           // async for msg in ws
///         if (msg->type == aio::ws::WSMsgType::text) co_await ws.send_str(msg->data);
///         else if (msg->type == aio::ws::WSMsgType::binary) co_await ws.send_bytes(msg->data);
///     }
///     co_return aio::http::Response::taken_over();
/// }
///
/// aio::http::ClientSession session;
/// aio::ws::WebSocket ws = co_await session.ws_connect("ws://127.0.0.1:8080/");
/// co_await ws.send_str("hello");
/// aio::ws::WSMessage reply = co_await ws.receive();
/// co_await ws.close();
/// ```
///
/// The protocol runs in the transport's callbacks, not in the caller's task: frames are decoded
/// as they arrive, pings are answered (autoping), the peer's close is answered (autoclose), the
/// heartbeat and the close timeout are timers. Messages wait in a queue until receive() takes
/// them; past `WSOptions::max_queue` bytes queued, reading pauses until the user catches up, so
/// a user who never reads holds at most that plus one read's messages.
///
/// The handle is movable; the connection lives until it is closed and the handle dropped.
/// Dropping an open WebSocket sends a close frame (1001, going away) and closes TCP once it is
/// flushed, without waiting for the peer's answer (close() first for a full handshake).

#include <any>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <future>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "aio/core/clock.hpp"
#include "aio/core/coro.hpp"
#include "aio/http/client.hpp"
#include "aio/http/headers.hpp"
#include "aio/http/request.hpp"
#include "aio/ws/message.hpp"

namespace aio::ws {

namespace detail {
class Connection;
}

/// The settings of a connection, both sides (aiohttp's WebSocketResponse keyword arguments).
/// Every member is trivially destructible, so a braced temporary inside `co_await` is safe with
/// g++ 12; `protocols` is a view: the strings must outlive the accept() call.
struct WSOptions {
    /// How long close() waits for the peer's close frame (aiohttp's `timeout`).
    Duration timeout = std::chrono::seconds(10);
    /// receive() raises aio::TimeoutError after this long without a message; none by default.
    std::optional<Duration> receive_timeout = std::nullopt;
    /// Answer the peer's close frame at once, and finish the close handshake.
    bool autoclose = true;
    /// Answer pings with pongs, and do not hand pings and pongs to receive().
    bool autoping = true;
    /// Send a ping every `heartbeat`; no pong within half of it closes the connection (1006,
    /// exception() an aio::TimeoutError, a waiting receive() gets an error message).
    std::optional<Duration> heartbeat = std::nullopt;
    /// The largest message received, inflated (1009 past it); 0: no limit.
    std::size_t max_msg_size = 4 * 1024 * 1024;
    /// Server: accept a client's permessage-deflate offer (client: see WSConnectOptions).
    bool compress = true;
    /// Server: the subprotocols it speaks, in order of preference; the first one the client
    /// offers is chosen (none: no Sec-WebSocket-Protocol in the answer).
    std::span<const std::string_view> protocols = {};
    /// Bytes of received messages waiting for receive() past which reading pauses.
    std::size_t max_queue = 1024 * 1024;
    /// Server: the `Origin` values accepted (compared exactly, as python3-websockets' `origins`);
    /// "" in the list accepts a request without Origin (a non-browser client). Empty list: any
    /// origin. Another origin is refused with 403 before the 101, so a page on another site
    /// cannot open a socket with the user's cookies (cross-site WebSocket hijacking).
    std::span<const std::string_view> origins = {};
    /// Server: a check of your own, after `origins`: false refuses with 403. It gets the Origin
    /// (empty when absent) and the request (its Host, cookies...). A plain function so the
    /// options stay trivially destructible; state it needs lives where the function finds it.
    bool (*check_origin)(std::string_view origin, const http::Request& request) = nullptr;
};

/// The settings of ClientSession::ws_connect (aiohttp's ws_connect keyword arguments). Not all
/// trivially destructible (`headers`, `protocols`, `origin` own strings): with g++ 12, build it in
/// a named variable before the co_await.
struct WSConnectOptions {
    /// Offered as Sec-WebSocket-Protocol, in order.
    std::vector<std::string> protocols = {};
    /// The whole opening handshake (connect and 101) must finish in this (aiohttp's timeout.ws_connect).
    std::optional<Duration> timeout = std::chrono::seconds(10);
    /// How long close() waits for the server's close frame.
    Duration close_timeout = std::chrono::seconds(10);
    std::optional<Duration> receive_timeout = std::nullopt;
    bool autoclose = true;
    bool autoping = true;
    std::optional<Duration> heartbeat = std::nullopt;
    std::size_t max_msg_size = 4 * 1024 * 1024;
    /// Offer permessage-deflate.
    bool compress = true;
    /// Sent with the handshake (after the session's).
    http::Headers headers = {};
    /// Sent as Origin when not empty.
    std::string origin = {};
    /// False: do not check a wss:// server's certificate.
    bool verify_ssl = true;
    std::size_t max_queue = 1024 * 1024;
};

/// One message sent from another thread: its future is ready once the frame is on the
/// transport (or holds why not: ConnectionResetError once the connection is closed).
using ThreadSafeSend = std::shared_future<void>;

class ThreadSafeWriter;

class WebSocket {
public:
    /// An empty handle (no connection): every operation raises RuntimeError.
    WebSocket() noexcept;
    WebSocket(WebSocket&&) noexcept;
    WebSocket& operator=(WebSocket&&) noexcept;
    WebSocket(const WebSocket&) = delete;
    WebSocket& operator=(const WebSocket&) = delete;
    /// An open connection is closed without waiting (1001, see above).
    ~WebSocket();

    /// Sends a text message (aiohttp's send_str), then waits while the transport's write buffer
    /// is over its high-water mark. `compress` false sends it uncompressed with deflate on.
    /// ConnectionResetError once the connection is closing or closed.
    /// Cancel safety: the frame is queued whole before the wait, so a cancelled send leaves no
    /// half frame on the wire (the message is sent).
    Coro<void> send_str(std::string_view data, bool compress = true);
    Coro<void> send_bytes(std::string_view data, bool compress = true);
    /// send_str of `data.dump()`.
    Coro<void> send_json(const nlohmann::json& data, bool compress = true);
    /// Sends a ping, or a pong (unsolicited: a heartbeat). ValueError over 125 bytes.
    Coro<void> ping(std::string_view payload = {});
    Coro<void> pong(std::string_view payload = {});

    /// The next message: text, binary (ping and pong too without autoping), close when the peer
    /// closes (with autoclose, the close handshake is finished: later calls return closed),
    /// closing while our close waits for the peer's, closed once it is over, error (with
    /// `exception`) when the connection failed. aio::TimeoutError after `timeout` (or
    /// WSOptions::receive_timeout) without a message. RuntimeError if another receive() is
    /// waiting (aiohttp's "Concurrent call to receive() is not allowed").
    /// Cancel safety: a cancelled receive() loses no message; the next call returns it.
    Coro<WSMessage> receive(std::optional<Duration> timeout = std::nullopt);
    /// receive(), which must be text. WSMessageTypeError (a TypeError) otherwise.
    Coro<std::string> receive_str(std::optional<Duration> timeout = std::nullopt);
    /// receive(), which must be binary.
    Coro<std::string> receive_bytes(std::optional<Duration> timeout = std::nullopt);
    /// receive_str(), parsed as JSON.
    Coro<nlohmann::json> receive_json(std::optional<Duration> timeout = std::nullopt);
    /// The next message for `while (auto msg = co_await ws.next())`, aiohttp's `async for`:
    /// nullopt at close, closing and closed; error messages are handed out (then nullopt).
    Coro<std::optional<WSMessage>> next();

    /// Closes: sends a close frame with `code` and `message`, waits for the peer's (at most
    /// WSOptions::timeout: then close_code() is 1006 and exception() an aio::TimeoutError), and
    /// closes the TCP connection (the server at once, the client once the server closed or
    /// after a short wait). False if it was already closed. ValueError for a code that may not
    /// be sent (1005, 1006...).
    /// Cancel safety: cancelled while waiting, the connection is aborted (close_code() 1006).
    Coro<bool> close(std::uint16_t code = 1000, std::string_view message = {});
    Coro<bool> close(WSCloseCode code, std::string_view message = {}) {
        return close(static_cast<std::uint16_t>(code), message);
    }

    /// The close code: the peer's (or the one we sent when it never answered: 1006), nullopt
    /// while open.
    std::optional<std::uint16_t> close_code() const noexcept;
    /// True once the connection is closed (or our close is under way: aiohttp's `closed`).
    bool closed() const noexcept;
    /// What failed the connection, if anything.
    std::exception_ptr exception() const noexcept;
    /// The negotiated subprotocol, empty if none.
    std::string_view protocol() const noexcept;
    /// Whether permessage-deflate is on.
    bool compress() const noexcept;
    /// The transport's extra info ("peername", "sockname", "ssl_object"...).
    std::any get_extra_info(std::string_view name) const;
    /// Whether this is a server-side or client-side connection.
    bool is_client() const noexcept;

    /// A writer for other threads (see ThreadSafeWriter).
    ThreadSafeWriter threadsafe_writer() const;

    explicit operator bool() const noexcept { return static_cast<bool>(conn_); }

    /// Made by accept() and ws_connect().
    explicit WebSocket(std::shared_ptr<detail::Connection> conn) noexcept;

private:
    detail::Connection& conn() const;
    std::shared_ptr<detail::Connection> conn_;
};

/// Sends to a WebSocket from any thread (seed 004's ThreadSafeWebSocketWriter): each call
/// copies the message and posts it to the connection's loop with call_soon_threadsafe, where it
/// is framed and queued on the transport in the order of the calls. The returned future is
/// ready once the frame is queued (it does not wait for back-pressure: a thread that sends
/// faster than the peer reads should wait on it, or pace itself). Once the loop is gone or the
/// connection closed, the future holds ConnectionResetError. Copyable; copies share the order.
///
/// ```
/// auto writer = ws.threadsafe_writer();
/// co_await aio::to_thread([writer] { writer.send_str("from a worker").wait(); });
/// ```
class ThreadSafeWriter {
public:
    ThreadSafeSend send_str(std::string data) const;
    ThreadSafeSend send_bytes(std::string data) const;
    /// Starts a close (code and message as WebSocket::close) without waiting for it.
    ThreadSafeSend close(std::uint16_t code = 1000, std::string message = {}) const;

    struct State;
    explicit ThreadSafeWriter(std::shared_ptr<State> state) noexcept : state_(std::move(state)) {}

private:
    std::shared_ptr<State> state_;
};

/// The server's opening handshake on `request` (a GET with `Upgrade: websocket`): checks it
/// (400 for a malformed upgrade, 426 with `Sec-WebSocket-Version: 13` for another version; the
/// answer is sent and WSServerHandshakeError-like http::HTTPException raised), negotiates the
/// subprotocol and permessage-deflate, writes the 101, takes the connection over and starts the
/// protocol on it. The handler then returns http::Response::taken_over() (its value is ignored).
/// Throws http::HTTPException (400, 426) for a bad upgrade, ConnectionResetError if the client is
/// gone.
Coro<WebSocket> accept(http::Request& request, WSOptions options = {});

/// Whether `request` asks for a WebSocket (aiohttp's `ws.can_prepare(request)`): the checks of
/// accept() without answering.
bool can_accept(const http::Request& request) noexcept;

/// The error receive_str/receive_bytes/receive_json raise for a message of another type
/// (aiohttp raises TypeError).
class WSMessageTypeError : public RuntimeError {
public:
    using RuntimeError::RuntimeError;
};

}  // namespace aio::ws
