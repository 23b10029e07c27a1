// aio::web::MultiDict: a vector of pairs; lookups are linear, which beats hashing for the few
// pairs a query or a cookie header has.

#include "aio/web/multidict.hpp"

#include "aio/http/url.hpp"
#include "aio/web/state.hpp"

namespace aio::web {

MultiDict::MultiDict(std::initializer_list<std::pair<std::string_view, std::string_view>> pairs) {
    pairs_.reserve(pairs.size());
    for (const auto& [n, v] : pairs) pairs_.emplace_back(std::string(n), std::string(v));
}

MultiDict MultiDict::from_query(std::string_view query) {
    std::vector<value_type> pairs;
    if (query.empty()) return MultiDict(std::move(pairs));
    for (auto& [n, v] : http::parse_query(query)) pairs.emplace_back(std::move(n), std::move(v));
    return MultiDict(std::move(pairs));
}

void MultiDict::add(std::string_view name, std::string_view value) {
    pairs_.emplace_back(std::string(name), std::string(value));
}

std::optional<std::string_view> MultiDict::get(std::string_view name) const noexcept {
    for (const auto& [n, v] : pairs_)
        if (n == name) return std::string_view(v);
    return std::nullopt;
}

std::string_view MultiDict::get(std::string_view name, std::string_view fallback) const noexcept {
    auto v = get(name);
    return v ? *v : fallback;
}

std::string_view MultiDict::operator[](std::string_view name) const {
    auto v = get(name);
    if (!v) detail::throw_missing_key("name", name);
    return *v;
}

std::vector<std::string_view> MultiDict::get_all(std::string_view name) const {
    std::vector<std::string_view> out;
    for (const auto& [n, v] : pairs_)
        if (n == name) out.emplace_back(v);
    return out;
}

bool MultiDict::contains(std::string_view name) const noexcept { return get(name).has_value(); }

}  // namespace aio::web
