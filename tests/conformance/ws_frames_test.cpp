// A frame-level conformance suite for aio::ws's reader, from RFC 6455 sections 5-7 and RFC 7692,
// grouped as Autobahn's testsuite groups its cases (1 framing, 2 pings, 3 reserved bits, 4
// opcodes, 5 fragmentation, 6 UTF-8, 7 close, 9 sizes, 12/13 compression). Each vector is frames
// in and messages or a close code out; each runs whole, split at every offset (or at 64 offsets
// for the big ones) and byte by byte, in both roles: a server reads them masked, a client
// unmasked, and each role refuses the other's masking.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "aio/ws/deflate.hpp"
#include "aio/ws/message_reader.hpp"
#include "support/ws_frames.hpp"

using namespace aio::ws;
using aio::test::ReadResult;

namespace {

struct Frame {
    std::uint8_t first;  // FIN, RSV, opcode
    std::string payload;
};
struct Expect {
    Expect(WSMsgType t, std::string d, std::uint16_t c = 0) : type(t), data(std::move(d)), code(c) {}
    WSMsgType type;
    std::string data;
    std::uint16_t code;  // for close
};
struct Vector {
    Vector(std::string n, std::vector<Frame> f, std::vector<Expect> m, std::uint16_t e = 0, bool d = false,
           std::size_t max = default_max_msg_size, std::string r = {})
        : name(std::move(n)), frames(std::move(f)), messages(std::move(m)), error(e), deflate(d), max_msg_size(max),
          raw(std::move(r)) {}
    std::string name;
    std::vector<Frame> frames;
    std::vector<Expect> messages;  // what comes out before the end or the error
    std::uint16_t error;  // the close code of the fault, 0 if none
    bool deflate;
    std::size_t max_msg_size;
    std::string raw;  // bytes appended after the frames (a malformed header), as is
};

constexpr std::uint8_t TEXT = 0x81, BINARY = 0x82, CLOSE = 0x88, PING = 0x89, PONG = 0x8A;
constexpr std::uint8_t TEXT_FRAG = 0x01, BINARY_FRAG = 0x02, CONT = 0x00, CONT_FIN = 0x80;

std::string bytes_of(std::initializer_list<int> list) {
    std::string s;
    for (int b : list) s += static_cast<char>(b);
    return s;
}
std::string close_payload(int code, std::string reason = {}) {
    return bytes_of({code >> 8, code & 0xFF}) + reason;
}
std::string pattern(std::size_t n) {
    std::string s(n, '\0');
    for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 131 + i / 7) & 0xFF);
    return s;
}
// Each message compressed alone (no context), as a peer without context takeover sends it.
std::string deflated(std::string_view text) {
    std::string out;
    Deflater(15, true).compress(text, out);
    return out;
}

std::vector<Vector> make_vectors() {
    std::vector<Vector> v;
    const std::string kosme = "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5";

    // 1: framing, each length encoding at its boundaries.
    for (std::size_t n : {0u, 1u, 125u, 126u, 127u, 128u, 65535u, 65536u}) {
        v.push_back({"1.1 text " + std::to_string(n), {{TEXT, std::string(n, '*')}}, {{WSMsgType::text, std::string(n, '*')}}});
        v.push_back({"1.2 binary " + std::to_string(n), {{BINARY, pattern(n)}}, {{WSMsgType::binary, pattern(n)}}});
    }
    // 2: pings and pongs.
    v.push_back({"2.1 ping empty", {{PING, ""}}, {{WSMsgType::ping, ""}}});
    v.push_back({"2.2 ping text", {{PING, "Hello, world!"}}, {{WSMsgType::ping, "Hello, world!"}}});
    v.push_back({"2.3 ping binary", {{PING, bytes_of({0, 255, 254, 253, 252, 251, 0, 255})}},
                 {{WSMsgType::ping, bytes_of({0, 255, 254, 253, 252, 251, 0, 255})}}});
    v.push_back({"2.4 ping 125", {{PING, std::string(125, '\xfe')}}, {{WSMsgType::ping, std::string(125, '\xfe')}}});
    v.push_back({"2.5 ping 126", {{PING, std::string(126, '\xfe')}}, {}, 1002});
    v.push_back({"2.6 pong unsolicited", {{PONG, "unsolicited"}}, {{WSMsgType::pong, "unsolicited"}}});
    v.push_back({"2.7 pong then ping", {{PONG, "a"}, {PING, "b"}}, {{WSMsgType::pong, "a"}, {WSMsgType::ping, "b"}}});
    {
        Vector ten{"2.10 ten pings", {}, {}};
        for (int i = 0; i < 10; ++i) {
            ten.frames.push_back({PING, "payload-" + std::to_string(i)});
            ten.messages.push_back({WSMsgType::ping, "payload-" + std::to_string(i)});
        }
        v.push_back(ten);
    }
    // 3: reserved bits, no extension negotiated.
    v.push_back({"3.1 rsv1 text", {{TEXT | 0x40, "Hello"}}, {}, 1002});
    v.push_back({"3.2 rsv2 after a good text", {{TEXT, "Hello"}, {TEXT | 0x20, "Hello"}, {PING, ""}},
                 {{WSMsgType::text, "Hello"}}, 1002});
    v.push_back({"3.3 rsv3 after a ping", {{TEXT, "Hello"}, {TEXT | 0x10, "Hello"}}, {{WSMsgType::text, "Hello"}}, 1002});
    v.push_back({"3.4 rsv1+rsv3 binary", {{BINARY | 0x50, "\x01"}}, {}, 1002});
    v.push_back({"3.5 rsv all on ping", {{PING | 0x70, "Hello"}}, {}, 1002});
    v.push_back({"3.6 rsv2 on close", {{CLOSE | 0x20, close_payload(1000)}}, {}, 1002});
    // 4: reserved opcodes.
    for (int op : {3, 4, 5, 6, 7})
        v.push_back({"4.1 data opcode " + std::to_string(op), {{TEXT, "ok"}, {static_cast<std::uint8_t>(0x80 | op), "x"}},
                     {{WSMsgType::text, "ok"}}, 1002});
    for (int op : {11, 12, 13, 14, 15})
        v.push_back({"4.2 control opcode " + std::to_string(op), {{TEXT, "ok"}, {static_cast<std::uint8_t>(0x80 | op), ""}},
                     {{WSMsgType::text, "ok"}}, 1002});
    // 5: fragmentation.
    v.push_back({"5.1 ping fragmented", {{0x09, "frag1"}, {CONT_FIN, "frag2"}}, {}, 1002});
    v.push_back({"5.2 pong fragmented", {{0x0A, "frag1"}, {CONT_FIN, "frag2"}}, {}, 1002});
    v.push_back({"5.3 text in 2 fragments", {{TEXT_FRAG, "frag1"}, {CONT_FIN, "frag2"}}, {{WSMsgType::text, "frag1frag2"}}});
    v.push_back({"5.6 ping between fragments", {{TEXT_FRAG, "fragment1"}, {PING, "ping"}, {CONT_FIN, "fragment2"}},
                 {{WSMsgType::ping, "ping"}, {WSMsgType::text, "fragment1fragment2"}}});
    v.push_back({"5.8 pong between fragments", {{BINARY_FRAG, "a"}, {PONG, "p"}, {CONT, "b"}, {PONG, "q"}, {CONT_FIN, "c"}},
                 {{WSMsgType::pong, "p"}, {WSMsgType::pong, "q"}, {WSMsgType::binary, "abc"}}});
    v.push_back({"5.9 continuation with nothing started", {{CONT_FIN, "x"}, {TEXT, "y"}}, {}, 1002});
    v.push_back({"5.10 continuation not final, nothing started", {{CONT, "x"}}, {}, 1002});
    v.push_back({"5.12 continuation after a complete message", {{TEXT, "a"}, {CONT_FIN, "b"}}, {{WSMsgType::text, "a"}}, 1002});
    v.push_back({"5.15 text inside a text", {{TEXT_FRAG, "a"}, {TEXT_FRAG, "b"}}, {}, 1002});
    v.push_back({"5.16 binary inside a text", {{TEXT_FRAG, "a"}, {BINARY, "b"}}, {}, 1002});
    v.push_back({"5.17 fin text inside a text", {{TEXT_FRAG, "a"}, {TEXT, "b"}}, {}, 1002});
    v.push_back({"5.18 empty fragments", {{TEXT_FRAG, ""}, {CONT, ""}, {CONT_FIN, ""}}, {{WSMsgType::text, ""}}});
    {
        Vector many{"5.19 one byte per fragment", {}, {{WSMsgType::text, "fragmented message"}}};
        const std::string text = "fragmented message";
        for (std::size_t i = 0; i < text.size(); ++i)
            many.frames.push_back({static_cast<std::uint8_t>(i == 0 ? TEXT_FRAG : i + 1 == text.size() ? CONT_FIN : CONT),
                                   text.substr(i, 1)});
        v.push_back(many);
    }
    v.push_back({"5.20 close between fragments", {{TEXT_FRAG, "a"}, {CLOSE, close_payload(1000)}},
                 {{WSMsgType::close, "", 1000}}});
    // 6: UTF-8.
    v.push_back({"6.1 empty text", {{TEXT, ""}}, {{WSMsgType::text, ""}}});
    v.push_back({"6.2 kosme", {{TEXT, kosme}}, {{WSMsgType::text, kosme}}});
    v.push_back({"6.2 kosme fragmented per byte", {}, {{WSMsgType::text, kosme}}});
    for (std::size_t i = 0; i < kosme.size(); ++i)
        v.back().frames.push_back({static_cast<std::uint8_t>(i == 0 ? TEXT_FRAG : i + 1 == kosme.size() ? CONT_FIN : CONT),
                                   kosme.substr(i, 1)});
    v.push_back({"6.3 U+10FFFF", {{TEXT, "\xf4\x8f\xbf\xbf"}}, {{WSMsgType::text, "\xf4\x8f\xbf\xbf"}}});
    v.push_back({"6.4.1 F4 90 ends the first fragment", {{TEXT_FRAG, kosme + "\xf4\x90"}, {CONT_FIN, "\x80\x80" "edited"}}, {}, 1007});
    v.push_back({"6.4.2 F4 90 80 80 in one frame", {{TEXT, kosme + "\xf4\x90\x80\x80" "edited"}}, {}, 1007});
    v.push_back({"6.4.3 bad byte in the middle fragment", {{TEXT_FRAG, kosme}, {CONT, "\xf4\x90\x80\x80"}, {CONT_FIN, "edited"}}, {}, 1007});
    for (const std::string& bad : {bytes_of({0xc0, 0xaf}), bytes_of({0xe0, 0x80, 0xaf}), bytes_of({0xf0, 0x80, 0x80, 0xaf}),
                                   bytes_of({0xed, 0xa0, 0x80}), bytes_of({0xed, 0xbf, 0xbf}), bytes_of({0xf5, 0x80, 0x80, 0x80}),
                                   bytes_of({0x80}), bytes_of({0xfe}), bytes_of({0xff}), bytes_of({0xc2}), bytes_of({0xe2, 0x82}),
                                   bytes_of({0xf0, 0x9f, 0x98}), bytes_of({0xc0, 0x80})})
        v.push_back({"6.x invalid " + testing::PrintToString(bad), {{TEXT, "ok" + bad}}, {}, 1007});
    v.push_back({"6.x code point split across fragments", {{TEXT_FRAG, "\xe2"}, {CONT, "\x82"}, {CONT_FIN, "\xac"}},
                 {{WSMsgType::text, "\xe2\x82\xac"}}});
    v.push_back({"6.x truncated at the end of the fragments", {{TEXT_FRAG, "\xe2"}, {CONT_FIN, "\x82"}}, {}, 1007});
    v.push_back({"6.x binary is not UTF-8 checked", {{BINARY, "\xff\xfe\xfd"}}, {{WSMsgType::binary, "\xff\xfe\xfd"}}});
    // 7: close.
    v.push_back({"7.1 close empty", {{CLOSE, ""}}, {{WSMsgType::close, "", close_code_none}}});
    v.push_back({"7.1 data after close is not read", {{CLOSE, close_payload(1000)}, {TEXT, "ignored"}},
                 {{WSMsgType::close, "", 1000}}});
    v.push_back({"7.3 close 1 byte", {{CLOSE, "\x03"}}, {}, 1002});
    v.push_back({"7.3 close code and reason", {{CLOSE, close_payload(1000, "Hello World!")}}, {{WSMsgType::close, "", 1000}}});
    v.push_back({"7.3 close reason 123 bytes", {{CLOSE, close_payload(1000, std::string(123, '*'))}}, {{WSMsgType::close, "", 1000}}});
    v.push_back({"7.3 close payload 126 bytes", {{CLOSE, close_payload(1000, std::string(124, '*'))}}, {}, 1002});
    v.push_back({"7.5 close reason invalid UTF-8", {{CLOSE, close_payload(1000, kosme + "\xed\xa0\x80")}}, {}, 1007});
    for (int code : {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999})
        v.push_back({"7.7 close code " + std::to_string(code), {{CLOSE, close_payload(code)}},
                     {{WSMsgType::close, "", static_cast<std::uint16_t>(code)}}});
    for (int code : {0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535})
        v.push_back({"7.9 close code " + std::to_string(code), {{CLOSE, close_payload(code)}}, {}, 1002});
    // Framing errors in the header itself.
    v.push_back({"1.x 64-bit length with the top bit set", {}, {}, 1002, false, default_max_msg_size,
                 bytes_of({0x82, 0x7f, 0x80, 0, 0, 0, 0, 0, 0, 1})});
    // 9: sizes and the limit.
    for (std::size_t n : {std::size_t{64} << 10, std::size_t{256} << 10, std::size_t{1} << 20})
        v.push_back({"9.1 binary " + std::to_string(n), {{BINARY, pattern(n)}}, {{WSMsgType::binary, pattern(n)}}});
    v.push_back({"9.x at max_msg_size", {{BINARY, pattern(1000)}}, {{WSMsgType::binary, pattern(1000)}}, 0, false, 1000});
    v.push_back({"9.x one over max_msg_size", {{BINARY, pattern(1001)}}, {}, 1009, false, 1000});
    v.push_back({"9.x over max_msg_size across fragments", {{BINARY_FRAG, pattern(600)}, {CONT_FIN, pattern(401)}}, {}, 1009, false, 1000});
    v.push_back({"9.x 10 GiB declared", {}, {}, 1009, false, default_max_msg_size,
                 bytes_of({0x82, 0x7f, 0, 0, 0, 2, 0x80, 0, 0, 0})});
    {
        Vector frags{"9.2 1 MiB in 4 KiB fragments", {}, {{WSMsgType::binary, pattern(1 << 20)}}};
        const std::string all = pattern(1 << 20);
        for (std::size_t at = 0; at < all.size(); at += 4096)
            frags.frames.push_back({static_cast<std::uint8_t>(at == 0 ? BINARY_FRAG : at + 4096 >= all.size() ? CONT_FIN : CONT),
                                    all.substr(at, 4096)});
        v.push_back(frags);
    }
    // 12/13: permessage-deflate.
    for (std::size_t n : {0u, 16u, 64u, 256u, 1024u, 4096u, 65536u}) {
        const std::string text = std::string(n / 2, 'a') + std::string(n - n / 2, 'b');
        v.push_back({"12.x deflated text " + std::to_string(n), {{TEXT | 0x40, deflated(text)}}, {{WSMsgType::text, text}}, 0, true});
        v.push_back({"12.x deflated binary " + std::to_string(n), {{BINARY | 0x40, deflated(pattern(n))}},
                     {{WSMsgType::binary, pattern(n)}}, 0, true});
    }
    v.push_back({"12.x RFC 7692 7.2.3.2 context takeover",
                 {{TEXT | 0x40, bytes_of({0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00})}, {TEXT | 0x40, bytes_of({0xf2, 0x00, 0x11, 0x00, 0x00})}},
                 {{WSMsgType::text, "Hello"}, {WSMsgType::text, "Hello"}}, 0, true});
    v.push_back({"12.x compressed and plain mixed", {{TEXT | 0x40, deflated("Hello")}, {TEXT, "plain"}, {BINARY | 0x40, deflated("x")}},
                 {{WSMsgType::text, "Hello"}, {WSMsgType::text, "plain"}, {WSMsgType::binary, "x"}}, 0, true});
    {
        const std::string z = deflated(pattern(3000));
        v.push_back({"13.x compressed and fragmented, ping inside",
                     {{BINARY_FRAG | 0x40, z.substr(0, 10)}, {PING, "p"}, {CONT, z.substr(10, 100)}, {CONT_FIN, z.substr(110)}},
                     {{WSMsgType::ping, "p"}, {WSMsgType::binary, pattern(3000)}}, 0, true});
    }
    v.push_back({"13.x RSV1 without negotiation", {{TEXT | 0x40, deflated("Hello")}}, {}, 1002, false});
    v.push_back({"13.x RSV1 on a continuation", {{TEXT_FRAG | 0x40, deflated("Hello")}, {CONT_FIN | 0x40, ""}}, {}, 1002, true});
    v.push_back({"13.x RSV1 on a ping", {{PING | 0x40, ""}}, {}, 1002, true});
    v.push_back({"13.x compressed invalid UTF-8", {{TEXT | 0x40, deflated("ok\xed\xa0\x80")}}, {}, 1007, true});
    v.push_back({"13.x not DEFLATE", {{TEXT | 0x40, bytes_of({0xff, 0xff, 0xff})}}, {}, 1007, true});
    v.push_back({"13.x inflates past max_msg_size", {{BINARY | 0x40, deflated(std::string(100000, '\0'))}}, {}, 1009, true, 50000});
    v.push_back({"13.x inflates to exactly max_msg_size", {{BINARY | 0x40, deflated(std::string(50000, '\0'))}},
                 {{WSMsgType::binary, std::string(50000, '\0')}}, 0, true, 50000});
    return v;
}

std::string wire(const Vector& v, Role reader_role) {
    std::string out;
    for (const Frame& f : v.frames) out += aio::test::ws_frame(f.first, f.payload, reader_role == Role::server);
    if (!v.raw.empty()) {
        std::string raw = v.raw;
        if (reader_role == Role::server) {  // the raw headers above are unmasked: set the bit, add a key
            raw[1] = static_cast<char>(raw[1] | 0x80);
            raw += bytes_of({1, 2, 3, 4});
        }
        out += raw;
    }
    return out;
}

void expect_outcome(const Vector& v, const ReadResult& r, const std::string& how) {
    EXPECT_EQ(r.error.value_or(0), v.error) << v.name << " (" << how << "): " << r.error_text;
    ASSERT_EQ(r.messages.size(), v.messages.size()) << v.name << " (" << how << ")";
    for (std::size_t i = 0; i < v.messages.size(); ++i) {
        EXPECT_EQ(r.messages[i].type, v.messages[i].type) << v.name << " #" << i;
        if (v.messages[i].type == WSMsgType::close) {
            EXPECT_EQ(r.messages[i].close_code, v.messages[i].code) << v.name;
        } else {
            EXPECT_TRUE(r.messages[i].data == v.messages[i].data) << v.name << " #" << i << " (" << how << ")";
        }
    }
}

class WsFrames : public testing::TestWithParam<Role> {};

TEST_P(WsFrames, EveryVectorGivesItsOutcomeWholeAtEverySplitAndByteByByte) {
    const Role role = GetParam();
    for (const Vector& v : make_vectors()) {
        ReaderOptions options{.role = role, .max_msg_size = v.max_msg_size};
        if (v.deflate) options.deflate = DeflateParams{};
        const std::string bytes = wire(v, role);
        expect_outcome(v, aio::test::read_whole(options, bytes), "whole");
        if (bytes.size() <= 4096) {
            for (std::size_t cut = 0; cut <= bytes.size(); ++cut)
                expect_outcome(v, aio::test::read_split_at(options, bytes, cut), "cut at " + std::to_string(cut));
            expect_outcome(v, aio::test::read_in_chunks(options, bytes, 1), "byte by byte");
        } else {
            for (std::size_t k = 1; k <= 64; ++k) {
                const std::size_t cut = bytes.size() * k / 65;
                expect_outcome(v, aio::test::read_split_at(options, bytes, cut), "cut at " + std::to_string(cut));
            }
            expect_outcome(v, aio::test::read_in_chunks(options, bytes, 1 + bytes.size() / 4000), "in small chunks");
        }
        if (HasFailure()) return;  // one broken vector is enough to read
    }
}

TEST_P(WsFrames, TheOtherRolesMaskingIsAProtocolError) {
    const Role role = GetParam();
    const Role other = role == Role::server ? Role::client : Role::server;
    for (const Vector& v : make_vectors()) {
        if (v.frames.empty()) continue;
        ReaderOptions options{.role = role, .max_msg_size = v.max_msg_size};
        if (v.deflate) options.deflate = DeflateParams{};
        const ReadResult r = aio::test::read_whole(options, wire(v, other));
        EXPECT_EQ(r.error, 1002) << v.name;
        EXPECT_TRUE(r.messages.empty()) << v.name;
    }
}

INSTANTIATE_TEST_SUITE_P(BothRoles, WsFrames, testing::Values(Role::server, Role::client),
                         [](const testing::TestParamInfo<Role>& info) { return info.param == Role::server ? "Server" : "Client"; });

}  // namespace
