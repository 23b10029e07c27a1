#pragma once
// A route's path template (`/users/{id}`, `/files/{tail:.*}`) parsed once, when the route is
// added: matched against request paths and filled in by url_for.

#include <initializer_list>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace aio::web::detail {

struct PathPattern {
    struct Piece {
        std::string text;   // the literal text, or the parameter's name
        bool param = false;
        bool custom = false;  // a `{name:regex}` parameter
        std::string regex;    // a custom parameter's regex text
        std::optional<std::regex> re;  // a custom parameter's own regex (url_for checks values)
    };

    /// Parses `path`. ValueError for a malformed template. A template without parameters gives
    /// a pattern with one literal piece (the caller makes a plain resource of it).
    static PathPattern parse(std::string_view path);

    bool has_params() const noexcept { return names.size() > 0; }
    /// Matches the whole of `path` (decoded but for `%2F` and `%25`); on success appends the
    /// parameters, fully decoded, to `out`.
    bool match(std::string_view path, std::vector<std::pair<std::string, std::string>>& out) const;
    /// The path with the parameters filled in from `parts`, percent-encoded.
    std::string build(std::initializer_list<std::pair<std::string_view, std::string_view>> parts) const;

    std::vector<Piece> pieces;
    std::vector<std::string> names;
    // The literal text before the first parameter: a cheap test before any matching.
    std::string literal_prefix;
    // Every parameter is a plain `{name}` ending its segment: matched by scanning, no regex.
    bool scan = true;
    std::optional<std::regex> whole;  // when !scan
    std::vector<std::size_t> groups;  // the capture group of each parameter in `whole`
};

/// Decodes `%XX` escapes except `%2F` and `%25` (yarl's path_safe): what routes match.
std::string decode_path_safe(std::string_view raw);

}  // namespace aio::web::detail
