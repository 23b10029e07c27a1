// The UTF-8 validator: Autobahn 6.x's cases (overlongs, surrogates, past U+10FFFF, truncated,
// stray continuation bytes), fed whole and split at every byte.

#include "aio/ws/utf8.hpp"

#include <gtest/gtest.h>

#include <string>

using aio::ws::is_valid_utf8;
using aio::ws::Utf8Validator;

namespace {

std::string b(std::initializer_list<int> bytes) {
    std::string s;
    for (int x : bytes) s += static_cast<char>(x);
    return s;
}

// The validator's verdict when `s` arrives in two pieces cut at `cut`.
bool valid_split(const std::string& s, std::size_t cut) {
    Utf8Validator v;
    return v.feed(s.substr(0, cut)) && v.feed(s.substr(cut)) && v.complete();
}

void expect_valid(const std::string& s, bool valid) {
    EXPECT_EQ(is_valid_utf8(s), valid) << testing::PrintToString(s);
    for (std::size_t cut = 0; cut <= s.size(); ++cut) EXPECT_EQ(valid_split(s, cut), valid) << cut;
    Utf8Validator v;
    bool ok = true;
    for (char c : s) ok = ok && v.feed(std::string_view(&c, 1));
    EXPECT_EQ(ok && v.complete(), valid) << "byte by byte";
}

TEST(WsUtf8, AcceptsValidText) {
    expect_valid("", true);
    expect_valid("Hello-\xC2\xB5@\xC3\x9F\xC3\xB6\xC3\xA4\xC3\xBC\xC3\xA0\xC3\xA1-UTF-8!!", true);  // Autobahn 6.2
    expect_valid("\xCE\xBA\xE1\xBD\xB9\xCF\x83\xCE\xBC\xCE\xB5", true);                              // 6.5.1 kosme
    expect_valid(b({0x00}), true);
    expect_valid(b({0x7F}), true);
    expect_valid(b({0xC2, 0x80}), true);                // U+0080, first 2-byte
    expect_valid(b({0xDF, 0xBF}), true);                // U+07FF
    expect_valid(b({0xE0, 0xA0, 0x80}), true);          // U+0800
    expect_valid(b({0xED, 0x9F, 0xBF}), true);          // U+D7FF, last before the surrogates
    expect_valid(b({0xEE, 0x80, 0x80}), true);          // U+E000
    expect_valid(b({0xEF, 0xBF, 0xBF}), true);          // U+FFFF
    expect_valid(b({0xF0, 0x90, 0x80, 0x80}), true);    // U+10000
    expect_valid(b({0xF4, 0x8F, 0xBF, 0xBF}), true);    // U+10FFFF, the last
    expect_valid(std::string(1000, 'a') + "\xE2\x82\xAC" + std::string(13, 'b'), true);
}

TEST(WsUtf8, RefusesOverlongForms) {
    expect_valid(b({0xC0, 0xAF}), false);
    expect_valid(b({0xC1, 0xBF}), false);
    expect_valid(b({0xE0, 0x80, 0xAF}), false);
    expect_valid(b({0xE0, 0x9F, 0xBF}), false);
    expect_valid(b({0xF0, 0x80, 0x80, 0xAF}), false);
    expect_valid(b({0xF0, 0x8F, 0xBF, 0xBF}), false);
    expect_valid(b({0xC0, 0x80}), false);  // overlong NUL
}

TEST(WsUtf8, RefusesSurrogates) {
    expect_valid(b({0xED, 0xA0, 0x80}), false);                    // U+D800
    expect_valid(b({0xED, 0xAD, 0xBF}), false);                    // U+DB7F
    expect_valid(b({0xED, 0xBF, 0xBF}), false);                    // U+DFFF
    expect_valid(b({0xED, 0xA0, 0x80, 0xED, 0xB0, 0x80}), false);  // a pair, as CESU-8
}

TEST(WsUtf8, RefusesCodePointsPastU10FFFF) {
    expect_valid(b({0xF4, 0x90, 0x80, 0x80}), false);  // U+110000 (Autobahn 6.3.x: 0xF4 0x90)
    expect_valid(b({0xF5, 0x80, 0x80, 0x80}), false);
    expect_valid(b({0xF7, 0xBF, 0xBF, 0xBF}), false);
    expect_valid(b({0xF8, 0x88, 0x80, 0x80, 0x80}), false);
    expect_valid(b({0xFC, 0x84, 0x80, 0x80, 0x80, 0x80}), false);
    expect_valid(b({0xFE}), false);
    expect_valid(b({0xFF}), false);
}

TEST(WsUtf8, RefusesStrayContinuationBytesAndTruncatedSequences) {
    expect_valid(b({0x80}), false);
    expect_valid(b({0xBF}), false);
    expect_valid("a" + b({0x80, 0xBF}) + "b", false);
    expect_valid(b({0xC2}), false);              // truncated at the end
    expect_valid(b({0xE2, 0x82}), false);
    expect_valid(b({0xF0, 0x9F, 0x98}), false);
    expect_valid(b({0xC2, 0x41}), false);        // a lead then ASCII
    expect_valid(b({0xE2, 0x82, 0x41}), false);
    expect_valid("\xCE\xBA\xE1\xBD\xB9\xCF\x83\xCE\xBC\xCE\xB5\xED\xA0\x80" "edited", false);  // Autobahn 6.4.x
}

TEST(WsUtf8, FailsAtTheFirstBadByteNotAtTheEnd) {
    Utf8Validator v;
    EXPECT_TRUE(v.feed("\xCE\xBA\xE1\xBD\xB9\xCF\x83\xCE\xBC\xCE\xB5"));
    EXPECT_FALSE(v.feed("\xF4\x90"));  // Autobahn 6.4.1's point of failure, before the sequence ends
    EXPECT_FALSE(v.ok());
    EXPECT_FALSE(v.feed("abc"));  // stays failed
    v.reset();
    EXPECT_TRUE(v.feed("abc"));
    EXPECT_TRUE(v.complete());
}

TEST(WsUtf8, TheAsciiFastPathStopsAtANonAsciiByteAnywhereInAWord) {
    for (std::size_t pos = 0; pos < 24; ++pos) {
        std::string s(24, 'x');
        s[pos] = static_cast<char>(0xFF);
        EXPECT_FALSE(is_valid_utf8(s)) << pos;
        std::string ok(24, 'x');
        ok.replace(pos, 0, "\xC3\xA9");
        EXPECT_TRUE(is_valid_utf8(ok)) << pos;
    }
}

TEST(WsUtf8, EveryTwoByteAndThreeByteSequenceMatchesTheDefinition) {
    // Exhaustive over 2- and 3-byte inputs against the RFC 3629 definition computed by hand.
    auto decode_ok = [](const std::string& s) {
        const auto u = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
        std::size_t i = 0;
        while (i < s.size()) {
            const unsigned c = u(i);
            std::size_t n;
            unsigned cp;
            if (c < 0x80) { n = 1; cp = c; }
            else if ((c & 0xE0) == 0xC0) { n = 2; cp = c & 0x1F; }
            else if ((c & 0xF0) == 0xE0) { n = 3; cp = c & 0x0F; }
            else if ((c & 0xF8) == 0xF0) { n = 4; cp = c & 0x07; }
            else return false;
            if (i + n > s.size()) return false;
            for (std::size_t k = 1; k < n; ++k) {
                if ((u(i + k) & 0xC0) != 0x80) return false;
                cp = (cp << 6) | (u(i + k) & 0x3F);
            }
            const unsigned min[] = {0, 0, 0x80, 0x800, 0x10000};
            if (cp < min[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
            i += n;
        }
        return true;
    };
    for (int x = 0; x < 256; ++x)
        for (int y = 0; y < 256; ++y) {
            const std::string s = b({x, y});
            ASSERT_EQ(is_valid_utf8(s), decode_ok(s)) << x << " " << y;
        }
    for (int x = 0xE0; x < 0x100; ++x)
        for (int y = 0x70; y < 0xC8; ++y)
            for (int z = 0x70; z < 0xC8; z += 7) {
                const std::string s = b({x, y, z});
                ASSERT_EQ(is_valid_utf8(s), decode_ok(s)) << x << " " << y << " " << z;
            }
}

}  // namespace
