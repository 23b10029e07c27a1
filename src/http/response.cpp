// aio::http::Response and StreamResponse: the head is built here, the bytes go through the
// connection (server_connection.cpp).

#include "aio/http/response.hpp"

#include "aio/core/exceptions.hpp"
#include "aio/http/request.hpp"
#include "aio/io/sendfile.hpp"
#include "server_connection.hpp"

namespace aio::http {

std::string_view reason_phrase(int status) noexcept {
    switch (status) {
    case 100: return "Continue";
    case 101: return "Switching Protocols";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 411: return "Length Required";
    case 413: return "Request Entity Too Large";
    case 414: return "Request-URI Too Long";
    case 415: return "Unsupported Media Type";
    case 417: return "Expectation Failed";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    default: return "Unknown";
    }
}

Response::Response(StreamResponse&& streamed) noexcept
    : status(streamed.status), sent_(true), streamed_length_(streamed.written_) {}

Coro<void> StreamResponse::prepare(Request& request) {
    if (request_) throw RuntimeError("StreamResponse.prepare() called twice");
    auto& conn = request.connection();
    if (conn.response_started()) throw RuntimeError("a response was already started for this request");
    const RequestHead& h = request.head();
    head_only_ = h.method == "HEAD" || status < 200 || status == 204 || status == 304;
    bool keep = conn.will_keep_alive();
    std::string head;
    detail::append_status_line(head, status, reason);
    if (!content_type.empty() && !headers.contains("Content-Type")) {
        head.append("Content-Type: ");
        head.append(content_type);
        head.append("\r\n");
    }
    if (content_length) {
        head.append("Content-Length: ");
        head.append(std::to_string(*content_length));
        head.append("\r\n");
    } else if (status >= 200 && status != 204 && status != 304) {
        if (h.version_minor >= 1) {
            chunked_ = true;
            head.append("Transfer-Encoding: chunked\r\n");
        } else {
            keep = false;  // HTTP/1.0: the body ends with the connection
        }
    }
    if (!keep) conn.finish_stream(false);
    conn.append_common_fields(head, keep);
    for (const auto& [n, v] : headers) {
        head.append(n);
        head.append(": ");
        head.append(v);
        head.append("\r\n");
    }
    head.append("\r\n");
    conn.start_stream(*this, request, head);
    request_ = &request;
    co_await conn.drain();
}

Coro<void> StreamResponse::write(std::string_view data) {
    if (!request_) throw RuntimeError("StreamResponse.write() before prepare()");
    if (finished_) throw RuntimeError("StreamResponse.write() after write_eof()");
    if (data.empty() || head_only_) co_return;
    auto& conn = request_->connection();
    if (content_length && written_ + data.size() > *content_length)
        throw RuntimeError("StreamResponse.write(): more bytes than its content_length");
    written_ += data.size();
    if (chunked_) {
        char size[24];
        int n = std::snprintf(size, sizeof size, "%zx\r\n", data.size());
        co_await conn.write_chunk(std::string_view(size, static_cast<std::size_t>(n)), data, "\r\n");
    } else {
        co_await conn.write_chunk({}, data, {});
    }
}

Coro<void> StreamResponse::sendfile(int file_fd, std::uint64_t offset, std::uint64_t count) {
    if (!request_) throw RuntimeError("StreamResponse.sendfile() before prepare()");
    if (finished_) throw RuntimeError("StreamResponse.sendfile() after write_eof()");
    if (!content_length) throw RuntimeError("StreamResponse.sendfile() needs a content_length");
    if (written_ + count > *content_length)
        throw RuntimeError("StreamResponse.sendfile(): more bytes than its content_length");
    if (count == 0 || head_only_) co_return;
    auto& conn = request_->connection();
    co_await conn.drain();
    std::size_t sent = co_await aio::sendfile(conn.transport(), file_fd, offset, count);
    written_ += sent;
    if (sent != count) {
        conn.finish_stream(false);
        throw RuntimeError("StreamResponse.sendfile(): the file ended early (was it truncated?)");
    }
    co_await conn.drain();
}

Coro<void> StreamResponse::write_eof() {
    if (!request_) throw RuntimeError("StreamResponse.write_eof() before prepare()");
    if (finished_) co_return;
    finished_ = true;
    auto& conn = request_->connection();
    bool complete = head_only_ || !content_length || written_ == *content_length;
    if (chunked_ && !head_only_) co_await conn.write_chunk("0\r\n\r\n", {}, {});
    // HTTP/1.0 without a length already asked for the close; this keeps that.
    if (!complete || (!chunked_ && !content_length && !head_only_)) conn.finish_stream(false);
    else conn.finish_stream(true);
    co_await conn.drain();
}

}  // namespace aio::http
