// aio::http::Request and its body stream: thin views over the connection that owns the bytes.

#include "aio/http/request.hpp"

#include <nlohmann/json.hpp>

#include "aio/core/os_errors.hpp"
#include "server_connection.hpp"

namespace aio::http {

std::string_view Request::path() const noexcept {
    std::string_view t = head_->target;
    return t.substr(0, t.find('?'));
}

std::string_view Request::query_string() const noexcept {
    std::string_view t = head_->target;
    std::size_t q = t.find('?');
    return q == std::string_view::npos ? std::string_view{} : t.substr(q + 1);
}

std::optional<std::uint64_t> Request::content_length() const noexcept {
    if (head_->body != BodyKind::length) return std::nullopt;
    return head_->content_length;
}

bool Request::can_read_body() const noexcept {
    return head_->body == BodyKind::chunked || (head_->body == BodyKind::length && head_->content_length > 0);
}

Transport& Request::transport() const {
    if (!conn_->has_transport()) throw ConnectionResetError(ECONNRESET, "the client disconnected");
    return conn_->transport();
}

SocketAddress Request::remote() const {
    if (!conn_->has_transport()) return {};
    auto peer = conn_->transport().get_extra_info("peername");
    if (auto* a = std::any_cast<SocketAddress>(&peer)) return *a;
    return {};
}

Coro<std::string> Request::read() { return conn_->read_whole(true); }

Coro<std::string> Request::text() { return conn_->read_whole(true); }

Coro<nlohmann::json> Request::json() {
    std::string body = co_await conn_->read_whole(true);
    nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
    if (j.is_discarded()) throw HTTPException(400, "the request body is not JSON");
    co_return j;
}

TakenOver Request::take_over() { return conn_->take_over(); }

Coro<std::string> BodyStream::read(std::size_t n) {
    std::string out;
    co_await conn_->read_body(out, n);
    co_return out;
}

Coro<std::string> BodyStream::readany() { return read(64 * 1024); }

Coro<std::string> BodyStream::readexactly(std::size_t n) {
    std::string out;
    while (out.size() < n)
        if (!co_await conn_->read_body(out, n - out.size()))
            throw HTTPException(400, "the request body ended before " + std::to_string(n) + " bytes");
    co_return out;
}

Coro<std::string> BodyStream::read_all() { return conn_->read_whole(false); }

AsyncGenerator<std::string> BodyStream::iter_chunked(std::size_t n) {
    for (;;) {
        std::string piece;
        if (!co_await conn_->read_body(piece, n)) co_return;
        co_yield piece;
    }
}

bool BodyStream::at_eof() const noexcept { return conn_->body_done(); }

}  // namespace aio::http
