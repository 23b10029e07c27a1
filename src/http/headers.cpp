#include "aio/http/headers.hpp"

#include <algorithm>

#include "http/ascii.hpp"

namespace aio::http {

using ascii::lower;

bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (lower(a[i]) != lower(b[i])) return false;
    }
    return true;
}

Headers::Headers(std::initializer_list<std::pair<std::string_view, std::string_view>> fields) {
    fields_.reserve(fields.size());
    for (const auto& [name, value] : fields) add(name, value);
}

void Headers::add(std::string_view name, std::string_view value) {
    fields_.emplace_back(name, value);
}

void Headers::set(std::string_view name, std::string_view value) {
    auto first = std::find_if(fields_.begin(), fields_.end(),
                              [&](const value_type& f) { return iequals(f.first, name); });
    if (first == fields_.end()) {
        add(name, value);
        return;
    }
    // The field takes the name as now given, as multidict's replace does. `name` and `value`
    // may view into fields about to move: the first field's copy is the key from here on.
    first->first.assign(name);
    first->second.assign(value);
    const std::string& key = first->first;
    auto rest = std::remove_if(first + 1, fields_.end(),
                               [&](const value_type& f) { return iequals(f.first, key); });
    fields_.erase(rest, fields_.end());
}

std::string_view Headers::setdefault(std::string_view name, std::string_view value) {
    for (const auto& f : fields_) {
        if (iequals(f.first, name)) return f.second;
    }
    add(name, value);
    return fields_.back().second;
}

std::optional<std::string_view> Headers::get(std::string_view name) const noexcept {
    for (const auto& f : fields_) {
        if (iequals(f.first, name)) return std::string_view(f.second);
    }
    return std::nullopt;
}

std::string_view Headers::get(std::string_view name, std::string_view fallback) const noexcept {
    auto v = get(name);
    return v ? *v : fallback;
}

std::vector<std::string_view> Headers::get_all(std::string_view name) const {
    std::vector<std::string_view> out;
    for (const auto& f : fields_) {
        if (iequals(f.first, name)) out.emplace_back(f.second);
    }
    return out;
}

bool Headers::contains(std::string_view name) const noexcept { return get(name).has_value(); }

std::size_t Headers::erase(std::string_view name) noexcept {
    // `name` may view into a field (`h.erase(field.first)`) whose bytes remove_if moves: compare
    // against a copy. Names are tokens, short in practice; a longer one is copied to the heap
    // (allocation failure there ends the program, as erase is noexcept).
    char small[256];
    std::string large;
    std::string_view key;
    if (name.size() <= sizeof small) {
        name.copy(small, name.size());
        key = std::string_view(small, name.size());
    } else {
        large.assign(name);
        key = large;
    }
    auto rest = std::remove_if(fields_.begin(), fields_.end(),
                               [&](const value_type& f) { return iequals(f.first, key); });
    auto n = static_cast<std::size_t>(fields_.end() - rest);
    fields_.erase(rest, fields_.end());
    return n;
}

void Headers::extend(const Headers& other) {
    if (&other == this) {
        // vector::insert of a range from the vector itself is undefined: copy it first.
        const std::vector<value_type> copy = fields_;
        fields_.insert(fields_.end(), copy.begin(), copy.end());
        return;
    }
    fields_.insert(fields_.end(), other.fields_.begin(), other.fields_.end());
}

bool operator==(const Headers& a, const Headers& b) noexcept {
    return std::equal(a.fields_.begin(), a.fields_.end(), b.fields_.begin(), b.fields_.end(),
                      [](const Headers::value_type& x, const Headers::value_type& y) {
                          return iequals(x.first, y.first) && x.second == y.second;
                      });
}

}  // namespace aio::http
