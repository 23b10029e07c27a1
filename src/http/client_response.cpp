#include "aio/http/client_response.hpp"

#include <algorithm>

#include "aio/http/client_errors.hpp"
#include "http/client_body.hpp"
#include "http/ascii.hpp"

namespace aio::http {

namespace {

using aio::http::ascii::lower;

std::string trimmed_lower(std::string_view s) { return lower(aio::http::ascii::trim(s)); }

// ISO-8859-1 bytes to UTF-8: each byte is the code point of the same value.
std::string latin1_to_utf8(std::string_view in) {
    std::string out;
    out.reserve(in.size());
    for (unsigned char c : in) {
        if (c < 0x80) {
            out += static_cast<char>(c);
        } else {
            out += static_cast<char>(0xC0 | (c >> 6));
            out += static_cast<char>(0x80 | (c & 0x3F));
        }
    }
    return out;
}

}  // namespace

// ---- StreamContent ----------------------------------------------------------------------------

Coro<std::string> StreamContent::read(std::ptrdiff_t n) {
    if (!body_) co_return std::string();
    auto& b = *body_;
    if (n < 0) {
        for (bool more = true; more;) more = co_await b.fill();
        co_return b.take(b.available());
    }
    if (n == 0) co_return std::string();
    if (b.available() == 0) co_await b.fill();
    co_return b.take(static_cast<std::size_t>(n));
}

Coro<std::string> StreamContent::readany() {
    if (!body_) co_return std::string();
    auto& b = *body_;
    if (b.available() == 0) co_await b.fill();
    co_return b.take(b.available());
}

Coro<std::string> StreamContent::readline() {
    if (!body_) co_return std::string();
    auto& b = *body_;
    std::size_t scanned = 0;
    for (;;) {
        std::size_t nl = b.pending.find('\n', b.pending_pos + scanned);
        if (nl != std::string::npos) co_return b.take(nl + 1 - b.pending_pos);
        scanned = b.available();
        bool more = co_await b.fill();
        if (!more) co_return b.take(b.available());
    }
}

Coro<std::string> StreamContent::readexactly(std::size_t n) {
    if (!body_) {
        if (n == 0) co_return std::string();
        throw ClientPayloadError("Response payload ended before " + std::to_string(n) + " bytes");
    }
    auto& b = *body_;
    while (b.available() < n) {
        bool more = co_await b.fill();
        if (!more)
            throw ClientPayloadError(std::to_string(b.available()) + " bytes read on a total of " +
                                     std::to_string(n) + " expected bytes");
    }
    co_return b.take(n);
}

namespace {

// g++ 12 hung on `if (!co_await body->fill()) break;` here (the gcc-debug run of
// ContentStreamReadsLinesChunksAndExactCounts): in this file a co_await is never part of a
// condition or a conditional expression; its result goes into a named variable first.
AsyncGenerator<std::string> chunks_of(std::shared_ptr<detail::BodyReader> body, std::size_t n) {
    if (!body) co_return;
    if (n == 0) n = 1;
    for (;;) {
        bool more = true;
        while (more && body->available() < n) more = co_await body->fill();
        if (body->available() == 0) co_return;
        std::string chunk = body->take(n);
        co_yield std::move(chunk);
    }
}

AsyncGenerator<std::string> pieces_of(std::shared_ptr<detail::BodyReader> body) {
    if (!body) co_return;
    for (;;) {
        if (body->available() == 0) {
            bool more = co_await body->fill();
            if (!more) co_return;
        }
        std::string piece = body->take(body->available());
        co_yield std::move(piece);
    }
}

}  // namespace

AsyncGenerator<std::string> StreamContent::iter_chunked(std::size_t n) { return chunks_of(body_, n); }
AsyncGenerator<std::string> StreamContent::iter_any() { return pieces_of(body_); }

bool StreamContent::at_eof() const noexcept { return !body_ || (body_->finished() && body_->available() == 0); }

// ---- ClientResponse ---------------------------------------------------------------------------

ClientResponse::~ClientResponse() { release(); }

void ClientResponse::release() noexcept {
    if (body_ && !body_->finished()) body_->abort();
}

std::string ClientResponse::content_type() const {
    auto v = headers.get("Content-Type");
    if (!v) return "application/octet-stream";
    std::string_view s = *v;
    return trimmed_lower(s.substr(0, s.find(';')));
}

std::string ClientResponse::charset() const {
    auto v = headers.get("Content-Type");
    if (!v) return {};
    std::string_view s = *v;
    for (std::size_t semi = s.find(';'); semi != std::string_view::npos; semi = s.find(';')) {
        s.remove_prefix(semi + 1);
        std::string_view param = s.substr(0, s.find(';'));
        std::size_t eq = param.find('=');
        if (eq == std::string_view::npos) continue;
        if (trimmed_lower(param.substr(0, eq)) != "charset") continue;
        std::string value = trimmed_lower(param.substr(eq + 1));
        if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
        return value;
    }
    return {};
}

Coro<std::string> ClientResponse::read() {
    if (!have_cached_) {
        cached_ = co_await content.read(-1);
        have_cached_ = true;
    }
    co_return cached_;
}

Coro<std::string> ClientResponse::text() {
    std::string body = co_await read();
    std::string cs = charset();
    if (cs == "iso-8859-1" || cs == "latin-1" || cs == "latin1" || cs == "iso8859-1" || cs == "l1")
        co_return latin1_to_utf8(body);
    co_return body;
}

Coro<nlohmann::json> ClientResponse::json(std::string_view expected) {
    std::string want(expected);
    if (!want.empty() && content_type() != trimmed_lower(want)) {
        throw ContentTypeError(url.without_credentials().str(), status,
                               "Attempt to decode JSON with unexpected mimetype: " + content_type(), headers);
    }
    std::string body = co_await read();
    co_return nlohmann::json::parse(body);
}

void ClientResponse::raise_for_status() const {
    if (status >= 400) throw ClientResponseError(url.without_credentials().str(), status, reason, headers);
}

}  // namespace aio::http
