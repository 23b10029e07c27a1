#pragma once
/// HTTP dates (RFC 9110 5.6.7) and cookie dates (RFC 6265 5.1.1).
///
/// ```
/// using namespace std::chrono;
/// aio::http::format_http_date(sys_days{1994y / November / 6} + 8h + 49min + 37s);
///     // "Sun, 06 Nov 1994 08:49:37 GMT"
/// aio::http::parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT");   // the same instant
/// aio::http::parse_cookie_date("Wed, 09-Jun-2021 10:18:14 GMT");  // a Set-Cookie Expires
/// ```
/// No locale, no `strftime`, no time zone database: the calendar is computed.
///
/// A date past what `std::chrono::system_clock::time_point` holds (years before 1678 or after
/// 2261 with libstdc++'s nanoseconds, such as the common "never expires" 31 Dec 9999) parses to
/// `time_point::min()` or `time_point::max()`.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace aio::http {

/// `when` as an IMF-fixdate, "Sun, 06 Nov 1994 08:49:37 GMT" (always 29 bytes); the fraction of a
/// second is dropped.
std::string format_http_date(std::chrono::system_clock::time_point when);

/// Parses the three forms RFC 9110 5.6.7 asks recipients to accept: IMF-fixdate
/// ("Sun, 06 Nov 1994 08:49:37 GMT"), RFC 850 ("Sunday, 06-Nov-94 08:49:37 GMT", its two-digit
/// year read as the most recent past year that is not more than 50 years in the future) and
/// asctime ("Sun Nov  6 08:49:37 1994"). Names are case-sensitive, as the RFC says; whitespace
/// around the date is ignored. nullopt for anything else, an impossible date (31 Apr) included.
std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view text);

/// RFC 6265 5.1.1's lenient algorithm for a cookie's Expires: tokens between delimiters, found in
/// any order (time, day of month, month by its first three letters in any case, year; a two-digit
/// year is 19xx from 70, else 20xx). nullopt when a part is missing or out of range (year before
/// 1601, 24:00:00, 32 Jan, 30 Feb).
std::optional<std::chrono::system_clock::time_point> parse_cookie_date(std::string_view text);

}  // namespace aio::http
