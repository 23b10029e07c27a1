#pragma once
/// aio::http::Request — one HTTP request as a server handler sees it (aiohttp's BaseRequest):
/// the method, target and header fields are views into the connection's read buffer, valid while
/// the handler runs; the body is read on demand, as a stream or whole.
///
/// ```
/// aio::Coro<aio::http::Response> echo(aio::http::Request& req) {
///     std::string body = co_await req.read();       // the whole body, at most client_max_size
///     co_return aio::http::Response(std::move(body));
/// }
/// ```
///
/// The first read of the body of an `Expect: 100-continue` request sends `100 Continue` (as
/// aiohttp); a handler that answers without reading it never asks the client for the body.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "aio/core/coro.hpp"
#include "aio/gen/async_generator.hpp"
#include "aio/http/parser.hpp"
#include "aio/io/transport.hpp"

namespace aio::http {

namespace detail {
class ServerConnection;
}

/// An error with an HTTP status that the server answers with (aiohttp's HTTPException): thrown by
/// the body readers (413 over client_max_size, 400 for a malformed body) or by a handler.
class HTTPException : public RuntimeError {
public:
    HTTPException(int status, std::string text) : RuntimeError(std::move(text)), status_(status) {}
    int status() const noexcept { return status_; }

private:
    int status_;
};

/// The request body as a stream (aiohttp's StreamReader `request.content`). Each read copies the
/// bytes out of the connection's buffer, so what it returns is the caller's.
///
/// Cancel safety: a cancelled read loses no body bytes; the next read returns them.
class BodyStream {
public:
    /// Up to `n` bytes as soon as some are there; empty at the end of the body.
    Coro<std::string> read(std::size_t n);
    /// Whatever is buffered (at least one byte unless the body ended).
    Coro<std::string> readany();
    /// Exactly `n` bytes. IncompleteReadError-like HTTPException(400) if the body ends first.
    Coro<std::string> readexactly(std::size_t n);
    /// The rest of the body, however long (no client_max_size: this is the streaming reader).
    Coro<std::string> read_all();
    /// The body in pieces of at most `n` bytes (aiohttp's iter_chunked).
    AsyncGenerator<std::string> iter_chunked(std::size_t n);
    /// True once the whole body was read.
    bool at_eof() const noexcept;

private:
    friend class Request;
    explicit BodyStream(detail::ServerConnection* c) noexcept : conn_(c) {}
    detail::ServerConnection* conn_;
};

/// What a handler gets when it takes the connection over (see Request::take_over()).
struct TakenOver {
    /// The connection. Set a protocol on it (`set_protocol`) to receive what comes next.
    std::shared_ptr<Transport> transport;
    /// The bytes that followed the request's head (the new protocol's first bytes).
    std::string tail;
};

class Request {
public:
    std::string_view method() const noexcept { return head_->method; }
    /// The request target as sent (`/path?query`).
    std::string_view target() const noexcept { return head_->target; }
    /// The target up to `?` (not percent-decoded).
    std::string_view path() const noexcept;
    /// What follows `?` in the target, empty if none.
    std::string_view query_string() const noexcept;
    int version_major() const noexcept { return head_->version_major; }
    int version_minor() const noexcept { return head_->version_minor; }
    /// The header fields in wire order, as views.
    std::span<const HeaderField> headers() const noexcept { return head_->headers; }
    /// The first value of a field (case-insensitive name), empty if absent.
    std::string_view header(std::string_view name) const noexcept { return head_->header(name); }
    bool has_header(std::string_view name) const noexcept { return head_->has_header(name); }
    /// The parsed head itself.
    const RequestHead& head() const noexcept { return *head_; }
    /// Whether the client allows another request on the connection after this one.
    bool keep_alive() const noexcept { return head_->keep_alive; }
    /// The Content-Length, if the body is framed by one.
    std::optional<std::uint64_t> content_length() const noexcept;
    /// Whether there is a body at all (Content-Length above 0, or chunked).
    bool can_read_body() const noexcept;
    /// The peer's address ("peername").
    SocketAddress remote() const;

    /// The body as a stream.
    BodyStream& content() noexcept { return content_; }
    /// The whole body. HTTPException(413) if it is over ServerOptions::client_max_size, raised
    /// before a byte of it is read when Content-Length announces it; the connection is closed
    /// after the 413. HTTPException(400) for a malformed body.
    Coro<std::string> read();
    /// read(), as text (the bytes as they are: no charset decoding).
    Coro<std::string> text();
    /// read(), parsed as JSON. HTTPException(400) if it is not JSON.
    Coro<nlohmann::json> json();

    /// Takes the connection over (the WebSocket handshake, CONNECT, any Upgrade): the server
    /// stops reading and writing on it and forgets it once the handler returns; the handler
    /// writes its own response head (`101 Switching Protocols`, ...) on the transport. Returns
    /// the transport and the bytes received after this request's head. Reading is paused: call
    /// `set_protocol()` with the new protocol, hand it the tail, then `resume_reading()`. The
    /// handler's return value is then ignored. RuntimeError if a response was already started,
    /// ConnectionResetError if the client is gone.
    TakenOver take_over();

    /// The connection's transport (its extra info, its write buffer). ConnectionResetError once
    /// the client is gone.
    Transport& transport() const;

    /// The connection's server-side state, for StreamResponse and the layers above.
    detail::ServerConnection& connection() const noexcept { return *conn_; }

    Request(const Request&) = delete;
    Request& operator=(const Request&) = delete;

    /// Made by the server for each request head.
    Request(detail::ServerConnection* conn, const RequestHead* head) noexcept
        : conn_(conn), head_(head), content_(conn) {}

private:
    detail::ServerConnection* conn_;
    const RequestHead* head_;
    BodyStream content_;
};

}  // namespace aio::http
