// router.add_static: a prefix resource whose GET/HEAD hand the rest of the path, still
// percent-encoded, to web-files' serve_static (which decodes it once and keeps it inside).

#include <filesystem>

#include "aio/core/exceptions.hpp"
#include "aio/web/request.hpp"
#include "aio/web/router.hpp"
#include "aio/web/static_files.hpp"

namespace aio::web {

namespace detail {
struct StaticDirectoryHolder {
    StaticDirectory directory;
};
}  // namespace detail

Resource& UrlDispatcher::add_static(std::string_view prefix, const std::filesystem::path& directory,
                                    std::string_view name) {
    return add_static(prefix, directory, StaticOptions{}, name);
}

Resource& UrlDispatcher::add_static(std::string_view prefix, const std::filesystem::path& directory,
                                    const StaticOptions& options, std::string_view name) {
    check_not_frozen();
    std::string p(prefix);
    while (!p.empty() && p.back() == '/') p.pop_back();
    if (p.empty() || p[0] != '/') throw ValueError("add_static: the prefix '" + std::string(prefix) + "' must start with '/' and not be '/'");
    std::error_code ec;
    if (!std::filesystem::is_directory(directory, ec))
        throw ValueError("add_static: '" + directory.string() + "' is not a directory");
    auto holder = std::make_shared<detail::StaticDirectoryHolder>(detail::StaticDirectoryHolder{
        StaticDirectory(directory.string(), options)});
    std::unique_ptr<Resource> r(new Resource(*this, Resource::Kind::prefix, p, std::string(name)));
    r->static_ = holder;
    Resource* self = r.get();
    // The rest of the raw path after the prefix (and the sub-app prefixes around this router).
    auto serve = [holder, self](Request& request) -> Coro<Response> {
        std::string_view raw = request.raw_path();
        std::string full = self->router_.full_prefix() + self->canonical();
        std::string encoded = http::quote(full, "/");
        std::string_view rest;
        if (raw.starts_with(encoded)) rest = raw.substr(encoded.size());
        else rest = request.match_info().get("filename", "");
        if (rest.starts_with('/')) rest.remove_prefix(1);
        return serve_static(request, holder->directory, rest);
    };
    Resource& added = add_named(std::move(r));
    added.add_route("GET", serve);
    added.add_route("HEAD", serve);
    return added;
}

}  // namespace aio::web
