#pragma once
/// aio::web::MultiDict — an ordered multidict of strings (aiohttp's MultiDictProxy for
/// `request.query`): a name may appear several times, lookups are case-sensitive and give the
/// first value, the order of the pairs is kept.
///
/// ```
/// aio::web::MultiDict q = aio::web::MultiDict::from_query("a=1&b=x+y&a=2");
/// q.get("a");            // "1"
/// q.get_all("a");        // {"1", "2"}
/// q.get("c", "none");    // "none"
/// q["b"];                // "x y"; KeyError for a missing name
/// ```

#include <cstddef>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace aio::web {

class MultiDict {
public:
    using value_type = std::pair<std::string, std::string>;
    using const_iterator = std::vector<value_type>::const_iterator;

    MultiDict() = default;
    MultiDict(std::initializer_list<std::pair<std::string_view, std::string_view>> pairs);
    explicit MultiDict(std::vector<value_type> pairs) noexcept : pairs_(std::move(pairs)) {}
    /// Decodes an `application/x-www-form-urlencoded` string (a URL's query): `+` is a space,
    /// `%XX` escapes are decoded, a name without `=` has an empty value, empty pieces are skipped.
    static MultiDict from_query(std::string_view query);

    void add(std::string_view name, std::string_view value);
    /// The first value of `name`, or nullopt.
    std::optional<std::string_view> get(std::string_view name) const noexcept;
    /// The first value of `name`, or `fallback`.
    std::string_view get(std::string_view name, std::string_view fallback) const noexcept;
    /// The first value of `name`; KeyError when there is none (Python's `d[name]`).
    std::string_view operator[](std::string_view name) const;
    /// Every value of `name`, in order (aiohttp's getall, without its KeyError: empty instead).
    std::vector<std::string_view> get_all(std::string_view name) const;
    bool contains(std::string_view name) const noexcept;

    std::size_t size() const noexcept { return pairs_.size(); }
    bool empty() const noexcept { return pairs_.empty(); }
    const_iterator begin() const noexcept { return pairs_.begin(); }
    const_iterator end() const noexcept { return pairs_.end(); }

    friend bool operator==(const MultiDict&, const MultiDict&) = default;

private:
    std::vector<value_type> pairs_;
};

}  // namespace aio::web
