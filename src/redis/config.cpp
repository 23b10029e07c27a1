#include "aio/redis/config.hpp"

#include <charconv>

#include "aio/core/exceptions.hpp"

namespace aio::redis {

namespace {

[[noreturn]] void bad_url(std::string_view url, const std::string& why) {
    throw ValueError("invalid Redis URL '" + std::string(url) + "': " + why);
}

std::string unquote(std::string_view url, std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '%') {
            out += s[i];
            continue;
        }
        unsigned v = 0;
        if (i + 2 >= s.size()) bad_url(url, "a truncated %-escape");
        auto [p, ec] = std::from_chars(s.data() + i + 1, s.data() + i + 3, v, 16);
        if (ec != std::errc() || p != s.data() + i + 3) bad_url(url, "a bad %-escape");
        out += static_cast<char>(v);
        i += 2;
    }
    return out;
}

template <class T>
T number(std::string_view url, std::string_view what, std::string_view s, long long max) {
    long long v = -1;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || p != s.data() + s.size() || v < 0 || v > max)
        bad_url(url, "bad " + std::string(what) + " '" + std::string(s) + "'");
    return static_cast<T>(v);
}

// The query's db, password and username, as redis-py's from_url takes them.
void apply_query(std::string_view url, std::string_view query, ConnectionConfig& c) {
    while (!query.empty()) {
        std::string_view item = query.substr(0, query.find('&'));
        query.remove_prefix(std::min(query.size(), item.size() + 1));
        std::size_t eq = item.find('=');
        if (eq == std::string_view::npos) bad_url(url, "a query item without '=': '" + std::string(item) + "'");
        std::string_view key = item.substr(0, eq);
        std::string value = unquote(url, item.substr(eq + 1));
        if (key == "db")
            c.db = number<int>(url, "db", value, 1 << 20);
        else if (key == "password")
            c.password = value;
        else if (key == "username")
            c.username = value;
        // Other keys (socket_timeout, ...) are redis-py connection kwargs; ClientOptions has them.
    }
}

}  // namespace

ConnectionConfig ConnectionConfig::from_url(std::string_view url) {
    ConnectionConfig c;
    std::string_view rest = url;
    if (rest.starts_with("unix://")) {
        rest.remove_prefix(7);
        std::size_t q = rest.find('?');
        c.unix_path = unquote(url, rest.substr(0, q));
        if (c.unix_path.empty()) bad_url(url, "no socket path");
        if (q != std::string_view::npos) apply_query(url, rest.substr(q + 1), c);
        return c;
    }
    if (rest.starts_with("rediss://")) bad_url(url, "rediss:// (TLS) is not supported yet");
    if (!rest.starts_with("redis://")) bad_url(url, "the scheme must be redis:// or unix://");
    rest.remove_prefix(8);
    std::size_t q = rest.find('?');
    std::string_view query = q == std::string_view::npos ? std::string_view() : rest.substr(q + 1);
    rest = rest.substr(0, q);
    std::size_t slash = rest.find('/');
    std::string_view path = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
    std::string_view authority = rest.substr(0, slash);
    std::size_t at = authority.rfind('@');
    if (at != std::string_view::npos) {
        std::string_view userinfo = authority.substr(0, at);
        authority.remove_prefix(at + 1);
        std::size_t colon = userinfo.find(':');
        if (colon == std::string_view::npos) {
            // redis-py reads "redis://secret@host" as a password alone (Redis before 6 had no users).
            c.password = unquote(url, userinfo);
        } else {
            c.username = unquote(url, userinfo.substr(0, colon));
            c.password = unquote(url, userinfo.substr(colon + 1));
        }
    }
    std::string_view host = authority;
    if (host.starts_with('[')) {
        std::size_t close = host.find(']');
        if (close == std::string_view::npos) bad_url(url, "an unclosed '[' in the host");
        c.host = std::string(host.substr(1, close - 1));
        host.remove_prefix(close + 1);
        if (!host.empty()) {
            if (host[0] != ':') bad_url(url, "junk after the host");
            c.port = number<std::uint16_t>(url, "port", host.substr(1), 65535);
        }
    } else {
        std::size_t colon = host.rfind(':');
        if (colon != std::string_view::npos) {
            c.port = number<std::uint16_t>(url, "port", host.substr(colon + 1), 65535);
            host = host.substr(0, colon);
        }
        if (!host.empty()) c.host = std::string(host);
    }
    if (c.port == 0) bad_url(url, "port 0");
    if (!path.empty()) c.db = number<int>(url, "db", path, 1 << 20);
    apply_query(url, query, c);
    return c;
}

std::string ConnectionConfig::describe() const {
    if (!unix_path.empty()) return "unix:" + unix_path;
    if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
    return host + ":" + std::to_string(port);
}

}  // namespace aio::redis
