#pragma once
// The IMF-fixdate of RFC 9110 5.6.7 ("Sun, 06 Nov 1994 08:49:37 GMT"). A private stand-in until
// aio/http/http_date.hpp (branch http-url) is merged.

#include <chrono>
#include <ctime>
#include <string>

namespace aio::http::detail {

inline std::string format_imf_date(std::time_t t) {
    static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                              "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    std::tm tm{};
    ::gmtime_r(&t, &tm);
    char out[32];
    std::snprintf(out, sizeof out, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday], tm.tm_mday,
                  kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
    return out;
}

}  // namespace aio::http::detail
