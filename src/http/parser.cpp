#include "aio/http/parser.hpp"

#include <cstdint>

#include "aio/http/headers.hpp"
#include "http/parser_scan.hpp"

namespace aio::http {

std::string_view MessageHead::header(std::string_view name) const noexcept {
    for (const HeaderField& f : headers) {
        if (iequals(f.name, name)) return f.value;
    }
    return {};
}

bool MessageHead::has_header(std::string_view name) const noexcept {
    for (const HeaderField& f : headers) {
        if (iequals(f.name, name)) return true;
    }
    return false;
}

namespace {

// RFC 9112 9.3: HTTP/1.1 persists unless `close`; HTTP/1.0 only with `keep-alive`.
bool persists(const detail::Framing& f, int minor) noexcept {
    if (f.connection_close) return false;
    return minor >= 1 || f.connection_keep_alive;
}

void fill_common(MessageHead& head, const detail::HeadScan& scan, std::vector<HeaderField>& fields,
                 std::string_view buffer) {
    detail::make_fields(scan, buffer, fields);
    head.headers = fields;
    head.version_major = scan.start.version_major;
    head.version_minor = scan.start.version_minor;
}

}  // namespace

RequestParser::RequestParser(ParserLimits limits) : limits_(limits) {}

void RequestParser::reset() noexcept {
    head_ = RequestHead{};
    fields_.clear();
    scan_.fields.clear();
    scan_.unfolded.clear();
    auto fields = std::move(scan_.fields);  // keep the capacity for the next message
    auto unfolded = std::move(scan_.unfolded);
    scan_ = detail::HeadScan{};
    scan_.fields = std::move(fields);
    scan_.unfolded = std::move(unfolded);
    head_size_ = 0;
    error_ = ParseError::none;
}

void RequestParser::relocate(const char* from, std::size_t size, const char* to) noexcept {
    auto move = [&](std::string_view& v) {
        // Compared as integers: the views may point into another allocation.
        const auto at = reinterpret_cast<std::uintptr_t>(v.data());
        const auto base = reinterpret_cast<std::uintptr_t>(from);
        if (v.empty() || at < base || at - base + v.size() > size) return;
        v = std::string_view(to + (at - base), v.size());
    };
    move(head_.method);
    move(head_.target);
    for (HeaderField& f : fields_) {
        move(f.name);
        move(f.value);
    }
}

ParseStatus RequestParser::parse(std::string_view buffer) {
    if (error_ != ParseError::none) return ParseStatus::error;
    const ParseStatus status = detail::scan_head(scan_, buffer, limits_, head_size_, error_);
    if (status != ParseStatus::complete) return status;

    fill_common(head_, scan_, fields_, buffer);
    head_.method = buffer.substr(scan_.start.method_at, scan_.start.method_size);
    head_.target = buffer.substr(scan_.start.target_at, scan_.start.target_size);
    const detail::Framing f = detail::read_framing(head_.headers);
    auto fail = [this](ParseError e) {
        error_ = e;
        return ParseStatus::error;
    };
    // Host: exactly one on HTTP/1.1 (RFC 9112 3.2), at most one on 1.0.
    if (f.hosts > 1) return fail(ParseError::duplicate_host);
    if (f.hosts == 0 && head_.version_minor >= 1) return fail(ParseError::missing_host);
    if (f.bad_host) return fail(ParseError::bad_header_value);
    if (f.error != ParseError::none) return fail(f.error);
    // RFC 9112 6.1 and 6.3: the smuggling rules. Transfer-Encoding with Content-Length, or in an
    // HTTP/1.0 message, leaves the framing in doubt; a request's last coding must be chunked.
    if (f.has_transfer_encoding && f.has_length)
        return fail(ParseError::content_length_and_chunked);
    if (f.has_transfer_encoding && head_.version_minor == 0)
        return fail(ParseError::bad_transfer_encoding);
    if (f.has_transfer_encoding && !f.chunked) return fail(ParseError::bad_transfer_encoding);
    if (f.unknown_coding) return fail(ParseError::unknown_transfer_coding);

    const bool connect = head_.method == "CONNECT";
    if (connect) {
        head_.body = BodyKind::none;  // RFC 9110 9.3.6: the bytes after the head are the tunnel's
    } else if (f.chunked) {
        head_.body = BodyKind::chunked;
    } else if (f.has_length) {
        head_.body = BodyKind::length;
        head_.content_length = f.length;
    } else {
        head_.body = BodyKind::none;
    }
    head_.keep_alive = persists(f, head_.version_minor);
    head_.upgrade = connect || (f.connection_upgrade && f.has_upgrade);
    head_.expect_continue = f.expect_continue && head_.version_minor >= 1;
    return ParseStatus::complete;
}

ResponseParser::ResponseParser(ParserLimits limits) : limits_(limits) { scan_.response = true; }

void ResponseParser::reset() noexcept {
    head_ = ResponseHead{};
    fields_.clear();
    scan_.fields.clear();
    scan_.unfolded.clear();
    auto fields = std::move(scan_.fields);
    auto unfolded = std::move(scan_.unfolded);
    scan_ = detail::HeadScan{};
    scan_.response = true;
    scan_.fields = std::move(fields);
    scan_.unfolded = std::move(unfolded);
    head_size_ = 0;
    error_ = ParseError::none;
}

ParseStatus ResponseParser::parse(std::string_view buffer, std::string_view request_method) {
    if (error_ != ParseError::none) return ParseStatus::error;
    const ParseStatus status = detail::scan_head(scan_, buffer, limits_, head_size_, error_);
    if (status != ParseStatus::complete) return status;

    fill_common(head_, scan_, fields_, buffer);
    head_.status = scan_.start.status;
    head_.reason = buffer.substr(scan_.start.method_at, scan_.start.method_size);
    const detail::Framing f = detail::read_framing(head_.headers);
    auto fail = [this](ParseError e) {
        error_ = e;
        return ParseStatus::error;
    };
    if (f.error != ParseError::none) return fail(f.error);
    if (f.has_transfer_encoding && f.has_length)
        return fail(ParseError::content_length_and_chunked);
    if (f.has_transfer_encoding && head_.version_minor == 0)
        return fail(ParseError::bad_transfer_encoding);

    const int s = head_.status;
    const bool connect_ok = request_method == "CONNECT" && s >= 200 && s < 300;
    head_.upgrade = s == 101 || connect_ok;
    head_.keep_alive = persists(f, head_.version_minor);
    // RFC 9112 6.3, in its order.
    if (request_method == "HEAD" || (s >= 100 && s < 200) || s == 204 || s == 304 || connect_ok) {
        head_.body = BodyKind::none;
    } else if (f.has_transfer_encoding) {
        head_.body = f.chunked ? BodyKind::chunked : BodyKind::until_close;
    } else if (f.has_length) {
        head_.body = BodyKind::length;
        head_.content_length = f.length;
    } else {
        head_.body = BodyKind::until_close;
    }
    if (head_.body == BodyKind::until_close) head_.keep_alive = false;
    return ParseStatus::complete;
}

}  // namespace aio::http
