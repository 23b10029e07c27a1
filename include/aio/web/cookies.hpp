#pragma once
/// Cookies a client sent (aiohttp's `request.cookies`) and the options for the ones a response
/// sets (`resp.set_cookie(name, value, {...})`, see aio/http/set_cookie.hpp).
///
/// ```
/// aio::Coro<aio::http::Response> handler(aio::web::Request& req) {
///     auto session = req.cookies().get("session");      // std::optional<std::string_view>
///     aio::http::Response resp(session ? "welcome back" : "hello");
///     if (!session) resp.set_cookie("session", new_token(), {.max_age = 3600, .httponly = true});
///     co_return resp;
/// }
/// ```

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aio/http/set_cookie.hpp"

namespace aio::http {
class Request;
}

namespace aio::web {

using http::CookieOptions;
using http::DelCookieOptions;

/// The cookies of a request's Cookie fields, in the order sent. A name sent twice keeps both;
/// get() answers the first, which RFC 6265 5.4 makes the one with the longest path (the most
/// specific).
class Cookies {
public:
    using value_type = std::pair<std::string, std::string>;
    using const_iterator = std::vector<value_type>::const_iterator;

    /// The value of the first cookie named `name` (case-sensitive), or nullopt.
    std::optional<std::string_view> get(std::string_view name) const noexcept;
    /// The same, or `fallback`.
    std::string_view get(std::string_view name, std::string_view fallback) const noexcept;
    bool contains(std::string_view name) const noexcept { return get(name).has_value(); }
    std::size_t size() const noexcept { return pairs_.size(); }
    bool empty() const noexcept { return pairs_.empty(); }
    const_iterator begin() const noexcept { return pairs_.begin(); }
    const_iterator end() const noexcept { return pairs_.end(); }

    void add(std::string name, std::string value) { pairs_.emplace_back(std::move(name), std::move(value)); }

private:
    std::vector<value_type> pairs_;
};

/// Parses the value of one Cookie field (RFC 6265 5.4, as tolerant as browsers): pairs split on
/// `;`, whitespace around names and values trimmed, a value wrapped in double quotes unwrapped, a
/// pair without `=` or with an empty name skipped, and nothing else refused. Adds to `into`.
void parse_cookie_header(std::string_view value, Cookies& into);

/// Every Cookie field of a request's head, parsed (web::Request::cookies() caches this).
Cookies parse_request_cookies(const http::Request& request);

}  // namespace aio::web
