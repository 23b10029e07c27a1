// MessageReader: messages out of frames fed whole, at every split and byte by byte; control
// frames between fragments; each violation's close code; the size limit from the declared length.

#include "aio/ws/message_reader.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "aio/ws/message_writer.hpp"
#include "support/ws_frames.hpp"

using namespace aio::ws;
using aio::test::fin;
using aio::test::ReadResult;
using aio::test::ws_frame;

namespace {

const ReaderOptions server{.role = Role::server};
const ReaderOptions client{.role = Role::client};

// Runs `bytes` whole, split at every offset and byte by byte; each must say the same as whole.
ReadResult read_every_way(const ReaderOptions& options, const std::string& bytes) {
    const ReadResult whole = aio::test::read_whole(options, bytes);
    for (std::size_t cut = 0; cut <= bytes.size(); ++cut)
        EXPECT_TRUE(aio::test::same(whole, aio::test::read_split_at(options, bytes, cut))) << "cut at " << cut;
    EXPECT_TRUE(aio::test::same(whole, aio::test::read_in_chunks(options, bytes, 1))) << "byte by byte";
    return whole;
}

std::uint16_t error_of(const ReaderOptions& options, const std::string& bytes) {
    const ReadResult r = read_every_way(options, bytes);
    return r.error.value_or(0);
}

TEST(WsReader, AMaskedTextFrameIsOneMessageReadEveryWay) {
    const ReadResult r = read_every_way(server, ws_frame(0x81, "Hello", true));
    ASSERT_FALSE(r.error);
    ASSERT_EQ(r.messages.size(), 1u);
    EXPECT_EQ(r.messages[0].type, WSMsgType::text);
    EXPECT_EQ(r.messages[0].data, "Hello");
}

TEST(WsReader, Rfc6455Section57ExamplesDecode) {
    // A single-frame unmasked text message (server to client).
    ReadResult r = aio::test::read_whole(client, std::string("\x81\x05\x48\x65\x6c\x6c\x6f", 7));
    ASSERT_EQ(r.messages.size(), 1u);
    EXPECT_EQ(r.messages[0].data, "Hello");
    // A single-frame masked text message.
    r = aio::test::read_whole(server, std::string("\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58", 11));
    ASSERT_EQ(r.messages.size(), 1u);
    EXPECT_EQ(r.messages[0].data, "Hello");
    // A fragmented unmasked text message.
    r = aio::test::read_whole(client, std::string("\x01\x03\x48\x65\x6c\x80\x02\x6c\x6f", 9));
    ASSERT_EQ(r.messages.size(), 1u);
    EXPECT_EQ(r.messages[0].data, "Hello");
    // Unmasked ping, masked pong.
    r = aio::test::read_whole(client, std::string("\x89\x05\x48\x65\x6c\x6c\x6f", 7));
    ASSERT_EQ(r.messages.size(), 1u);
    EXPECT_EQ(r.messages[0].type, WSMsgType::ping);
    EXPECT_EQ(r.messages[0].data, "Hello");
    r = aio::test::read_whole(server, std::string("\x8a\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58", 11));
    ASSERT_EQ(r.messages.size(), 1u);
    EXPECT_EQ(r.messages[0].type, WSMsgType::pong);
}

TEST(WsReader, EachLengthEncodingAtItsBoundariesReadsBack) {
    for (std::size_t n : {0u, 1u, 125u, 126u, 127u, 65535u, 65536u, 100000u}) {
        std::string payload(n, '\0');
        for (std::size_t i = 0; i < n; ++i) payload[i] = static_cast<char>(i * 31 + 7);
        for (const auto& options : {server, client}) {
            const ReadResult r = aio::test::read_in_chunks(options, ws_frame(0x82, payload, options.role == Role::server), 4093);
            ASSERT_FALSE(r.error) << n << r.error_text;
            ASSERT_EQ(r.messages.size(), 1u);
            EXPECT_EQ(r.messages[0].type, WSMsgType::binary);
            EXPECT_EQ(r.messages[0].data, payload) << n;
        }
    }
}

TEST(WsReader, ControlFramesBetweenFragmentsComeOutAtOnce) {
    const std::string bytes = ws_frame(0x01, "frag", true) + ws_frame(fin(Opcode::ping), "p1", true) +
                              ws_frame(0x00, "ment", true) + ws_frame(fin(Opcode::pong), "", true) +
                              ws_frame(0x80, "ed", true);
    aio::ws::MessageReader reader(server);
    reader.feed(bytes.substr(0, ws_frame(0x01, "frag", true).size() + 8));  // through the ping
    auto m = reader.next();
    ASSERT_TRUE(m);
    EXPECT_EQ(m->type, WSMsgType::ping);  // before the text message is complete
    EXPECT_EQ(m->data, "p1");
    EXPECT_FALSE(reader.next());
    const ReadResult r = read_every_way(server, bytes);
    ASSERT_EQ(r.messages.size(), 3u);
    EXPECT_EQ(r.messages[0].type, WSMsgType::ping);
    EXPECT_EQ(r.messages[1].type, WSMsgType::pong);
    EXPECT_EQ(r.messages[2].type, WSMsgType::text);
    EXPECT_EQ(r.messages[2].data, "fragmented");
}

TEST(WsReader, ACloseFrameEndsTheStreamAndItsCodeAndReasonAreRead) {
    const std::string close = ws_frame(fin(Opcode::close), std::string("\x03\xe8", 2) + "bye", true);
    const std::string bytes = ws_frame(0x81, "a", true) + close + ws_frame(0x81, "after", true);
    const ReadResult r = read_every_way(server, bytes);
    ASSERT_EQ(r.messages.size(), 2u);
    EXPECT_EQ(r.messages[1].type, WSMsgType::close);
    EXPECT_EQ(r.messages[1].close_code, 1000);
    EXPECT_EQ(r.messages[1].extra, "bye");
    EXPECT_FALSE(r.messages[1]);  // ends `while (auto msg = ...)`
    EXPECT_EQ(aio::test::read_whole(server, bytes).consumed, bytes.size() - ws_frame(0x81, "after", true).size());
    // No payload: 1005.
    const ReadResult empty = aio::test::read_whole(server, ws_frame(fin(Opcode::close), "", true));
    ASSERT_EQ(empty.messages.size(), 1u);
    EXPECT_EQ(empty.messages[0].close_code, close_code_none);
}

TEST(WsReader, MaskingMustMatchTheRole) {
    EXPECT_EQ(error_of(server, ws_frame(0x81, "hi", false)), 1002);
    EXPECT_EQ(error_of(client, ws_frame(0x81, "hi", true)), 1002);
}

TEST(WsReader, RsvBitsWithoutAnExtensionAreProtocolErrors) {
    EXPECT_EQ(error_of(server, ws_frame(0xC1, "hi", true)), 1002);  // RSV1, no deflate
    EXPECT_EQ(error_of(server, ws_frame(0xA1, "hi", true)), 1002);  // RSV2
    EXPECT_EQ(error_of(server, ws_frame(0x91, "hi", true)), 1002);  // RSV3
    ReaderOptions deflate = server;
    deflate.deflate = DeflateParams{};
    EXPECT_EQ(error_of(deflate, ws_frame(0xC9, "", true)), 1002);  // RSV1 on a ping
    EXPECT_EQ(error_of(deflate, ws_frame(0x01, "a", true) + ws_frame(0xC0, "b", true)), 1002);  // on a continuation
}

TEST(WsReader, ReservedOpcodesAreProtocolErrors) {
    for (int op : {3, 4, 5, 6, 7, 11, 12, 13, 14, 15})
        EXPECT_EQ(error_of(server, ws_frame(static_cast<std::uint8_t>(0x80 | op), "", true)), 1002) << op;
}

TEST(WsReader, ControlFrameRulesAreEnforced) {
    EXPECT_EQ(error_of(server, ws_frame(fin(Opcode::ping), std::string(126, 'x'), true)), 1002);
    EXPECT_FALSE(aio::test::read_whole(server, ws_frame(fin(Opcode::ping), std::string(125, 'x'), true)).error);
    EXPECT_EQ(error_of(server, ws_frame(0x09, "x", true)), 1002);  // fragmented ping
    EXPECT_EQ(error_of(server, ws_frame(0x08, "", true)), 1002);   // fragmented close
}

TEST(WsReader, ContinuationRulesAreEnforced) {
    EXPECT_EQ(error_of(server, ws_frame(0x80, "x", true)), 1002);                              // nothing to continue
    EXPECT_EQ(error_of(server, ws_frame(0x01, "a", true) + ws_frame(0x81, "b", true)), 1002);  // text inside text
    EXPECT_EQ(error_of(server, ws_frame(0x01, "a", true) + ws_frame(0x02, "b", true)), 1002);
    EXPECT_EQ(error_of(server, ws_frame(0x81, "a", true) + ws_frame(0x80, "b", true)), 1002);  // after the end
}

TEST(WsReader, CloseFramePayloadRulesAreEnforced) {
    EXPECT_EQ(error_of(server, ws_frame(fin(Opcode::close), "\x03", true)), 1002);
    for (int code : {0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535}) {
        const std::string p{static_cast<char>(code >> 8), static_cast<char>(code & 0xFF)};
        EXPECT_EQ(error_of(server, ws_frame(fin(Opcode::close), p, true)), 1002) << code;
    }
    for (int code : {1000, 1001, 1002, 1003, 1007, 1011, 1014, 3000, 4999}) {
        const std::string p{static_cast<char>(code >> 8), static_cast<char>(code & 0xFF)};
        const ReadResult r = aio::test::read_whole(server, ws_frame(fin(Opcode::close), p, true));
        ASSERT_FALSE(r.error) << code;
        EXPECT_EQ(r.messages[0].close_code, code);
    }
    EXPECT_EQ(error_of(server, ws_frame(fin(Opcode::close), std::string("\x03\xe8\xff", 3), true)), 1007);
}

TEST(WsReader, InvalidUtf8FailsAtTheFirstBadByteAcrossFragments) {
    // Autobahn 6.4.1: the message's first fragment ends with 0xF4 0x90, which no continuation can
    // fix: the reader fails on that frame, before the message is complete.
    const std::string first = ws_frame(0x01, "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xf4\x90", true);
    aio::ws::MessageReader reader(server);
    try {
        reader.feed(first);
        FAIL() << "accepted";
    } catch (const WebSocketError& e) {
        EXPECT_EQ(e.code(), 1007);
    }
    // Byte by byte the error comes at the header plus 13th payload byte (the 0x90), not later.
    aio::ws::MessageReader slow(server);
    const std::size_t header = first.size() - 13;
    for (std::size_t i = 0; i < first.size(); ++i) {
        try {
            slow.feed(first.substr(i, 1));
        } catch (const WebSocketError& e) {
            EXPECT_EQ(e.code(), 1007);
            EXPECT_EQ(i, header + 12);
            break;
        }
        ASSERT_LT(i, header + 12) << "no error at the bad byte";
    }
    // Valid text cut mid-code point between fragments is fine; one left open at the end is not.
    EXPECT_EQ(error_of(server, ws_frame(0x01, "\xe2\x82", true) + ws_frame(0x80, "\xac", true)), 0);
    EXPECT_EQ(error_of(server, ws_frame(0x01, "\xe2\x82", true) + ws_frame(0x80, "", true)), 1007);
    EXPECT_EQ(error_of(server, ws_frame(0x81, "\xed\xa0\x80", true)), 1007);
    // Binary is not checked.
    EXPECT_EQ(error_of(server, ws_frame(0x82, "\xff\xfe", true)), 0);
}

TEST(WsReader, AMessageOverMaxMsgSizeFailsFromItsDeclaredLength) {
    ReaderOptions small = server;
    small.max_msg_size = 100;
    EXPECT_EQ(error_of(small, ws_frame(0x82, std::string(100, 'x'), true)), 0);
    // Only the header is fed: the declared length alone decides.
    EXPECT_EQ(aio::test::read_whole(small, ws_frame(0x82, std::string(101, 'x'), true).substr(0, 8)).error, 1009);
    // Over the limit across fragments.
    EXPECT_EQ(error_of(small, ws_frame(0x02, std::string(60, 'x'), true) + ws_frame(0x80, std::string(41, 'x'), true)),
              1009);
}

TEST(WsReader, ATenGibibyteDeclaredLengthFailsAtOnceWithoutAllocating) {
    std::string header("\x82\xff\x00\x00\x00\x02\x80\x00\x00\x00\x01\x02\x03\x04", 14);  // 10 GiB, masked
    EXPECT_EQ(error_of(server, header), 1009);
    // With no limit it waits for the bytes and reserves only a bounded buffer.
    ReaderOptions unlimited = server;
    unlimited.max_msg_size = 0;
    aio::ws::MessageReader reader(unlimited);
    EXPECT_EQ(reader.feed(header + "abc"), header.size() + 3);
    EXPECT_FALSE(reader.next());
}

TEST(WsReader, AfterAnErrorTheReaderStaysFailed) {
    aio::ws::MessageReader reader(server);
    EXPECT_THROW(reader.feed(ws_frame(0x81, "x", false)), WebSocketError);
    EXPECT_TRUE(reader.failed());
    EXPECT_THROW(reader.feed(ws_frame(0x81, "x", true)), WebSocketError);
}

TEST(WsReader, MessagesBeforeAFaultAreKept) {
    const ReadResult r = aio::test::read_whole(server, ws_frame(0x81, "one", true) + ws_frame(0x81, "two", false));
    EXPECT_EQ(r.error, 1002);
    ASSERT_EQ(r.messages.size(), 1u);
    EXPECT_EQ(r.messages[0].data, "one");
}

TEST(WsReader, WhatTheWriterWritesTheReaderReadsBack) {
    for (bool deflate : {false, true}) {
        for (std::size_t fragment : {0u, 1u, 7u, 1000u}) {
            WriterOptions w{.role = Role::client, .fragment_size = fragment};
            ReaderOptions r{.role = Role::server};
            if (deflate) w.deflate = r.deflate = DeflateParams{};
            MessageWriter writer(w);
            std::string out;
            std::string big(70000, 'z');
            for (std::size_t i = 0; i < big.size(); i += 13) big[i] = static_cast<char>('a' + i % 26);
            writer.text(out, "hello \xe2\x82\xac");
            writer.binary(out, big);
            writer.ping(out, "p");
            writer.text(out, "");
            writer.binary(out, std::string(300, '\xff'), false);
            writer.close(out, WSCloseCode::going_away, "Server shutdown");
            const ReadResult got = aio::test::read_in_chunks(r, out, 977);
            ASSERT_FALSE(got.error) << got.error_text;
            ASSERT_EQ(got.messages.size(), 6u);
            EXPECT_EQ(got.messages[0].data, "hello \xe2\x82\xac");
            EXPECT_EQ(got.messages[1].data, big);
            EXPECT_EQ(got.messages[1].type, WSMsgType::binary);
            EXPECT_EQ(got.messages[2].type, WSMsgType::ping);
            EXPECT_EQ(got.messages[3].data, "");
            EXPECT_EQ(got.messages[3].type, WSMsgType::text);
            EXPECT_EQ(got.messages[4].data, std::string(300, '\xff'));
            EXPECT_EQ(got.messages[5].close_code, 1001);
            EXPECT_EQ(got.messages[5].extra, "Server shutdown");
        }
    }
}

TEST(WsReader, ReadsA16MiBMessageInTime) {
    ReaderOptions big = server;
    big.max_msg_size = 32 * 1024 * 1024;
    const std::string payload(16 * 1024 * 1024, 'a');
    const std::string bytes = ws_frame(0x81, payload, true);
    const auto start = std::chrono::steady_clock::now();
    const ReadResult r = aio::test::read_in_chunks(big, bytes, 64 * 1024);
    const auto took = std::chrono::steady_clock::now() - start;
    ASSERT_EQ(r.messages.size(), 1u);
    EXPECT_EQ(r.messages[0].data.size(), payload.size());
    EXPECT_LT(took, std::chrono::seconds(1));
}

}  // namespace
