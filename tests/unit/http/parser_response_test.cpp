// ResponseParser: each BodyKind, the bodiless statuses, upgrades, and obs-fold unfolded.

#include <gtest/gtest.h>

#include <string>

#include "aio/http/parser.hpp"

namespace aio::http {
namespace {

const ResponseHead& parsed(ResponseParser& p, std::string_view wire,
                           std::string_view method = "GET") {
    EXPECT_EQ(p.parse(wire, method), ParseStatus::complete) << name(p.error());
    return p.head();
}

TEST(ResponseParser, FramesByContentLengthChunkedOrTheConnectionsEnd) {
    ResponseParser p;
    const ResponseHead& h = parsed(p, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n");
    EXPECT_EQ(h.status, 200);
    EXPECT_EQ(h.reason, "OK");
    EXPECT_EQ(h.body, BodyKind::length);
    EXPECT_EQ(h.content_length, 3u);
    EXPECT_TRUE(h.keep_alive);
    p.reset();
    EXPECT_EQ(parsed(p, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n").body,
              BodyKind::chunked);
    p.reset();
    EXPECT_EQ(parsed(p, "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n").body,
              BodyKind::until_close);
    p.reset();
    const ResponseHead& unframed = parsed(p, "HTTP/1.1 200 OK\r\n\r\n");
    EXPECT_EQ(unframed.body, BodyKind::until_close);
    EXPECT_FALSE(unframed.keep_alive);
}

TEST(ResponseParser, GivesNoBodyToHead1xx204And304) {
    for (const char* wire :
         {"HTTP/1.1 100 Continue\r\n\r\n", "HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n",
          "HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n"}) {
        ResponseParser p;
        EXPECT_EQ(parsed(p, wire).body, BodyKind::none) << wire;
    }
    ResponseParser p;
    const ResponseHead& h = parsed(p, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n", "HEAD");
    EXPECT_EQ(h.body, BodyKind::none);
    EXPECT_TRUE(h.keep_alive);
}

TEST(ResponseParser, FlagsSwitchingProtocolsAndA2xxToConnectAsUpgrades) {
    ResponseParser p;
    EXPECT_TRUE(
        parsed(
            p,
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
            .upgrade);
    p.reset();
    const ResponseHead& h = parsed(p, "HTTP/1.1 200 Connection established\r\n\r\n", "CONNECT");
    EXPECT_TRUE(h.upgrade);
    EXPECT_EQ(h.body, BodyKind::none);
    p.reset();
    EXPECT_FALSE(parsed(p, "HTTP/1.1 407 Auth\r\nContent-Length: 0\r\n\r\n", "CONNECT").upgrade);
}

TEST(ResponseParser, UnfoldsObsFoldIntoOneSpace) {
    ResponseParser p;
    std::string wire = "HTTP/1.1 200 OK\r\nX-Long: a\r\n  b\r\n\tc\r\nContent-Length: 0\r\n\r\n";
    const ResponseHead& h = parsed(p, wire);
    EXPECT_EQ(h.header("x-long"), "a b c");
    EXPECT_EQ(h.body, BodyKind::length);
}

TEST(ResponseParser, AcceptsAStatusLineWithoutReason) {
    ResponseParser p;
    const ResponseHead& h = parsed(p, "HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n");
    EXPECT_EQ(h.status, 200);
    EXPECT_EQ(h.reason, "");
}

TEST(ResponseParser, RefusesMalformedStatusLines) {
    struct Case {
        const char* wire;
        ParseError error;
    };
    for (const Case& c :
         {Case{"HTTP/1.1 20 OK\r\n\r\n", ParseError::bad_status},
          Case{"HTTP/1.1 2000 OK\r\n\r\n", ParseError::bad_status},
          Case{"HTTP/3.0 200 OK\r\n\r\n", ParseError::unsupported_version},
          Case{"HTTP/1.x 200 OK\r\n\r\n", ParseError::bad_version},
          Case{"ICY 200 OK\r\n\r\n", ParseError::bad_status_line},
          Case{"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
               ParseError::content_length_and_chunked}}) {
        ResponseParser p;
        EXPECT_EQ(p.parse(c.wire), ParseStatus::error) << c.wire;
        EXPECT_EQ(p.error(), c.error) << c.wire << " -> " << name(p.error());
    }
}

}  // namespace
}  // namespace aio::http
