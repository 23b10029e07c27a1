#pragma once
/// URLs as aiohttp's yarl.URL: parse (RFC 3986), join, build queries, percent-encode.
///
/// ```
/// aio::http::URL u("https://example.org/a b?q=1#top");
/// u.scheme();        // "https"
/// u.host();          // "example.org"
/// u.port();          // 443 (the scheme's default when none is given)
/// u.raw_path();      // "/a%20b"  (what goes on the wire)
/// u.path();          // "/a b"    (decoded)
/// u.join(aio::http::URL("../c")).str();     // "https://example.org/c"
/// u.with_query({{"page", "2"}}).str();      // "https://example.org/a%20b?page=2#top"
/// ```
/// Bad input (an http URL without a host, a bad port, a space in the host, ...) throws
/// InvalidURL naming the URL.
///
/// Normalisation, as yarl: scheme and host lower-cased, an IPv6 literal in its RFC 5952 form, a
/// non-ASCII host label as punycode (no Unicode case folding), `%xx` escapes upper-cased and
/// escapes of unreserved characters decoded, dot segments removed from the path of a URL with a
/// host. A space in the query is written `+`, elsewhere `%20`.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aio/core/exceptions.hpp"

namespace aio::http {

/// A URL that cannot be parsed or used (aiohttp.InvalidURL, a ValueError).
class InvalidURL : public ValueError {
public:
    InvalidURL(std::string url, const std::string& why);
    const std::string& url() const noexcept { return url_; }

private:
    std::string url_;
};

/// Query parameters, in order; a name may repeat (`?a=1&a=2`).
using QueryParams = std::vector<std::pair<std::string, std::string>>;

class URL {
public:
    URL() = default;
    /// Parses an absolute URL (`http://host:port/path?query#fragment`) or a relative reference
    /// (`/path`, `../x`, `?q`). Characters that must be encoded (spaces, non-ASCII) are
    /// percent-encoded; existing `%XX` escapes are kept. InvalidURL on malformed input.
    explicit URL(std::string_view text);

    std::string_view scheme() const noexcept { return scheme_; }
    /// The user-info parts, decoded.
    std::string_view user() const noexcept { return user_; }
    std::string_view password() const noexcept { return password_; }
    /// The host, lower-cased; an IPv6 literal without its brackets.
    std::string_view host() const noexcept { return host_; }
    /// The explicit port, or the scheme's default (http/ws 80, https/wss 443), or nullopt.
    std::optional<std::uint16_t> port() const noexcept;
    std::optional<std::uint16_t> explicit_port() const noexcept { return port_; }
    /// The path as sent (percent-encoded), "/" for a URL with a host and an empty path.
    std::string_view raw_path() const noexcept {
        return path_.empty() && has_authority_ ? std::string_view("/") : std::string_view(path_);
    }
    /// The path, percent-decoded.
    std::string path() const;
    /// The query without the `?`, as sent.
    std::string_view raw_query_string() const noexcept { return query_; }
    /// The query, decoded (`+` is a space) into name/value pairs.
    QueryParams query() const;
    /// The fragment, decoded (it is never sent; `str()` encodes it again).
    std::string_view fragment() const noexcept { return fragment_; }

    bool is_absolute() const noexcept { return !scheme_.empty(); }
    /// The scheme's default port is in use (no port written, or the default written).
    bool is_default_port() const noexcept;
    /// "host" or "host:port" (bracketed for IPv6), as the Host header wants it.
    std::string host_port() const;
    /// `raw_path()` plus `?query`: the request-target of the origin form.
    std::string path_qs() const;
    /// scheme://host[:port], no path (for the connection pool's key and cookie origins); the
    /// port only when it is not the default. InvalidURL for a URL without scheme or host.
    URL origin() const;

    /// Resolves a reference against this URL (RFC 3986 5.2, with dot-segment removal).
    URL join(const URL& reference) const;
    /// This URL with the query replaced by `params` (encoded, `urlencode`).
    URL with_query(const QueryParams& params) const;
    /// This URL with `params` appended to its query.
    URL extend_query(const QueryParams& params) const;
    /// This URL with another path (given decoded; `/` added in front when the URL has a host),
    /// and no query or fragment, as yarl.
    URL with_path(std::string_view decoded_path) const;
    /// This URL with another fragment (given decoded).
    URL with_fragment(std::string_view fragment) const;
    /// This URL with another scheme (`http` -> `https`); InvalidURL for an empty or malformed
    /// one, or when this URL is relative.
    URL with_scheme(std::string_view scheme) const;
    /// This URL without user info and fragment: what goes in logs, errors and Referer.
    URL without_credentials() const;

    /// The URL as text, every part encoded; `URL(u.str()) == u`.
    std::string str() const;
    /// The same with path, query and fragment decoded and punycode host labels in Unicode, for
    /// people to read (yarl's human_repr).
    std::string human_repr() const;

    friend bool operator==(const URL& a, const URL& b) noexcept;

private:
    void parse_authority(std::string_view authority, std::string_view original);
    void copy_authority(const URL& from);
    std::string authority_text(bool encoded) const;

    std::string scheme_;
    std::string user_;
    std::string password_;
    std::string host_;
    std::optional<std::uint16_t> port_;
    std::string path_;
    std::string query_;
    std::string fragment_;  // decoded
    bool has_authority_ = false;
};

/// Percent-encodes every byte outside the unreserved set and `safe` (yarl's quoting).
std::string quote(std::string_view text, std::string_view safe = "/");
/// Decodes `%XX` escapes (and `+` as a space when `plus_is_space`). Invalid escapes are kept as
/// they are.
std::string unquote(std::string_view text, bool plus_is_space = false);
/// application/x-www-form-urlencoded: `a=1&b=x+y`.
std::string urlencode(const QueryParams& params);
/// The reverse: `a=1&b=x+y` -> {{"a","1"},{"b","x y"}}.
QueryParams parse_query(std::string_view query);

}  // namespace aio::http
