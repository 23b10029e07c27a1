#pragma once
/// aio::web::UrlDispatcher — the router (aiohttp's `app.router`): resources (a path template)
/// holding routes (a method and a handler), resolved in the order they were added.
///
/// ```
/// auto& r = app.router();
/// r.add_get("/", index);                                  // GET and HEAD
/// r.add_post("/users", create_user);
/// r.add_get("/users/{id:\\d+}", get_user, {.name = "user"});
/// r.add_route("*", "/any", any_method);
/// r.add_get("/files/{tail:.*}", files);
/// r["user"].url_for({{"id", "42"}}).str();                // "/users/42"
/// ```
///
/// Path templates, as aiohttp's: `{name}` matches one segment (no `/`), `{name:regex}` matches
/// the regex (ECMAScript syntax, compiled once when the route is added), so `{tail:.*}` takes
/// the rest of the path. Templates whose parameters are whole `{name}` segments are matched
/// without a regex; plain paths are found through a hash index. Matching is on the decoded
/// path (except `%2F`, which stays a character of a segment, not a separator) and the
/// parameters are decoded.
///
/// Resolution, as aiohttp: the first resource (in the order added) whose path matches and that
/// has a route for the method answers. When paths match but no method does: 405 with `Allow`
/// listing the methods of every matching resource; when no path matches: 404. A path that
/// falls under a sub-application's prefix is resolved by the sub-application alone (its 404
/// and 405 too, through its middlewares). "/a" and "/a/" are different paths: there is no
/// redirect unless the app uses `normalize_path_middleware()`.
///
/// Routes are added before the application starts: afterwards the router is frozen and
/// adding one throws RuntimeError.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "aio/http/url.hpp"
#include "aio/web/handler.hpp"
#include "aio/web/match_info.hpp"
#include "aio/web/static_files.hpp"

namespace aio::web {

class Application;
class Request;
class Resource;
class UrlDispatcher;

namespace detail {
struct PathPattern;
struct StaticDirectoryHolder;
/// Lets the plain-path index be searched with a string_view (no allocation per request).
struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};
}  // namespace detail

/// The options of add_route and its kin. Trivially destructible: safe as a braced temporary.
struct RouteOptions {
    /// The resource's name, for `router[name]` and url_for; empty: unnamed.
    std::string_view name = {};
    /// add_get only: also answer HEAD (aiohttp's allow_head).
    bool allow_head = true;
};

/// A method and a handler on a resource (aiohttp's ResourceRoute).
class Route {
public:
    /// "GET", "POST", ... or "*" for any method.
    const std::string& method() const noexcept { return method_; }
    const Handler& handler() const noexcept { return handler_; }
    Resource& resource() const noexcept { return *resource_; }
    /// The resource's name (empty when unnamed).
    const std::string& name() const noexcept;
    /// The handler inside the middlewares of its app and the apps around it (outermost
    /// first), once the app is frozen; the handler itself before.
    const Handler& chain() const noexcept { return chain_.empty() ? handler_ : *chain_.back(); }

    Route(std::string method, Handler handler, Resource* resource)
        : method_(std::move(method)), handler_(std::move(handler)), resource_(resource) {}
    Route(const Route&) = delete;
    Route& operator=(const Route&) = delete;

private:
    friend class Application;
    friend class UrlDispatcher;
    std::string method_;
    Handler handler_;
    Resource* resource_;
    // The handler wrapped in the middlewares of its app and the apps around it (outermost
    // first), built when the app freezes. Each layer's `next` is the one after it; the
    // unique_ptrs keep their addresses, which the layers hold.
    std::vector<std::unique_ptr<Handler>> chain_;
};

/// A path template and its routes (aiohttp's PlainResource, DynamicResource, StaticResource,
/// PrefixedSubAppResource).
class Resource {
public:
    enum class Kind {
        plain,    ///< a fixed path
        dynamic,  ///< a template with `{parameters}`
        prefix,   ///< every path under a prefix (a static directory)
        subapp,   ///< a sub-application's prefix
    };

    Resource(const Resource&) = delete;
    Resource& operator=(const Resource&) = delete;
    ~Resource();

    Kind kind() const noexcept { return kind_; }
    /// The path template as given (`/users/{id}`), or the prefix, within its router (without
    /// the prefix of an enclosing sub-application: see url_for).
    const std::string& canonical() const noexcept { return canonical_; }
    const std::string& name() const noexcept { return name_; }
    const std::vector<std::unique_ptr<Route>>& routes() const noexcept { return routes_; }
    /// The sub-application of a `subapp` resource, else nullptr.
    Application* subapp() const noexcept { return subapp_; }

    /// Adds a route; RuntimeError when the resource already has one for `method` (it would
    /// never be called) or the router is frozen.
    Route& add_route(std::string_view method, Handler handler);

    /// The URL of this resource (aiohttp's url_for), under the prefixes of the sub-applications
    /// it is in: each `{name}` replaced by its value from `parts`, percent-encoded (a value of a
    /// `{name:regex}` parameter keeps its `/`); `query` appended. A static directory's resource
    /// takes the file's path as "filename". KeyError for a missing part, ValueError for a
    /// value the parameter's regex does not match, RuntimeError for a sub-application's resource.
    http::URL url_for(std::initializer_list<std::pair<std::string_view, std::string_view>> parts = {},
                      const http::QueryParams& query = {}) const;

private:
    friend class UrlDispatcher;
    friend class Application;
    Resource(UrlDispatcher& router, Kind kind, std::string canonical, std::string name);

    UrlDispatcher& router_;
    Kind kind_;
    std::string canonical_;
    std::string name_;
    std::vector<std::unique_ptr<Route>> routes_;
    std::unique_ptr<detail::PathPattern> pattern_;         // dynamic
    std::shared_ptr<detail::StaticDirectoryHolder> static_;  // prefix (a static directory)
    Application* subapp_ = nullptr;
    std::shared_ptr<Application> subapp_owner_;  // empty when the caller owns the sub-app
};

class UrlDispatcher {
public:
    explicit UrlDispatcher(Application& app) noexcept : app_(app) {}
    UrlDispatcher(const UrlDispatcher&) = delete;
    UrlDispatcher& operator=(const UrlDispatcher&) = delete;
    ~UrlDispatcher();

    /// The resource for `path` (a new one, or the last one added when it has the same
    /// template and name, as aiohttp). ValueError for a path not starting with `/`, a
    /// malformed template (an unclosed `{`, a bad regex, a parameter name used twice) or a
    /// name already taken; RuntimeError once frozen.
    Resource& add_resource(std::string_view path, std::string_view name = {});
    /// A route for `method` ("GET", ... or "*" for any) on `path`.
    Route& add_route(std::string_view method, std::string_view path, Handler handler, RouteOptions options = {});
    /// GET, and HEAD unless `options.allow_head` is false (the HEAD answer has no body).
    Route& add_get(std::string_view path, Handler handler, RouteOptions options = {});
    Route& add_head(std::string_view path, Handler handler, RouteOptions options = {});
    Route& add_post(std::string_view path, Handler handler, RouteOptions options = {});
    Route& add_put(std::string_view path, Handler handler, RouteOptions options = {});
    Route& add_patch(std::string_view path, Handler handler, RouteOptions options = {});
    Route& add_delete(std::string_view path, Handler handler, RouteOptions options = {});
    Route& add_options(std::string_view path, Handler handler, RouteOptions options = {});
    /// A class-based view on `path` (see view.hpp, which defines this template): `V` is made
    /// from the request for each one and its get()/post()/... answers; methods it lacks: 405.
    template <class V>
    Route& add_view(std::string_view path, RouteOptions options = {});
    /// Serves the files under `directory` at `prefix` (a route whose `filename` parameter takes
    /// the rest of the path), through
    /// `serve_static` (static_files.hpp): GET and HEAD. ValueError when `directory` is not a
    /// directory.
    Resource& add_static(std::string_view prefix, const std::filesystem::path& directory, std::string_view name = {});
    Resource& add_static(std::string_view prefix, const std::filesystem::path& directory,
                         const StaticOptions& options, std::string_view name = {});

    /// The resource named `name`; KeyError when none is.
    Resource& operator[](std::string_view name) const;
    bool contains(std::string_view name) const noexcept { return named_.count(std::string(name)) != 0; }
    /// Every resource, in the order added.
    const std::vector<std::unique_ptr<Resource>>& resources() const noexcept { return resources_; }

    /// Finds the route for `method` and `path` (decoded, as Request::path()), as a request would
    /// be resolved, without running anything: the route, or nullptr with `status` 404 or 405.
    /// Sub-applications are searched too. For middlewares such as normalize_path.
    const Route* resolve(std::string_view method, std::string_view path, int* status = nullptr) const;

    bool frozen() const noexcept { return frozen_; }
    Application& app() const noexcept { return app_; }

private:
    friend class Application;
    friend class Resource;
    /// Fills `request.match_info()` and returns the route (or nullptr: the match info then
    /// says 404 or 405, for the app it ended in). Percent-decoding is done by the caller.
    const Route* resolve_request(Request& request, std::string_view path_safe) const;
    void resolve_into(std::string_view method, std::string_view path_safe, MatchInfo& m) const;
    void check_not_frozen() const;
    Resource& add_named(std::unique_ptr<Resource> resource);
    /// The prefixes of the sub-applications this router is in, outermost first, joined.
    std::string full_prefix() const;

    Application& app_;
    std::vector<std::unique_ptr<Resource>> resources_;
    std::unordered_map<std::string, Resource*> named_;
    // Plain resources by path, each with its index in resources_ (several may share a path).
    std::unordered_map<std::string, std::vector<std::size_t>, detail::StringHash, std::equal_to<>> plain_index_;
    // The indexes of the resources that are not plain, in order.
    std::vector<std::size_t> others_;
    bool frozen_ = false;
};

}  // namespace aio::web
