// MessageWriter: the bytes on the wire for each kind of frame, masking by role, fragmenting,
// compression on and off per message, and the limits of control frames.

#include "aio/ws/message_writer.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "aio/core/exceptions.hpp"
#include "support/ws_frames.hpp"

using namespace aio::ws;

namespace {

TEST(WsWriter, AServerSendsUnmaskedFrames) {
    MessageWriter w;
    std::string out;
    w.text(out, "Hello");
    EXPECT_EQ(out, std::string("\x81\x05Hello", 7));
    out.clear();
    w.binary(out, std::string(256, 'x'));
    EXPECT_EQ(out.substr(0, 4), std::string("\x82\x7e\x01\x00", 4));
    EXPECT_EQ(out.size(), 260u);
    out.clear();
    w.ping(out, "Hello");
    EXPECT_EQ(out, std::string("\x89\x05Hello", 7));
    out.clear();
    w.pong(out);
    EXPECT_EQ(out, std::string("\x8a\x00", 2));
    out.clear();
    w.close(out, 1000, "ok");
    EXPECT_EQ(out, std::string("\x88\x04\x03\xe8ok", 6));
    out.clear();
    w.close_empty(out);
    EXPECT_EQ(out, std::string("\x88\x00", 2));
}

TEST(WsWriter, AClientMasksEveryFrameWithAFreshKey) {
    MessageWriter w({.role = Role::client});
    std::string a, b;
    w.text(a, "Hello");
    w.text(b, "Hello");
    ASSERT_EQ(a.size(), 11u);
    EXPECT_EQ(static_cast<unsigned char>(a[1]), 0x85);
    EXPECT_NE(a.substr(2, 4), b.substr(2, 4));
    std::string payload = a.substr(6);
    MaskKey key;
    std::memcpy(key.data(), a.data() + 2, 4);
    apply_mask(payload, key);
    EXPECT_EQ(payload, "Hello");
}

TEST(WsWriter, FragmentsABigMessageIntoFramesOfTheGivenSize) {
    MessageWriter w({.fragment_size = 4});
    std::string out;
    w.text(out, "0123456789");
    EXPECT_EQ(out, std::string("\x01\x04" "0123" "\x00\x04" "4567" "\x80\x02" "89", 16));
}

TEST(WsWriter, ControlFramesOverTheLimitAreRefused) {
    MessageWriter w;
    std::string out;
    EXPECT_THROW(w.ping(out, std::string(126, 'x')), aio::ValueError);
    EXPECT_NO_THROW(w.ping(out, std::string(125, 'x')));
    EXPECT_THROW(w.close(out, 1000, std::string(124, 'x')), aio::ValueError);
    EXPECT_NO_THROW(w.close(out, 1000, std::string(123, 'x')));
    EXPECT_THROW(w.close(out, 1005), aio::ValueError);
    EXPECT_THROW(w.close(out, 999), aio::ValueError);
    EXPECT_NO_THROW(w.close(out, 4000));
}

TEST(WsWriter, CompressesWithRsv1AndTheRfc7692HelloBytes) {
    MessageWriter w({.deflate = DeflateParams{}});
    std::string out;
    w.text(out, "Hello");
    // RFC 7692 7.2.3.1, then 7.2.3.2: the second "Hello" refers back to the first.
    EXPECT_EQ(out, std::string("\xc1\x07\xf2\x48\xcd\xc9\xc9\x07\x00", 9));
    out.clear();
    w.text(out, "Hello");
    EXPECT_EQ(out, std::string("\xc1\x05\xf2\x00\x11\x00\x00", 7));
    out.clear();
    w.text(out, "Hello", false);  // this one uncompressed
    EXPECT_EQ(out, std::string("\x81\x05Hello", 7));
}

TEST(WsWriter, WithoutContextTakeoverEachMessageCompressesAlone) {
    MessageWriter w({.deflate = DeflateParams{.server_no_context_takeover = true}});
    for (int i = 0; i < 3; ++i) {
        std::string out;
        w.text(out, "Hello");
        EXPECT_EQ(out, std::string("\xc1\x07\xf2\x48\xcd\xc9\xc9\x07\x00", 9)) << i;
    }
}

TEST(WsWriter, ShortMessagesUnderTheThresholdGoUncompressed) {
    MessageWriter w({.deflate = DeflateParams{}, .compress_threshold = 10});
    std::string out;
    w.text(out, "Hello");
    EXPECT_EQ(static_cast<unsigned char>(out[0]), 0x81);
    out.clear();
    w.text(out, std::string(100, 'a'));
    EXPECT_EQ(static_cast<unsigned char>(out[0]), 0xc1);
}

TEST(WsWriter, WindowBits8MeansSendingUncompressed) {
    MessageWriter w({.deflate = DeflateParams{.server_max_window_bits = 8}});
    std::string out;
    w.text(out, "Hello");
    EXPECT_EQ(out, std::string("\x81\x05Hello", 7));
}

}  // namespace
