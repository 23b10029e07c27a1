// CookieJar: RFC 6265 5.2 (reading Set-Cookie), 5.3 (storing) and 5.4 (the Cookie header).

#include "aio/http/cookie_jar.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <limits>

#include "aio/core/exceptions.hpp"
#include "aio/http/http_date.hpp"
#include "http/ascii.hpp"

namespace aio::http {

namespace {

using Clock = std::chrono::system_clock;

constexpr std::size_t kMaxNameValue = 4096;  // RFC 6265bis 5.6 step 4

std::string_view trim_wsp(std::string_view s) noexcept {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

using aio::http::ascii::lower;

bool has_control(std::string_view s) noexcept {
    return std::any_of(s.begin(), s.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return (u < 0x20 && u != '\t') || u == 0x7f;
    });
}

bool is_ip_address(std::string_view host) noexcept {
    if (host.find(':') != std::string_view::npos) return true;  // URL keeps IPv6 unbracketed
    char text[INET_ADDRSTRLEN];
    if (host.size() >= sizeof text) return false;
    host.copy(text, host.size());
    text[host.size()] = '\0';
    in_addr v4{};
    return inet_pton(AF_INET, text, &v4) == 1;
}

bool secure_scheme(std::string_view scheme) noexcept {
    return scheme == "https" || scheme == "wss";
}

/// Max-Age's value (RFC 6265 5.2.2): an optional `-` and digits, saturating.
std::optional<long long> parse_max_age(std::string_view v) noexcept {
    bool negative = false;
    if (!v.empty() && v.front() == '-') {
        negative = true;
        v.remove_prefix(1);
    }
    if (v.empty()) return std::nullopt;
    long long n = 0;
    for (char c : v) {
        if (c < '0' || c > '9') return std::nullopt;
        n = n > std::numeric_limits<long long>::max() / 10 ? std::numeric_limits<long long>::max()
                                                           : n * 10 + (c - '0');
    }
    return negative ? -n : n;
}

Clock::time_point add_seconds(Clock::time_point t, long long seconds) noexcept {
    using Seconds = std::chrono::duration<long long>;
    const auto room = std::chrono::duration_cast<Seconds>(Clock::time_point::max() - t).count();
    if (seconds >= room) return Clock::time_point::max();
    return t + std::chrono::duration_cast<Clock::duration>(Seconds(seconds));
}

/// A Set-Cookie value read as RFC 6265 5.2 says, before the storage rules.
struct Parsed {
    std::string name;
    std::string value;
    std::optional<std::string> domain;
    std::optional<std::string> path;
    std::optional<Clock::time_point> expires;
    std::optional<long long> max_age;
    bool secure = false;
    bool http_only = false;
    std::string same_site;
};

std::optional<Parsed> parse_set_cookie(std::string_view text) {
    Parsed out;
    const auto semi = text.find(';');
    const auto pair = text.substr(0, semi);
    const auto eq = pair.find('=');
    if (eq == std::string_view::npos) return std::nullopt;
    const auto name = trim_wsp(pair.substr(0, eq));
    const auto value = trim_wsp(pair.substr(eq + 1));
    if (name.empty() || has_control(name) || has_control(value) ||
        name.size() + value.size() > kMaxNameValue) {
        return std::nullopt;
    }
    out.name = name;
    out.value = value;
    std::string_view rest = semi == std::string_view::npos ? std::string_view() : text.substr(semi);
    while (!rest.empty()) {
        rest.remove_prefix(1);  // the ';'
        const auto next = rest.find(';');
        const auto av = rest.substr(0, next);
        rest = next == std::string_view::npos ? std::string_view() : rest.substr(next);
        const auto av_eq = av.find('=');
        const std::string key = lower(trim_wsp(av.substr(0, av_eq)));
        const auto v =
            av_eq == std::string_view::npos ? std::string_view() : trim_wsp(av.substr(av_eq + 1));
        if (key == "expires") {
            if (auto t = parse_cookie_date(v)) out.expires = *t;
        } else if (key == "max-age") {
            if (auto n = parse_max_age(v)) out.max_age = *n;
        } else if (key == "domain") {
            if (v.empty()) continue;
            out.domain = lower(v.front() == '.' ? v.substr(1) : v);
        } else if (key == "path") {
            out.path = std::string(v);
        } else if (key == "secure") {
            out.secure = true;
        } else if (key == "httponly") {
            out.http_only = true;
        } else if (key == "samesite") {
            out.same_site = std::string(v);
        }
    }
    return out;
}

}  // namespace

bool domain_match(std::string_view host, std::string_view domain) noexcept {
    if (host == domain) return true;
    if (domain.empty() || host.size() <= domain.size() || !host.ends_with(domain)) return false;
    if (host[host.size() - domain.size() - 1] != '.') return false;
    return !is_ip_address(host);
}

bool path_match(std::string_view request_path, std::string_view cookie_path) noexcept {
    if (request_path == cookie_path) return true;
    if (!request_path.starts_with(cookie_path)) return false;
    return cookie_path.ends_with('/') || request_path[cookie_path.size()] == '/';
}

std::string default_cookie_path(std::string_view request_path) {
    if (request_path.empty() || request_path.front() != '/') return "/";
    const auto slash = request_path.rfind('/');
    if (slash == 0) return "/";
    return std::string(request_path.substr(0, slash));
}

CookieJar::CookieJar(CookieJarOptions options) : options_(std::move(options)) {}

DummyCookieJar::DummyCookieJar()
    : CookieJar([] {
          CookieJarOptions options;
          options.enabled = false;
          return options;
      }()) {}

Clock::time_point CookieJar::now() const {
    return options_.clock ? options_.clock() : Clock::now();
}

void CookieJar::drop_expired() const {
    const auto t = now();
    std::erase_if(cookies_, [&](const Cookie& c) { return c.expires && *c.expires <= t; });
}

void CookieJar::update_cookies(const Headers& response_headers, const URL& response_url) {
    for (std::string_view value : response_headers.get_all("Set-Cookie")) {
        update_cookie(value, response_url);
    }
}

void CookieJar::update_cookies(const std::vector<std::string_view>& set_cookie_values,
                               const URL& response_url) {
    for (std::string_view value : set_cookie_values) update_cookie(value, response_url);
}

void CookieJar::update_cookie(std::string_view set_cookie_value, const URL& response_url) {
    if (!options_.enabled) return;
    const std::string_view host = response_url.host();
    if (host.empty()) return;
    if (!options_.unsafe && is_ip_address(host)) return;
    auto parsed = parse_set_cookie(set_cookie_value);
    if (!parsed) return;

    Cookie cookie;
    cookie.name = std::move(parsed->name);
    cookie.value = std::move(parsed->value);
    if (parsed->domain) {
        if (!domain_match(host, *parsed->domain)) return;  // 5.3 step 6: not the host's domain
        cookie.domain = std::move(*parsed->domain);
        cookie.host_only = false;
    } else {
        cookie.domain = std::string(host);
    }
    cookie.path = parsed->path && !parsed->path->empty() && parsed->path->front() == '/'
                      ? std::move(*parsed->path)
                      : default_cookie_path(response_url.raw_path());
    cookie.secure = parsed->secure;
    cookie.http_only = parsed->http_only;
    cookie.same_site = std::move(parsed->same_site);
    cookie.creation = now();
    if (parsed->max_age) {
        cookie.expires = *parsed->max_age <= 0 ? Clock::time_point::min()
                                               : add_seconds(cookie.creation, *parsed->max_age);
    } else if (parsed->expires) {
        cookie.expires = parsed->expires;
    }

    // RFC 6265bis 5.6 steps 12, 20-21: no Secure cookie from plain http; the name prefixes.
    if (cookie.secure && !secure_scheme(response_url.scheme())) return;
    if (cookie.name.starts_with("__Secure-") && !cookie.secure) return;
    if (cookie.name.starts_with("__Host-") &&
        (!cookie.secure || !cookie.host_only || cookie.path != "/")) {
        return;
    }
    store(std::move(cookie));
}

void CookieJar::set_cookie(std::string_view name, std::string_view value, const URL& for_url) {
    if (name.empty() || has_control(name) || has_control(value) ||
        name.find_first_of(";= \t") != std::string_view::npos ||
        value.find(';') != std::string_view::npos) {
        throw ValueError("bad cookie name or value: '" + std::string(name) + "'");
    }
    if (!options_.enabled) return;
    Cookie cookie;
    cookie.name = std::string(name);
    cookie.value = std::string(value);
    cookie.domain = std::string(for_url.host());
    cookie.host_only = !cookie.domain.empty();
    cookie.path.assign(1, '/');  // not = "/": g++ 12 at -O3 warns falsely (-Wrestrict) on that form
    cookie.creation = now();
    store(std::move(cookie));
}

void CookieJar::store(Cookie cookie) {
    auto old = std::find_if(cookies_.begin(), cookies_.end(), [&](const Cookie& c) {
        return c.name == cookie.name && c.domain == cookie.domain && c.path == cookie.path;
    });
    const bool expired = cookie.expires && *cookie.expires <= cookie.creation;
    if (old != cookies_.end()) {
        if (expired) {
            cookies_.erase(old);
        } else {
            cookie.creation = old->creation;  // 5.3 step 11.3
            *old = std::move(cookie);
        }
    } else if (!expired) {
        // RFC 6265 6.1's limits, so a server cannot grow the jar without bound: the oldest
        // cookie of the domain goes first, then the oldest of all. Storage order is creation
        // order (a replacement keeps the old place and time).
        drop_expired();
        const auto same_domain = [&](const Cookie& c) { return c.domain == cookie.domain; };
        if (options_.max_cookies_per_domain > 0 &&
            static_cast<std::size_t>(
                std::count_if(cookies_.begin(), cookies_.end(), same_domain)) >=
                options_.max_cookies_per_domain) {
            cookies_.erase(std::find_if(cookies_.begin(), cookies_.end(), same_domain));
        }
        if (options_.max_cookies > 0 && cookies_.size() >= options_.max_cookies) {
            cookies_.erase(cookies_.begin());
        }
        cookies_.push_back(std::move(cookie));
    }
}

std::string CookieJar::filter_cookies(const URL& request_url) const {
    if (!options_.enabled) return {};
    drop_expired();
    const std::string_view host = request_url.host();
    const std::string_view path = request_url.raw_path();
    const bool secure = secure_scheme(request_url.scheme());
    std::vector<const Cookie*> chosen;
    for (const Cookie& c : cookies_) {
        const bool shared = c.domain.empty() && !c.host_only;
        if (!shared && (c.host_only ? host != c.domain : !domain_match(host, c.domain))) continue;
        if (!path_match(path, c.path)) continue;
        if (c.secure && !secure) continue;
        chosen.push_back(&c);
    }
    // 5.4 step 2: longer paths first; then earlier creation (stable_sort keeps storage order,
    // which is creation order, for equal times).
    std::stable_sort(chosen.begin(), chosen.end(), [](const Cookie* a, const Cookie* b) {
        if (a->path.size() != b->path.size()) return a->path.size() > b->path.size();
        return a->creation < b->creation;
    });
    std::string out;
    for (const Cookie* c : chosen) {
        if (!out.empty()) out += "; ";
        out += c->name;
        out += '=';
        out += c->value;
    }
    return out;
}

void CookieJar::clear() noexcept { cookies_.clear(); }

void CookieJar::clear_domain(std::string_view domain) {
    std::string d = lower(domain.starts_with('.') ? domain.substr(1) : domain);
    std::erase_if(cookies_, [&](const Cookie& c) { return domain_match(c.domain, d); });
}

void CookieJar::clear_if(const std::function<bool(const Cookie&)>& predicate) {
    std::erase_if(cookies_, predicate);
}

std::size_t CookieJar::size() const {
    drop_expired();
    return cookies_.size();
}

CookieJar::const_iterator CookieJar::begin() const {
    drop_expired();
    return cookies_.begin();
}

CookieJar::const_iterator CookieJar::end() const { return cookies_.end(); }

}  // namespace aio::http
