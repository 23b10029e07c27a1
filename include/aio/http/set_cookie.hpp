#pragma once
/// Set-Cookie fields for a server's responses (aiohttp's `resp.set_cookie()` and
/// `resp.del_cookie()`, which Response and StreamResponse offer as methods).
///
/// ```
/// aio::http::Response resp("welcome");
/// resp.set_cookie("session", token, {.max_age = 3600, .httponly = true, .samesite = "Lax"});
/// resp.del_cookie("old");
/// ```
///
/// Every member of CookieOptions and DelCookieOptions is trivially destructible (views, numbers,
/// flags), so a braced temporary written inside `co_await` is safe with g++ 12. The views are
/// copied into the field at once: they need only live for the call.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace aio::http {

/// The attributes of one Set-Cookie field (RFC 6265 4.1).
struct CookieOptions {
    /// Max-Age in seconds; unset: none (a session cookie unless `expires` is given).
    std::optional<std::int64_t> max_age = {};
    /// Expires, as written ("Wed, 09 Jun 2021 10:18:14 GMT"); empty: none.
    std::string_view expires = {};
    /// Path; empty: none. aiohttp's default is "/".
    std::string_view path = "/";
    /// Domain; empty: none (host-only).
    std::string_view domain = {};
    bool secure = false;
    bool httponly = false;
    /// SameSite: "Strict", "Lax" or "None" (any case); empty: none. ValueError for anything else.
    std::string_view samesite = {};
};

/// Where the cookie to delete was set (its Path and Domain must match for a browser to drop it).
struct DelCookieOptions {
    std::string_view path = "/";
    std::string_view domain = {};
};

/// The value of a Set-Cookie field: `name=value; Attr...`. ValueError for a name that is not an
/// RFC 6265 token (empty, separators, controls, spaces), a value holding a byte outside
/// cookie-octet (a value wrapped whole in double quotes is kept as it is), or an attribute holding
/// `;` or a control byte.
std::string format_set_cookie(std::string_view name, std::string_view value,
                              const CookieOptions& options = {});

/// The Set-Cookie value that deletes `name`: an empty value, Max-Age=0 and an Expires in 1970
/// (aiohttp's del_cookie).
std::string format_del_cookie(std::string_view name, const DelCookieOptions& options = {});

}  // namespace aio::http
