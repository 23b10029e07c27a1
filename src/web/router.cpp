// aio::web::UrlDispatcher: resources in the order added, a hash index for plain paths, and the
// resolution rules of aiohttp's UrlDispatcher.resolve.

#include "aio/web/router.hpp"

#include <algorithm>

#include "aio/core/exceptions.hpp"
#include "aio/web/application.hpp"
#include "aio/web/http_exceptions.hpp"
#include "aio/web/request.hpp"
#include "path_pattern.hpp"

namespace aio::web {

namespace {

// Methods are tokens (RFC 9110 5.6.2); aiohttp upper-cases them.
std::string normalise_method(std::string_view method) {
    if (method.empty()) throw ValueError("a route needs a method");
    std::string m;
    for (char c : method) {
        if (c == '*' && method.size() == 1) return "*";
        bool tchar = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                     std::string_view("!#$%&'+-.^_`|~").find(c) != std::string_view::npos;
        if (!tchar) throw ValueError("'" + std::string(method) + "' is not an HTTP method");
        m += static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
    }
    return m;
}

}  // namespace

const std::string& Route::name() const noexcept { return resource_->name(); }

Resource::Resource(UrlDispatcher& router, Kind kind, std::string canonical, std::string name)
    : router_(router), kind_(kind), canonical_(std::move(canonical)), name_(std::move(name)) {}

Resource::~Resource() = default;

Route& Resource::add_route(std::string_view method, Handler handler) {
    router_.check_not_frozen();
    if (kind_ == Kind::subapp) throw RuntimeError("a sub-application's resource takes no routes");
    if (!handler) throw ValueError("a route needs a handler");
    std::string m = normalise_method(method);
    for (const auto& r : routes_)
        if (r->method() == m || r->method() == "*")
            throw RuntimeError("Added route will never be executed, method " + r->method() + " is already registered");
    routes_.push_back(std::make_unique<Route>(std::move(m), std::move(handler), this));
    return *routes_.back();
}

http::URL Resource::url_for(std::initializer_list<std::pair<std::string_view, std::string_view>> parts,
                            const http::QueryParams& query) const {
    std::string path = router_.full_prefix();
    switch (kind_) {
    case Kind::plain: path += http::quote(canonical_, "/"); break;
    case Kind::dynamic: path += pattern_->build(parts); break;
    case Kind::prefix: {
        const std::pair<std::string_view, std::string_view>* file = nullptr;
        for (const auto& p : parts)
            if (p.first == "filename") file = &p;
        if (!file) detail::throw_missing_key("url_for part", "filename");
        path += http::quote(canonical_, "/");
        std::string_view f = file->second;
        if (!f.starts_with('/')) path += '/';
        path += http::quote(f, "/");
        break;
    }
    case Kind::subapp: throw RuntimeError("a sub-application's resource has no URL: use its routes");
    }
    http::URL url(path);
    return query.empty() ? url : url.with_query(query);
}

UrlDispatcher::~UrlDispatcher() = default;

void UrlDispatcher::check_not_frozen() const {
    if (frozen_) throw RuntimeError("Cannot register a resource into frozen router.");
}

std::string UrlDispatcher::full_prefix() const {
    std::string out;
    for (const Application* a = &app_; a && a->parent(); a = a->parent()) out.insert(0, a->prefix());
    return out;
}

Resource& UrlDispatcher::add_named(std::unique_ptr<Resource> resource) {
    if (!resource->name_.empty()) {
        const std::string& n = resource->name_;
        for (char c : n)
            if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' || c == ':'))
                throw ValueError("Incorrect route name '" + n + "': letters, digits, '_', '-', '.' and ':' only");
        if (named_.count(n)) throw ValueError("Duplicate '" + n + "', already handled by another resource");
    }
    std::size_t index = resources_.size();
    Resource& r = *resource;
    if (r.kind_ == Resource::Kind::plain) plain_index_[r.canonical_].push_back(index);
    else others_.push_back(index);
    if (!r.name_.empty()) named_.emplace(r.name_, &r);
    resources_.push_back(std::move(resource));
    return r;
}

Resource& UrlDispatcher::add_resource(std::string_view path, std::string_view name) {
    check_not_frozen();
    if (path.empty() || path[0] != '/') throw ValueError("the path '" + std::string(path) + "' must start with '/'");
    // aiohttp reuses the last resource when the same template and name come again, so
    // add_get("/a") then add_post("/a") make one resource with both methods.
    if (!resources_.empty()) {
        Resource& last = *resources_.back();
        if ((last.kind_ == Resource::Kind::plain || last.kind_ == Resource::Kind::dynamic) &&
            last.canonical_ == path && last.name_ == name)
            return last;
    }
    auto pattern = std::make_unique<detail::PathPattern>(detail::PathPattern::parse(path));
    std::unique_ptr<Resource> r(new Resource(*this, pattern->has_params() ? Resource::Kind::dynamic : Resource::Kind::plain,
                                             std::string(path), std::string(name)));
    if (pattern->has_params()) r->pattern_ = std::move(pattern);
    return add_named(std::move(r));
}

Route& UrlDispatcher::add_route(std::string_view method, std::string_view path, Handler handler, RouteOptions options) {
    return add_resource(path, options.name).add_route(method, std::move(handler));
}

Route& UrlDispatcher::add_get(std::string_view path, Handler handler, RouteOptions options) {
    Resource& r = add_resource(path, options.name);
    if (options.allow_head) r.add_route("HEAD", handler);
    return r.add_route("GET", std::move(handler));
}

Route& UrlDispatcher::add_head(std::string_view path, Handler handler, RouteOptions options) {
    return add_route("HEAD", path, std::move(handler), options);
}
Route& UrlDispatcher::add_post(std::string_view path, Handler handler, RouteOptions options) {
    return add_route("POST", path, std::move(handler), options);
}
Route& UrlDispatcher::add_put(std::string_view path, Handler handler, RouteOptions options) {
    return add_route("PUT", path, std::move(handler), options);
}
Route& UrlDispatcher::add_patch(std::string_view path, Handler handler, RouteOptions options) {
    return add_route("PATCH", path, std::move(handler), options);
}
Route& UrlDispatcher::add_delete(std::string_view path, Handler handler, RouteOptions options) {
    return add_route("DELETE", path, std::move(handler), options);
}
Route& UrlDispatcher::add_options(std::string_view path, Handler handler, RouteOptions options) {
    return add_route("OPTIONS", path, std::move(handler), options);
}

Resource& UrlDispatcher::operator[](std::string_view name) const {
    auto it = named_.find(std::string(name));
    if (it == named_.end()) detail::throw_missing_key("route name", name);
    return *it->second;
}

void UrlDispatcher::resolve_into(std::string_view method, std::string_view path, MatchInfo& m) const {
    m.apps_.push_back(&app_);
    const std::vector<std::size_t>* plain = nullptr;
    if (!plain_index_.empty()) {
        auto it = plain_index_.find(path);
        if (it != plain_index_.end()) plain = &it->second;
    }
    std::vector<std::string> allowed;
    // Returns true when `r` decides the request (a route, or a sub-app that owns the path).
    auto try_resource = [&](const Resource& r, bool path_known) -> bool {
        std::size_t first = m.params_.size();
        switch (r.kind_) {
        case Resource::Kind::plain:
            if (!path_known) return false;
            break;
        case Resource::Kind::dynamic:
            if (!r.pattern_->match(path, m.params_)) return false;
            break;
        case Resource::Kind::prefix: {
            const std::string& p = r.canonical_;
            if (path.size() <= p.size() || !path.starts_with(p) || path[p.size()] != '/') return false;
            m.params_.emplace_back("filename", http::unquote(path.substr(p.size() + 1)));
            break;
        }
        case Resource::Kind::subapp: {
            const std::string& p = r.canonical_;
            if (!path.starts_with(p) || (path.size() > p.size() && path[p.size()] != '/')) return false;
            r.subapp_->router_.resolve_into(method, path.substr(p.size()), m);
            return true;
        }
        }
        for (const auto& route : r.routes_) {
            if (route->method_ == method || route->method_ == "*") {
                m.route_ = route.get();
                m.resource_ = &r;
                return true;
            }
        }
        for (const auto& route : r.routes_) allowed.push_back(route->method_);
        m.params_.resize(first);
        return false;
    };
    std::size_t pi = 0, oi = 0;
    std::size_t np = plain ? plain->size() : 0;
    while (pi < np || oi < others_.size()) {
        bool take_plain = oi == others_.size() || (pi < np && (*plain)[pi] < others_[oi]);
        std::size_t index = take_plain ? (*plain)[pi++] : others_[oi++];
        if (try_resource(*resources_[index], take_plain)) return;
    }
    m.status_ = allowed.empty() ? 404 : 405;
    m.allowed_ = std::move(allowed);
}

const Route* UrlDispatcher::resolve_request(Request& request, std::string_view path_safe) const {
    MatchInfo& m = request.match_;
    resolve_into(request.method(), path_safe, m);
    request.app_ = m.apps_.back();
    return m.route_;
}

const Route* UrlDispatcher::resolve(std::string_view method, std::string_view path, int* status) const {
    MatchInfo m;
    std::string safe = http::quote(path, "/");  // back to the encoded form, then as a request's
    resolve_into(method, detail::decode_path_safe(safe), m);
    if (status) *status = m.route_ ? 200 : m.status_;
    return m.route_;
}

}  // namespace aio::web
