#pragma once
/// HTTP header fields: aiohttp's CIMultiDict. Names compare case-insensitively (ASCII), a name may
/// appear several times, and the order fields were added in is kept (it is the order on the wire).
///
/// ```
/// aio::http::Headers h{{"Content-Type", "text/plain"}, {"Set-Cookie", "a=1"}};
/// h.add("Set-Cookie", "b=2");
/// h.get("content-type");            // "text/plain"
/// h.get_all("set-cookie");          // {"a=1", "b=2"}
/// h.set("Content-Type", "text/html");  // replaces every Content-Type
/// for (const auto& [name, value] : h) { ... }
/// ```

#include <cstddef>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace aio::http {

/// ASCII case-insensitive equality, the comparison for field names and tokens (RFC 9110 5.1).
bool iequals(std::string_view a, std::string_view b) noexcept;

class Headers {
public:
    using value_type = std::pair<std::string, std::string>;
    using const_iterator = std::vector<value_type>::const_iterator;

    Headers() = default;
    Headers(std::initializer_list<std::pair<std::string_view, std::string_view>> fields);

    /// Appends a field, keeping any others of that name.
    void add(std::string_view name, std::string_view value);
    /// Replaces every field named `name` by one with `value` (in the first one's place, or at the end).
    void set(std::string_view name, std::string_view value);
    /// Adds the field only if no field of that name exists; returns the value now in force.
    std::string_view setdefault(std::string_view name, std::string_view value);
    /// The first value of `name`, or nullopt.
    std::optional<std::string_view> get(std::string_view name) const noexcept;
    /// The first value of `name`, or `fallback`.
    std::string_view get(std::string_view name, std::string_view fallback) const noexcept;
    /// Every value of `name`, in order.
    std::vector<std::string_view> get_all(std::string_view name) const;
    bool contains(std::string_view name) const noexcept;
    /// Removes every field named `name`; returns how many there were.
    std::size_t erase(std::string_view name) noexcept;
    /// Adds every field of `other` (aiohttp's extend).
    void extend(const Headers& other);
    void clear() noexcept { fields_.clear(); }
    /// Room for `n` fields without reallocating (a request's defaults, a response's head).
    void reserve(std::size_t n) { fields_.reserve(n); }

    std::size_t size() const noexcept { return fields_.size(); }
    bool empty() const noexcept { return fields_.empty(); }
    const_iterator begin() const noexcept { return fields_.begin(); }
    const_iterator end() const noexcept { return fields_.end(); }

    /// Equal when they hold the same fields in the same order (names compared case-insensitively).
    friend bool operator==(const Headers& a, const Headers& b) noexcept;

private:
    std::vector<value_type> fields_;
};

}  // namespace aio::http
