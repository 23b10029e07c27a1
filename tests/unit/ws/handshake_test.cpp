// The opening handshake: the RFC 6455 1.3 accept key, every malformed upgrade's status and
// text, subprotocol choice, the origin hook, deflate in the 101, and the client's checks.

#include "aio/ws/handshake.hpp"

#include <gtest/gtest.h>

#include <string>

#include "aio/http/parser.hpp"

using namespace aio::ws;

namespace {

constexpr const char* kKey = "dGhlIHNhbXBsZSBub25jZQ==";

// Parses `fields` after a GET request line with the real HTTP parser, then runs the server check.
struct Upgrade {
    std::string raw;
    aio::http::RequestParser parser;
    ServerHandshake verdict;
    Upgrade(const std::string& request_line, const std::string& fields, const ServerHandshakeOptions& options = {}) {
        raw = request_line + "\r\nHost: x\r\n" + fields + "\r\n";
        EXPECT_EQ(parser.parse(raw), aio::http::ParseStatus::complete) << raw;
        verdict = server_handshake(parser.head(), options);
    }
};

const std::string kGood = std::string("Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ") + kKey +
                          "\r\nSec-WebSocket-Version: 13\r\n";

TEST(WsHandshake, AcceptKeyMatchesRfc6455Section13) {
    EXPECT_EQ(accept_key(kKey), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(WsHandshake, KeysAreBase64Of16BytesAndFresh) {
    const std::string a = make_key(), b = make_key();
    EXPECT_TRUE(is_valid_key(a));
    EXPECT_NE(a, b);
    EXPECT_TRUE(is_valid_key(kKey));
    EXPECT_FALSE(is_valid_key("dGhlIHNhbXBsZSBub25jZQ="));
    EXPECT_FALSE(is_valid_key("dGhlIHNhbXBsZSBub25jZQ"));
    EXPECT_FALSE(is_valid_key("dGhlIHNhbXBsZSBub25j!Q=="));
    EXPECT_FALSE(is_valid_key("dGhlIHNhbXBsZSBub25jZR=="));  // non-zero padding bits
    EXPECT_FALSE(is_valid_key("c2FtcGxlIG5vbmNlIDEyMzQ1Njc4"));  // 21 bytes
}

TEST(WsHandshake, AValidUpgradeGetsA101) {
    Upgrade u("GET /chat HTTP/1.1", kGood);
    ASSERT_TRUE(u.verdict.ok()) << u.verdict.reason;
    EXPECT_EQ(u.verdict.response_head(),
              "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
              "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n");
}

TEST(WsHandshake, TokensAreCaseInsensitiveAndAmongOthers) {
    Upgrade u("GET / HTTP/1.1", std::string("Upgrade: WebSocket\r\nConnection: keep-alive, UPGRADE\r\nSec-WebSocket-Key: ") +
                                    kKey + "\r\nSec-WebSocket-Version: 13\r\n");
    EXPECT_TRUE(u.verdict.ok()) << u.verdict.reason;
}

TEST(WsHandshake, EachMalformedUpgradeGetsItsStatusAndAClearText) {
    struct Case {
        std::string line, fields;
        int status;
        std::string says;
    } cases[] = {
        {"POST / HTTP/1.1", kGood, 405, "GET"},
        {"GET / HTTP/1.0", kGood, 400, "HTTP/1.1"},
        {"GET / HTTP/1.1", std::string("Connection: Upgrade\r\nSec-WebSocket-Key: ") + kKey + "\r\nSec-WebSocket-Version: 13\r\n", 400, "Upgrade"},
        {"GET / HTTP/1.1", std::string("Upgrade: h2c\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ") + kKey + "\r\nSec-WebSocket-Version: 13\r\n", 400, "h2c"},
        {"GET / HTTP/1.1", std::string("Upgrade: websocket\r\nConnection: keep-alive\r\nSec-WebSocket-Key: ") + kKey + "\r\nSec-WebSocket-Version: 13\r\n", 400, "upgrade token"},
        {"GET / HTTP/1.1", "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n", 400, "No Sec-WebSocket-Key"},
        {"GET / HTTP/1.1", "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: abc\r\nSec-WebSocket-Version: 13\r\n", 400, "16 bytes"},
        {"GET / HTTP/1.1", kGood + "Sec-WebSocket-Key: " + kKey + "\r\n", 400, "more than once"},
        {"GET / HTTP/1.1", std::string("Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ") + kKey + "\r\nSec-WebSocket-Version: 8\r\n", 426, "8"},
        {"GET / HTTP/1.1", std::string("Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ") + kKey + "\r\n", 426, "No Sec-WebSocket-Version"},
    };
    for (const auto& c : cases) {
        Upgrade u(c.line, c.fields);
        EXPECT_EQ(u.verdict.status, c.status) << c.fields;
        EXPECT_NE(u.verdict.reason.find(c.says), std::string::npos) << u.verdict.reason;
        const std::string head = u.verdict.response_head();
        EXPECT_EQ(head.rfind("HTTP/1.1 " + std::to_string(c.status) + " ", 0), 0u) << head;
        EXPECT_NE(head.find("Connection: close\r\n"), std::string::npos);
        EXPECT_NE(head.find(u.verdict.reason), std::string::npos);  // in the body
        if (c.status == 426) EXPECT_NE(head.find("Sec-WebSocket-Version: 13\r\n"), std::string::npos);
    }
}

TEST(WsHandshake, TheFirstOfTheServersProtocolsThatTheClientOfferedIsChosen) {
    ServerHandshakeOptions options;
    options.protocols = {"chat.v2", "chat.v1"};
    Upgrade u("GET / HTTP/1.1", kGood + "Sec-WebSocket-Protocol: chat.v1, chat.v2\r\n", options);
    ASSERT_TRUE(u.verdict.ok());
    EXPECT_EQ(u.verdict.protocol, "chat.v2");
    EXPECT_NE(u.verdict.response_head().find("Sec-WebSocket-Protocol: chat.v2\r\n"), std::string::npos);
    Upgrade none("GET / HTTP/1.1", kGood + "Sec-WebSocket-Protocol: other\r\n", options);
    ASSERT_TRUE(none.verdict.ok());
    EXPECT_EQ(none.verdict.protocol, "");
    EXPECT_EQ(none.verdict.response_head().find("Sec-WebSocket-Protocol"), std::string::npos);
    Upgrade split("GET / HTTP/1.1", kGood + "Sec-WebSocket-Protocol: a\r\nSec-WebSocket-Protocol: chat.v1\r\n", options);
    EXPECT_EQ(split.verdict.protocol, "chat.v1");
}

TEST(WsHandshake, TheOriginHookCanRefuseWith403) {
    ServerHandshakeOptions options;
    options.origin_check = [](std::string_view origin) { return origin == "https://good.example"; };
    EXPECT_TRUE(Upgrade("GET / HTTP/1.1", kGood + "Origin: https://good.example\r\n", options).verdict.ok());
    Upgrade bad("GET / HTTP/1.1", kGood + "Origin: https://evil.example\r\n", options);
    EXPECT_EQ(bad.verdict.status, 403);
    EXPECT_EQ(Upgrade("GET / HTTP/1.1", kGood, options).verdict.status, 403);  // no Origin
}

TEST(WsHandshake, DeflateIsNegotiatedIntoThe101) {
    Upgrade u("GET / HTTP/1.1", kGood + "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n");
    ASSERT_TRUE(u.verdict.deflate);
    EXPECT_NE(u.verdict.response_head().find("Sec-WebSocket-Extensions: permessage-deflate\r\n"), std::string::npos);
    ServerHandshakeOptions off;
    off.compress = false;
    Upgrade v("GET / HTTP/1.1", kGood + "Sec-WebSocket-Extensions: permessage-deflate\r\n", off);
    EXPECT_FALSE(v.verdict.deflate);
    EXPECT_EQ(v.verdict.response_head().find("Sec-WebSocket-Extensions"), std::string::npos);
}

aio::http::Headers good_response(const ClientHandshake& hs) {
    return {{"Upgrade", "websocket"}, {"Connection", "Upgrade"}, {"Sec-WebSocket-Accept", accept_key(hs.key)}};
}

TEST(WsHandshake, TheClientSendsTheFieldsAndAcceptsAGood101) {
    ClientHandshakeOptions options;
    options.protocols = {"chat"};
    const ClientHandshake hs = client_handshake(options);
    EXPECT_TRUE(is_valid_key(hs.key));
    EXPECT_EQ(hs.headers.get("Sec-WebSocket-Key"), hs.key);
    EXPECT_EQ(hs.headers.get("Sec-WebSocket-Version"), "13");
    EXPECT_EQ(hs.headers.get("Sec-WebSocket-Protocol"), "chat");
    EXPECT_EQ(hs.headers.get("Sec-WebSocket-Extensions"), "permessage-deflate; client_max_window_bits");
    auto headers = good_response(hs);
    headers.add("Sec-WebSocket-Protocol", "chat");
    headers.add("Sec-WebSocket-Extensions", "permessage-deflate; client_max_window_bits=12");
    const ClientHandshakeResult r = hs.check_response(101, headers, "ws://x/");
    EXPECT_EQ(r.protocol, "chat");
    ASSERT_TRUE(r.deflate);
    EXPECT_EQ(r.deflate->client_max_window_bits, 12);
}

TEST(WsHandshake, TheClientRefusesEachWrongAnswer) {
    ClientHandshakeOptions options;
    options.protocols = {"chat"};
    const ClientHandshake hs = client_handshake(options);
    auto expect_refused = [&](int status, const aio::http::Headers& h, const std::string& says) {
        try {
            hs.check_response(status, h, "ws://x/");
            ADD_FAILURE() << "accepted: " << says;
        } catch (const WSServerHandshakeError& e) {
            EXPECT_EQ(e.status(), status);
            EXPECT_NE(e.message().find(says), std::string::npos) << e.message();
            EXPECT_EQ(e.url(), "ws://x/");
        }
    };
    expect_refused(200, good_response(hs), "status");
    expect_refused(101, {{"Connection", "Upgrade"}, {"Sec-WebSocket-Accept", accept_key(hs.key)}}, "upgrade");
    expect_refused(101, {{"Upgrade", "websocket"}, {"Sec-WebSocket-Accept", accept_key(hs.key)}}, "connection");
    expect_refused(101, {{"Upgrade", "websocket"}, {"Connection", "Upgrade"}, {"Sec-WebSocket-Accept", "nope"}}, "challenge");
    auto proto = good_response(hs);
    proto.add("Sec-WebSocket-Protocol", "other");
    expect_refused(101, proto, "protocol");
    auto ext = good_response(hs);
    ext.add("Sec-WebSocket-Extensions", "permessage-deflate; foo=1");
    expect_refused(101, ext, "Extensions");
    ClientHandshakeOptions plain;
    plain.compress = false;
    const ClientHandshake no_deflate = client_handshake(plain);
    auto unasked = good_response(no_deflate);
    unasked.add("Sec-WebSocket-Extensions", "permessage-deflate");
    EXPECT_THROW(no_deflate.check_response(101, unasked), WSServerHandshakeError);
}

TEST(WsHandshake, TheClientChecksAParsedResponseHead) {
    const ClientHandshake hs = client_handshake();
    const std::string raw = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                            "Sec-WebSocket-Accept: " + accept_key(hs.key) + "\r\n\r\n";
    aio::http::ResponseParser parser;
    ASSERT_EQ(parser.parse(raw), aio::http::ParseStatus::complete);
    const ClientHandshakeResult r = hs.check_response(parser.head());
    EXPECT_FALSE(r.deflate);
    EXPECT_EQ(r.protocol, "");
}

}  // namespace
