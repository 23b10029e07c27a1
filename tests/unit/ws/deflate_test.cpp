// permessage-deflate: negotiation (RFC 7692 5, 7.1 and section 7's examples), the compressed
// bytes of RFC 7692 7.2.3, context takeover on and off, and a decompression bomb.

#include "aio/ws/deflate.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <random>
#include <string>

#include "aio/core/exceptions.hpp"
#include "aio/ws/message_reader.hpp"
#include "support/ws_frames.hpp"

using namespace aio::ws;
using aio::test::ReadResult;

namespace {

TEST(WsDeflateNegotiation, TheSimplestOfferIsAccepted) {
    auto p = negotiate_deflate("permessage-deflate");
    ASSERT_TRUE(p);
    EXPECT_FALSE(p->server_no_context_takeover);
    EXPECT_EQ(p->server_max_window_bits, 15);
    EXPECT_EQ(format_deflate_response(*p), "permessage-deflate");
}

TEST(WsDeflateNegotiation, ParametersOfTheOfferAreHonoured) {
    auto p = negotiate_deflate("permessage-deflate; client_max_window_bits; server_max_window_bits=10; "
                               "server_no_context_takeover; client_no_context_takeover");
    ASSERT_TRUE(p);
    EXPECT_TRUE(p->server_no_context_takeover);
    EXPECT_TRUE(p->client_no_context_takeover);
    EXPECT_EQ(p->server_max_window_bits, 10);
    EXPECT_EQ(p->client_max_window_bits, 15);
    EXPECT_EQ(format_deflate_response(*p),
              "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10");
    p = negotiate_deflate("permessage-deflate; client_max_window_bits=9");
    ASSERT_TRUE(p);
    EXPECT_EQ(p->client_max_window_bits, 9);
    EXPECT_EQ(format_deflate_response(*p), "permessage-deflate; client_max_window_bits=9");
    p = negotiate_deflate("permessage-deflate; server_max_window_bits=\"12\"");  // a quoted value
    ASSERT_TRUE(p);
    EXPECT_EQ(p->server_max_window_bits, 12);
}

TEST(WsDeflateNegotiation, Rfc7692Section5Example_TheFirstAcceptableOfferWins) {
    // RFC 7692 5.2: the client offers one with a parameter the server declines, then a plain one.
    auto p = negotiate_deflate("permessage-deflate; server_max_window_bits=10, permessage-deflate",
                               DeflateServerOptions{});
    ASSERT_TRUE(p);
    EXPECT_EQ(p->server_max_window_bits, 10);  // we accept the first: 10 is fine for zlib
    // Bad offers are declined one by one, the next tried.
    for (const char* bad : {"permessage-deflate; server_max_window_bits", "permessage-deflate; server_max_window_bits=16",
                            "permessage-deflate; server_max_window_bits=7", "permessage-deflate; server_max_window_bits=010",
                            "permessage-deflate; client_max_window_bits=abc", "permessage-deflate; foo",
                            "permessage-deflate; server_no_context_takeover=1",
                            "permessage-deflate; server_no_context_takeover; server_no_context_takeover"}) {
        EXPECT_FALSE(negotiate_deflate(bad)) << bad;
        auto next = negotiate_deflate(std::string(bad) + ", permessage-deflate; client_no_context_takeover");
        ASSERT_TRUE(next) << bad;
        EXPECT_TRUE(next->client_no_context_takeover);
    }
    EXPECT_FALSE(negotiate_deflate(""));
    EXPECT_FALSE(negotiate_deflate("x-webkit-deflate-frame"));
    EXPECT_TRUE(negotiate_deflate("foo, permessage-deflate"));
}

TEST(WsDeflateNegotiation, ServerOptionsAddNoContextTakeover) {
    auto p = negotiate_deflate("permessage-deflate", {.client_no_context_takeover = true, .server_no_context_takeover = true});
    ASSERT_TRUE(p);
    EXPECT_EQ(format_deflate_response(*p), "permessage-deflate; server_no_context_takeover; client_no_context_takeover");
}

TEST(WsDeflateNegotiation, TheClientOfferIsAiohttpsAndTheResponseIsChecked) {
    EXPECT_EQ(format_deflate_offer(), "permessage-deflate; client_max_window_bits");
    EXPECT_EQ(format_deflate_offer({.client_no_context_takeover = true, .server_max_window_bits = 12}),
              "permessage-deflate; client_no_context_takeover; server_max_window_bits=12; client_max_window_bits");
    EXPECT_FALSE(parse_deflate_response(""));
    auto p = parse_deflate_response("permessage-deflate; server_no_context_takeover; client_max_window_bits=10");
    ASSERT_TRUE(p);
    EXPECT_TRUE(p->server_no_context_takeover);
    EXPECT_EQ(p->client_max_window_bits, 10);
    for (const char* bad : {"permessage-deflate; foo", "x-other", "permessage-deflate, permessage-deflate",
                            "permessage-deflate; client_max_window_bits", "permessage-deflate; client_max_window_bits=16",
                            "permessage-deflate; server_max_window_bits=1a", "permessage-deflate; server_no_context_takeover=x",
                            "permessage-deflate; client_no_context_takeover; client_no_context_takeover"})
        EXPECT_THROW(parse_deflate_response(bad), aio::ValueError) << bad;
    // What we asked of the server must be granted.
    EXPECT_THROW(parse_deflate_response("permessage-deflate", {.server_no_context_takeover = true}), aio::ValueError);
    EXPECT_THROW(parse_deflate_response("permessage-deflate; server_max_window_bits=13", {.server_max_window_bits = 12}),
                 aio::ValueError);
    EXPECT_TRUE(parse_deflate_response("permessage-deflate; server_max_window_bits=11", {.server_max_window_bits = 12}));
}

// Inflates one whole compressed message.
std::string inflate_all(Inflater& in, std::string_view compressed, std::size_t max = 0) {
    std::string out;
    in.inflate(compressed, out, max);
    in.finish(out, max);
    return out;
}

TEST(WsDeflate, Rfc7692Section723ExamplesInflate) {
    Inflater in(15, false);
    EXPECT_EQ(inflate_all(in, std::string("\xf2\x48\xcd\xc9\xc9\x07\x00", 7)), "Hello");          // 7.2.3.1
    EXPECT_EQ(inflate_all(in, std::string("\xf2\x00\x11\x00\x00", 5)), "Hello");                  // 7.2.3.2
    Inflater fresh(15, false);
    EXPECT_EQ(inflate_all(fresh, std::string("\xf3\x48\xcd\xc9\xc9\x07\x00\x00", 8)), "Hello");   // 7.2.3.3 BFINAL
    Inflater two(15, false);
    EXPECT_EQ(inflate_all(two, std::string("\xf2\x48\x05\x00\x00\x00\xff\xff\xca\xc9\xc9\x07\x00", 13)), "Hello");  // 7.2.3.4
    Inflater stored(15, false);
    EXPECT_EQ(inflate_all(stored, std::string("\x00\x05\x00\xfa\xff\x48\x65\x6c\x6c\x6f\x00", 11)), "Hello");  // 7.2.3.5
    Inflater empty(15, false);
    EXPECT_EQ(inflate_all(empty, std::string("\x00", 1)), "");  // 7.2.3.6
}

TEST(WsDeflate, CompressesHelloToTheRfcBytesWithAndWithoutContextTakeover) {
    Deflater takeover(15, false);
    std::string a, b;
    takeover.compress("Hello", a);
    takeover.compress("Hello", b);
    EXPECT_EQ(a, std::string("\xf2\x48\xcd\xc9\xc9\x07\x00", 7));
    EXPECT_EQ(b, std::string("\xf2\x00\x11\x00\x00", 5));
    Deflater reset(15, true);
    std::string c, d;
    reset.compress("Hello", c);
    reset.compress("Hello", d);
    EXPECT_EQ(c, a);
    EXPECT_EQ(d, a);
    std::string e;
    Deflater(15, false).compress("", e);
    EXPECT_EQ(e, std::string("\x00", 1));
}

TEST(WsDeflate, ContextTakeoverRoundTripsOverManyMessagesAndEveryWindow) {
    for (int bits = 9; bits <= 15; ++bits) {
        for (bool reset : {false, true}) {
            Deflater out(bits, reset, 6);
            Inflater in(bits, reset);
            for (int i = 0; i < 20; ++i) {
                std::string msg;
                for (int k = 0; k < 200 + i * 50; ++k) msg += static_cast<char>('a' + (k * k + i) % 17);
                std::string z;
                out.compress(msg, z);
                ASSERT_EQ(inflate_all(in, z), msg) << bits << " " << reset << " " << i;
            }
        }
    }
}

TEST(WsDeflate, ARepeatedMessageWithContextTakeoverCompressesToAFewBytes) {
    std::string msg;
    std::mt19937 random(7);
    for (int i = 0; i < 1000; ++i) msg += static_cast<char>('a' + random() % 26);
    Deflater d(15, false);
    std::string first, second;
    d.compress(msg + "tail", first);
    d.compress(msg + "tail", second);
    EXPECT_GT(first.size(), 400u);
    EXPECT_LT(second.size(), 20u);  // only a back-reference to the first
    Deflater r(15, true);
    std::string again;
    r.compress(msg + "tail", again);
    r.compress(msg + "tail", again);
    EXPECT_EQ(again.size(), 2 * first.size());
}

TEST(WsDeflate, GarbageIsInvalidData) {
    Inflater in(15, false);
    std::string out;
    try {
        in.inflate(std::string("\xff\xff\xff\xff\xff", 5), out, 0);
        in.finish(out, 0);
        FAIL() << "accepted";
    } catch (const WebSocketError& e) {
        EXPECT_EQ(e.code(), 1007);
    }
}

// A compressed 1 GiB message of zeros, made without compressing 1 GiB: zlib's output for one more
// MiB of zeros, sync-flushed, is the same bytes every time once the window is full of zeros.
std::string gibibyte_of_zeros_compressed() {
    const std::string mib(1 << 20, '\0');
    Deflater d(15, false, 6);
    std::string c0, c1, c2;
    d.compress(mib, c0);
    d.compress(mib, c1);
    d.compress(mib, c2);
    EXPECT_EQ(c1, c2);  // the steady state this relies on
    const std::string tail("\x00\x00\xff\xff", 4);
    std::string all = c0 + tail;
    for (int i = 1; i < 1023; ++i) all += c1 + tail;
    all += c1;
    return all;
}

TEST(WsDeflate, ADecompressionBombStopsAtMaxMsgSizeQuickly) {
    const std::string payload = gibibyte_of_zeros_compressed();
    ASSERT_LT(payload.size(), 2u << 20);  // ~1 MiB on the wire for 1 GiB inflated
    ReaderOptions options{.role = Role::server, .deflate = DeflateParams{}};
    const std::string frame = aio::test::ws_frame(0xC2, payload, true);
    const auto start = std::chrono::steady_clock::now();
    const ReadResult r = aio::test::read_in_chunks(options, frame, 65536);
    const auto took = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(r.error, 1009) << r.error_text;
    EXPECT_TRUE(r.messages.empty());
    EXPECT_LT(took, std::chrono::milliseconds(500));
    // The cap holds at one byte past max_msg_size: inflating stopped there.
    Inflater in(15, false);
    std::string out;
    EXPECT_THROW(in.inflate(payload, out, 1000), WebSocketError);
    EXPECT_LE(out.size(), 1001u);
}

TEST(WsDeflate, CompressedMessagesReadBackThroughTheReaderEveryWay) {
    // RFC 7692 7.2.3.1's fragmented compressed "Hello": 0x41 0x03 f2 48 cd, then 0x80 0x04 c9 c9 07 00.
    const std::string bytes = aio::test::ws_frame(0x41, "\xf2\x48\xcd", false) +
                              aio::test::ws_frame(0x80, std::string("\xc9\xc9\x07\x00", 4), false) +
                              aio::test::ws_frame(0xC1, std::string("\xf2\x00\x11\x00\x00", 5), false);
    ReaderOptions options{.role = Role::client, .deflate = DeflateParams{}};
    for (std::size_t cut = 0; cut <= bytes.size(); ++cut) {
        const ReadResult r = aio::test::read_split_at(options, bytes, cut);
        ASSERT_FALSE(r.error) << r.error_text;
        ASSERT_EQ(r.messages.size(), 2u);
        EXPECT_EQ(r.messages[0].data, "Hello");
        EXPECT_EQ(r.messages[1].data, "Hello");
    }
    // Compressed invalid UTF-8 is 1007 (deflate of "\xff").
    std::string z;
    Deflater(15, false).compress("ab\xff", z);
    EXPECT_EQ(aio::test::read_whole(options, aio::test::ws_frame(0xC1, z, false)).error, 1007);
}

TEST(WsDeflate, WindowBits8IsReadAsNine) {
    // A peer that negotiated 8 and compresses with zlib uses a 512-byte window: we read it.
    Deflater d(9, false);
    Inflater in(8, false);
    std::string msg;
    for (int i = 0; i < 2000; ++i) msg += static_cast<char>('a' + (i * 7919) % 26);
    std::string z;
    d.compress(msg, z);
    EXPECT_EQ(inflate_all(in, z), msg);
    EXPECT_FALSE(Deflater(8, false).can_compress());
}

}  // namespace
