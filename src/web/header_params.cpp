// Header parameters, read as browsers write them: quoted strings with backslash escapes, tokens,
// and RFC 5987 extended values for non-ASCII file names.

#include "header_params.hpp"

#include <cctype>

#include "aio/http/headers.hpp"
#include "http/ascii.hpp"

namespace aio::web::detail {

namespace {

using aio::http::ascii::trim;

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

using aio::http::ascii::hex_value;

}  // namespace

HeaderValue parse_header_params(std::string_view value) {
    HeaderValue out;
    std::size_t semi = value.find(';');
    out.main = lower(trim(value.substr(0, semi)));
    if (semi == std::string_view::npos) return out;
    std::string_view rest = value.substr(semi + 1);
    while (true) {
        rest = trim(rest);
        if (rest.empty()) break;
        if (rest.front() == ';') {
            rest.remove_prefix(1);
            continue;
        }
        std::size_t eq = rest.find_first_of("=;");
        if (eq == std::string_view::npos || rest[eq] == ';') {  // a bare word: skip it
            if (eq == std::string_view::npos) break;
            rest.remove_prefix(eq + 1);
            continue;
        }
        std::string name = lower(trim(rest.substr(0, eq)));
        rest = trim(rest.substr(eq + 1));
        std::string v;
        if (!rest.empty() && rest.front() == '"') {
            std::size_t i = 1;
            bool closed = false;
            for (; i < rest.size(); ++i) {
                if (rest[i] == '\\' && i + 1 < rest.size()) {
                    v.push_back(rest[++i]);
                } else if (rest[i] == '"') {
                    closed = true;
                    break;
                } else {
                    v.push_back(rest[i]);
                }
            }
            if (!closed) break;
            rest.remove_prefix(i + 1);
            std::size_t next = rest.find(';');
            rest = next == std::string_view::npos ? std::string_view{} : rest.substr(next + 1);
        } else {
            std::size_t next = rest.find(';');
            v = std::string(trim(rest.substr(0, next)));
            rest = next == std::string_view::npos ? std::string_view{} : rest.substr(next + 1);
        }
        if (!name.empty()) out.params.emplace_back(std::move(name), std::move(v));
    }
    return out;
}

bool decode_ext_value(std::string_view value, std::string& out) {
    std::size_t q1 = value.find('\'');
    if (q1 == std::string_view::npos) return false;
    std::size_t q2 = value.find('\'', q1 + 1);
    if (q2 == std::string_view::npos) return false;
    std::string_view charset = value.substr(0, q1);
    std::string_view encoded = value.substr(q2 + 1);
    std::string bytes;
    for (std::size_t i = 0; i < encoded.size(); ++i) {
        if (encoded[i] == '%' && i + 2 < encoded.size()) {
            int hi = hex_value(encoded[i + 1]), lo = hex_value(encoded[i + 2]);
            if (hi < 0 || lo < 0) return false;
            bytes.push_back(static_cast<char>(hi * 16 + lo));
            i += 2;
        } else if (encoded[i] == '%') {
            return false;
        } else {
            bytes.push_back(encoded[i]);
        }
    }
    if (http::iequals(charset, "iso-8859-1") || http::iequals(charset, "latin1")) {
        out.clear();
        for (unsigned char c : bytes) {
            if (c < 0x80) {
                out.push_back(static_cast<char>(c));
            } else {
                out.push_back(static_cast<char>(0xc0 | (c >> 6)));
                out.push_back(static_cast<char>(0x80 | (c & 0x3f)));
            }
        }
    } else {
        out = std::move(bytes);
    }
    return true;
}

}  // namespace aio::web::detail
