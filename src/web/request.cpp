// aio::web::Request: the HTTP layer's request plus what routing and the application add. The
// decoded views are computed once, and only when the raw form has escapes.

#include "aio/web/request.hpp"

#include <any>

#include "aio/core/os_errors.hpp"
#include "aio/web/application.hpp"
#include "http/ascii.hpp"

namespace aio::web {

namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

using aio::http::ascii::trim;

}  // namespace

Request::Request(http::Request& raw, Application& app)
    : http::Request(&raw.connection(), &raw.head()), app_(&app) {
    std::string_view raw_path = http::Request::path();
    if (raw_path.find('%') != std::string_view::npos) {
        decoded_path_ = http::unquote(raw_path);
        path_ = decoded_path_;
    } else {
        path_ = raw_path;
    }
}

Request::~Request() = default;

const MultiDict& Request::query() const {
    if (!query_) query_.emplace(MultiDict::from_query(query_string()));
    return *query_;
}

std::string Request::remote() const {
    SocketAddress peer = peername();
    if (peer.empty()) return {};
    if (peer.is_unix()) return peer.to_string();
    return peer.host();
}

std::string Request::host() const {
    std::string_view h = header("Host");
    if (!h.empty()) return std::string(h);
    try {
        auto local = transport().get_extra_info("sockname");
        if (auto* a = std::any_cast<SocketAddress>(&local); a && !a->empty() && !a->is_unix()) {
            // Appended piece by piece: g++ 12 at -O3 warns falsely (-Wrestrict) about "[" + string.
            std::string out;
            if (a->is_ipv6()) out += '[';
            out += a->host();
            if (a->is_ipv6()) out += ']';
            out += ':';
            out += std::to_string(a->port());
            return out;
        }
    } catch (const ConnectionError&) {
    }
    return {};
}

std::string_view Request::scheme() const {
    try {
        if (transport().get_extra_info("ssl_object").has_value()) return "https";
    } catch (const ConnectionError&) {
    }
    return "http";
}

http::URL Request::rel_url() const { return http::URL(target()); }

http::URL Request::url() const {
    std::string h = host();
    std::string text(scheme());
    text += "://";
    text += h.empty() ? std::string("localhost") : h;
    text += target().starts_with('/') ? target() : std::string_view("/");
    return http::URL(text);
}

std::string Request::content_type() const {
    std::string_view ct = header("Content-Type");
    std::string type = lower(trim(ct.substr(0, ct.find(';'))));
    return type.empty() ? std::string("application/octet-stream") : type;
}

std::string Request::charset() const {
    std::string_view ct = header("Content-Type");
    std::size_t semi = ct.find(';');
    while (semi != std::string_view::npos) {
        ct.remove_prefix(semi + 1);
        semi = ct.find(';');
        std::string_view param = trim(ct.substr(0, semi));
        std::size_t eq = param.find('=');
        if (eq == std::string_view::npos) continue;
        if (lower(trim(param.substr(0, eq))) != "charset") continue;
        std::string_view v = trim(param.substr(eq + 1));
        if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
        return lower(v);
    }
    return {};
}

}  // namespace aio::web
