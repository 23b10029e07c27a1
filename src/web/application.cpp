// aio::web::Application: sub-applications, freezing (which builds every route's middleware
// chain once, so a request allocates no std::function), and the per-request entry.

#include "aio/web/application.hpp"

#include "aio/core/exceptions.hpp"
#include "aio/web/http_exceptions.hpp"
#include "aio/web/request.hpp"
#include "path_pattern.hpp"

namespace aio::web {

namespace {

// The handler of a request no route answers: the router put 404 or 405 in the match info.
Coro<Response> no_route(Request& request) {
    const MatchInfo& m = request.match_info();
    if (m.http_status() == 405) throw HTTPMethodNotAllowed(std::string(request.method()), m.allowed_methods());
    throw HTTPNotFound();
    co_return Response();  // never reached: it makes this a coroutine, so the throw reaches the awaiter
}

const Handler& no_route_handler() {
    static const Handler h = &no_route;
    return h;
}

// Wraps `inner` in `middlewares` (outermost first). Each layer is a plain lambda that calls its
// middleware with the next layer: no coroutine frame of its own.
void build_chain(std::vector<std::unique_ptr<Handler>>& chain, const Handler& inner,
                 const std::vector<const Middleware*>& middlewares) {
    chain.clear();
    const Handler* next = &inner;
    for (auto it = middlewares.rbegin(); it != middlewares.rend(); ++it) {
        const Middleware* mw = *it;
        auto layer = [mw, next](Request& r) { return (*mw)(r, *next); };
        chain.push_back(std::make_unique<Handler>(layer));
        next = chain.back().get();
    }
}

}  // namespace

Application::Application() : router_(*this) {}

Application::~Application() = default;

Resource& Application::add_subapp(std::string_view prefix, Application& subapp) {
    return mount(prefix, subapp, nullptr);
}

Resource& Application::add_subapp(std::string_view prefix, std::shared_ptr<Application> subapp) {
    if (!subapp) throw ValueError("add_subapp: no application");
    Application& app = *subapp;
    return mount(prefix, app, std::move(subapp));
}

Resource& Application::mount(std::string_view prefix, Application& subapp, std::shared_ptr<Application> owner) {
    router_.check_not_frozen();
    if (subapp.frozen_) throw RuntimeError("Cannot add frozen application");
    for (const Application* a = this; a; a = a->parent_)
        if (a == &subapp) throw ValueError("add_subapp: an application cannot be mounted inside itself");
    if (subapp.parent_) throw ValueError("add_subapp: the application is mounted already");
    std::string p(prefix);
    while (!p.empty() && p.back() == '/') p.pop_back();
    if (p.empty()) throw ValueError("Prefix cannot be empty");
    if (p[0] != '/') throw ValueError("the prefix '" + std::string(prefix) + "' must start with '/'");
    if (p.find_first_of("{}") != std::string::npos)
        throw ValueError("the prefix '" + std::string(prefix) + "' is a plain path: no '{' or '}'");
    std::unique_ptr<Resource> r(new Resource(router_, Resource::Kind::subapp, p, ""));
    r->subapp_ = &subapp;
    r->subapp_owner_ = std::move(owner);
    Resource& added = router_.add_named(std::move(r));
    subapp.parent_ = this;
    subapp.prefix_ = std::move(p);
    subapps_.push_back(&subapp);
    return added;
}

void Application::freeze() {
    // A sub-app is frozen with its parent, with the parent's middlewares around its own.
    if (parent_) {
        Application* top = this;
        while (top->parent_) top = top->parent_;
        top->freeze();
        return;
    }
    if (frozen_) return;
    freeze_chains({});
}

void Application::freeze_chains(const std::vector<const Middleware*>& outer) {
    frozen_ = true;
    router_.frozen_ = true;
    middlewares.freeze();
    on_startup.freeze();
    on_shutdown.freeze();
    on_cleanup.freeze();
    cleanup_ctx.freeze();
    std::vector<const Middleware*> all = outer;
    for (const Middleware& m : middlewares) all.push_back(&m);
    for (const auto& resource : router_.resources_)
        for (const auto& route : resource->routes_) build_chain(route->chain_, route->handler_, all);
    build_chain(not_found_chain_, no_route_handler(), all);
    for (Application* sub : subapps_) sub->freeze_chains(all);
}

http::Handler Application::make_handler() {
    freeze();
    return [this](http::Request& request) { return handle(request); };
}

Coro<http::Response> Application::handle(http::Request& raw) {
    Request request(raw, *this);
    std::string_view raw_path = raw.path();
    const Route* route;
    if (raw_path.find('%') == std::string_view::npos) {
        route = router_.resolve_request(request, raw_path);
    } else {
        std::string safe = detail::decode_path_safe(raw_path);
        route = router_.resolve_request(request, safe);
    }
    const Application& owner = request.app();
    const Handler& entry = route ? route->chain()
                                 : (owner.not_found_chain_.empty() ? no_route_handler() : *owner.not_found_chain_.back());
    try {
        co_return co_await entry(request);
    } catch (const HTTPException& e) {
        co_return e.to_response();
    }
}

}  // namespace aio::web
