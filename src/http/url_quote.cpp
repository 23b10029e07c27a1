// quote/unquote and the query codecs (application/x-www-form-urlencoded), as yarl and urllib.

#include "aio/http/url.hpp"
#include "http/url_encoding.hpp"

namespace aio::http {

namespace detail {

int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

int escape_at(std::string_view text, std::size_t i) noexcept {
    if (i + 2 >= text.size()) return -1;
    const int hi = hex_value(text[i + 1]);
    const int lo = hex_value(text[i + 2]);
    return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
}

void append_escape(std::string& out, unsigned char byte) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    out += '%';
    out += kHex[byte >> 4];
    out += kHex[byte & 0x0f];
}

std::string requote(std::string_view text, const ByteSet& allowed, bool space_as_plus) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '%') {
            const int decoded = escape_at(text, i);
            if (decoded < 0) {
                out += "%25";
                continue;
            }
            const auto byte = static_cast<unsigned char>(decoded);
            if (kUnreserved[static_cast<char>(byte)]) {
                out += static_cast<char>(byte);
            } else {
                append_escape(out, byte);
            }
            i += 2;
        } else if (c == ' ' && space_as_plus) {
            out += '+';
        } else if (allowed[c]) {
            out += c;
        } else {
            append_escape(out, static_cast<unsigned char>(c));
        }
    }
    return out;
}

std::string encode(std::string_view text, const ByteSet& allowed, bool space_as_plus) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        if (c == ' ' && space_as_plus) {
            out += '+';
        } else if (c != '%' && allowed[c]) {
            out += c;
        } else {
            append_escape(out, static_cast<unsigned char>(c));
        }
    }
    return out;
}

}  // namespace detail

namespace {
// yarl's query quoter keeps these readable; `&`, `=`, `+`, `;` and `#` are escaped in a name or
// value because they would end it.
constexpr detail::ByteSet kFormChars = detail::kUnreserved | detail::ByteSet("/?:@");
}  // namespace

std::string quote(std::string_view text, std::string_view safe) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        if (detail::kUnreserved[c] || safe.find(c) != std::string_view::npos) {
            out += c;
        } else {
            detail::append_escape(out, static_cast<unsigned char>(c));
        }
    }
    return out;
}

std::string unquote(std::string_view text, bool plus_is_space) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '%') {
            const int decoded = detail::escape_at(text, i);
            if (decoded >= 0) {
                out += static_cast<char>(decoded);
                i += 2;
                continue;
            }
        }
        out += (c == '+' && plus_is_space) ? ' ' : c;
    }
    return out;
}

std::string urlencode(const QueryParams& params) {
    std::string out;
    for (const auto& [name, value] : params) {
        if (!out.empty()) out += '&';
        out += detail::encode(name, kFormChars, true);
        out += '=';
        out += detail::encode(value, kFormChars, true);
    }
    return out;
}

QueryParams parse_query(std::string_view query) {
    QueryParams out;
    while (!query.empty()) {
        const auto amp = query.find('&');
        const auto part = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
        if (part.empty()) continue;
        const auto eq = part.find('=');
        if (eq == std::string_view::npos) {
            out.emplace_back(unquote(part, true), std::string());
        } else {
            out.emplace_back(unquote(part.substr(0, eq), true), unquote(part.substr(eq + 1), true));
        }
    }
    return out;
}

}  // namespace aio::http
