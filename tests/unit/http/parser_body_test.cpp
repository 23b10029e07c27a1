// BodyDecoder: bodies handed out in place, framing consumed, the next message left alone.

#include <gtest/gtest.h>

#include <string>

#include "aio/http/parser.hpp"

namespace aio::http {
namespace {

bool inside(std::string_view view, std::string_view buffer) {
    if (view.empty()) return true;
    return view.data() >= buffer.data() &&
           view.data() + view.size() <= buffer.data() + buffer.size();
}

TEST(BodyDecoder, HandsOutChunkDataAsViewsIntoTheInput) {
    const std::string input = "3;x=1\r\nabc\r\n2\r\nde\r\n0\r\n\r\n";
    BodyDecoder body(BodyKind::chunked, 0, {});
    std::string_view rest = input;
    std::string got;
    while (!body.done()) {
        const auto step = body.decode(rest);
        ASSERT_FALSE(body.failed()) << name(body.error());
        ASSERT_NE(step.consumed, 0u);
        EXPECT_TRUE(inside(step.data, rest));
        got += step.data;
        rest.remove_prefix(step.consumed);
    }
    EXPECT_EQ(got, "abcde");
    EXPECT_EQ(body.received(), 5u);
    EXPECT_TRUE(rest.empty());
}

TEST(BodyDecoder, StopsAtTheEndOfTheBodyAndLeavesTheNextMessage) {
    BodyDecoder length(BodyKind::length, 3, {});
    const auto step = length.decode("abcGET / HTTP/1.1\r\n");
    EXPECT_EQ(step.data, "abc");
    EXPECT_EQ(step.consumed, 3u);
    EXPECT_TRUE(length.done());
    EXPECT_EQ(length.decode("GET").consumed, 0u);

    BodyDecoder chunked(BodyKind::chunked, 0, {});
    EXPECT_EQ(chunked.decode("0\r\n\r\nGET").consumed, 5u);
    EXPECT_TRUE(chunked.done());
}

TEST(BodyDecoder, ConsumesAPartialTrailerLineOnlyOnceItIsWhole) {
    BodyDecoder body(BodyKind::chunked, 0, {});
    EXPECT_EQ(body.decode("0\r\n").consumed, 3u);
    EXPECT_EQ(body.decode("X-Tr").consumed, 0u);
    EXPECT_EQ(body.decode("X-Trailer: 1\r").consumed, 0u);
    EXPECT_EQ(body.decode("X-Trailer: 1\r\n").consumed, 14u);
    EXPECT_FALSE(body.done());
    EXPECT_EQ(body.decode("\r\n").consumed, 2u);
    EXPECT_TRUE(body.done());
}

TEST(BodyDecoder, ReadsAChunkSizeLineSplitAnywhere) {
    BodyDecoder body(BodyKind::chunked, 0, {});
    for (char c : std::string_view("1a ; name = \"v\\\"x\"\r\n")) {
        EXPECT_EQ(body.decode(std::string_view(&c, 1)).consumed, 1u);
        ASSERT_FALSE(body.failed()) << name(body.error());
    }
    const std::string data(26, 'z');
    EXPECT_EQ(body.decode(data).data.size(), 26u);
}

TEST(BodyDecoder, ConsumesNothingMoreOnceFailed) {
    BodyDecoder body(BodyKind::chunked, 0, {});
    body.decode("zz\r\n");
    ASSERT_EQ(body.error(), ParseError::bad_chunk_size);
    EXPECT_EQ(body.decode("5\r\nhello\r\n").consumed, 0u);
    body.finish_eof();
    EXPECT_EQ(body.error(), ParseError::bad_chunk_size);
    EXPECT_FALSE(body.done());
}

TEST(BodyDecoder, ADefaultDecoderIsAnEmptyBody) {
    BodyDecoder body;
    EXPECT_TRUE(body.done());
    EXPECT_EQ(body.decode("GET").consumed, 0u);
}

}  // namespace
}  // namespace aio::http
