// Bad input against aio's WebSocket server over a real socket, from a raw client: each gets a
// clear status or close code, and nothing crashes, hangs or leaks (IoTest checks fds and tasks).

#include "aio/ws/deflate.hpp"
#include "support/ws_fixture.hpp"

using namespace ws_test;
using aio::ws::Opcode;

namespace {

class WsBadInput : public aio_io_test::IoTest {
public:
    void with_raw_public(Session session, std::function<aio::Coro<void>(RawWsClient&)> client,
                         aio::ws::WSOptions options) {
        with_raw(std::move(session), std::move(client), options);
    }

protected:
    /// Runs `client` with a raw connection to an aio server running `session`.
    void with_raw(Session session, std::function<aio::Coro<void>(RawWsClient&)> client,
                  aio::ws::WSOptions options = {}) {
        auto body = [&]() -> aio::Coro<void> {
            auto server = co_await serve_ws(session, options);
            RawWsClient raw = co_await RawWsClient::connect(server->port());
            co_await client(raw);
            co_await raw.close();
            co_await server->shutdown(2s);
        };
        run(body());
    }
    /// Upgrades, sends `bytes`, and returns the close frame the server answers with.
    Frame close_after(std::string bytes, aio::ws::WSOptions options = {}, std::string extra = {}) {
        Frame got;
        with_raw(
            echo,
            [&](RawWsClient& c) -> aio::Coro<void> {
                std::string head = co_await c.handshake(extra);
                EXPECT_NE(head.find("101"), std::string::npos) << head;
                co_await c.send(bytes);
                do {
                    got = co_await c.read_frame();
                } while (got.header.opcode != Opcode::close);
                EXPECT_TRUE(co_await c.wait_eof());  // and the server closes TCP
            },
            options);
        return got;
    }
};

TEST_F(WsBadInput, AnUpgradeWithoutAKeyIsA400) {
    with_raw(echo, [](RawWsClient& c) -> aio::Coro<void> {
        co_await c.send("GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        "Sec-WebSocket-Version: 13\r\n\r\n");
        std::string head = co_await c.head();
        EXPECT_EQ(head.rfind("HTTP/1.1 400", 0), 0u) << head;
        EXPECT_TRUE(co_await c.wait_eof());
    });
}

TEST_F(WsBadInput, AnotherProtocolVersionIsA426NamingVersion13) {
    with_raw(echo, [](RawWsClient& c) -> aio::Coro<void> {
        co_await c.send("GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n\r\n");
        std::string head = co_await c.head();
        EXPECT_EQ(head.rfind("HTTP/1.1 426", 0), 0u) << head;
        EXPECT_NE(head.find("Sec-WebSocket-Version: 13"), std::string::npos) << head;
    });
}

// python3-websockets' `origins`: an exact list, "" standing for no Origin at all.
constexpr std::string_view allowed_origins[] = {"https://board.example", ""};

std::string status_line_for(WsBadInput& t, std::string extra, aio::ws::WSOptions options);

TEST_F(WsBadInput, AnOriginOutsideTheListIsRefusedWith403BeforeThe101) {
    aio::ws::WSOptions o;
    o.origins = allowed_origins;
    EXPECT_EQ(status_line_for(*this, "Origin: https://evil.example\r\n", o), "HTTP/1.1 403 Forbidden");
    EXPECT_EQ(status_line_for(*this, "Origin: https://board.example\r\n", o), "HTTP/1.1 101 Switching Protocols");
    EXPECT_EQ(status_line_for(*this, "", o), "HTTP/1.1 101 Switching Protocols");  // "" listed
    constexpr std::string_view browsers_only[] = {"https://board.example"};
    o.origins = browsers_only;
    EXPECT_EQ(status_line_for(*this, "", o), "HTTP/1.1 403 Forbidden");
    // Compared exactly: another scheme, port or case is another origin.
    EXPECT_EQ(status_line_for(*this, "Origin: http://board.example\r\n", o), "HTTP/1.1 403 Forbidden");
    EXPECT_EQ(status_line_for(*this, "Origin: https://board.example:8443\r\n", o), "HTTP/1.1 403 Forbidden");
}

bool same_host(std::string_view origin, const aio::http::Request& request) {
    return origin == "http://" + std::string(request.header("Host"));
}

TEST_F(WsBadInput, CheckOriginSeesTheOriginAndTheRequestAndRefusesWith403) {
    aio::ws::WSOptions o;
    o.check_origin = same_host;
    // The raw client's Host is 127.0.0.1.
    EXPECT_EQ(status_line_for(*this, "Origin: http://127.0.0.1\r\n", o), "HTTP/1.1 101 Switching Protocols");
    EXPECT_EQ(status_line_for(*this, "Origin: http://other.example\r\n", o), "HTTP/1.1 403 Forbidden");
    // Both: the list first, then the function.
    constexpr std::string_view listed[] = {"http://other.example", "http://127.0.0.1"};
    o.origins = listed;
    EXPECT_EQ(status_line_for(*this, "Origin: http://other.example\r\n", o), "HTTP/1.1 403 Forbidden");
    EXPECT_EQ(status_line_for(*this, "Origin: http://127.0.0.1\r\n", o), "HTTP/1.1 101 Switching Protocols");
}

/// The status line the server answers an upgrade carrying `extra` with; a refusal must also
/// close the connection.
std::string status_line_for(WsBadInput& t, std::string extra, aio::ws::WSOptions options) {
    std::string line;
    t.with_raw_public(
        echo,
        [&](RawWsClient& c) -> aio::Coro<void> {
            std::string head = co_await c.handshake(extra);
            line = head.substr(0, head.find("\r\n"));
            if (line.find(" 101 ") == std::string::npos) {
                std::string body = co_await aio::wait_for(c.reader.read(4096), 5s);
                EXPECT_EQ(body.rfind("Origin not allowed", 0), 0u) << body;
                EXPECT_TRUE(co_await c.wait_eof());
            }
        },
        options);
    return line;
}

TEST_F(WsBadInput, AFrameOverMaxMsgSizeIsClosedWith1009) {
    aio::ws::WSOptions o;
    o.max_msg_size = 1024;
    Frame f = close_after(RawWsClient::masked(Opcode::binary, std::string(2000, 'x')), o);
    EXPECT_EQ(f.close_code(), 1009);
}

TEST_F(WsBadInput, InvalidUtf8TextIsClosedWith1007) {
    Frame f = close_after(RawWsClient::masked(Opcode::text, "ok \xc3\x28 not"));
    EXPECT_EQ(f.close_code(), 1007);
}

TEST_F(WsBadInput, ATenGibibyteDeclaredLengthIsClosedWith1009AtOnce) {
    aio::ws::FrameHeader h;
    h.opcode = Opcode::binary;
    h.masked = true;
    h.payload_length = 10ull << 30;
    aio::ws::FrameHeaderBytes b;
    std::string header(b.data(), aio::ws::encode_frame_header(h, b));
    Frame f = close_after(header + "only a few bytes follow");
    EXPECT_EQ(f.close_code(), 1009);
}

TEST_F(WsBadInput, AnUnmaskedClientFrameIsClosedWith1002) {
    aio::ws::FrameHeader h;
    h.opcode = Opcode::text;
    h.masked = false;
    Frame f = close_after(RawWsClient::frame(h, "plain"));
    EXPECT_EQ(f.close_code(), 1002);
}

TEST_F(WsBadInput, ADecompressionBombIsClosedWith1009) {
    // 64 MiB of zeros deflate to a few dozen KiB; the server's cap is 1 MiB.
    aio::ws::DeflateParams params;
    aio::ws::Deflater deflater = aio::ws::make_deflater(params, aio::ws::Role::client);
    std::string compressed;
    deflater.compress(std::string(64u << 20, '\0'), compressed);
    aio::ws::FrameHeader h;
    h.opcode = Opcode::binary;
    h.rsv1 = true;
    h.masked = true;
    aio::ws::WSOptions o;
    o.max_msg_size = 1u << 20;
    Frame f = close_after(RawWsClient::frame(h, compressed), o, "Sec-WebSocket-Extensions: permessage-deflate\r\n");
    EXPECT_EQ(f.close_code(), 1009);
}

TEST_F(WsBadInput, AClientThatNeverAnswersTheCloseIsDisconnectedAfterTheCloseTimeout) {
    aio::ws::WSOptions o;
    o.timeout = 150ms;
    std::optional<std::uint16_t> code;
    bool timed_out = false;
    auto session = [&](aio::ws::WebSocket& ws) -> aio::Coro<void> {
        EXPECT_TRUE(co_await ws.close(1000, "bye"));
        code = ws.close_code();
        try {
            if (ws.exception()) std::rethrow_exception(ws.exception());
        } catch (const aio::TimeoutError&) {
            timed_out = true;
        }
    };
    with_raw(
        session,
        [](RawWsClient& c) -> aio::Coro<void> {
            co_await c.handshake();
            Frame f = co_await c.read_frame();
            EXPECT_EQ(f.header.opcode, Opcode::close);
            EXPECT_EQ(f.close_code(), 1000);
            // Never answer: the server must hang up by itself.
            EXPECT_TRUE(co_await c.wait_eof(5s));
        },
        o);
    EXPECT_EQ(code, 1006);
    EXPECT_TRUE(timed_out);
}

TEST_F(WsBadInput, APeerThatNeverPongsIsDroppedByTheHeartbeat) {
    aio::ws::WSOptions o;
    o.heartbeat = 100ms;
    aio::ws::WSMessage last;
    std::optional<std::uint16_t> code;
    auto session = [&](aio::ws::WebSocket& ws) -> aio::Coro<void> {
        last = co_await ws.receive(5s);
        code = ws.close_code();
    };
    with_raw(
        session,
        [](RawWsClient& c) -> aio::Coro<void> {
            co_await c.handshake();
            Frame f = co_await c.read_frame();
            EXPECT_EQ(f.header.opcode, Opcode::ping);
            EXPECT_TRUE(co_await c.wait_eof(5s));  // no pong: the server hangs up
        },
        o);
    EXPECT_EQ(last.type, aio::ws::WSMsgType::error);
    EXPECT_EQ(code, 1006);
}

}  // namespace
