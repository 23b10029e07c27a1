// aio::http's dates: IMF-fixdate formatting, the three forms of RFC 9110 5.6.7 with its examples,
// RFC 6265 5.1.1's cookie dates, and inputs that must be refused.

#include "aio/http/http_date.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <iterator>
#include <random>
#include <string>

using namespace std::chrono;
using aio::http::format_http_date;
using aio::http::parse_cookie_date;
using aio::http::parse_http_date;

namespace {

// RFC 9110 5.6.7's example instant.
const system_clock::time_point kExample = sys_days{1994y / November / 6} + 8h + 49min + 37s;

}  // namespace

TEST(HttpDate, FormatsTheRfcExampleAsIMFFixdate) {
    EXPECT_EQ(format_http_date(kExample), "Sun, 06 Nov 1994 08:49:37 GMT");
    EXPECT_EQ(format_http_date(kExample + 999ms), "Sun, 06 Nov 1994 08:49:37 GMT")
        << "the fraction is dropped, not rounded";
}

TEST(HttpDate, FormatsEpochLeapDaysAndEveryWeekday) {
    EXPECT_EQ(format_http_date(system_clock::time_point{}), "Thu, 01 Jan 1970 00:00:00 GMT");
    EXPECT_EQ(format_http_date(sys_days{2000y / February / 29} + 23h + 59min + 59s),
              "Tue, 29 Feb 2000 23:59:59 GMT");
    EXPECT_EQ(format_http_date(sys_days{1969y / December / 31} + 12h),
              "Wed, 31 Dec 1969 12:00:00 GMT");
    EXPECT_EQ(format_http_date(sys_days{2026y / December / 7}), "Mon, 07 Dec 2026 00:00:00 GMT");
    EXPECT_EQ(format_http_date(sys_days{2100y / March / 1}), "Mon, 01 Mar 2100 00:00:00 GMT");
}

TEST(HttpDate, FormatAgreesWithTheStandardCalendarOverManyDays) {
    std::mt19937_64 random(7);
    std::uniform_int_distribution<std::int64_t> seconds(-2'000'000'000, 7'000'000'000);
    for (int i = 0; i < 2000; ++i) {
        const system_clock::time_point when{std::chrono::seconds(seconds(random))};
        const auto day = floor<days>(when);
        const year_month_day ymd(day);
        const weekday wd(day);
        const std::string text = format_http_date(when);
        ASSERT_EQ(text.size(), 29u);
        static const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
        EXPECT_EQ(text.substr(0, 3), kDays[wd.c_encoding()]) << text;
        EXPECT_EQ(std::stoi(text.substr(5, 2)), static_cast<int>(unsigned(ymd.day()))) << text;
        EXPECT_EQ(std::stoi(text.substr(12, 4)), static_cast<int>(ymd.year())) << text;
        EXPECT_EQ(parse_http_date(text), floor<std::chrono::seconds>(when)) << text;
    }
}

TEST(HttpDate, ParsesTheThreeFormsOfTheRfcExample) {
    EXPECT_EQ(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), kExample);
    EXPECT_EQ(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"), kExample);
    EXPECT_EQ(parse_http_date("Sun Nov  6 08:49:37 1994"), kExample);
    EXPECT_EQ(parse_http_date("Sun Nov 16 08:49:37 1994"), kExample + days(10));
    EXPECT_EQ(parse_http_date("  Sun, 06 Nov 1994 08:49:37 GMT\t"), kExample);
}

TEST(HttpDate, Rfc850TwoDigitYearsAreNeverMoreThanFiftyYearsAhead) {
    const auto now_year = static_cast<int>(year_month_day(floor<days>(system_clock::now())).year());
    const int ahead = (now_year + 49) % 100;
    const int behind = (now_year + 51) % 100;
    char text[64];
    std::snprintf(text, sizeof text, "Monday, 01-Jan-%02d 00:00:00 GMT", ahead);
    auto parsed = parse_http_date(text);
    ASSERT_TRUE(parsed);
    EXPECT_EQ(static_cast<int>(year_month_day(floor<days>(*parsed)).year()), now_year + 49);
    std::snprintf(text, sizeof text, "Monday, 01-Jan-%02d 00:00:00 GMT", behind);
    parsed = parse_http_date(text);
    ASSERT_TRUE(parsed);
    EXPECT_EQ(static_cast<int>(year_month_day(floor<days>(*parsed)).year()), now_year - 49);
}

TEST(HttpDate, RefusesMalformedAndImpossibleDates) {
    for (const char* bad : {"",
                            "garbage",
                            "Sun, 06 Nov 1994 08:49:37 UTC",
                            "sun, 06 Nov 1994 08:49:37 GMT",
                            "Sun, 06 nov 1994 08:49:37 GMT",
                            "Sun, 6 Nov 1994 08:49:37 GMT",
                            "Sun, 06 Nov 94 08:49:37 GMT",
                            "Sun, 06 Nov 1994 8:49:37 GMT",
                            "Sun, 06 Nov 1994 08:49:37 GMT x",
                            "Sun, 31 Apr 1994 08:49:37 GMT",
                            "Sun, 29 Feb 1900 08:49:37 GMT",
                            "Sun, 00 Nov 1994 08:49:37 GMT",
                            "Sun, 06 Nov 1994 24:00:00 GMT",
                            "Sun, 06 Nov 1994 08:60:00 GMT",
                            "Sun, 06 Nov 1994 08:49:61 GMT",
                            "Sun,  06 Nov 1994 08:49:37 GMT",
                            "Sun, 06 Nov 1994 08:49:37",
                            "Sun, 06-Nov-94 08:49:37 GMT",
                            "Sunday, 06 Nov 1994 08:49:37 GMT",
                            "Sun Nov 6 08:49:37 1994",
                            "Sun Nov  6 08:49:37 94"}) {
        EXPECT_EQ(parse_http_date(bad), std::nullopt) << bad;
    }
    EXPECT_EQ(parse_http_date(std::string_view("Sun, 06 Nov 1994 08:49:37 GMT\0", 30)),
              std::nullopt);
}

TEST(HttpDate, ALeapSecondIsReadAsTheNextSecond) {
    EXPECT_EQ(parse_http_date("Sat, 31 Dec 2016 23:59:60 GMT"),
              system_clock::time_point(sys_days{2017y / January / 1}));
}

TEST(HttpDate, DatesBeyondTheClockClampToItsEnds) {
    EXPECT_EQ(parse_http_date("Fri, 31 Dec 9999 23:59:59 GMT"), system_clock::time_point::max());
    EXPECT_EQ(parse_http_date("Mon, 01 Jan 1601 00:00:00 GMT"), system_clock::time_point::min());
}

TEST(CookieDate, ParsesTheFormsSeenInSetCookie) {
    const auto expected = sys_days{2021y / June / 9} + 10h + 18min + 14s;
    EXPECT_EQ(parse_cookie_date("Wed, 09 Jun 2021 10:18:14 GMT"), expected);
    EXPECT_EQ(parse_cookie_date("Wed, 09-Jun-2021 10:18:14 GMT"), expected);
    EXPECT_EQ(parse_cookie_date("Wednesday, 09-Jun-21 10:18:14 GMT"), expected);
    EXPECT_EQ(parse_cookie_date("Wed Jun  9 10:18:14 2021"), expected);
    EXPECT_EQ(parse_cookie_date("9 june 2021 10:18:14"), expected);
    EXPECT_EQ(parse_cookie_date("2021 JUN 09 10:18:14"), expected) << "tokens in any order";
    EXPECT_EQ(parse_cookie_date("Wed, 09 Jun 2021 10:18:14 +0000"), expected);
    EXPECT_EQ(parse_cookie_date("Wed, 09 Jun 2021 1:2:3 GMT"),
              sys_days{2021y / June / 9} + 1h + 2min + 3s);
}

TEST(CookieDate, TwoDigitYearsAreSeventyToNinetyNineOrTwoThousands) {
    EXPECT_EQ(parse_cookie_date("01 Jan 70 00:00:00"), system_clock::time_point{});
    EXPECT_EQ(parse_cookie_date("01 Jan 69 00:00:00"),
              system_clock::time_point(sys_days{2069y / January / 1}));
    EXPECT_EQ(parse_cookie_date("01 Jan 1969 00:00:00"),
              system_clock::time_point(sys_days{1969y / January / 1}));
}

TEST(CookieDate, RefusesMissingOrOutOfRangeParts) {
    for (const char* bad : {"", "Wed, 09 Jun 2021", "09 2021 10:18:14", "Jun 2021 10:18:14",
                            "09 Jun 10:18:14", "32 Jan 2021 10:18:14", "30 Feb 2021 10:18:14",
                            "09 Jun 1600 10:18:14", "09 Jun 2021 24:00:00", "09 Jun 2021 10:60:00",
                            "09 Jun 2021 10:18:60", "0 Jun 2021 1:1:1", "09 Xyz 2021 10:18:14"}) {
        EXPECT_EQ(parse_cookie_date(bad), std::nullopt) << bad;
    }
    EXPECT_EQ(parse_cookie_date("Fri, 31 Dec 9999 23:59:59 GMT"), system_clock::time_point::max());
}

TEST(HttpDate, RandomTextNeverCrashesAndRarelyParses) {
    std::mt19937 random(5);
    static const char* kPieces[] = {"Sun", "Sunday", ", ",   " ",  "-",    ":",  "06", "6",
                                    "Nov", "nov",    "1994", "94", "08",   "49", "37", "GMT",
                                    "\t",  "x",      "99",   "0",  "\xff", ";"};
    std::uniform_int_distribution<std::size_t> pick(0, std::size(kPieces) - 1), count(0, 14);
    for (int i = 0; i < 20000; ++i) {
        std::string text;
        for (std::size_t n = count(random); n > 0; --n) text += kPieces[pick(random)];
        if (auto t = parse_http_date(text)) {
            EXPECT_EQ(parse_http_date(format_http_date(*t)), *t) << text;
        }
        (void)parse_cookie_date(text);
    }
}
