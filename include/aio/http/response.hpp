#pragma once
/// aio::http::Response and StreamResponse — what a server handler answers with (aiohttp's
/// web.Response and web.StreamResponse).
///
/// A Response holds its whole body: the server sends the head and the body with one write, with
/// Content-Length. A StreamResponse sends its head on prepare() and the body piece by piece;
/// write() waits while the connection's write buffer is over its high-water mark, so a slow
/// client slows the handler instead of growing memory.
///
/// ```
/// aio::Coro<aio::http::Response> hello(aio::http::Request&) {
///     co_return aio::http::Response("Hello, World!");            // 200, text/plain
/// }
/// aio::Coro<aio::http::Response> numbers(aio::http::Request& req) {
///     aio::http::StreamResponse resp;                              // chunked
///     co_await resp.prepare(req);
///     for (int i = 0; i < 3; ++i) co_await resp.write(std::to_string(i) + "\n");
///     co_await resp.write_eof();
///     co_return resp;
/// }
/// ```

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "aio/core/coro.hpp"
#include "aio/http/headers.hpp"
#include "aio/http/set_cookie.hpp"

namespace aio::http {

class Request;
class StreamResponse;

/// The reason phrase of a status ("OK", "Not Found"); "Unknown" for a code it does not know.
std::string_view reason_phrase(int status) noexcept;

/// A complete response.
class Response {
public:
    /// 200 with `body`, text/plain (aiohttp's `web.Response(text=...)`).
    Response(std::string body = {}, int status = 200, std::string_view content_type = "text/plain")
        : status(status), body(std::move(body)), content_type(content_type) {}
    /// What a finished StreamResponse hands back to the server (its head and body are sent).
    Response(StreamResponse&& streamed) noexcept;

    int status = 200;
    /// Empty: the standard phrase of the status.
    std::string reason;
    std::string body;
    /// Sent as Content-Type unless `headers` has one; empty: none.
    std::string content_type;
    /// Further fields. The server adds Date, Server, Content-Length and Connection; fields of
    /// those names given here replace its own (Content-Length must then be right).
    Headers headers;

    /// Adds a Set-Cookie field (aiohttp's set_cookie), replacing the one this response already
    /// sets for `name`. ValueError for a bad name, value or attribute (see format_set_cookie).
    void set_cookie(std::string_view name, std::string_view value, const CookieOptions& options = {});
    /// Adds the Set-Cookie field that makes the client drop `name` (aiohttp's del_cookie).
    void del_cookie(std::string_view name, const DelCookieOptions& options = {});

    /// What a handler returns once it took the connection over (a WebSocket, see
    /// Request::take_over()): nothing more is sent for the request.
    static Response taken_over() {
        Response r;
        r.status = 101;  // what the access log shows for it (the 101 itself went out already)
        r.sent_ = true;
        return r;
    }

    /// True for the Response made from a StreamResponse (already on the wire) or taken_over().
    bool sent() const noexcept { return sent_; }
    /// The body bytes: those the StreamResponse wrote when sent(), else the size of `body`
    /// (aiohttp's body_length, for the access log).
    std::uint64_t body_length() const noexcept { return sent_ ? streamed_length_ : body.size(); }

private:
    bool sent_ = false;
    std::uint64_t streamed_length_ = 0;
};

/// A response whose body is written as it is produced.
///
/// Cancel safety: a cancelled write() leaves its bytes queued on the transport (they are sent);
/// the response is then unfinished, and the server closes the connection after the handler.
class StreamResponse {
public:
    explicit StreamResponse(int status = 200, std::string_view content_type = "text/plain")
        : status(status), content_type(content_type) {}
    StreamResponse(StreamResponse&&) noexcept = default;
    StreamResponse& operator=(StreamResponse&&) noexcept = default;

    int status = 200;
    std::string reason;
    std::string content_type;
    Headers headers;
    /// Known in advance: sent as Content-Length. Unset: chunked (HTTP/1.1), or the end of the
    /// body is the end of the connection (HTTP/1.0).
    std::optional<std::uint64_t> content_length;

    /// As Response::set_cookie; before prepare() (RuntimeError after: the head is sent).
    void set_cookie(std::string_view name, std::string_view value, const CookieOptions& options = {});
    /// As Response::del_cookie; before prepare().
    void del_cookie(std::string_view name, const DelCookieOptions& options = {});

    /// Sends the head. RuntimeError if another response was started for this request.
    Coro<void> prepare(Request& request);
    /// Sends `data` (a chunk, when chunked) and waits while the client is not keeping up.
    /// RuntimeError before prepare() or after write_eof(); ConnectionResetError once the client
    /// is gone. Nothing is sent for a HEAD request.
    Coro<void> write(std::string_view data);
    /// Sends `count` bytes of the open file `file_fd` from `offset` as body bytes, with
    /// aio::sendfile (the kernel copies them; read and written for TLS). Needs a content_length
    /// (a file is not chunked); the bytes count towards it. Nothing is sent for a HEAD request.
    /// RuntimeError as write(), and when the file ends before `count` bytes (the response is
    /// then unfinished: the connection closes).
    Coro<void> sendfile(int file_fd, std::uint64_t offset, std::uint64_t count);
    /// Ends the body (the last chunk, when chunked) and waits for the buffer to drain.
    Coro<void> write_eof();
    bool prepared() const noexcept { return request_ != nullptr; }
    bool finished() const noexcept { return finished_; }

private:
    friend class Response;
    Request* request_ = nullptr;
    bool chunked_ = false;
    bool head_only_ = false;
    bool finished_ = false;
    std::uint64_t written_ = 0;
};

}  // namespace aio::http
