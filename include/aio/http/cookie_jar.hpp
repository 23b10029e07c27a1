#pragma once
/// Cookies for the client: aiohttp's CookieJar, RFC 6265 for the common cases.
///
/// ```
/// aio::http::CookieJar jar;
/// jar.update_cookies(response_headers, aio::http::URL("https://example.org/account/login"));
/// std::string header = jar.filter_cookies(aio::http::URL("https://example.org/account/home"));
/// if (!header.empty()) request_headers.set("Cookie", header);   // "sid=abc; theme=dark"
/// ```
///
/// What is stored (RFC 6265 5.3): a cookie without Domain is host-only; `Domain=` must
/// domain-match the response's host (a leading dot is ignored) or the cookie is refused; without
/// Path (or with one not starting `/`) the path is the directory of the response's path.
/// Max-Age wins over Expires, and either in the past deletes the cookie. A cookie with the same
/// name, domain and path replaces the old one (keeping its creation time). Cookies from a host
/// that is an IP address are refused unless `unsafe` is set, as aiohttp does.
///
/// Beyond RFC 6265, as browsers do (RFC 6265bis): a Secure cookie from plain http is refused,
/// and the `__Secure-` and `__Host-` name prefixes are enforced. A name or value with a control
/// character (a header injection), or name and value over 4096 bytes, is refused. There is no
/// public suffix list: `Domain=com` from `example.com` is accepted.

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aio/http/headers.hpp"
#include "aio/http/url.hpp"

namespace aio::http {

/// One stored cookie (RFC 6265 5.3's record).
struct Cookie {
    std::string name;
    std::string value;
    /// Lower-case, without a leading dot; empty for a cookie shared by every host (`set_cookie`).
    std::string domain;
    std::string path;
    /// Sent only to `domain` itself, not to its subdomains (no `Domain=` was given).
    bool host_only = true;
    bool secure = false;
    bool http_only = false;
    /// `Strict`, `Lax`, `None` as given, or empty.
    std::string same_site;
    /// nullopt for a session cookie (neither Max-Age nor Expires).
    std::optional<std::chrono::system_clock::time_point> expires;
    std::chrono::system_clock::time_point creation{};
};

struct CookieJarOptions {
    /// Accept cookies from hosts that are IP addresses (aiohttp's `unsafe`).
    bool unsafe = false;
    /// False: a jar that stores nothing and sends nothing (aiohttp's DummyCookieJar).
    bool enabled = true;
    /// At most this many cookies per domain, and in all (RFC 6265 6.1's minimums); a new cookie
    /// past either evicts the oldest (of its domain, or of all). 0: no limit.
    std::size_t max_cookies_per_domain = 50;
    std::size_t max_cookies = 3000;
    /// The time used for expiry; `system_clock::now` when empty. Tests inject their own.
    std::function<std::chrono::system_clock::time_point()> clock = {};
};

class CookieJar {
public:
    using const_iterator = std::vector<Cookie>::const_iterator;

    CookieJar() : CookieJar(CookieJarOptions{}) {}
    explicit CookieJar(CookieJarOptions options);

    /// Stores the cookies of every `Set-Cookie` field of a response from `response_url`.
    /// A malformed or refused cookie is skipped; the others are still stored.
    void update_cookies(const Headers& response_headers, const URL& response_url);
    /// The same for `Set-Cookie` values given one by one.
    void update_cookies(const std::vector<std::string_view>& set_cookie_values,
                        const URL& response_url);
    void update_cookie(std::string_view set_cookie_value, const URL& response_url);
    /// Stores a cookie given by name and value (aiohttp's `ClientSession(cookies=...)`): for the
    /// host of `for_url` (host-only, path "/"), or, when `for_url` has no host, for every host,
    /// as aiohttp's cookies updated without a response URL. Throws ValueError for a name that is
    /// empty or holds a control character, a space, `;` or `=`, and for a value with a control
    /// character or `;`.
    void set_cookie(std::string_view name, std::string_view value, const URL& for_url = URL());

    /// The `Cookie` header value for a request to `request_url`: `name=value` pairs joined by
    /// `; `, the longest path first, then the oldest; empty when none applies. Secure cookies go
    /// only over https and wss.
    std::string filter_cookies(const URL& request_url) const;

    void clear() noexcept;
    /// Removes the cookies of `domain` and of its subdomains.
    void clear_domain(std::string_view domain);
    /// Removes the cookies `predicate` picks.
    void clear_if(const std::function<bool(const Cookie&)>& predicate);

    /// Cookies not expired.
    std::size_t size() const;
    bool empty() const { return size() == 0; }
    /// Iterates over the cookies not expired, in the order they were first stored.
    const_iterator begin() const;
    const_iterator end() const;

    bool enabled() const noexcept { return options_.enabled; }
    bool unsafe() const noexcept { return options_.unsafe; }

private:
    std::chrono::system_clock::time_point now() const;
    void drop_expired() const;
    void store(Cookie cookie);

    CookieJarOptions options_;
    // Expired cookies are invisible, so dropping them is not a change an observer can see.
    mutable std::vector<Cookie> cookies_;
};

/// A jar that stores and sends nothing (aiohttp's DummyCookieJar), for a session that must not
/// keep cookies.
class DummyCookieJar : public CookieJar {
public:
    DummyCookieJar();
};

/// RFC 6265 5.1.3: `host` is `domain`, or ends with "." + `domain` and is not an IP address.
bool domain_match(std::string_view host, std::string_view domain) noexcept;
/// RFC 6265 5.1.4.
bool path_match(std::string_view request_path, std::string_view cookie_path) noexcept;
/// RFC 6265 5.1.4's default-path of a request path: its directory.
std::string default_cookie_path(std::string_view request_path);

}  // namespace aio::http
