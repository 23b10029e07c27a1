// The Cookie header parser and the Set-Cookie formatter.

#include <gtest/gtest.h>

#include "aio/core/exceptions.hpp"
#include "aio/http/response.hpp"
#include "aio/web/cookies.hpp"

namespace {

aio::web::Cookies parse(std::string_view v) {
    aio::web::Cookies c;
    aio::web::parse_cookie_header(v, c);
    return c;
}

}  // namespace

TEST(CookieHeader, PairsAreSplitOnSemicolonsAndTrimmed) {
    auto c = parse("a=1; b = 2 ;c=three");
    ASSERT_EQ(c.size(), 3u);
    EXPECT_EQ(c.get("a"), "1");
    EXPECT_EQ(c.get("b"), "2");
    EXPECT_EQ(c.get("c"), "three");
    EXPECT_FALSE(c.get("d"));
}

TEST(CookieHeader, QuotedValuesAreUnwrappedAndEqualsSignsInValuesKept) {
    auto c = parse("q=\"hello world\"; tok=a=b==");
    EXPECT_EQ(c.get("q"), "hello world");
    EXPECT_EQ(c.get("tok"), "a=b==");
}

TEST(CookieHeader, BadPairsAreSkippedAndTheOthersKept) {
    auto c = parse("novalue; =nameless; ok=1;; ; empty=");
    ASSERT_EQ(c.size(), 2u);
    EXPECT_EQ(c.get("ok"), "1");
    EXPECT_EQ(c.get("empty"), "");
}

TEST(CookieHeader, TheFirstOfADuplicatedNameWins) {
    auto c = parse("id=specific; id=general");
    EXPECT_EQ(c.size(), 2u);
    EXPECT_EQ(c.get("id"), "specific");
}

TEST(SetCookie, FormatsEveryAttribute) {
    aio::http::CookieOptions o;
    o.max_age = 3600;
    o.expires = "Wed, 09 Jun 2021 10:18:14 GMT";
    o.domain = "example.com";
    o.path = "/app";
    o.secure = true;
    o.httponly = true;
    o.samesite = "lax";
    EXPECT_EQ(aio::http::format_set_cookie("sid", "abc", o),
              "sid=abc; expires=Wed, 09 Jun 2021 10:18:14 GMT; Domain=example.com; Max-Age=3600; Path=/app; "
              "SameSite=Lax; Secure; HttpOnly");
    EXPECT_EQ(aio::http::format_set_cookie("a", "\"quoted\""), "a=\"quoted\"; Path=/");
}

TEST(SetCookie, BadNamesValuesAndAttributesRaiseValueError) {
    EXPECT_THROW(aio::http::format_set_cookie("", "v"), aio::ValueError);
    EXPECT_THROW(aio::http::format_set_cookie("a b", "v"), aio::ValueError);
    EXPECT_THROW(aio::http::format_set_cookie("a;b", "v"), aio::ValueError);
    EXPECT_THROW(aio::http::format_set_cookie("a=b", "v"), aio::ValueError);
    EXPECT_THROW(aio::http::format_set_cookie("a", "x;y"), aio::ValueError);
    EXPECT_THROW(aio::http::format_set_cookie("a", "x y"), aio::ValueError);
    EXPECT_THROW(aio::http::format_set_cookie("a", "bad\r\nInjected: 1"), aio::ValueError);
    aio::http::CookieOptions o;
    o.path = "/;evil";
    EXPECT_THROW(aio::http::format_set_cookie("a", "v", o), aio::ValueError);
    aio::http::CookieOptions s;
    s.samesite = "sometimes";
    EXPECT_THROW(aio::http::format_set_cookie("a", "v", s), aio::ValueError);
}

TEST(SetCookie, ResponseKeepsOneFieldPerNameAndDelCookieExpiresIt) {
    aio::http::Response r;
    r.set_cookie("a", "1");
    r.set_cookie("b", "2");
    r.set_cookie("a", "3", {.max_age = 10});
    auto fields = r.headers.get_all("Set-Cookie");
    ASSERT_EQ(fields.size(), 2u);
    EXPECT_EQ(fields[0], "b=2; Path=/");
    EXPECT_EQ(fields[1], "a=3; Max-Age=10; Path=/");
    r.del_cookie("b");
    fields = r.headers.get_all("Set-Cookie");
    ASSERT_EQ(fields.size(), 2u);
    EXPECT_EQ(fields[1], "b=; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/");
}

TEST(SetCookie, StreamResponseTakesCookiesBeforePrepare) {
    aio::http::StreamResponse s;
    s.set_cookie("x", "y", {.path = "", .httponly = true});
    EXPECT_EQ(s.headers.get("Set-Cookie"), "x=y; HttpOnly");
}
