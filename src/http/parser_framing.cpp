#include "aio/http/headers.hpp"
#include "http/parser_chars.hpp"
#include "http/parser_scan.hpp"

namespace aio::http::detail {

namespace {

// Calls `each` with every non-empty element of a comma-separated list, OWS trimmed (RFC 9110
// 5.6.1: empty elements are ignored).
template <typename F>
void for_each_element(std::string_view list, F&& each) {
    while (true) {
        const auto comma = list.find(',');
        const std::string_view item = trim_ows(list.substr(0, comma));
        if (!item.empty()) each(item);
        if (comma == std::string_view::npos) return;
        list.remove_prefix(comma + 1);
    }
}

// Content-Length = 1*DIGIT; "5, 5" is one value given twice (RFC 9110 8.6).
ParseError read_content_length(std::string_view value, Framing& f) {
    bool any = false;
    ParseError error = ParseError::none;
    for_each_element(value, [&](std::string_view item) {
        if (error != ParseError::none) return;
        any = true;
        std::uint64_t n = 0;
        for (char c : item) {
            if (!is_digit(c)) {
                error = ParseError::bad_content_length;
                return;
            }
            const auto d = static_cast<std::uint64_t>(c - '0');
            if (n > (UINT64_MAX - d) / 10) {
                error = ParseError::bad_content_length;
                return;
            }
            n = n * 10 + d;
        }
        if (f.has_length && f.length != n) {
            error = ParseError::conflicting_content_length;
            return;
        }
        f.has_length = true;
        f.length = n;
    });
    if (error == ParseError::none && !any) error = ParseError::bad_content_length;
    return error;
}

bool known_coding(std::string_view c) noexcept {
    return iequals(c, "gzip") || iequals(c, "x-gzip") || iequals(c, "deflate") ||
           iequals(c, "compress") || iequals(c, "x-compress");
}

// Transfer-Encoding = #transfer-coding (RFC 9112 6.1): chunked at most once, and only last.
ParseError read_transfer_encoding(std::string_view value, Framing& f) {
    bool any = false;
    ParseError error = ParseError::none;
    for_each_element(value, [&](std::string_view item) {
        if (error != ParseError::none) return;
        any = true;
        const auto semi = item.find(';');
        const std::string_view coding = trim_ows(item.substr(0, semi));
        for (char c : coding) {
            if (!is(c, tchar)) error = ParseError::bad_transfer_encoding;
        }
        if (coding.empty() || error != ParseError::none) {
            error = ParseError::bad_transfer_encoding;
            return;
        }
        if (f.chunked) {  // something after chunked, or chunked twice
            error = ParseError::bad_transfer_encoding;
            return;
        }
        if (iequals(coding, "chunked")) {
            if (semi != std::string_view::npos) {  // chunked takes no parameters
                error = ParseError::bad_transfer_encoding;
                return;
            }
            f.chunked = true;
        } else if (!known_coding(coding)) {
            f.unknown_coding = true;
        }
    });
    if (error == ParseError::none && !any) error = ParseError::bad_transfer_encoding;
    return error;
}

// Host = uri-host [ ":" port ] (RFC 9110 7.2): reg-name, IPv4 or an IP-literal in brackets; no
// userinfo, path or whitespace, which a proxy and a server might read differently.
bool valid_host(std::string_view host) noexcept {
    for (char c : host) {
        if (!is(c, target_char) || c == '/' || c == '?' || c == '@') return false;
    }
    return true;
}

void read_connection(std::string_view value, Framing& f) {
    for_each_element(value, [&](std::string_view token) {
        if (iequals(token, "close"))
            f.connection_close = true;
        else if (iequals(token, "keep-alive"))
            f.connection_keep_alive = true;
        else if (iequals(token, "upgrade"))
            f.connection_upgrade = true;
    });
}

}  // namespace

Framing read_framing(std::span<const HeaderField> fields) noexcept {
    Framing f;
    for (const HeaderField& h : fields) {
        ParseError e = ParseError::none;
        switch (h.name.size()) {
            case 4:
                if (iequals(h.name, "host")) {
                    ++f.hosts;
                    if (!valid_host(h.value)) f.bad_host = true;
                }
                break;
            case 6:
                if (iequals(h.name, "expect") && iequals(h.value, "100-continue"))
                    f.expect_continue = true;
                break;
            case 7:
                if (iequals(h.name, "upgrade")) f.has_upgrade = true;
                break;
            case 10:
                if (iequals(h.name, "connection")) read_connection(h.value, f);
                break;
            case 14:
                if (iequals(h.name, "content-length")) e = read_content_length(h.value, f);
                break;
            case 17:
                if (iequals(h.name, "transfer-encoding")) {
                    f.has_transfer_encoding = true;
                    e = read_transfer_encoding(h.value, f);
                }
                break;
            default:
                break;
        }
        if (e != ParseError::none && f.error == ParseError::none) f.error = e;
    }
    return f;
}

}  // namespace aio::http::detail
