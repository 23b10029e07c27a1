// aio::web::MatchInfo lookups: a route has a handful of parameters, so a linear scan.

#include "aio/web/match_info.hpp"

#include "aio/web/state.hpp"

namespace aio::web {

std::optional<std::string_view> MatchInfo::get(std::string_view name) const noexcept {
    for (const auto& [n, v] : params_)
        if (n == name) return std::string_view(v);
    return std::nullopt;
}

std::string_view MatchInfo::get(std::string_view name, std::string_view fallback) const noexcept {
    auto v = get(name);
    return v ? *v : fallback;
}

std::string_view MatchInfo::operator[](std::string_view name) const {
    auto v = get(name);
    if (!v) detail::throw_missing_key("match_info name", name);
    return *v;
}

}  // namespace aio::web
