// The frame header's three length encodings at their boundaries, decoding, and masking at every
// offset (RFC 6455 5.2, 5.3).

#include "aio/ws/frame.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "aio/ws/message.hpp"
#include "support/ws_frames.hpp"

using namespace aio::ws;

namespace {

std::string encode(const FrameHeader& h) {
    FrameHeaderBytes b;
    return std::string(b.data(), encode_frame_header(h, b));
}

TEST(WsFrame, EachLengthUsesItsMinimalEncodingAtTheBoundaries) {
    struct Case {
        std::uint64_t length;
        std::size_t size;
    } cases[] = {{0, 2}, {1, 2}, {125, 2}, {126, 4}, {127, 4}, {65535, 4}, {65536, 10}, {(1ull << 32) + 5, 10},
                 {0x7FFF'FFFF'FFFF'FFFFull, 10}};
    for (const auto& c : cases) {
        FrameHeader h;
        h.opcode = Opcode::binary;
        h.payload_length = c.length;
        const std::string bytes = encode(h);
        ASSERT_EQ(bytes.size(), c.size) << c.length;
        FrameHeader back;
        ASSERT_EQ(decode_frame_header(bytes, back), c.size);
        EXPECT_EQ(back.payload_length, c.length);
        EXPECT_EQ(back.opcode, Opcode::binary);
        EXPECT_TRUE(back.fin);
        // And it is what a test peer would write.
        if (c.length <= 65536) EXPECT_EQ(bytes, aio::test::ws_frame(0x82, std::string(c.length, 'x'), false).substr(0, c.size));
    }
}

TEST(WsFrame, HeaderBytesMatchRfc6455Examples) {
    // RFC 6455 5.7: a single-frame unmasked text "Hello" starts 0x81 0x05; masked 0x81 0x85 + key.
    FrameHeader h;
    h.payload_length = 5;
    EXPECT_EQ(encode(h), std::string("\x81\x05", 2));
    h.masked = true;
    h.mask_key = aio::test::rfc_mask_key;
    EXPECT_EQ(encode(h), std::string("\x81\x85\x37\xfa\x21\x3d", 6));
    // 256 bytes binary: 0x82 0x7E 0x01 0x00; 64 KiB: 0x82 0x7F then 8 bytes 0x10000.
    FrameHeader b;
    b.opcode = Opcode::binary;
    b.payload_length = 256;
    EXPECT_EQ(encode(b), std::string("\x82\x7e\x01\x00", 4));
    b.payload_length = 65536;
    EXPECT_EQ(encode(b), std::string("\x82\x7f\x00\x00\x00\x00\x00\x01\x00\x00", 10));
}

TEST(WsFrame, RsvBitsAndFinAreEncodedAndDecoded) {
    FrameHeader h;
    h.fin = false;
    h.rsv1 = true;
    h.rsv3 = true;
    h.opcode = Opcode::continuation;
    const std::string bytes = encode(h);
    EXPECT_EQ(static_cast<unsigned char>(bytes[0]), 0x50);
    FrameHeader back;
    ASSERT_EQ(decode_frame_header(bytes, back), 2u);
    EXPECT_FALSE(back.fin);
    EXPECT_TRUE(back.rsv1);
    EXPECT_FALSE(back.rsv2);
    EXPECT_TRUE(back.rsv3);
}

TEST(WsFrame, DecodeAsksForMoreUntilTheWholeHeaderIsThere) {
    FrameHeader h;
    h.payload_length = 70000;
    h.masked = true;
    h.mask_key = {1, 2, 3, 4};
    const std::string bytes = encode(h);
    ASSERT_EQ(bytes.size(), 14u);
    FrameHeader back;
    for (std::size_t n = 0; n < bytes.size(); ++n) EXPECT_EQ(decode_frame_header(bytes.substr(0, n), back), 0u) << n;
    ASSERT_EQ(decode_frame_header(bytes, back), 14u);
    EXPECT_EQ(back.mask_key, (MaskKey{1, 2, 3, 4}));
}

TEST(WsFrame, A64BitLengthWithTheTopBitSetIsAProtocolError) {
    const std::string bytes("\x82\x7f\x80\x00\x00\x00\x00\x00\x00\x00", 10);
    FrameHeader back;
    try {
        decode_frame_header(bytes, back);
        FAIL() << "accepted";
    } catch (const WebSocketError& e) {
        EXPECT_EQ(e.code(), 1002);
    }
}

TEST(WsFrame, MaskingInPiecesAtAnyOffsetEqualsMaskingWhole) {
    std::string data;
    for (int i = 0; i < 100; ++i) data += static_cast<char>(i * 7);
    const MaskKey key{0x37, 0xfa, 0x21, 0x3d};
    std::string whole = data;
    apply_mask(whole, key);
    for (std::size_t i = 0; i < data.size(); ++i)
        ASSERT_EQ(static_cast<unsigned char>(whole[i]), static_cast<unsigned char>(data[i]) ^ key[i % 4]);
    for (std::size_t cut = 0; cut <= data.size(); ++cut) {
        std::string pieces = data;
        std::span<char> all(pieces);
        apply_mask(all.subspan(0, cut), key, 0);
        apply_mask(all.subspan(cut), key, cut);
        ASSERT_EQ(pieces, whole) << cut;
        std::string copied(data.size(), '\0');
        copy_masked(copied.data(), data.data(), cut, key, 0);
        copy_masked(copied.data() + cut, data.data() + cut, data.size() - cut, key, cut);
        ASSERT_EQ(copied, whole) << cut;
    }
    apply_mask(whole, key);
    EXPECT_EQ(whole, data);  // masking twice restores
}

TEST(WsFrame, MaskKeysAreFreshEachTime) {
    std::set<std::uint32_t> seen;
    for (int i = 0; i < 3000; ++i) {  // crosses the 1024-key batch boundary twice
        const MaskKey k = random_mask_key();
        seen.insert(static_cast<std::uint32_t>(k[0]) << 24 | k[1] << 16 | k[2] << 8 | k[3]);
    }
    // 3000 draws from 2^32: a collision is possible but (p ~ 0.001) rare; a broken source repeats.
    EXPECT_GE(seen.size(), 2990u);
}

TEST(WsFrame, ControlOpcodesAreTheHighHalf) {
    EXPECT_TRUE(is_control(Opcode::close));
    EXPECT_TRUE(is_control(Opcode::ping));
    EXPECT_TRUE(is_control(Opcode::pong));
    EXPECT_FALSE(is_control(Opcode::text));
    EXPECT_FALSE(is_control(Opcode::continuation));
}

}  // namespace
