// aio::http::URL: parsing (RFC 3986 and yarl's normalisation), RFC 3986 5.4's resolution examples
// one by one, the builders, quoting and the errors.

#include "aio/http/url.hpp"

#include <gtest/gtest.h>

#include <iterator>
#include <random>
#include <string>

using aio::http::InvalidURL;
using aio::http::QueryParams;
using aio::http::URL;

namespace {

std::string resolve(const char* reference) {
    return URL("http://a/b/c/d;p?q").join(URL(reference)).str();
}

void expect_invalid(const char* text, const char* why_part) {
    try {
        URL u(text);
        ADD_FAILURE() << "no InvalidURL for '" << text << "', got " << u.str();
    } catch (const InvalidURL& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find(why_part), std::string::npos) << what;
        EXPECT_NE(what.find(text), std::string::npos) << "the message names the URL: " << what;
        EXPECT_EQ(e.url(), text);
    }
}

}  // namespace

TEST(URL, ParsesEveryPartOfAnAbsoluteURL) {
    URL u("HTTPS://User:P%40ss@Example.ORG:8443/a/b%2Fc?x=1&y=two#frag");
    EXPECT_EQ(u.scheme(), "https");
    EXPECT_EQ(u.user(), "User");
    EXPECT_EQ(u.password(), "P@ss");
    EXPECT_EQ(u.host(), "example.org");
    EXPECT_EQ(u.port(), 8443);
    EXPECT_EQ(u.explicit_port(), 8443);
    EXPECT_EQ(u.raw_path(), "/a/b%2Fc");
    EXPECT_EQ(u.path(), "/a/b/c");
    EXPECT_EQ(u.raw_query_string(), "x=1&y=two");
    EXPECT_EQ(u.query(), (QueryParams{{"x", "1"}, {"y", "two"}}));
    EXPECT_EQ(u.fragment(), "frag");
    EXPECT_TRUE(u.is_absolute());
    EXPECT_FALSE(u.is_default_port());
    EXPECT_EQ(u.str(), "https://User:P%40ss@example.org:8443/a/b%2Fc?x=1&y=two#frag");
}

TEST(URL, TheHeadersExampleHoldsAsWritten) {
    URL u("https://example.org/a b?q=1#top");
    EXPECT_EQ(u.scheme(), "https");
    EXPECT_EQ(u.host(), "example.org");
    EXPECT_EQ(u.port(), 443);
    EXPECT_EQ(u.raw_path(), "/a%20b");
    EXPECT_EQ(u.path(), "/a b");
    EXPECT_EQ(u.join(URL("../c")).str(), "https://example.org/c");
    EXPECT_EQ(u.with_query({{"page", "2"}}).str(), "https://example.org/a%20b?page=2#top");
}

TEST(URL, DefaultPortsComeFromTheScheme) {
    EXPECT_EQ(URL("http://h/").port(), 80);
    EXPECT_EQ(URL("ws://h/").port(), 80);
    EXPECT_EQ(URL("https://h/").port(), 443);
    EXPECT_EQ(URL("wss://h/").port(), 443);
    EXPECT_EQ(URL("ftp://h/").port(), std::nullopt);
    EXPECT_EQ(URL("http://h/").explicit_port(), std::nullopt);
    EXPECT_TRUE(URL("http://h:80/").is_default_port());
    EXPECT_FALSE(URL("http://h:443/").is_default_port());
    EXPECT_EQ(URL("http://h:0/").port(), 0);
    EXPECT_EQ(URL("http://h:65535/").port(), 65535);
    EXPECT_EQ(URL("http://h:/").explicit_port(), std::nullopt) << "RFC 3986: port = *DIGIT";
}

TEST(URL, AnEmptyPathWithAHostIsTheRoot) {
    URL u("http://example.org");
    EXPECT_EQ(u.raw_path(), "/");
    EXPECT_EQ(u.path(), "/");
    EXPECT_EQ(u.path_qs(), "/");
    EXPECT_EQ(u.str(), "http://example.org");
    EXPECT_EQ(URL("http://example.org?a=1").path_qs(), "/?a=1");
}

TEST(URL, IPv6LiteralsAreUnbracketedAndCanonical) {
    URL u("http://[2001:DB8:0:0::1]:8080/x");
    EXPECT_EQ(u.host(), "2001:db8::1");
    EXPECT_EQ(u.port(), 8080);
    EXPECT_EQ(u.host_port(), "[2001:db8::1]:8080");
    EXPECT_EQ(u.str(), "http://[2001:db8::1]:8080/x");
    EXPECT_EQ(URL("http://[::1]/").host_port(), "[::1]");
    EXPECT_EQ(URL("http://[::ffff:192.0.2.1]/").host(), "::ffff:192.0.2.1");
    URL zoned("http://[fe80::1%25eth0]/");
    EXPECT_EQ(zoned.host(), "fe80::1%eth0");
    EXPECT_EQ(zoned.str(), "http://[fe80::1%25eth0]/");
}

TEST(URL, HostPortNamesThePortOnlyWhenItIsNotTheDefault) {
    EXPECT_EQ(URL("http://h/").host_port(), "h");
    EXPECT_EQ(URL("http://h:80/").host_port(), "h");
    EXPECT_EQ(URL("https://h:80/").host_port(), "h:80");
    EXPECT_EQ(URL("http://h:8080/").host_port(), "h:8080");
}

TEST(URL, MustEncodeBytesAreEncodedAndValidEscapesKept) {
    EXPECT_EQ(URL("http://h/a b").raw_path(), "/a%20b");
    EXPECT_EQ(URL("http://h/caf\xc3\xa9").raw_path(), "/caf%C3%A9");
    EXPECT_EQ(URL("http://h/a\x01"
                  "b")
                  .raw_path(),
              "/a%01b");
    EXPECT_EQ(URL(" \thttp://h/a\n").str(), "http://h/a") << "outer C0 and spaces are trimmed";
    EXPECT_EQ(URL("http://h/a%2fb").raw_path(), "/a%2Fb") << "hex upper-cased (RFC 3986 6.2.2.1)";
    EXPECT_EQ(URL("http://h/%7Euser").raw_path(), "/~user") << "unreserved escapes decoded";
    EXPECT_EQ(URL("http://h/100%").raw_path(), "/100%25") << "a lone % is encoded";
    EXPECT_EQ(URL("http://h/%zz").raw_path(), "/%25zz");
    EXPECT_EQ(URL("http://h/a<b>\"c").raw_path(), "/a%3Cb%3E%22c");
    EXPECT_EQ(URL("http://h/p;x=1:@!$&'()*+,").raw_path(), "/p;x=1:@!$&'()*+,");
    EXPECT_EQ(URL("http://h/?a b=c d").raw_query_string(), "a+b=c+d");
    EXPECT_EQ(URL("http://h/?a b=c d").query(), (QueryParams{{"a b", "c d"}}));
    EXPECT_EQ(URL("http://h/?q=a/b?c").raw_query_string(), "q=a/b?c");
    EXPECT_EQ(URL("http://h/#a b").str(), "http://h/#a%20b");
}

TEST(URL, StrRoundTrips) {
    for (const char* text :
         {"http://example.org/", "https://u:p@h:1/a%20b?x=1&y=%26#f", "http://[::1]:8080/",
          "ws://h/chat", "/relative/path?q", "//host/path", "?only=query", "#frag",
          "mailto:a@example.org", "http://h/a+b?c+d", "http://xn--mnchen-3ya.de/"}) {
        URL once(text);
        EXPECT_EQ(URL(once.str()), once) << text;
        EXPECT_EQ(URL(once.str()).str(), once.str()) << text;
    }
    EXPECT_EQ(URL("http://example.org/a?b#c").str(), "http://example.org/a?b#c");
}

TEST(URL, HostsAreLowerCasedAndNonASCIILabelsPunycoded) {
    EXPECT_EQ(URL("http://WWW.Example.COM/").host(), "www.example.com");
    EXPECT_EQ(URL("http://m\xc3\xbcnchen.de/").host(), "xn--mnchen-3ya.de");
    EXPECT_EQ(URL("http://m%C3%BCnchen.de/").host(), "xn--mnchen-3ya.de");
    // RFC 3492 7.1's sample (B) Chinese (simplified).
    EXPECT_EQ(URL("http://\xe4\xbb\x96\xe4\xbb\xac\xe4\xb8\xba\xe4\xbb\x80\xe4\xb9\x88\xe4\xb8\x8d"
                  "\xe8\xaf\xb4\xe4\xb8\xad\xe6\x96\x87/")
                  .host(),
              "xn--ihqwcrb4cv8a8dqg056pqjye");
    expect_invalid("http://h\xff\xfe/", "UTF-8");
}

TEST(URL, DotSegmentsAreRemovedFromURLsWithAHost) {
    EXPECT_EQ(URL("http://h/a/./b/../c").raw_path(), "/a/c");
    EXPECT_EQ(URL("http://h/../../x").raw_path(), "/x");
    EXPECT_EQ(URL("http://h/a/%2E%2E/b").raw_path(), "/b");
    EXPECT_EQ(URL("../x").raw_path(), "../x") << "a relative reference keeps them for join";
}

TEST(URL, RelativeReferences) {
    URL path("/a/b?x=1");
    EXPECT_FALSE(path.is_absolute());
    EXPECT_EQ(path.host(), "");
    EXPECT_EQ(path.raw_path(), "/a/b");
    EXPECT_EQ(path.port(), std::nullopt);
    URL network("//Other.host:81/p");
    EXPECT_FALSE(network.is_absolute());
    EXPECT_EQ(network.host(), "other.host");
    EXPECT_EQ(network.port(), 81);
    EXPECT_EQ(URL("").str(), "");
    // RFC 3986 4.2: a colon in the first segment would read as a scheme.
    EXPECT_EQ(URL("%61:b/c:d").str(), "a%3Ab/c:d");
    EXPECT_FALSE(URL(URL("%61:b").str()).is_absolute());
    EXPECT_EQ(URL("/x").with_path("a:b").str(), "a%3Ab");
}

// RFC 3986 5.4.1, every normal example.
TEST(URLJoin, Rfc3986NormalExamples) {
    EXPECT_EQ(resolve("g:h"), "g:h");
    EXPECT_EQ(resolve("g"), "http://a/b/c/g");
    EXPECT_EQ(resolve("./g"), "http://a/b/c/g");
    EXPECT_EQ(resolve("g/"), "http://a/b/c/g/");
    EXPECT_EQ(resolve("/g"), "http://a/g");
    EXPECT_EQ(resolve("//g"), "http://g");
    EXPECT_EQ(resolve("?y"), "http://a/b/c/d;p?y");
    EXPECT_EQ(resolve("g?y"), "http://a/b/c/g?y");
    EXPECT_EQ(resolve("#s"), "http://a/b/c/d;p?q#s");
    EXPECT_EQ(resolve("g#s"), "http://a/b/c/g#s");
    EXPECT_EQ(resolve("g?y#s"), "http://a/b/c/g?y#s");
    EXPECT_EQ(resolve(";x"), "http://a/b/c/;x");
    EXPECT_EQ(resolve("g;x"), "http://a/b/c/g;x");
    EXPECT_EQ(resolve("g;x?y#s"), "http://a/b/c/g;x?y#s");
    EXPECT_EQ(resolve(""), "http://a/b/c/d;p?q");
    EXPECT_EQ(resolve("."), "http://a/b/c/");
    EXPECT_EQ(resolve("./"), "http://a/b/c/");
    EXPECT_EQ(resolve(".."), "http://a/b/");
    EXPECT_EQ(resolve("../"), "http://a/b/");
    EXPECT_EQ(resolve("../g"), "http://a/b/g");
    EXPECT_EQ(resolve("../.."), "http://a/");
    EXPECT_EQ(resolve("../../"), "http://a/");
    EXPECT_EQ(resolve("../../g"), "http://a/g");
}

// RFC 3986 5.4.2, every abnormal example (the strict parser's answer for "http:g").
TEST(URLJoin, Rfc3986AbnormalExamples) {
    EXPECT_EQ(resolve("../../../g"), "http://a/g");
    EXPECT_EQ(resolve("../../../../g"), "http://a/g");
    EXPECT_EQ(resolve("/./g"), "http://a/g");
    EXPECT_EQ(resolve("/../g"), "http://a/g");
    EXPECT_EQ(resolve("g."), "http://a/b/c/g.");
    EXPECT_EQ(resolve(".g"), "http://a/b/c/.g");
    EXPECT_EQ(resolve("g.."), "http://a/b/c/g..");
    EXPECT_EQ(resolve("..g"), "http://a/b/c/..g");
    EXPECT_EQ(resolve("./../g"), "http://a/b/g");
    EXPECT_EQ(resolve("./g/."), "http://a/b/c/g/");
    EXPECT_EQ(resolve("g/./h"), "http://a/b/c/g/h");
    EXPECT_EQ(resolve("g/../h"), "http://a/b/c/h");
    EXPECT_EQ(resolve("g;x=1/./y"), "http://a/b/c/g;x=1/y");
    EXPECT_EQ(resolve("g;x=1/../y"), "http://a/b/c/y");
    EXPECT_EQ(resolve("g?y/./x"), "http://a/b/c/g?y/./x");
    EXPECT_EQ(resolve("g?y/../x"), "http://a/b/c/g?y/../x");
    EXPECT_EQ(resolve("g#s/./x"), "http://a/b/c/g#s/./x");
    EXPECT_EQ(resolve("g#s/../x"), "http://a/b/c/g#s/../x");
    EXPECT_EQ(resolve("http:g"), "http:g");
}

TEST(URLJoin, AgainstAHostWithNoPathTheMergeStartsAtRoot) {
    EXPECT_EQ(URL("http://h").join(URL("x")).str(), "http://h/x");
    EXPECT_EQ(URL("http://h/dir/").join(URL("x?y")).str(), "http://h/dir/x?y");
    EXPECT_EQ(URL("http://u:p@h:81/a").join(URL("b")).str(), "http://u:p@h:81/b");
}

TEST(URL, QueryBuilders) {
    URL u("http://h/p?a=1#f");
    EXPECT_EQ(u.with_query({{"x", "a b"}, {"y", "&=+"}}).str(), "http://h/p?x=a+b&y=%26%3D%2B#f");
    EXPECT_EQ(u.extend_query({{"a", "2"}}).str(), "http://h/p?a=1&a=2#f");
    EXPECT_EQ(u.extend_query({}).str(), "http://h/p?a=1#f");
    EXPECT_EQ(URL("http://h/").extend_query({{"k", "v"}}).str(), "http://h/?k=v");
    EXPECT_EQ(u.with_query({}).str(), "http://h/p#f");
    EXPECT_EQ(u.with_query({{"x", "a b"}}).query(), (QueryParams{{"x", "a b"}}));
}

TEST(URL, UrlencodeAndParseQueryAreInverses) {
    const QueryParams params{{"name", "J\xc3\xb6rg Smith"}, {"a&b", "c=d"},  {"empty", ""},
                             {"path", "/x?y:z@w"},          {"plus", "1+1"}, {"pct", "100%"}};
    const std::string text = aio::http::urlencode(params);
    EXPECT_EQ(text, "name=J%C3%B6rg+Smith&a%26b=c%3Dd&empty=&path=/x?y:z@w&plus=1%2B1&pct=100%25");
    EXPECT_EQ(aio::http::parse_query(text), params);
}

TEST(URL, ParseQueryReadsPlusAndPercent20AsSpaces) {
    EXPECT_EQ(aio::http::parse_query("a=x+y&b=x%20y&c&&d="),
              (QueryParams{{"a", "x y"}, {"b", "x y"}, {"c", ""}, {"d", ""}}));
    EXPECT_EQ(aio::http::parse_query("a=1&a=2"), (QueryParams{{"a", "1"}, {"a", "2"}}));
    EXPECT_EQ(aio::http::parse_query("k=%zz"), (QueryParams{{"k", "%zz"}}));
    EXPECT_TRUE(aio::http::parse_query("").empty());
}

TEST(URL, QuoteAndUnquote) {
    EXPECT_EQ(aio::http::quote("/a b/c%d"), "/a%20b/c%25d");
    EXPECT_EQ(aio::http::quote("/a b", ""), "%2Fa%20b");
    EXPECT_EQ(aio::http::quote("caf\xc3\xa9~-._"), "caf%C3%A9~-._");
    EXPECT_EQ(aio::http::unquote("a%20b%2fc"), "a b/c");
    EXPECT_EQ(aio::http::unquote("a+b"), "a+b");
    EXPECT_EQ(aio::http::unquote("a+b", true), "a b");
    EXPECT_EQ(aio::http::unquote("100%"), "100%");
    EXPECT_EQ(aio::http::unquote("%4"), "%4");
    EXPECT_EQ(aio::http::unquote("%G0%41"), "%G0A");
    EXPECT_EQ(aio::http::unquote(aio::http::quote("\x01\xff any", "")), "\x01\xff any");
}

TEST(URL, HumanReprDecodesForPeople) {
    URL u("http://user:pw@h/caf%C3%A9/a%20b?q=a+b%26#x%20y");
    EXPECT_EQ(u.human_repr(), "http://user:pw@h/caf\xc3\xa9/a b?q=a b&#x y");
}

TEST(URL, HumanReprShowsPunycodeHostsInUnicode) {
    EXPECT_EQ(URL("http://m\xc3\xbcnchen.de/").human_repr(), "http://m\xc3\xbcnchen.de/");
    EXPECT_EQ(URL("http://xn--ihqwcrb4cv8a8dqg056pqjye.example/").human_repr(),
              "http://\xe4\xbb\x96\xe4\xbb\xac\xe4\xb8\xba\xe4\xbb\x80\xe4\xb9\x88\xe4\xb8"
              "\x8d\xe8\xaf\xb4\xe4\xb8\xad\xe6\x96\x87.example/");
    EXPECT_EQ(URL("http://xn--!!.example/").human_repr(), "http://xn--!!.example/")
        << "a label that is not punycode stays as it is";
    EXPECT_EQ(URL("http://xn--99999999999999.example/").human_repr(),
              "http://xn--99999999999999.example/")
        << "overflow is refused, not wrapped";
    for (const char* host :
         {"b\xc3\xbc"
          "cher",
          "\xce\xb5\xce\xbb\xce\xbb\xce\xb7\xce\xbd\xce\xb9\xce\xba\xce\xac",
          "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", "a-b-\xc3\xbc", "\xf0\x9f\x98\x80x"}) {
        const std::string url = std::string("http://") + host + ".test/";
        EXPECT_EQ(URL(url).human_repr(), url);
        EXPECT_TRUE(URL(url).host().starts_with("xn--")) << URL(url).host();
    }
}

TEST(URL, WithoutCredentialsDropsUserInfoAndFragment) {
    URL u("https://alice:secret@h:8443/p?q=1#frag");
    EXPECT_EQ(u.without_credentials().str(), "https://h:8443/p?q=1");
    EXPECT_EQ(u.without_credentials().user(), "");
}

TEST(URL, OriginIsSchemeHostAndNonDefaultPort) {
    EXPECT_EQ(URL("https://u:p@H:8443/a?b#c").origin().str(), "https://h:8443");
    EXPECT_EQ(URL("http://h:80/a").origin().str(), "http://h");
    EXPECT_EQ(URL("http://[::1]:81/").origin().str(), "http://[::1]:81");
    EXPECT_EQ(URL("http://h/a").origin(), URL("http://h"));
    EXPECT_THROW((void)URL("/relative").origin(), InvalidURL);
}

TEST(URL, WithPathFragmentAndScheme) {
    URL u("http://h/old?q=1#f");
    EXPECT_EQ(u.with_path("new path/x").str(), "http://h/new%20path/x");
    EXPECT_EQ(u.with_path("/100%").raw_path(), "/100%25");
    EXPECT_EQ(u.with_fragment("a b").str(), "http://h/old?q=1#a%20b");
    EXPECT_EQ(u.with_fragment("").str(), "http://h/old?q=1");
    EXPECT_EQ(u.with_scheme("HTTPS").str(), "https://h/old?q=1#f");
    EXPECT_EQ(u.with_scheme("https").port(), 443);
    EXPECT_THROW((void)u.with_scheme(""), InvalidURL);
    EXPECT_THROW((void)u.with_scheme("ht tp"), InvalidURL);
    EXPECT_THROW((void)URL("/p").with_scheme("http"), InvalidURL);
}

TEST(URL, EqualityComparesTheNormalisedForms) {
    EXPECT_EQ(URL("HTTP://H/a%2f"), URL("http://h/a%2F"));
    EXPECT_EQ(URL("http://h/%7e"), URL("http://h/~"));
    EXPECT_FALSE(URL("http://h/a") == URL("http://h/b"));
    EXPECT_FALSE(URL("http://h/") == URL("http://h:80/"));
}

TEST(URLErrors, BadPortsAreRefused) {
    expect_invalid("http://h:65536/", "out of range");
    expect_invalid("http://h:99999999999999999999/", "out of range");
    expect_invalid("http://h:8a/", "not a number");
    expect_invalid("http://h:-1/", "not a number");
    expect_invalid("http://h:80:80/", "not a number");
    expect_invalid("http://::1/", "not a number");
}

TEST(URLErrors, HttpWithoutAHostIsRefused) {
    expect_invalid("http:///path", "needs a host");
    expect_invalid("https://:443/", "needs a host");
    expect_invalid("ws://user@/", "needs a host");
    EXPECT_NO_THROW(URL("file:///etc/hosts")) << "only schemes that need a host";
    EXPECT_EQ(URL("file:///etc/hosts").raw_path(), "/etc/hosts");
}

TEST(URLErrors, SpacesControlsAndDelimitersInTheHostAreRefused) {
    expect_invalid("http://exa mple.com/", "space or control");
    expect_invalid("http://exa%20mple.com/", "space or control");
    expect_invalid("http://exa\x01mple.com/", "space or control");
    expect_invalid("http://exa%00mple.com/", "space or control");
    expect_invalid("http://a<b/", "not allowed");
    expect_invalid("http://a%zzb/", "percent-escape");
}

TEST(URLErrors, BadIPv6LiteralsAreRefused) {
    expect_invalid("http://[::1/", "closing");
    expect_invalid("http://[1:2:3:4:5:6:7:8:9]/", "not a valid IPv6");
    expect_invalid("http://[::g]/", "not a valid IPv6");
    expect_invalid("http://[]/", "not a valid IPv6");
    expect_invalid("http://[127.0.0.1]/", "not a valid IPv6");
    expect_invalid("http://[::1]x/", "after the IPv6");
    expect_invalid("http://[::1]:99999/", "out of range");
    expect_invalid("http://[v1.x]/", "IPvFuture");
    expect_invalid("http://[fe80::1%25]/", "zone");
}

TEST(URL, AnyInputEitherParsesAndRoundTripsOrIsInvalidURL) {
    // Fixed seed: strings made of URL syntax, escapes, controls and UTF-8 pieces.
    static const char* kPieces[] = {
        "http", "https",    "ws",     "ftp", ":",   "//", "/",    "?",
        "#",    "@",        "[",      "]",   "::1", "%",  "%2",   "%41",
        "%2F",  "%zz",      "%00",    "..",  ".",   "a",  "B",    "0",
        "80",   "99999",    "&",      "=",   "+",   " ",  "\t",   "\x01",
        "\x7f", "\xc3\xa9", "\xff",   ";",   "~",   "\\", "xn--", "host.example",
        "%25",  "v1.x",     "user:pw"};
    std::mt19937 random(11);
    std::uniform_int_distribution<std::size_t> pick(0, std::size(kPieces) - 1), count(0, 12);
    int parsed = 0, refused = 0;
    for (int i = 0; i < 20000; ++i) {
        std::string text;
        for (std::size_t n = count(random); n > 0; --n) text += kPieces[pick(random)];
        try {
            URL u(text);
            ++parsed;
            const URL again(u.str());
            ASSERT_EQ(again.str(), u.str()) << "input '" << text << "'";
            ASSERT_TRUE(again == u) << "input '" << text << "'";
            (void)u.human_repr();
            (void)u.path();
            (void)u.query();
            if (u.is_absolute() && !u.host().empty()) (void)u.origin();
            const URL joined = URL("http://base.example/a/b").join(u);
            ASSERT_EQ(URL(joined.str()).str(), joined.str()) << "joined '" << text << "'";
        } catch (const InvalidURL& e) {
            ++refused;
            EXPECT_NE(std::string(e.what()).find("invalid URL"), std::string::npos);
        }
    }
    EXPECT_GT(parsed, 1000);
    EXPECT_GT(refused, 100);
}
