#pragma once
/// aio::web::MatchInfo — what the router found for a request (aiohttp's UrlMappingMatchInfo):
/// the path parameters by name, percent-decoded, the route, and the applications the request
/// went through (the outermost first; the last one is `request.app()`).
///
/// ```
/// router.add_get("/users/{id:\\d+}/files/{tail:.*}", handler);
/// // GET /users/42/files/a%20b/c.txt
/// req.match_info()["id"];     // "42"
/// req.match_info()["tail"];   // "a b/c.txt"
/// ```

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace aio::web {

class Application;
class Resource;
class Route;

class MatchInfo {
public:
    using value_type = std::pair<std::string, std::string>;
    using const_iterator = std::vector<value_type>::const_iterator;

    /// The value of the parameter `name`; KeyError when the route has no such parameter.
    std::string_view operator[](std::string_view name) const;
    std::optional<std::string_view> get(std::string_view name) const noexcept;
    std::string_view get(std::string_view name, std::string_view fallback) const noexcept;
    bool contains(std::string_view name) const noexcept { return get(name).has_value(); }
    std::size_t size() const noexcept { return params_.size(); }
    bool empty() const noexcept { return params_.empty(); }
    const_iterator begin() const noexcept { return params_.begin(); }
    const_iterator end() const noexcept { return params_.end(); }

    /// The route that answers, nullptr when none did (404, 405).
    const Route* route() const noexcept { return route_; }
    /// The route's resource, nullptr when none matched.
    const Resource* resource() const noexcept { return resource_; }
    /// The applications the request went through, outermost first (aiohttp's `apps`).
    const std::vector<Application*>& apps() const noexcept { return apps_; }
    /// The HTTP status the router gave when no route answers (404 or 405), else 0.
    int http_status() const noexcept { return status_; }
    /// For a 405: the methods that the path accepts.
    const std::vector<std::string>& allowed_methods() const noexcept { return allowed_; }

    /// Adds a parameter (the router does; a middleware may too).
    void add(std::string name, std::string value) { params_.emplace_back(std::move(name), std::move(value)); }

private:
    friend class UrlDispatcher;
    friend class Application;
    std::vector<value_type> params_;
    const Route* route_ = nullptr;
    const Resource* resource_ = nullptr;
    std::vector<Application*> apps_;
    std::vector<std::string> allowed_;
    int status_ = 0;
};

}  // namespace aio::web
