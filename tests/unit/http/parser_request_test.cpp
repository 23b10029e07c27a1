// RequestParser: the main paths a server takes, each fed whole and split at every offset.

#include <gtest/gtest.h>

#include <string>

#include "aio/http/parser.hpp"

namespace aio::http {
namespace {

// Parses `wire` after feeding every prefix first, through a buffer that moves (a std::string
// grown a byte at a time), so views made of an earlier buffer would be caught by ASan.
ParseStatus parse_trickled(RequestParser& p, std::string_view wire, std::string& buffer) {
    buffer.clear();
    ParseStatus s = ParseStatus::incomplete;
    for (char c : wire) {
        buffer.push_back(c);
        buffer.shrink_to_fit();
        s = p.parse(buffer);
        if (s != ParseStatus::incomplete) break;
    }
    return s;
}

TEST(RequestParser, ParsesASimpleGetIntoViewsOfTheBuffer) {
    const std::string wire =
        "GET /index.html?q=1 HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\r\n";
    RequestParser p;
    ASSERT_EQ(p.parse(wire), ParseStatus::complete);
    const RequestHead& h = p.head();
    EXPECT_EQ(h.method, "GET");
    EXPECT_EQ(h.target, "/index.html?q=1");
    EXPECT_EQ(h.version_major, 1);
    EXPECT_EQ(h.version_minor, 1);
    ASSERT_EQ(h.headers.size(), 2u);
    EXPECT_EQ(h.headers[0].name, "Host");
    EXPECT_EQ(h.headers[0].value, "example.com");
    EXPECT_EQ(h.headers[0].value.data(), wire.data() + wire.find("example.com"));
    EXPECT_EQ(h.header("accept"), "*/*");
    EXPECT_EQ(h.body, BodyKind::none);
    EXPECT_TRUE(h.keep_alive);
    EXPECT_FALSE(h.upgrade);
    EXPECT_EQ(p.head_size(), wire.size());
}

TEST(RequestParser, GivesTheSameHeadWhenTheBytesTrickleInOneAtATime) {
    const std::string wire =
        "POST /up HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nX-A:  padded \t\r\n\r\nhello";
    RequestParser p;
    std::string buffer;
    ASSERT_EQ(parse_trickled(p, wire.substr(0, wire.size() - 5), buffer), ParseStatus::complete);
    EXPECT_EQ(p.head().method, "POST");
    EXPECT_EQ(p.head().body, BodyKind::length);
    EXPECT_EQ(p.head().content_length, 5u);
    EXPECT_EQ(p.head().header("x-a"), "padded");
    EXPECT_EQ(p.head_size(), wire.size() - 5);
}

TEST(RequestParser, FramesAPostByContentLength) {
    const std::string wire = "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\nhello world";
    RequestParser p;
    ASSERT_EQ(p.parse(wire), ParseStatus::complete);
    BodyDecoder body(p.head());
    auto step = body.decode(std::string_view(wire).substr(p.head_size()));
    EXPECT_EQ(step.data, "hello world");
    EXPECT_EQ(step.consumed, 11u);
    EXPECT_TRUE(body.done());
}

TEST(RequestParser, FramesAChunkedBody) {
    const std::string wire =
        "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
        "5;name=\"v\"\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n";
    RequestParser p;
    ASSERT_EQ(p.parse(wire), ParseStatus::complete);
    ASSERT_EQ(p.head().body, BodyKind::chunked);
    BodyDecoder body(p.head());
    std::string_view rest = std::string_view(wire).substr(p.head_size());
    std::string got;
    while (!body.done() && !body.failed()) {
        auto step = body.decode(rest);
        ASSERT_NE(step.consumed, 0u);
        got += step.data;
        rest.remove_prefix(step.consumed);
    }
    EXPECT_FALSE(body.failed());
    EXPECT_EQ(got, "hello world");
    EXPECT_TRUE(rest.empty());
}

TEST(RequestParser, ParsesPipelinedHeadsOneAfterTheOtherAfterReset) {
    const std::string wire = "GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\n";
    RequestParser p;
    ASSERT_EQ(p.parse(wire), ParseStatus::complete);
    EXPECT_EQ(p.head().target, "/a");
    const std::size_t first = p.head_size();
    p.reset();
    ASSERT_EQ(p.parse(std::string_view(wire).substr(first)), ParseStatus::complete);
    EXPECT_EQ(p.head().target, "/b");
    EXPECT_EQ(first + p.head_size(), wire.size());
}

TEST(RequestParser, SkipsEmptyLinesBeforeTheRequestLine) {
    const std::string wire = "\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n";
    RequestParser p;
    ASSERT_EQ(p.parse(wire), ParseStatus::complete);
    EXPECT_EQ(p.head().method, "GET");
    EXPECT_EQ(p.head_size(), wire.size());
}

TEST(RequestParser, RelocateMovesEveryViewIntoTheCopyAndLeavesTheOriginalUnused) {
    std::string wire = "GET /chat?room=7 HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\nTAIL";
    RequestParser p;
    ASSERT_EQ(p.parse(wire), ParseStatus::complete);
    const std::size_t n = p.head_size();
    std::string copy = wire.substr(0, n);
    p.relocate(wire.data(), n, copy.data());
    wire.assign(wire.size(), '#');  // the old buffer, reused by someone else
    EXPECT_EQ(p.head().method, "GET");
    EXPECT_EQ(p.head().target, "/chat?room=7");
    ASSERT_EQ(p.head().headers.size(), 3u);
    EXPECT_EQ(p.head().header("upgrade"), "websocket");
    EXPECT_EQ(p.head().headers[0].name, "Host");
    EXPECT_EQ(p.head().headers[2].value, "Upgrade");
    for (const HeaderField& f : p.head().headers) {
        EXPECT_GE(f.name.data(), copy.data());
        EXPECT_LE(f.value.data() + f.value.size(), copy.data() + copy.size());
    }
}

TEST(RequestParser, FlagsUpgradeAndConnect) {
    RequestParser p;
    ASSERT_EQ(
        p.parse("GET /ws HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n"),
        ParseStatus::complete);
    EXPECT_TRUE(p.head().upgrade);
    p.reset();
    ASSERT_EQ(p.parse("GET /ws HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\n\r\n"),
              ParseStatus::complete);
    EXPECT_FALSE(p.head().upgrade) << "Upgrade without Connection: upgrade is only advice";
    p.reset();
    ASSERT_EQ(p.parse("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n"),
              ParseStatus::complete);
    EXPECT_TRUE(p.head().upgrade);
    EXPECT_EQ(p.head().body, BodyKind::none);
}

TEST(RequestParser, AppliesTheKeepAliveRulesOfHttp10And11) {
    RequestParser p;
    ASSERT_EQ(p.parse("GET / HTTP/1.0\r\n\r\n"), ParseStatus::complete);
    EXPECT_FALSE(p.head().keep_alive);
    p.reset();
    ASSERT_EQ(p.parse("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"), ParseStatus::complete);
    EXPECT_TRUE(p.head().keep_alive);
    p.reset();
    ASSERT_EQ(p.parse("GET / HTTP/1.1\r\nHost: h\r\nConnection: foo, close\r\n\r\n"),
              ParseStatus::complete);
    EXPECT_FALSE(p.head().keep_alive);
    p.reset();
    ASSERT_EQ(p.parse("GET / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\n\r\n"),
              ParseStatus::complete);
    EXPECT_TRUE(p.head().expect_continue);
}

struct Refusal {
    const char* wire;
    ParseError error;
};

class RequestParserRefuses : public testing::TestWithParam<Refusal> {};

TEST_P(RequestParserRefuses, WithTheNamedErrorHoweverTheBytesAreSplit) {
    const Refusal& r = GetParam();
    RequestParser whole;
    EXPECT_EQ(whole.parse(r.wire), ParseStatus::error);
    EXPECT_EQ(whole.error(), r.error) << name(whole.error());
    RequestParser trickled;
    std::string buffer;
    EXPECT_EQ(parse_trickled(trickled, r.wire, buffer), ParseStatus::error);
    EXPECT_EQ(trickled.error(), r.error) << name(trickled.error());
}

INSTANTIATE_TEST_SUITE_P(
    Smuggling, RequestParserRefuses,
    testing::Values(
        Refusal{
            "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
            ParseError::content_length_and_chunked},
        Refusal{"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
                ParseError::bad_transfer_encoding},
        Refusal{"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n",
                ParseError::bad_transfer_encoding},
        Refusal{"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: foo, chunked\r\n\r\n",
                ParseError::unknown_transfer_coding},
        Refusal{"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n",
                ParseError::conflicting_content_length},
        Refusal{"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: +3\r\n\r\n",
                ParseError::bad_content_length},
        Refusal{"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1 2\r\n\r\n",
                ParseError::bad_content_length},
        Refusal{"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 18446744073709551616\r\n\r\n",
                ParseError::bad_content_length},
        Refusal{"GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n b\r\n\r\n", ParseError::obs_fold},
        Refusal{"GET / HTTP/1.1\r\nHost: h\rX: a\r\n\r\n", ParseError::bare_cr},
        Refusal{"GET / HTTP/1.1\r\nHost : h\r\n\r\n", ParseError::space_before_colon},
        Refusal{"GET / HTTP/1.1\r\nHo\"st: h\r\n\r\n", ParseError::bad_header_name},
        Refusal{"GET / HTTP/1.1\r\nHost: h\x01\r\n\r\n", ParseError::bad_header_value},
        Refusal{"GET /a<b HTTP/1.1\r\nHost: h\r\n\r\n", ParseError::bad_target},
        Refusal{"GET / HTTP/1.1\r\n\r\n", ParseError::missing_host},
        Refusal{"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", ParseError::duplicate_host},
        Refusal{"GET / HTTP/2.0\r\nHost: h\r\n\r\n", ParseError::unsupported_version},
        Refusal{"GET / HTTP/1.01\r\nHost: h\r\n\r\n", ParseError::bad_version},
        Refusal{"GET / HTTP/1.1\nHost: h\r\n\r\n", ParseError::bad_line_ending},
        Refusal{"G(T / HTTP/1.1\r\nHost: h\r\n\r\n", ParseError::bad_method},
        Refusal{"GET  / HTTP/1.1\r\nHost: h\r\n\r\n", ParseError::bad_request_line}));

TEST(RequestParser, AnswersOversizedHeadsWith414And431BeforeTheHeadEnds) {
    RequestParser p;
    EXPECT_EQ(p.parse("GET /" + std::string(9000, 'a')), ParseStatus::error);
    EXPECT_EQ(p.error(), ParseError::request_line_too_long);
    EXPECT_EQ(status_of(p.error()), 414);
    RequestParser q;
    EXPECT_EQ(q.parse("GET / HTTP/1.1\r\nHost: h\r\nX: " + std::string(9000, 'a')),
              ParseStatus::error);
    EXPECT_EQ(q.error(), ParseError::headers_too_large);
    EXPECT_EQ(status_of(q.error()), 431);
    std::string many = "GET / HTTP/1.1\r\n";
    for (int i = 0; i < 101; ++i) many += "X: y\r\n";
    RequestParser r;
    EXPECT_EQ(r.parse(many), ParseStatus::error);
    EXPECT_EQ(r.error(), ParseError::too_many_headers);
}

TEST(RequestParser, TakesItsLimitsFromTheOptions) {
    RequestParser p({.max_start_line = 16, .max_header_bytes = 20, .max_headers = 2});
    EXPECT_EQ(p.parse("GET /0123456789ab HTTP/1.1\r\n"), ParseStatus::error);
    EXPECT_EQ(p.error(), ParseError::request_line_too_long);
    RequestParser q({.max_start_line = 8192, .max_header_bytes = 8192, .max_headers = 2});
    EXPECT_EQ(q.parse("GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\n\r\n"), ParseStatus::error);
    EXPECT_EQ(q.error(), ParseError::too_many_headers);
}

TEST(BodyDecoder, RefusesAnAnnouncedBodyOverTheLimitBeforeItArrives) {
    BodyDecoder length(BodyKind::length, 2000, {.max_body_size = 1000});
    EXPECT_TRUE(length.failed());
    EXPECT_EQ(status_of(length.error()), 413);
    BodyDecoder chunked(BodyKind::chunked, 0, {.max_body_size = 1000});
    chunked.decode("3e9\r\n");
    EXPECT_EQ(chunked.error(), ParseError::body_too_large);
    BodyDecoder overflow(BodyKind::chunked, 0, {});
    overflow.decode("10000000000000000\r\n");
    EXPECT_EQ(overflow.error(), ParseError::bad_chunk_size);
}

TEST(BodyDecoder, FailsATruncatedBodyAndEndsAnUntilCloseBodyAtEof) {
    BodyDecoder length(BodyKind::length, 10, {});
    EXPECT_EQ(length.decode("abc").data, "abc");
    length.finish_eof();
    EXPECT_EQ(length.error(), ParseError::truncated_body);
    BodyDecoder close(BodyKind::until_close, 0, {});
    EXPECT_EQ(close.decode("abc").data, "abc");
    close.finish_eof();
    EXPECT_TRUE(close.done());
    EXPECT_FALSE(close.failed());
}

}  // namespace
}  // namespace aio::http
