// Set-Cookie fields (RFC 6265 4.1): the server side of cookies. What a browser would misread is
// refused here with ValueError rather than sent.

#include "aio/http/set_cookie.hpp"

#include "aio/core/exceptions.hpp"
#include "aio/http/headers.hpp"
#include "aio/http/response.hpp"

namespace aio::http {

namespace {

bool is_token_char(unsigned char c) noexcept {
    if (c <= 0x20 || c >= 0x7f) return false;
    switch (c) {
    case '(': case ')': case '<': case '>': case '@': case ',': case ';': case ':': case '\\':
    case '"': case '/': case '[': case ']': case '?': case '=': case '{': case '}':
        return false;
    default: return true;
    }
}

// cookie-octet: US-ASCII but controls, whitespace, DQUOTE, comma, semicolon and backslash.
bool is_cookie_octet(unsigned char c) noexcept {
    return c == 0x21 || (c >= 0x23 && c <= 0x2b) || (c >= 0x2d && c <= 0x3a) ||
           (c >= 0x3c && c <= 0x5b) || (c >= 0x5d && c <= 0x7e);
}

void check_name(std::string_view name) {
    if (name.empty()) throw ValueError("cookie name is empty");
    for (unsigned char c : name)
        if (!is_token_char(c)) throw ValueError("invalid cookie name: " + std::string(name));
}

void check_value(std::string_view value) {
    std::string_view inner = value;
    if (inner.size() >= 2 && inner.front() == '"' && inner.back() == '"') inner = inner.substr(1, inner.size() - 2);
    for (unsigned char c : inner)
        if (!is_cookie_octet(c)) throw ValueError("invalid cookie value for a Set-Cookie field");
}

void append_attribute(std::string& out, std::string_view attr, std::string_view value) {
    for (unsigned char c : value)
        if (c < 0x20 || c == 0x7f || c == ';') throw ValueError("invalid cookie " + std::string(attr) + " attribute");
    out.append("; ");
    out.append(attr);
    out.push_back('=');
    out.append(value);
}

// Keeps one Set-Cookie per cookie name, as aiohttp's SimpleCookie does.
void put_cookie(Headers& headers, std::string_view name, const std::string& field) {
    std::vector<std::string> kept;
    for (std::string_view v : headers.get_all("Set-Cookie"))
        if (!(v.size() > name.size() && v.starts_with(name) && v[name.size()] == '=')) kept.emplace_back(v);
    headers.erase("Set-Cookie");
    for (const auto& v : kept) headers.add("Set-Cookie", v);
    headers.add("Set-Cookie", field);
}

}  // namespace

std::string format_set_cookie(std::string_view name, std::string_view value, const CookieOptions& o) {
    check_name(name);
    check_value(value);
    std::string out;
    out.reserve(name.size() + value.size() + 64);
    out.append(name);
    out.push_back('=');
    out.append(value);
    if (!o.expires.empty()) append_attribute(out, "expires", o.expires);
    if (!o.domain.empty()) append_attribute(out, "Domain", o.domain);
    if (o.max_age) append_attribute(out, "Max-Age", std::to_string(*o.max_age));
    if (!o.path.empty()) append_attribute(out, "Path", o.path);
    if (!o.samesite.empty()) {
        std::string_view s;
        if (iequals(o.samesite, "strict")) s = "Strict";
        else if (iequals(o.samesite, "lax")) s = "Lax";
        else if (iequals(o.samesite, "none")) s = "None";
        else throw ValueError("SameSite must be Strict, Lax or None, not " + std::string(o.samesite));
        append_attribute(out, "SameSite", s);
    }
    if (o.secure) out.append("; Secure");
    if (o.httponly) out.append("; HttpOnly");
    return out;
}

std::string format_del_cookie(std::string_view name, const DelCookieOptions& o) {
    CookieOptions opts;
    opts.max_age = 0;
    opts.expires = "Thu, 01 Jan 1970 00:00:00 GMT";
    opts.path = o.path;
    opts.domain = o.domain;
    return format_set_cookie(name, "", opts);
}

void Response::set_cookie(std::string_view name, std::string_view value, const CookieOptions& options) {
    put_cookie(headers, name, format_set_cookie(name, value, options));
}

void Response::del_cookie(std::string_view name, const DelCookieOptions& options) {
    put_cookie(headers, name, format_del_cookie(name, options));
}

void StreamResponse::set_cookie(std::string_view name, std::string_view value, const CookieOptions& options) {
    if (prepared()) throw RuntimeError("set_cookie() after prepare(): the head is already sent");
    put_cookie(headers, name, format_set_cookie(name, value, options));
}

void StreamResponse::del_cookie(std::string_view name, const DelCookieOptions& options) {
    if (prepared()) throw RuntimeError("del_cookie() after prepare(): the head is already sent");
    put_cookie(headers, name, format_del_cookie(name, options));
}

}  // namespace aio::http
