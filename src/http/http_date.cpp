// HTTP and cookie dates with the civil calendar computed (Howard Hinnant's days_from_civil), so
// neither the locale nor the C library's time zone state is involved.

#include "aio/http/http_date.hpp"
#include "http/ascii.hpp"

#include <algorithm>
#include <array>
#include <cstdint>

namespace aio::http {

namespace {

using Clock = std::chrono::system_clock;

constexpr std::array<std::string_view, 7> kDays = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr std::array<std::string_view, 7> kLongDays = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                                       "Thursday", "Friday", "Saturday"};
constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

struct CivilTime {
    std::int64_t year;
    int month;  // 1-12
    int day;    // 1-31
    int hour;
    int minute;
    int second;  // 0-60 (a leap second is read as the next second)
};

constexpr std::int64_t days_from_civil(std::int64_t y, int m, int d) noexcept {
    y -= m <= 2 ? 1 : 0;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<std::int64_t>(y - era * 400);
    const std::int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

constexpr bool is_leap(std::int64_t y) noexcept {
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

constexpr int days_in_month(std::int64_t y, int m) noexcept {
    constexpr int kLengths[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : kLengths[m - 1];
}

bool valid(const CivilTime& t) noexcept {
    return t.month >= 1 && t.month <= 12 && t.day >= 1 && t.day <= days_in_month(t.year, t.month) &&
           t.hour >= 0 && t.hour <= 23 && t.minute >= 0 && t.minute <= 59 && t.second >= 0 &&
           t.second <= 60;
}

/// Seconds since the epoch -> a time_point, clamped to what the clock's duration holds.
Clock::time_point to_time_point(const CivilTime& t) noexcept {
    const std::int64_t seconds =
        days_from_civil(t.year, t.month, t.day) * 86400 + t.hour * 3600 + t.minute * 60 + t.second;
    using Seconds = std::chrono::duration<std::int64_t>;
    constexpr auto kMax =
        std::chrono::duration_cast<Seconds>(Clock::time_point::max().time_since_epoch()).count();
    constexpr auto kMin =
        std::chrono::duration_cast<Seconds>(Clock::time_point::min().time_since_epoch()).count();
    if (seconds >= kMax) return Clock::time_point::max();
    if (seconds <= kMin) return Clock::time_point::min();
    return Clock::time_point(std::chrono::duration_cast<Clock::duration>(Seconds(seconds)));
}

struct CivilDay {
    unsigned year;
    unsigned month;
    unsigned day;
};

constexpr CivilDay civil_from_days(std::int64_t days) noexcept {
    const std::int64_t z = days + 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const std::int64_t doe = z - era * 146097;
    const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const std::int64_t mp = (5 * doy + 2) / 153;
    const auto month = static_cast<unsigned>(mp < 10 ? mp + 3 : mp - 9);
    return {static_cast<unsigned>(yoe + era * 400 + (month <= 2 ? 1 : 0)), month,
            static_cast<unsigned>(doy - (153 * mp + 2) / 5 + 1)};
}

char* put2(char* p, unsigned v) noexcept {
    p[0] = static_cast<char>('0' + v / 10);
    p[1] = static_cast<char>('0' + v % 10);
    return p + 2;
}

/// A cursor over the date text for the strict forms.
class Reader {
public:
    explicit Reader(std::string_view s) noexcept : s_(s) {}
    bool done() const noexcept { return s_.empty(); }
    bool literal(std::string_view lit) noexcept {
        if (!s_.starts_with(lit)) return false;
        s_.remove_prefix(lit.size());
        return true;
    }
    /// Exactly `n` digits.
    bool digits(int n, int& out) noexcept {
        if (s_.size() < static_cast<std::size_t>(n)) return false;
        out = 0;
        for (int i = 0; i < n; ++i) {
            const char c = s_[static_cast<std::size_t>(i)];
            if (c < '0' || c > '9') return false;
            out = out * 10 + (c - '0');
        }
        s_.remove_prefix(static_cast<std::size_t>(n));
        return true;
    }
    template <std::size_t N>
    bool name(const std::array<std::string_view, N>& names, int& index) noexcept {
        for (std::size_t i = 0; i < N; ++i) {
            if (literal(names[i])) {
                index = static_cast<int>(i);
                return true;
            }
        }
        return false;
    }
    bool time_of_day(CivilTime& t) noexcept {
        return digits(2, t.hour) && literal(":") && digits(2, t.minute) && literal(":") &&
               digits(2, t.second);
    }

private:
    std::string_view s_;
};

// Each parser takes the whole (trimmed) text; the `name` result is not checked against the date:
// RFC 9110 does not ask for it and senders get it wrong.
std::optional<CivilTime> parse_imf_fixdate(std::string_view s) {
    Reader r(s);
    CivilTime t{};
    int weekday = 0, year = 0;
    if (r.name(kDays, weekday) && r.literal(", ") && r.digits(2, t.day) && r.literal(" ") &&
        r.name(kMonths, t.month) && r.literal(" ") && r.digits(4, year) && r.literal(" ") &&
        r.time_of_day(t) && r.literal(" GMT") && r.done()) {
        t.month += 1;
        t.year = year;
        return t;
    }
    return std::nullopt;
}

std::optional<CivilTime> parse_rfc850(std::string_view s, std::int64_t current_year) {
    Reader r(s);
    CivilTime t{};
    int weekday = 0, yy = 0;
    if (r.name(kLongDays, weekday) && r.literal(", ") && r.digits(2, t.day) && r.literal("-") &&
        r.name(kMonths, t.month) && r.literal("-") && r.digits(2, yy) && r.literal(" ") &&
        r.time_of_day(t) && r.literal(" GMT") && r.done()) {
        t.month += 1;
        // RFC 9110 5.6.7: a year more than 50 years in the future is the most recent past one.
        t.year = current_year - current_year % 100 + yy;
        if (t.year > current_year + 50) t.year -= 100;
        return t;
    }
    return std::nullopt;
}

std::optional<CivilTime> parse_asctime(std::string_view s) {
    Reader r(s);
    CivilTime t{};
    int weekday = 0, year = 0;
    if (!(r.name(kDays, weekday) && r.literal(" ") && r.name(kMonths, t.month) && r.literal(" "))) {
        return std::nullopt;
    }
    if (r.literal(" ")) {
        if (!r.digits(1, t.day)) return std::nullopt;
    } else if (!r.digits(2, t.day)) {
        return std::nullopt;
    }
    if (r.literal(" ") && r.time_of_day(t) && r.literal(" ") && r.digits(4, year) && r.done()) {
        t.month += 1;
        t.year = year;
        return t;
    }
    return std::nullopt;
}

std::int64_t current_year() {
    const auto secs = std::chrono::floor<std::chrono::seconds>(Clock::now()).time_since_epoch();
    return civil_from_days(secs.count() / 86400).year;
}

std::string_view trim_ows(std::string_view s) noexcept {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// RFC 6265 5.1.1.
constexpr bool is_cookie_delimiter(unsigned char c) noexcept {
    return c == 0x09 || (c >= 0x20 && c <= 0x2f) || (c >= 0x3b && c <= 0x40) ||
           (c >= 0x5b && c <= 0x60) || (c >= 0x7b && c <= 0x7e);
}

using aio::http::ascii::is_digit;

/// 1*max DIGIT at the token's start followed by the end or a non-digit; -1 otherwise.
int leading_number(std::string_view token, std::size_t min, std::size_t max,
                   std::size_t* used = nullptr) noexcept {
    std::size_t n = 0;
    int value = 0;
    while (n < token.size() && is_digit(token[n])) {
        if (n == max) return -1;
        value = value * 10 + (token[n] - '0');
        ++n;
    }
    if (n < min) return -1;
    if (used) *used = n;
    return value;
}

/// hms-time = time-field ":" time-field ":" time-field, each 1*2DIGIT, then non-digits.
bool cookie_time(std::string_view token, CivilTime& t) noexcept {
    int* fields[] = {&t.hour, &t.minute, &t.second};
    for (int i = 0; i < 3; ++i) {
        std::size_t used = 0;
        const int v = leading_number(token, 1, 2, &used);
        if (v < 0) return false;
        *fields[i] = v;
        token.remove_prefix(used);
        if (i < 2) {
            if (token.empty() || token.front() != ':') return false;
            token.remove_prefix(1);
        }
    }
    return true;
}

int cookie_month(std::string_view token) noexcept {
    if (token.size() < 3) return 0;
    auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; };
    for (std::size_t m = 0; m < kMonths.size(); ++m) {
        bool same = true;
        for (std::size_t i = 0; i < 3; ++i) same = same && lower(token[i]) == lower(kMonths[m][i]);
        if (same) return static_cast<int>(m) + 1;
    }
    return 0;
}

}  // namespace

std::string format_http_date(Clock::time_point when) {
    const auto secs = std::chrono::floor<std::chrono::seconds>(when).time_since_epoch().count();
    std::int64_t days = secs / 86400;
    std::int64_t rem = secs % 86400;
    if (rem < 0) {
        rem += 86400;
        days -= 1;
    }
    const auto [year, month, day] = civil_from_days(days);
    const auto weekday = static_cast<std::size_t>(((days % 7) + 11) % 7);  // 1970-01-01: Thursday

    std::string out(29, ' ');
    char* p = out.data();
    p = std::copy(kDays[weekday].begin(), kDays[weekday].end(), p);
    *p++ = ',';
    *p++ = ' ';
    p = put2(p, day);
    *p++ = ' ';
    p = std::copy(kMonths[month - 1].begin(), kMonths[month - 1].end(), p);
    *p++ = ' ';
    p = put2(p, year / 100);  // system_clock's range keeps the year within 4 digits
    p = put2(p, year % 100);
    *p++ = ' ';
    p = put2(p, static_cast<unsigned>(rem / 3600));
    *p++ = ':';
    p = put2(p, static_cast<unsigned>(rem / 60 % 60));
    *p++ = ':';
    p = put2(p, static_cast<unsigned>(rem % 60));
    std::copy_n(" GMT", 4, p);
    return out;
}

std::optional<Clock::time_point> parse_http_date(std::string_view text) {
    text = trim_ows(text);
    std::optional<CivilTime> t = parse_imf_fixdate(text);
    if (!t) t = parse_rfc850(text, current_year());
    if (!t) t = parse_asctime(text);
    if (!t || !valid(*t)) return std::nullopt;
    return to_time_point(*t);
}

std::optional<Clock::time_point> parse_cookie_date(std::string_view text) {
    CivilTime t{};
    bool found_time = false, found_day = false, found_month = false, found_year = false;
    int year = 0;
    std::size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && is_cookie_delimiter(static_cast<unsigned char>(text[i]))) ++i;
        const std::size_t start = i;
        while (i < text.size() && !is_cookie_delimiter(static_cast<unsigned char>(text[i]))) ++i;
        const std::string_view token = text.substr(start, i - start);
        if (token.empty()) break;
        if (!found_time && cookie_time(token, t)) {
            found_time = true;
        } else if (int d = leading_number(token, 1, 2); !found_day && d >= 0) {
            t.day = d;
            found_day = true;
        } else if (int m = cookie_month(token); !found_month && m > 0) {
            t.month = m;
            found_month = true;
        } else if (int y = leading_number(token, 2, 4); !found_year && y >= 0) {
            year = y;
            found_year = true;
        }
    }
    if (!found_time || !found_day || !found_month || !found_year) return std::nullopt;
    if (year >= 70 && year <= 99) year += 1900;
    if (year >= 0 && year <= 69) year += 2000;
    t.year = year;
    if (year < 1601 || t.hour > 23 || t.minute > 59 || t.second > 59) return std::nullopt;
    if (t.day < 1 || t.day > days_in_month(t.year, t.month)) return std::nullopt;
    return to_time_point(t);
}

}  // namespace aio::http
