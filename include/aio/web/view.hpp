#pragma once
/// Class-based views (aiohttp's `web.View`): one type per resource, one member per method.
///
/// ```
/// struct UserView : aio::web::View {
///     using View::View;
///     aio::Coro<aio::web::Response> get() {
///         co_return aio::web::Response("user " + std::string(request().match_info()["id"]));
///     }
///     aio::Coro<aio::web::Response> del() { co_return aio::web::Response("gone", 204); }
/// };
/// app.router().add_view<UserView>("/users/{id}");
/// ```
///
/// A view is made from the request for each request and lives while its method runs. The
/// members it may have are get, head, post, put, patch, del (for DELETE: `delete` is a C++
/// keyword) and options, each `Coro<Response>()`; the router finds them at compile time, so a
/// method the view lacks is answered with 405 and an `Allow` listing the ones it has, as
/// aiohttp's View. As there, HEAD is answered only by a head() member.

#include <string>
#include <vector>

#include "aio/web/http_exceptions.hpp"
#include "aio/web/request.hpp"
#include "aio/web/router.hpp"

namespace aio::web {

class View {
public:
    explicit View(Request& request) noexcept : request_(request) {}
    Request& request() const noexcept { return request_; }

private:
    Request& request_;
};

namespace detail {

template <class V>
std::vector<std::string> view_methods() {
    std::vector<std::string> m;
    if constexpr (requires(V& v) { v.del(); }) m.emplace_back("DELETE");
    if constexpr (requires(V& v) { v.get(); }) m.emplace_back("GET");
    if constexpr (requires(V& v) { v.head(); }) m.emplace_back("HEAD");
    if constexpr (requires(V& v) { v.options(); }) m.emplace_back("OPTIONS");
    if constexpr (requires(V& v) { v.patch(); }) m.emplace_back("PATCH");
    if constexpr (requires(V& v) { v.post(); }) m.emplace_back("POST");
    if constexpr (requires(V& v) { v.put(); }) m.emplace_back("PUT");
    return m;
}

template <class V>
Coro<Response> dispatch_view(Request& request) {
    V view(request);
    std::string_view m = request.method();
    if constexpr (requires(V& v) { v.get(); })
        if (m == "GET") co_return co_await view.get();
    if constexpr (requires(V& v) { v.head(); })
        if (m == "HEAD") co_return co_await view.head();
    if constexpr (requires(V& v) { v.post(); })
        if (m == "POST") co_return co_await view.post();
    if constexpr (requires(V& v) { v.put(); })
        if (m == "PUT") co_return co_await view.put();
    if constexpr (requires(V& v) { v.patch(); })
        if (m == "PATCH") co_return co_await view.patch();
    if constexpr (requires(V& v) { v.del(); })
        if (m == "DELETE") co_return co_await view.del();
    if constexpr (requires(V& v) { v.options(); })
        if (m == "OPTIONS") co_return co_await view.options();
    throw HTTPMethodNotAllowed(std::string(m), view_methods<V>());
}

}  // namespace detail

template <class V>
Route& UrlDispatcher::add_view(std::string_view path, RouteOptions options) {
    static_assert(std::is_base_of_v<View, V> || std::is_constructible_v<V, Request&>,
                  "a view is made from the request: V(Request&)");
    Handler h = &detail::dispatch_view<V>;
    return add_route("*", path, std::move(h), options);
}

}  // namespace aio::web
