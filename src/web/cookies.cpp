// The Cookie field of a request (RFC 6265 5.4). Browsers send whatever a server once set, and
// other servers set odd things: a pair this cannot read is skipped so that the others still count.

#include "aio/web/cookies.hpp"

#include "aio/http/headers.hpp"
#include "aio/http/request.hpp"
#include "http/ascii.hpp"

namespace aio::web {

namespace {

using aio::http::ascii::trim;

}  // namespace

std::optional<std::string_view> Cookies::get(std::string_view name) const noexcept {
    for (const auto& [n, v] : pairs_)
        if (n == name) return std::string_view(v);
    return std::nullopt;
}

std::string_view Cookies::get(std::string_view name, std::string_view fallback) const noexcept {
    return get(name).value_or(fallback);
}

void parse_cookie_header(std::string_view value, Cookies& into) {
    while (!value.empty()) {
        std::size_t end = value.find(';');
        std::string_view pair = value.substr(0, end);
        value = end == std::string_view::npos ? std::string_view{} : value.substr(end + 1);
        std::size_t eq = pair.find('=');
        if (eq == std::string_view::npos) continue;
        std::string_view name = trim(pair.substr(0, eq));
        std::string_view v = trim(pair.substr(eq + 1));
        if (name.empty()) continue;
        if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
        into.add(std::string(name), std::string(v));
    }
}

Cookies parse_request_cookies(const http::Request& request) {
    Cookies out;
    for (const auto& f : request.headers())
        if (http::iequals(f.name, "Cookie")) parse_cookie_header(f.value, out);
    return out;
}

}  // namespace aio::web
