// URL: RFC 3986 parsing and reference resolution, yarl's normalisation and builders.

#include "aio/http/url.hpp"

#include <algorithm>
#include <string>

#include "http/url_encoding.hpp"
#include "http/url_host.hpp"
#include "http/ascii.hpp"

namespace aio::http {

InvalidURL::InvalidURL(std::string url, const std::string& why)
    : ValueError("invalid URL '" + url + "': " + why), url_(std::move(url)) {}

namespace {

using detail::kPathChars;
using detail::kQueryChars;

bool is_alpha(char c) noexcept { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
using aio::http::ascii::is_digit;

using aio::http::ascii::lower;

std::optional<std::uint16_t> default_port(std::string_view scheme) noexcept {
    if (scheme == "http" || scheme == "ws") return 80;
    if (scheme == "https" || scheme == "wss") return 443;
    return std::nullopt;
}

bool needs_host(std::string_view scheme) noexcept { return default_port(scheme).has_value(); }

/// The scheme's length when `text` starts with `scheme ":"` (RFC 3986 3.1), else 0.
std::size_t scheme_length(std::string_view text) noexcept {
    if (text.empty() || !is_alpha(text[0])) return 0;
    for (std::size_t i = 1; i < text.size(); ++i) {
        const char c = text[i];
        if (c == ':') return i;
        if (!is_alpha(c) && !is_digit(c) && c != '+' && c != '-' && c != '.') return 0;
    }
    return 0;
}

/// Leading and trailing C0 controls and spaces are dropped, as browsers and urllib do.
std::string_view trim(std::string_view s) noexcept {
    while (!s.empty() && static_cast<unsigned char>(s.front()) <= 0x20) s.remove_prefix(1);
    while (!s.empty() && static_cast<unsigned char>(s.back()) <= 0x20) s.remove_suffix(1);
    return s;
}

/// RFC 3986 5.2.4.
std::string remove_dot_segments(std::string_view input) {
    std::string out;
    out.reserve(input.size());
    while (!input.empty()) {
        if (input.starts_with("../")) {
            input.remove_prefix(3);
        } else if (input.starts_with("./")) {
            input.remove_prefix(2);
        } else if (input.starts_with("/./")) {
            input.remove_prefix(2);
        } else if (input == "/.") {
            input = "/";
        } else if (input.starts_with("/../") || input == "/..") {
            input = input.size() == 3 ? std::string_view("/") : input.substr(3);
            const auto slash = out.rfind('/');
            out.erase(slash == std::string::npos ? 0 : slash);
        } else if (input == "." || input == "..") {
            input = {};
        } else {
            const auto next = input.find('/', 1);
            const auto segment = input.substr(0, next);
            out += segment;
            input.remove_prefix(segment.size());
        }
    }
    return out;
}

std::uint16_t parse_port(std::string_view text, std::string_view url) {
    std::uint32_t value = 0;
    for (char c : text) {
        if (!is_digit(c)) {
            throw InvalidURL(std::string(url), "port '" + std::string(text) + "' is not a number");
        }
        value = value * 10 + static_cast<std::uint32_t>(c - '0');
        if (value > 65535) {
            throw InvalidURL(std::string(url),
                             "port '" + std::string(text) + "' is out of range 0-65535");
        }
    }
    return static_cast<std::uint16_t>(value);
}

/// RFC 3986 4.2: in a reference with no scheme and no authority, a `:` in the first segment would
/// read as a scheme's end, so it is written `%3A` (decoding `%41` may have made one look like it).
void protect_first_segment(std::string& path) {
    const auto end = std::min(path.find('/'), path.size());
    for (std::size_t i = 0; i < end; ++i) {
        if (path[i] == ':') {
            path.replace(i, 1, "%3A");
            return protect_first_segment(path);
        }
    }
}

void append_host(std::string& out, std::string_view host) {
    if (host.find(':') == std::string_view::npos) {
        out += host;
        return;
    }
    out += '[';
    const auto pct = host.find('%');
    out += host.substr(0, pct);
    if (pct != std::string_view::npos) {
        out += "%25";
        out += detail::encode(host.substr(pct + 1), detail::kUnreserved);
    }
    out += ']';
}

}  // namespace

URL::URL(std::string_view text) {
    const std::string_view original = text;
    std::string_view rest = trim(text);
    if (const auto n = scheme_length(rest); n > 0) {
        scheme_ = lower(rest.substr(0, n));
        rest.remove_prefix(n + 1);
    }
    if (const auto hash = rest.find('#'); hash != std::string_view::npos) {
        fragment_ = unquote(rest.substr(hash + 1));
        rest = rest.substr(0, hash);
    }
    if (const auto q = rest.find('?'); q != std::string_view::npos) {
        query_ = detail::requote(rest.substr(q + 1), kQueryChars, true);
        rest = rest.substr(0, q);
    }
    if (rest.starts_with("//")) {
        has_authority_ = true;
        rest.remove_prefix(2);
        const auto end = rest.find('/');
        parse_authority(rest.substr(0, end), original);
        rest = end == std::string_view::npos ? std::string_view() : rest.substr(end);
    }
    path_ = detail::requote(rest, kPathChars);
    if (has_authority_) path_ = remove_dot_segments(path_);
    if (scheme_.empty() && !has_authority_) protect_first_segment(path_);
}

void URL::parse_authority(std::string_view authority, std::string_view original) {
    if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
        const auto userinfo = authority.substr(0, at);
        const auto colon = userinfo.find(':');
        user_ = unquote(userinfo.substr(0, colon));
        if (colon != std::string_view::npos) password_ = unquote(userinfo.substr(colon + 1));
        authority.remove_prefix(at + 1);
    }
    std::string_view port_text;
    if (authority.starts_with("[")) {
        const auto close = authority.find(']');
        if (close == std::string_view::npos) {
            throw InvalidURL(std::string(original), "the IPv6 literal has no closing ']'");
        }
        const auto inside = authority.substr(1, close - 1);
        if (inside.starts_with("v") || inside.starts_with("V")) {
            throw InvalidURL(std::string(original), "IPvFuture literals are not supported");
        }
        host_ = detail::normalize_ipv6(inside, original);
        const auto after = authority.substr(close + 1);
        if (!after.empty() && after.front() != ':') {
            throw InvalidURL(std::string(original), "unexpected text after the IPv6 literal");
        }
        if (!after.empty()) port_text = after.substr(1);
    } else {
        const auto colon = authority.find(':');
        host_ = detail::normalize_reg_name(authority.substr(0, colon), original);
        if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
    }
    if (!port_text.empty()) port_ = parse_port(port_text, original);
    if (host_.empty() && needs_host(scheme_)) {
        throw InvalidURL(std::string(original), "a " + scheme_ + " URL needs a host");
    }
}

std::optional<std::uint16_t> URL::port() const noexcept {
    return port_ ? port_ : default_port(scheme_);
}

std::string URL::path() const { return unquote(raw_path()); }

QueryParams URL::query() const { return parse_query(query_); }

bool URL::is_default_port() const noexcept { return !port_ || port_ == default_port(scheme_); }

std::string URL::host_port() const {
    std::string out;
    append_host(out, host_);
    if (port_ && !is_default_port()) {
        out += ':';
        out += std::to_string(*port_);
    }
    return out;
}

std::string URL::path_qs() const {
    std::string out(raw_path());
    if (!query_.empty()) {
        out += '?';
        out += query_;
    }
    return out;
}

URL URL::origin() const {
    if (!is_absolute() || !has_authority_ || host_.empty()) {
        throw InvalidURL(str(), "only an absolute URL with a host has an origin");
    }
    URL out;
    out.scheme_ = scheme_;
    out.host_ = host_;
    out.has_authority_ = true;
    if (!is_default_port()) out.port_ = port_;
    return out;
}

URL URL::join(const URL& reference) const {
    // RFC 3986 5.2.2, the strict variant: a reference with a scheme is taken whole.
    URL target;
    if (reference.is_absolute()) {
        target = reference;
        target.path_ = remove_dot_segments(reference.path_);
        return target;
    }
    target.scheme_ = scheme_;
    if (reference.has_authority_) {
        target.copy_authority(reference);
        target.path_ = remove_dot_segments(reference.path_);
        target.query_ = reference.query_;
    } else {
        target.copy_authority(*this);
        if (reference.path_.empty()) {
            target.path_ = path_;
            target.query_ = reference.query_.empty() ? query_ : reference.query_;
        } else {
            if (reference.path_.front() == '/') {
                target.path_ = remove_dot_segments(reference.path_);
            } else {
                // 5.2.3 merge.
                std::string merged;
                if (has_authority_ && path_.empty()) {
                    merged = "/" + reference.path_;
                } else {
                    const auto slash = path_.rfind('/');
                    merged =
                        slash == std::string::npos ? std::string() : path_.substr(0, slash + 1);
                    merged += reference.path_;
                }
                target.path_ = remove_dot_segments(merged);
            }
            target.query_ = reference.query_;
        }
    }
    target.fragment_ = reference.fragment_;
    return target;
}

void URL::copy_authority(const URL& from) {
    has_authority_ = from.has_authority_;
    user_ = from.user_;
    password_ = from.password_;
    host_ = from.host_;
    port_ = from.port_;
}

URL URL::with_query(const QueryParams& params) const {
    URL out = *this;
    out.query_ = urlencode(params);
    return out;
}

URL URL::extend_query(const QueryParams& params) const {
    if (params.empty()) return *this;
    URL out = *this;
    if (!out.query_.empty()) out.query_ += '&';
    out.query_ += urlencode(params);
    return out;
}

URL URL::with_path(std::string_view decoded_path) const {
    URL out = *this;
    out.path_ = detail::encode(decoded_path, kPathChars);
    if (has_authority_) {
        if (!out.path_.empty() && out.path_.front() != '/') out.path_.insert(0, 1, '/');
        out.path_ = remove_dot_segments(out.path_);
    } else if (scheme_.empty()) {
        protect_first_segment(out.path_);
    }
    out.query_.clear();
    out.fragment_.clear();
    return out;
}

URL URL::with_fragment(std::string_view fragment) const {
    URL out = *this;
    out.fragment_ = fragment;
    return out;
}

URL URL::with_scheme(std::string_view scheme) const {
    const std::string lowered = lower(scheme);
    if (lowered.empty() || scheme_length(lowered + ":") != lowered.size()) {
        throw InvalidURL(str(), "'" + std::string(scheme) + "' is not a valid scheme");
    }
    if (!is_absolute()) throw InvalidURL(str(), "a relative URL cannot take a scheme");
    URL out = *this;
    out.scheme_ = lowered;
    if (out.host_.empty() && needs_host(lowered)) {
        throw InvalidURL(str(), "a " + lowered + " URL needs a host");
    }
    return out;
}

URL URL::without_credentials() const {
    URL out = *this;
    out.user_.clear();
    out.password_.clear();
    out.fragment_.clear();
    return out;
}

std::string URL::authority_text(bool encoded) const {
    std::string out = "//";
    if (!user_.empty() || !password_.empty()) {
        out += encoded ? detail::encode(user_, detail::kUserChars) : user_;
        if (!password_.empty()) {
            out += ':';
            out += encoded ? detail::encode(password_, detail::kPasswordChars) : password_;
        }
        out += '@';
    }
    if (encoded || host_.find(':') != std::string::npos) {
        append_host(out, host_);
    } else {
        out += detail::host_for_humans(host_);
    }
    if (port_) {
        out += ':';
        out += std::to_string(*port_);
    }
    return out;
}

std::string URL::str() const {
    std::string out;
    out.reserve(scheme_.size() + host_.size() + path_.size() + query_.size() + 16);
    if (!scheme_.empty()) {
        out += scheme_;
        out += ':';
    }
    if (has_authority_) out += authority_text(true);
    out += path_;
    if (!query_.empty()) {
        out += '?';
        out += query_;
    }
    if (!fragment_.empty()) {
        out += '#';
        out += detail::encode(fragment_, kQueryChars);
    }
    return out;
}

std::string URL::human_repr() const {
    std::string out;
    if (!scheme_.empty()) {
        out += scheme_;
        out += ':';
    }
    if (has_authority_) out += authority_text(false);
    out += unquote(path_);
    if (!query_.empty()) {
        out += '?';
        out += unquote(query_, true);
    }
    if (!fragment_.empty()) {
        out += '#';
        out += fragment_;
    }
    return out;
}

bool operator==(const URL& a, const URL& b) noexcept {
    return a.scheme_ == b.scheme_ && a.has_authority_ == b.has_authority_ && a.user_ == b.user_ &&
           a.password_ == b.password_ && a.host_ == b.host_ && a.port_ == b.port_ &&
           a.path_ == b.path_ && a.query_ == b.query_ && a.fragment_ == b.fragment_;
}

}  // namespace aio::http
