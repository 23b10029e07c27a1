#pragma once
/// aiohttp's ClientResponse and its `content` stream: what `co_await session.get(url)` returns
/// once the response head has arrived. The body is read on demand.
///
/// ```
/// auto r = co_await session.get("http://127.0.0.1:8080/profile");
/// r.status;                          // 200
/// r.headers.get("Content-Type");     // "application/json"
/// nlohmann::json j = co_await r.json();
///
/// auto big = co_await session.get(url);
/// auto chunks = big.content.iter_chunked(64 * 1024);
/// while (auto chunk = co_await chunks.next()) sink(*chunk);
/// ```
///
/// The connection goes back to the pool as soon as the body has been read to its end. A response
/// dropped (or release()d) before that closes its connection instead: the rest of the body is
/// never read into the void. A response may outlive its session.
///
/// Deadlines: the request's ClientTimeout (`total`, `sock_read`) still applies while the body is
/// read; one that passes raises aio::TimeoutError and closes the connection.
///
/// Cancel safety: cancelling a body read closes the connection; the response then reads as
/// failed (ClientConnectionError).

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "aio/core/coro.hpp"
#include "aio/gen/async_generator.hpp"
#include "aio/http/headers.hpp"
#include "aio/http/url.hpp"

namespace aio::http {

namespace detail {
class BodyReader;
}

/// The body as a stream (aiohttp's StreamReader at `response.content`). Every read returns
/// owned bytes; an empty result means the body has ended.
///
/// Throws (every read): ClientPayloadError for a truncated or malformed body (a chunked body cut
/// short, fewer bytes than Content-Length, bad compressed data), aio::TimeoutError,
/// ClientConnectionError after a cancelled read.
class StreamContent {
public:
    StreamContent() = default;
    explicit StreamContent(std::shared_ptr<detail::BodyReader> body) noexcept : body_(std::move(body)) {}

    /// Up to `n` bytes, at least one unless the body has ended; the whole rest when `n < 0`.
    Coro<std::string> read(std::ptrdiff_t n = -1);
    /// Whatever has arrived (at least one byte), or "" at the end.
    Coro<std::string> readany();
    /// The next line, its "\n" included ("" at the end; the last line may lack its "\n").
    Coro<std::string> readline();
    /// Exactly `n` bytes; ClientPayloadError if the body ends first.
    Coro<std::string> readexactly(std::size_t n);
    /// The body in pieces of `n` bytes (the last may be shorter): aiohttp's
    /// `async for chunk in resp.content.iter_chunked(n)`.
    AsyncGenerator<std::string> iter_chunked(std::size_t n);
    /// The body in pieces as they arrive (aiohttp's iter_any()).
    AsyncGenerator<std::string> iter_any();
    /// True once every byte of the body has been read.
    bool at_eof() const noexcept;

private:
    std::shared_ptr<detail::BodyReader> body_;
};

class ClientResponse {
public:
    ClientResponse() = default;
    ClientResponse(ClientResponse&&) noexcept = default;
    ClientResponse& operator=(ClientResponse&&) noexcept = default;
    /// Closes the connection if the body was not read to its end.
    ~ClientResponse();

    std::string method;  ///< of the request this answers
    URL url;             ///< the URL this response came from (after redirects)
    int status = 0;
    std::string reason;
    int version_major = 1;
    int version_minor = 1;
    Headers headers;
    /// The redirect responses that led here, oldest first (their bodies are not kept).
    std::vector<ClientResponse> history;
    StreamContent content;

    /// `status < 400`.
    bool ok() const noexcept { return status < 400; }
    /// The media type of Content-Type, lower-cased, without parameters ("application/octet-stream"
    /// when absent).
    std::string content_type() const;
    /// The charset parameter of Content-Type, lower-cased ("" if none).
    std::string charset() const;

    /// The whole body (decoded, if it was sent gzip or deflate). Read once and kept: later calls
    /// return the same bytes.
    Coro<std::string> read();
    /// The body as text. aio keeps text as UTF-8 bytes in std::string: a body in utf-8 (the
    /// default), us-ascii or an unknown charset is returned as it is; iso-8859-1 (latin-1) is
    /// converted to UTF-8.
    Coro<std::string> text();
    /// The body parsed as JSON. ContentTypeError if Content-Type is not `content_type` (aiohttp's
    /// check; an empty `content_type` skips it); nlohmann's parse_error for malformed JSON.
    Coro<nlohmann::json> json(std::string_view content_type = "application/json");
    /// ClientResponseError (status, reason, headers, URL) if status >= 400.
    void raise_for_status() const;
    /// Gives the connection back (pooled if the body was read to its end, else closed).
    void release() noexcept;

private:
    std::shared_ptr<detail::BodyReader> body_;
    std::string cached_;
    bool have_cached_ = false;
    friend class ClientSession;
};

}  // namespace aio::http
