// aio::http::Headers, aiohttp's CIMultiDict: names compared case-insensitively, repeated names,
// wire order kept through add/set/erase/setdefault/extend, and equality.

#include "aio/http/headers.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

using aio::http::Headers;

namespace {

using Fields = std::vector<std::pair<std::string, std::string>>;

Fields fields(const Headers& h) { return Fields(h.begin(), h.end()); }

}  // namespace

TEST(Headers, NamesAreCaseInsensitiveValuesAreNot) {
    Headers h{{"Content-Type", "Text/HTML"}};
    EXPECT_EQ(h.get("content-type"), "Text/HTML");
    EXPECT_EQ(h.get("CONTENT-TYPE"), "Text/HTML");
    EXPECT_TRUE(h.contains("cOnTeNt-TyPe"));
    EXPECT_FALSE(h.contains("Content-Typ"));
    EXPECT_FALSE(h.contains("Content-Type "));
    EXPECT_EQ(h.get("missing"), std::nullopt);
    EXPECT_EQ(h.get("missing", "fallback"), "fallback");
    EXPECT_EQ(h.get("content-type", "fallback"), "Text/HTML");
}

TEST(Headers, IequalsIsASCIIOnly) {
    EXPECT_TRUE(aio::http::iequals("ABC-xyz", "abc-XYZ"));
    EXPECT_FALSE(aio::http::iequals("abc", "abcd"));
    EXPECT_FALSE(aio::http::iequals("\xc3\x89", "\xc3\xa9")) << "no Unicode case folding";
    EXPECT_FALSE(aio::http::iequals("[", "{")) << "only letters differ by 0x20";
    EXPECT_TRUE(aio::http::iequals("", ""));
}

TEST(Headers, AddKeepsRepeatedNamesInWireOrder) {
    Headers h;
    h.add("Set-Cookie", "a=1");
    h.add("Host", "example.org");
    h.add("set-cookie", "b=2");
    EXPECT_EQ(h.size(), 3u);
    EXPECT_EQ(h.get("Set-Cookie"), "a=1") << "get gives the first";
    EXPECT_EQ(h.get_all("SET-COOKIE"), (std::vector<std::string_view>{"a=1", "b=2"}));
    EXPECT_TRUE(h.get_all("missing").empty());
    EXPECT_EQ(fields(h),
              (Fields{{"Set-Cookie", "a=1"}, {"Host", "example.org"}, {"set-cookie", "b=2"}}))
        << "names keep the case they were added with";
}

TEST(Headers, SetReplacesEveryFieldOfTheNameInTheFirstOnesPlace) {
    Headers h{{"A", "1"}, {"X-Dup", "x"}, {"B", "2"}, {"x-dup", "y"}, {"C", "3"}};
    h.set("X-DUP", "z");
    EXPECT_EQ(fields(h), (Fields{{"A", "1"}, {"X-DUP", "z"}, {"B", "2"}, {"C", "3"}}));
    h.set("New", "n");
    EXPECT_EQ(fields(h).back(), (std::pair<std::string, std::string>{"New", "n"}))
        << "a new name goes at the end";
    EXPECT_EQ(h.size(), 5u);
}

TEST(Headers, SetdefaultAddsOnlyWhenAbsentAndReturnsTheValueInForce) {
    Headers h{{"Accept", "text/html"}};
    EXPECT_EQ(h.setdefault("accept", "*/*"), "text/html");
    EXPECT_EQ(h.size(), 1u);
    EXPECT_EQ(h.setdefault("User-Agent", "aio"), "aio");
    EXPECT_EQ(h.get("user-agent"), "aio");
    EXPECT_EQ(h.size(), 2u);
    // The view returned stays valid while the field does, even after the vector grew.
    Headers many;
    std::string_view first = many.setdefault("F0", "v0");
    EXPECT_EQ(first, "v0");
    for (int i = 1; i < 100; ++i) {
        std::string name = "F" + std::to_string(i);
        EXPECT_EQ(many.setdefault(name, "v"), "v");
    }
    EXPECT_EQ(many.size(), 100u);
}

TEST(Headers, EraseRemovesEveryFieldOfTheNameAndCountsThem) {
    Headers h{{"A", "1"}, {"b", "2"}, {"B", "3"}, {"C", "4"}};
    EXPECT_EQ(h.erase("B"), 2u);
    EXPECT_EQ(fields(h), (Fields{{"A", "1"}, {"C", "4"}}));
    EXPECT_EQ(h.erase("missing"), 0u);
    EXPECT_EQ(h.size(), 2u);
}

TEST(Headers, ExtendAppendsEveryFieldOfTheOther) {
    Headers h{{"A", "1"}};
    const Headers other{{"a", "2"}, {"B", "3"}};
    h.extend(other);
    EXPECT_EQ(fields(h), (Fields{{"A", "1"}, {"a", "2"}, {"B", "3"}}));
    EXPECT_EQ(other.size(), 2u);
}

TEST(Headers, ExtendWithItselfDoublesTheFields) {
    Headers h{{"A", "1"}, {"B", "2"}, {"C", "3"}};
    h.extend(h);
    EXPECT_EQ(fields(h),
              (Fields{{"A", "1"}, {"B", "2"}, {"C", "3"}, {"A", "1"}, {"B", "2"}, {"C", "3"}}));
}

TEST(Headers, EqualityIsOrderedWithCaseInsensitiveNames) {
    EXPECT_EQ((Headers{{"A", "1"}, {"B", "2"}}), (Headers{{"a", "1"}, {"b", "2"}}));
    EXPECT_NE((Headers{{"A", "1"}, {"B", "2"}}), (Headers{{"B", "2"}, {"A", "1"}}));
    EXPECT_NE((Headers{{"A", "1"}}), (Headers{{"A", "1"}, {"A", "1"}}));
    EXPECT_NE((Headers{{"A", "x"}}), (Headers{{"A", "X"}})) << "values are case-sensitive";
    EXPECT_EQ(Headers(), Headers());
}

TEST(Headers, ClearAndEmpty) {
    Headers h{{"A", "1"}};
    EXPECT_FALSE(h.empty());
    h.clear();
    EXPECT_TRUE(h.empty());
    EXPECT_EQ(h.begin(), h.end());
    EXPECT_EQ(h.get("A"), std::nullopt);
}

TEST(Headers, EmptyNamesAndValuesAreFieldsLikeAnyOther) {
    Headers h;
    h.add("X-Empty", "");
    EXPECT_EQ(h.get("x-empty"), "");
    EXPECT_TRUE(h.contains("X-Empty"));
    EXPECT_EQ(h.get("x-empty", "fallback"), "") << "present but empty is not absent";
}

TEST(Headers, IteratesInWireOrderWithStructuredBindings) {
    Headers h{{"One", "1"}, {"Two", "2"}, {"Three", "3"}};
    std::string joined;
    for (const auto& [name, value] : h) joined += name + "=" + value + ";";
    EXPECT_EQ(joined, "One=1;Two=2;Three=3;");
}

TEST(Headers, ArgumentsThatViewIntoTheHeadersThemselvesAreSafe) {
    Headers h{{"Transfer-Encoding-Long-Name", "1"},
              {"X", "2"},
              {"transfer-encoding-long-name", "3"},
              {"Y", "4"}};
    EXPECT_EQ(h.erase(h.begin()->first), 2u);
    EXPECT_EQ(fields(h), (Fields{{"X", "2"}, {"Y", "4"}}));

    Headers s{{"A-Rather-Long-Header-Name", "1"}, {"B", "2"}, {"a-rather-long-header-name", "3"}};
    const auto last = std::prev(s.end());
    s.set(last->first, last->second);
    EXPECT_EQ(fields(s), (Fields{{"a-rather-long-header-name", "3"}, {"B", "2"}}));

    Headers grow{{"Original", "a value longer than the small string buffer"}};
    for (int i = 0; i < 50; ++i) grow.add(grow.begin()->first, grow.begin()->second);
    EXPECT_EQ(grow.get_all("original").size(), 51u);
    for (std::string_view v : grow.get_all("original")) {
        EXPECT_EQ(v, "a value longer than the small string buffer");
    }
}
