// CookieJar: RFC 6265's storage and retrieval rules (domain and path matching, default path,
// Expires and Max-Age on an injected clock, Secure, replacement), aiohttp's IP-host rule and
// DummyCookieJar, and Set-Cookie values that must be refused.

#include "aio/http/cookie_jar.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <iterator>
#include <memory>
#include <random>
#include <string>
#include <vector>

using namespace std::chrono_literals;
using aio::http::Cookie;
using aio::http::CookieJar;
using aio::http::CookieJarOptions;
using aio::http::URL;

namespace {

/// A jar on a clock the test moves by hand.
struct ClockedJar {
    std::shared_ptr<std::chrono::system_clock::time_point> time =
        std::make_shared<std::chrono::system_clock::time_point>(
            std::chrono::sys_days{std::chrono::year{2026} / 1 / 1});
    CookieJar jar;

    explicit ClockedJar(bool unsafe = false, std::size_t per_domain = 50, std::size_t total = 3000)
        : jar(options(time, unsafe, per_domain, total)) {}

    static CookieJarOptions options(std::shared_ptr<std::chrono::system_clock::time_point> t,
                                    bool unsafe, std::size_t per_domain, std::size_t total) {
        CookieJarOptions o;
        o.unsafe = unsafe;
        o.max_cookies_per_domain = per_domain;
        o.max_cookies = total;
        o.clock = [t] { return *t; };
        return o;
    }
    void set(std::string_view set_cookie, const char* url) {
        jar.update_cookie(set_cookie, URL(url));
    }
    std::string get(const char* url) const { return jar.filter_cookies(URL(url)); }
    void advance(std::chrono::seconds s) { *time += s; }
};

}  // namespace

TEST(CookieJar, AHostOnlyCookieGoesBackToItsHostOnly) {
    ClockedJar j;
    j.set("sid=abc", "http://example.org/");
    EXPECT_EQ(j.get("http://example.org/"), "sid=abc");
    EXPECT_EQ(j.get("http://EXAMPLE.org/other"), "sid=abc");
    EXPECT_EQ(j.get("http://www.example.org/"), "") << "host-only: not to subdomains";
    EXPECT_EQ(j.get("http://example.com/"), "");
    ASSERT_EQ(j.jar.size(), 1u);
    const Cookie& c = *j.jar.begin();
    EXPECT_TRUE(c.host_only);
    EXPECT_EQ(c.domain, "example.org");
    EXPECT_EQ(c.path, "/");
    EXPECT_EQ(c.expires, std::nullopt) << "a session cookie";
}

TEST(CookieJar, ADomainCookieGoesToSubdomainsTooLeadingDotIgnored) {
    ClockedJar j;
    j.set("a=1; Domain=.Example.org", "http://www.example.org/");
    j.set("b=2; domain=example.org", "http://example.org/");
    EXPECT_EQ(j.get("http://example.org/"), "a=1; b=2");
    EXPECT_EQ(j.get("http://deep.www.example.org/"), "a=1; b=2");
    EXPECT_EQ(j.get("http://badexample.org/"), "") << "a suffix must start at a dot";
    EXPECT_FALSE(j.jar.begin()->host_only);
    EXPECT_EQ(j.jar.begin()->domain, "example.org");
}

TEST(CookieJar, ADomainTheHostDoesNotMatchIsRefused) {
    ClockedJar j;
    j.set("a=1; Domain=other.org", "http://example.org/");
    j.set("b=2; Domain=www.example.org", "http://example.org/");
    j.set("c=3; Domain=ample.org", "http://example.org/");
    EXPECT_EQ(j.jar.size(), 0u);
    j.set("d=4; Domain=", "http://example.org/");
    EXPECT_EQ(j.get("http://example.org/"), "d=4") << "an empty Domain is ignored: host-only";
    EXPECT_TRUE(j.jar.begin()->host_only);
}

TEST(CookieJar, IPAddressHostsNeedUnsafe) {
    ClockedJar safe;
    safe.set("a=1", "http://127.0.0.1/");
    safe.set("a=1", "http://[::1]/");
    EXPECT_EQ(safe.jar.size(), 0u);
    ClockedJar unsafe(true);
    unsafe.set("a=1", "http://127.0.0.1:8080/");
    unsafe.set("b=2", "http://[::1]/");
    EXPECT_EQ(unsafe.get("http://127.0.0.1:8080/"), "a=1");
    EXPECT_EQ(unsafe.get("http://[::1]/"), "b=2");
    EXPECT_EQ(unsafe.get("http://1.127.0.0.1/"), "");
    unsafe.set("c=3; Domain=0.0.1", "http://127.0.0.1/");
    EXPECT_EQ(unsafe.jar.size(), 2u) << "an IP address has no parent domain";
}

TEST(CookieJar, PathMatchingAndTheDefaultPath) {
    ClockedJar j;
    j.set("dir=1", "http://h/docs/page.html");  // default path /docs
    j.set("root=2; Path=/", "http://h/docs/page.html");
    j.set("bad=3; Path=relative", "http://h/a/b/c");  // not starting with /: default path /a/b
    EXPECT_EQ(j.get("http://h/docs"), "dir=1; root=2");
    EXPECT_EQ(j.get("http://h/docs/x/y"), "dir=1; root=2");
    EXPECT_EQ(j.get("http://h/docsets"), "root=2") << "/docs does not match /docsets";
    EXPECT_EQ(j.get("http://h/"), "root=2");
    EXPECT_EQ(j.get("http://h/a/b/z"), "bad=3; root=2");
    EXPECT_EQ(aio::http::default_cookie_path(""), "/");
    EXPECT_EQ(aio::http::default_cookie_path("/"), "/");
    EXPECT_EQ(aio::http::default_cookie_path("/file"), "/");
    EXPECT_EQ(aio::http::default_cookie_path("/a/b/"), "/a/b");
    EXPECT_TRUE(aio::http::path_match("/a/b", "/a/"));
    EXPECT_FALSE(aio::http::path_match("/", "/a"));
}

TEST(CookieJar, MostSpecificPathFirstThenOldest) {
    ClockedJar j;
    j.set("a=1; Path=/", "http://h/");
    j.advance(1s);
    j.set("b=2; Path=/x/y", "http://h/");
    j.advance(1s);
    j.set("c=3; Path=/x", "http://h/");
    j.advance(1s);
    j.set("d=4; Path=/x", "http://h/");
    EXPECT_EQ(j.get("http://h/x/y/z"), "b=2; c=3; d=4; a=1");
}

TEST(CookieJar, ExpiresAndMaxAgeFollowTheClock) {
    ClockedJar j;
    j.set("e=1; Expires=Thu, 01 Jan 2026 00:01:00 GMT", "http://h/");
    j.set("m=2; Max-Age=30", "http://h/");
    EXPECT_EQ(j.get("http://h/"), "e=1; m=2");
    j.advance(30s);
    EXPECT_EQ(j.get("http://h/"), "e=1");
    j.advance(30s);
    EXPECT_EQ(j.get("http://h/"), "");
    EXPECT_EQ(j.jar.size(), 0u);
}

TEST(CookieJar, MaxAgeWinsOverExpiresInEitherOrder) {
    ClockedJar j;
    j.set("a=1; Expires=Thu, 01 Jan 2026 00:00:10 GMT; Max-Age=100", "http://h/");
    j.set("b=2; Max-Age=100; Expires=Thu, 01 Jan 2026 00:00:10 GMT", "http://h/");
    j.set("c=3; Max-Age=5; Expires=Fri, 31 Dec 9999 23:59:59 GMT", "http://h/");
    j.advance(50s);
    EXPECT_EQ(j.get("http://h/"), "a=1; b=2");
}

TEST(CookieJar, MaxAgeZeroOrNegativeAndPastExpiresDelete) {
    ClockedJar j;
    j.set("a=1", "http://h/");
    j.set("b=2", "http://h/");
    j.set("c=3", "http://h/");
    j.set("a=gone; Max-Age=0", "http://h/");
    j.set("b=gone; Max-Age=-5", "http://h/");
    j.set("c=gone; Expires=Thu, 01 Jan 1970 00:00:00 GMT", "http://h/");
    EXPECT_EQ(j.jar.size(), 0u);
    j.set("d=new; Max-Age=0", "http://h/");
    EXPECT_EQ(j.jar.size(), 0u) << "expired on arrival: never stored";
}

TEST(CookieJar, BadExpiresAndMaxAgeAreIgnoredNotTheCookie) {
    ClockedJar j;
    j.set("a=1; Expires=not a date", "http://h/");
    j.set("b=2; Max-Age=12abc", "http://h/");
    j.set("c=3; Max-Age=", "http://h/");
    EXPECT_EQ(j.get("http://h/"), "a=1; b=2; c=3");
    for (const Cookie& c : j.jar) EXPECT_EQ(c.expires, std::nullopt) << c.name;
}

TEST(CookieJar, AHugeMaxAgeSaturatesInsteadOfOverflowing) {
    ClockedJar j;
    j.set("a=1; Max-Age=99999999999999999999999", "http://h/");
    j.advance(std::chrono::hours(24 * 365 * 100));
    EXPECT_EQ(j.get("http://h/"), "a=1");
}

TEST(CookieJar, SecureCookiesOnlyOverHttpsAndWss) {
    ClockedJar j;
    j.set("s=1; Secure", "https://h/");
    j.set("p=2", "https://h/");
    EXPECT_EQ(j.get("https://h/"), "s=1; p=2");
    EXPECT_EQ(j.get("wss://h/"), "s=1; p=2");
    EXPECT_EQ(j.get("http://h/"), "p=2");
    EXPECT_EQ(j.get("ws://h/"), "p=2");
    j.set("t=3; Secure", "http://h/");
    EXPECT_EQ(j.jar.size(), 2u) << "no Secure cookie from plain http (RFC 6265bis)";
}

TEST(CookieJar, HttpOnlyAndSameSiteAreStored) {
    ClockedJar j;
    j.set("a=1; HttpOnly; SameSite=Lax; Secure", "https://h/");
    ASSERT_EQ(j.jar.size(), 1u);
    EXPECT_TRUE(j.jar.begin()->http_only);
    EXPECT_TRUE(j.jar.begin()->secure);
    EXPECT_EQ(j.jar.begin()->same_site, "Lax");
    EXPECT_EQ(j.get("https://h/"), "a=1") << "an HTTP client sends HttpOnly cookies";
}

TEST(CookieJar, SameNameDomainAndPathReplaceKeepingCreationOrder) {
    ClockedJar j;
    j.set("a=1", "http://h/");
    j.advance(1s);
    j.set("b=2", "http://h/");
    j.advance(1s);
    j.set("a=3", "http://h/");
    EXPECT_EQ(j.get("http://h/"), "a=3; b=2");
    EXPECT_EQ(j.jar.size(), 2u);
    j.set("a=other-path; Path=/x", "http://h/");
    EXPECT_EQ(j.jar.size(), 3u) << "another path is another cookie";
    j.set("a=other-domain; Domain=h", "http://h/");
    EXPECT_EQ(j.jar.size(), 3u) << "the same domain, host-only or not, is the same cookie";
}

TEST(CookieJar, ValuesAreKeptAsGivenAndAttributesCaseInsensitive) {
    ClockedJar j;
    j.set("  q = \"quoted value\" ;PATH=/;  sEcUrE", "https://h/");
    EXPECT_EQ(j.get("https://h/"), "q=\"quoted value\"");
    j.set("empty=", "https://h/");
    EXPECT_EQ(j.get("https://h/"), "q=\"quoted value\"; empty=");
}

TEST(CookieJar, MalformedAndDangerousSetCookieValuesAreRefused) {
    ClockedJar j;
    for (std::string_view bad :
         {"", "novalue", "=value", " =v", "a=1\r\nX-Injected: 1", "a\nb=1", "a=\x01", "a=\x7f"}) {
        j.set(bad, "http://h/");
    }
    j.set(std::string(5000, 'v').insert(0, "big="), "http://h/");
    EXPECT_EQ(j.jar.size(), 0u);
    j.set("ok=1", "http://h/");
    EXPECT_EQ(j.get("http://h/"), "ok=1");
}

TEST(CookieJar, NamePrefixesAreEnforced) {
    ClockedJar j;
    j.set("__Secure-a=1", "https://h/");
    j.set("__Secure-b=2; Secure", "https://h/");
    j.set("__Host-c=3; Secure; Path=/", "https://h/x");
    j.set("__Host-d=4; Secure; Path=/; Domain=h", "https://h/");
    j.set("__Host-e=5; Secure; Path=/x", "https://h/");
    EXPECT_EQ(j.get("https://h/x"), "__Secure-b=2; __Host-c=3");
}

TEST(CookieJar, UpdatesFromResponseHeadersTakeEverySetCookie) {
    ClockedJar j;
    aio::http::Headers h{
        {"Set-Cookie", "a=1"}, {"Content-Type", "text/html"}, {"set-cookie", "b=2; Path=/"}};
    j.jar.update_cookies(h, URL("http://h/"));
    const std::vector<std::string_view> values{"c=3", "d=4"};
    j.jar.update_cookies(values, URL("http://h/"));
    EXPECT_EQ(j.get("http://h/"), "a=1; b=2; c=3; d=4");
}

TEST(CookieJar, ClearAndClearDomain) {
    ClockedJar j;
    j.set("a=1", "http://example.org/");
    j.set("b=2", "http://www.example.org/");
    j.set("c=3", "http://other.org/");
    j.jar.clear_domain(".Example.org");
    EXPECT_EQ(j.jar.size(), 1u);
    EXPECT_EQ(j.jar.begin()->name, "c");
    j.jar.clear_if([](const Cookie& c) { return c.name == "x"; });
    EXPECT_EQ(j.jar.size(), 1u);
    j.jar.clear();
    EXPECT_TRUE(j.jar.empty());
}

TEST(CookieJar, IterationSkipsExpiredCookies) {
    ClockedJar j;
    j.set("short=1; Max-Age=1", "http://h/");
    j.set("long=2; Max-Age=100", "http://h/");
    j.advance(2s);
    std::vector<std::string> names;
    for (const Cookie& c : j.jar) names.push_back(c.name);
    EXPECT_EQ(names, std::vector<std::string>{"long"});
}

TEST(CookieJar, ARequestURLWithoutHostGetsNothing) {
    ClockedJar j;
    j.set("a=1", "http://h/");
    j.set("b=1", "/relative");
    EXPECT_EQ(j.get("/relative"), "");
    EXPECT_EQ(j.jar.size(), 1u);
}

TEST(DummyCookieJar, StoresAndSendsNothing) {
    aio::http::DummyCookieJar dummy;
    CookieJar& jar = dummy;
    jar.update_cookie("a=1", URL("http://h/"));
    EXPECT_EQ(jar.size(), 0u);
    EXPECT_EQ(jar.filter_cookies(URL("http://h/")), "");
    EXPECT_FALSE(jar.enabled());
    CookieJarOptions off;
    off.enabled = false;
    CookieJar flagged(off);
    flagged.update_cookie("a=1", URL("http://h/"));
    EXPECT_TRUE(flagged.empty());
}

TEST(CookieJar, DomainMatchFollowsRfc6265) {
    using aio::http::domain_match;
    EXPECT_TRUE(domain_match("example.org", "example.org"));
    EXPECT_TRUE(domain_match("a.example.org", "example.org"));
    EXPECT_FALSE(domain_match("example.org", "a.example.org"));
    EXPECT_FALSE(domain_match("xexample.org", "example.org"));
    EXPECT_FALSE(domain_match("1.2.3.4", "2.3.4"));
    EXPECT_TRUE(domain_match("1.2.3.4", "1.2.3.4"));
}

TEST(CookieJar, RandomSetCookieTextNeverCrashesOrLeaksControlsIntoTheHeader) {
    static const char* kPieces[] = {
        "a",       "b",       "=",       ";",      " ",        "Path",
        "Domain",  "Max-Age", "Expires", "Secure", "HttpOnly", "SameSite",
        "/",       ".",       "h",       "-1",     "0",        "10",
        "\r\n",    "\x01",    "\"",      ",",      "__Host-",  "Thu, 01 Jan 2026 00:01:00 GMT",
        "\xc3\xa9"};
    std::mt19937 random(13);
    std::uniform_int_distribution<std::size_t> pick(0, std::size(kPieces) - 1), count(0, 16);
    ClockedJar j;
    for (int i = 0; i < 5000; ++i) {
        std::string text;
        for (std::size_t n = count(random); n > 0; --n) text += kPieces[pick(random)];
        j.set(text, i % 2 ? "https://www.h/a/b" : "http://h/");
        for (const char* url : {"https://www.h/a/b", "http://h/"}) {
            const std::string header = j.get(url);
            for (char c : header) {
                ASSERT_FALSE(static_cast<unsigned char>(c) < 0x20 || c == 0x7f) << text;
            }
        }
    }
    EXPECT_GT(j.jar.size(), 0u);
}

TEST(CookieJar, LimitsEvictTheOldestCookieOfTheDomainThenOfAll) {
    ClockedJar j(false, 3, 5);
    for (int i = 0; i < 5; ++i) {
        j.set("a" + std::to_string(i) + "=1", "http://a.example/");
        j.advance(1s);
    }
    EXPECT_EQ(j.get("http://a.example/"), "a2=1; a3=1; a4=1");
    j.set("a3=replaced", "http://a.example/");
    EXPECT_EQ(j.get("http://a.example/"), "a2=1; a3=replaced; a4=1") << "a replacement evicts none";
    for (const char* host : {"http://b.example/", "http://c.example/", "http://d.example/"}) {
        j.set("x=1", host);
        j.advance(1s);
    }
    EXPECT_EQ(j.jar.size(), 5u);
    EXPECT_EQ(j.get("http://a.example/"), "a3=replaced; a4=1") << "the oldest of all went";
    ClockedJar unlimited(false, 0, 0);
    for (int i = 0; i < 200; ++i) unlimited.set("c" + std::to_string(i) + "=1", "http://h/");
    EXPECT_EQ(unlimited.jar.size(), 200u);
}

TEST(CookieJar, AHostileServerCannotGrowTheJarPastTheDefaults) {
    CookieJar jar;
    for (int i = 0; i < 200; ++i)
        jar.update_cookie("c" + std::to_string(i) + "=1", URL("http://h/"));
    EXPECT_EQ(jar.size(), 50u);
    for (int d = 0; d < 70; ++d) {
        for (int i = 0; i < 50; ++i) {
            jar.update_cookie("c" + std::to_string(i) + "=1",
                              URL("http://d" + std::to_string(d) + ".example/"));
        }
    }
    EXPECT_EQ(jar.size(), 3000u);
}

TEST(CookieJar, SetCookieByNameForOneHostOrForEveryHost) {
    ClockedJar j;
    j.jar.set_cookie("everywhere", "1");
    j.jar.set_cookie("only", "2", URL("http://h.example/path"));
    EXPECT_EQ(j.get("http://h.example/x"), "everywhere=1; only=2");
    EXPECT_EQ(j.get("https://other.example/"), "everywhere=1");
    EXPECT_EQ(j.get("http://sub.h.example/"), "everywhere=1");
    j.jar.set_cookie("everywhere", "replaced");
    EXPECT_EQ(j.get("http://other.example/"), "everywhere=replaced");
    EXPECT_THROW(j.jar.set_cookie("a;b", "1"), aio::ValueError);
    EXPECT_THROW(j.jar.set_cookie("", "1"), aio::ValueError);
    EXPECT_THROW(j.jar.set_cookie("a", "1\r\nX: y"), aio::ValueError);
    EXPECT_THROW(j.jar.set_cookie("a", "1; Path=/"), aio::ValueError);
    EXPECT_EQ(j.jar.size(), 2u);
}
