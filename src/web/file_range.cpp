// The pure parts of FileResponse: the Content-Type table, the ETag, and the Range field
// (RFC 9110 14.1). Kept apart from the sending so that tests reach them without a socket.

#include <array>
#include <charconv>
#include <cstdio>

#include "aio/http/headers.hpp"
#include "aio/web/file_response.hpp"
#include "http/ascii.hpp"

namespace aio::web {

namespace {

struct TypeEntry {
    std::string_view ext;
    std::string_view type;
};

constexpr std::array kTypes{
    TypeEntry{"html", "text/html; charset=utf-8"},     TypeEntry{"htm", "text/html; charset=utf-8"},
    TypeEntry{"css", "text/css; charset=utf-8"},       TypeEntry{"js", "text/javascript; charset=utf-8"},
    TypeEntry{"mjs", "text/javascript; charset=utf-8"}, TypeEntry{"json", "application/json"},
    TypeEntry{"txt", "text/plain; charset=utf-8"},     TypeEntry{"csv", "text/csv; charset=utf-8"},
    TypeEntry{"md", "text/markdown; charset=utf-8"},   TypeEntry{"xml", "application/xml"},
    TypeEntry{"svg", "image/svg+xml"},                 TypeEntry{"png", "image/png"},
    TypeEntry{"jpg", "image/jpeg"},                    TypeEntry{"jpeg", "image/jpeg"},
    TypeEntry{"gif", "image/gif"},                     TypeEntry{"webp", "image/webp"},
    TypeEntry{"avif", "image/avif"},                   TypeEntry{"ico", "image/vnd.microsoft.icon"},
    TypeEntry{"bmp", "image/bmp"},                     TypeEntry{"wasm", "application/wasm"},
    TypeEntry{"pdf", "application/pdf"},               TypeEntry{"zip", "application/zip"},
    TypeEntry{"gz", "application/gzip"},               TypeEntry{"tar", "application/x-tar"},
    TypeEntry{"woff", "font/woff"},                    TypeEntry{"woff2", "font/woff2"},
    TypeEntry{"ttf", "font/ttf"},                      TypeEntry{"otf", "font/otf"},
    TypeEntry{"map", "application/json"},              TypeEntry{"mp3", "audio/mpeg"},
    TypeEntry{"mp4", "video/mp4"},                     TypeEntry{"webm", "video/webm"},
    TypeEntry{"ogg", "audio/ogg"},                     TypeEntry{"wav", "audio/wav"},
};

using aio::http::ascii::trim;

// Digits only (no sign, no space inside): from_chars alone would take "+1" on some libraries.
std::optional<std::uint64_t> parse_number(std::string_view s) noexcept {
    if (s.empty()) return std::nullopt;
    for (char c : s)
        if (c < '0' || c > '9') return std::nullopt;
    std::uint64_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || end != s.data() + s.size()) return std::nullopt;
    return v;
}

}  // namespace

std::string_view content_type_for(std::string_view name) noexcept {
    std::size_t slash = name.find_last_of('/');
    if (slash != std::string_view::npos) name.remove_prefix(slash + 1);
    std::size_t dot = name.find_last_of('.');
    if (dot == std::string_view::npos || dot == 0) return "application/octet-stream";
    std::string_view ext = name.substr(dot + 1);
    for (const auto& t : kTypes)
        if (http::iequals(t.ext, ext)) return t.type;
    return "application/octet-stream";
}

std::string file_etag(std::int64_t mtime_ns, std::uint64_t size) {
    char buf[64];
    int n = std::snprintf(buf, sizeof buf, "\"%llx-%llx\"", static_cast<unsigned long long>(mtime_ns),
                          static_cast<unsigned long long>(size));
    return std::string(buf, static_cast<std::size_t>(n));
}

RangeRequest parse_range(std::string_view header, std::uint64_t size) noexcept {
    RangeRequest out;
    header = trim(header);
    std::size_t eq = header.find('=');
    if (eq == std::string_view::npos || !http::iequals(trim(header.substr(0, eq)), "bytes")) return out;
    std::string_view spec = trim(header.substr(eq + 1));
    if (spec.find(',') != std::string_view::npos) return out;  // several ranges: the whole file
    std::size_t dash = spec.find('-');
    if (dash == std::string_view::npos) return out;
    std::string_view a = trim(spec.substr(0, dash));
    std::string_view b = trim(spec.substr(dash + 1));
    if (a.empty()) {  // -n: the last n bytes
        auto n = parse_number(b);
        if (!n) return out;
        if (*n == 0 || size == 0) {
            out.kind = RangeRequest::Kind::unsatisfiable;
            return out;
        }
        out.kind = RangeRequest::Kind::partial;
        out.range = {*n >= size ? 0 : size - *n, size - 1};
        return out;
    }
    auto first = parse_number(a);
    if (!first) return out;
    std::uint64_t last = 0;
    if (b.empty()) {
        last = size == 0 ? 0 : size - 1;
    } else {
        auto l = parse_number(b);
        if (!l || *l < *first) return out;  // invalid: ignored (RFC 9110 14.2)
        last = *l;
    }
    if (*first >= size) {
        out.kind = RangeRequest::Kind::unsatisfiable;
        return out;
    }
    out.kind = RangeRequest::Kind::partial;
    out.range = {*first, last >= size ? size - 1 : last};
    return out;
}

}  // namespace aio::web
