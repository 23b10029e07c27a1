#pragma once
// Parameters of a header value (`type/sub; name=value; name*=...`, RFC 9110 5.6.6 and RFC 6266),
// shared by the multipart boundary and Content-Disposition. Private to src/web.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace aio::web::detail {

struct HeaderValue {
    /// What comes before the first `;`, trimmed and lower-cased.
    std::string main;
    /// Each parameter: its name lower-cased, its value unquoted.
    std::vector<std::pair<std::string, std::string>> params;
};

/// Tolerant: a parameter without `=` or with an unterminated quote ends the list.
HeaderValue parse_header_params(std::string_view value);

/// Decodes an RFC 5987 ext-value (`UTF-8'lang'%e2%82%ac`): UTF-8 and ISO-8859-1 (converted to
/// UTF-8); another charset's bytes are kept as they are. False if it is not an ext-value.
bool decode_ext_value(std::string_view value, std::string& out);

}  // namespace aio::web::detail
