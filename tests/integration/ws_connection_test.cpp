// aio's WebSocket server and client against each other over loopback: messages of every length
// encoding, with and without permessage-deflate, pipelining, ping/pong, the close handshake from
// either side, timeouts and the receive rules. The thread-safe writer: tests/unit/ws/.

#include "support/ws_fixture.hpp"

using namespace ws_test;
using aio::ws::WSMsgType;

namespace {

class WsConnection : public aio_io_test::IoTest {
public:
    /// Runs `client` against an aio server running `session`; the server is shut down after.
    void with_server(Session session, std::function<aio::Coro<void>(std::string url)> client,
                     aio::ws::WSOptions options = {}) {
        auto body = [&]() -> aio::Coro<void> {
            auto server = co_await serve_ws(session, options);
            std::string url = "ws://127.0.0.1:" + std::to_string(server->port()) + "/";
            co_await client(url);
            co_await server->shutdown(2s);
        };
        run(body());
    }
};

void echo_every_length(WsConnection& t, bool compress) {
    const std::size_t sizes[] = {0, 1, 125, 126, 127, 65535, 65536, 65537, 1 << 20, 16u << 20};
    aio::ws::WSOptions so;
    so.max_msg_size = 32u << 20;
    so.compress = compress;
    t.with_server(
        echo,
        [&](std::string url) -> aio::Coro<void> {
            aio::http::ClientSession session;
            aio::ws::WSConnectOptions o;
            o.compress = compress;
            o.max_msg_size = 32u << 20;
            aio::ws::WebSocket ws = co_await session.ws_connect(url, o);
            EXPECT_EQ(ws.compress(), compress);
            for (std::size_t n : sizes) {
                std::string text = text_pattern(n);
                co_await ws.send_str(text);
                aio::ws::WSMessage m = co_await ws.receive(10s);
                EXPECT_EQ(m.type, WSMsgType::text) << n << " " << m.close_code << " " << m.extra;
                EXPECT_TRUE(m.data == text) << "text of " << n << " bytes came back as " << m.data.size();
                co_await ws.send_bytes(text);
                m = co_await ws.receive(10s);
                EXPECT_EQ(m.type, WSMsgType::binary) << n;
                EXPECT_TRUE(m.data == text) << "binary of " << n << " bytes came back as " << m.data.size();
            }
            EXPECT_TRUE(co_await ws.close());
            EXPECT_EQ(ws.close_code(), 1000);
        },
        so);
}

TEST_F(WsConnection, TextAndBinaryOfEveryLengthEncodingEchoUncompressed) { echo_every_length(*this, false); }
TEST_F(WsConnection, TextAndBinaryOfEveryLengthEncodingEchoCompressed) { echo_every_length(*this, true); }

TEST_F(WsConnection, AThousandPipelinedMessagesComeBackInOrder) {
    with_server(echo, [](std::string url) -> aio::Coro<void> {
        aio::http::ClientSession session;
        aio::ws::WebSocket ws = co_await session.ws_connect(url);
        for (int i = 0; i < 1000; ++i) co_await ws.send_str("m" + std::to_string(i));
        for (int i = 0; i < 1000; ++i) {
            std::string s = co_await ws.receive_str(5s);
            if (s != "m" + std::to_string(i)) {
                ADD_FAILURE() << "message " << i << " was " << s;
                break;
            }
        }
        co_await ws.close();
    });
}

TEST_F(WsConnection, APingIsAnsweredWithItsPayloadAndPongsReachAClientWithoutAutoping) {
    with_server(echo, [](std::string url) -> aio::Coro<void> {
        aio::http::ClientSession session;
        aio::ws::WSConnectOptions o;
        o.autoping = false;
        aio::ws::WebSocket ws = co_await session.ws_connect(url, o);
        co_await ws.ping("are you there");
        aio::ws::WSMessage m = co_await ws.receive(5s);
        EXPECT_EQ(m.type, WSMsgType::pong);
        EXPECT_EQ(m.data, "are you there");
        co_await ws.close();
    });
}

TEST_F(WsConnection, TheServerClosesWithItsCodeAndTheClientSeesCloseThenClosed) {
    std::optional<std::uint16_t> server_code;
    bool server_closed = false;
    auto session = [&](aio::ws::WebSocket& ws) -> aio::Coro<void> {
        co_await ws.receive_str(5s);
        server_closed = co_await ws.close(4001, "bye");
        server_code = ws.close_code();
    };
    with_server(session, [](std::string url) -> aio::Coro<void> {
        aio::http::ClientSession s;
        aio::ws::WebSocket ws = co_await s.ws_connect(url);
        co_await ws.send_str("hi");
        aio::ws::WSMessage m = co_await ws.receive(5s);
        EXPECT_EQ(m.type, WSMsgType::close);
        EXPECT_EQ(m.close_code, 4001);
        EXPECT_EQ(m.extra, "bye");
        EXPECT_EQ((co_await ws.receive(5s)).type, WSMsgType::closed);
        EXPECT_FALSE(co_await ws.close());  // already closed by the handshake
        EXPECT_EQ(ws.close_code(), 4001);
        EXPECT_TRUE(ws.closed());
    });
    EXPECT_TRUE(server_closed);
    EXPECT_EQ(server_code, 4001);
}

TEST_F(WsConnection, TheClientClosesWithItsCodeAndTheServersLoopEnds) {
    std::optional<std::uint16_t> server_code;
    auto session = [&](aio::ws::WebSocket& ws) -> aio::Coro<void> {
        co_await echo(ws);
        server_code = ws.close_code();
    };
    with_server(session, [](std::string url) -> aio::Coro<void> {
        aio::http::ClientSession s;
        aio::ws::WebSocket ws = co_await s.ws_connect(url);
        EXPECT_TRUE(co_await ws.close(aio::ws::WSCloseCode::going_away, "leaving"));
        EXPECT_EQ(ws.close_code(), 1001);
        EXPECT_FALSE(ws.exception());
    });
    EXPECT_EQ(server_code, 1001);
}

TEST_F(WsConnection, ACancelledOrTimedOutReceiveLosesNoMessage) {
    auto session = [](aio::ws::WebSocket& ws) -> aio::Coro<void> {
        std::string go = co_await ws.receive_str(5s);
        co_await ws.send_str("late " + go);
        co_await ws.receive(5s);  // the close
    };
    with_server(session, [](std::string url) -> aio::Coro<void> {
        aio::http::ClientSession s;
        aio::ws::WebSocket ws = co_await s.ws_connect(url);
        EXPECT_THROW(co_await ws.receive(30ms), aio::TimeoutError);
        co_await ws.send_str("now");
        EXPECT_EQ(co_await ws.receive_str(5s), "late now");
        co_await ws.close();
    });
}

TEST_F(WsConnection, ASecondConcurrentReceiveIsARuntimeError) {
    with_server(echo, [](std::string url) -> aio::Coro<void> {
        aio::http::ClientSession s;
        aio::ws::WebSocket ws = co_await s.ws_connect(url);
        auto first = aio::create_task(ws.receive(5s));
        co_await aio::sleep(0ms);
        EXPECT_THROW(co_await ws.receive(1s), aio::RuntimeError);
        co_await ws.send_str("x");
        EXPECT_EQ((co_await first).data, "x");
        co_await ws.close();
    });
}

TEST_F(WsConnection, ReceiveStrOfABinaryMessageIsATypeError) {
    with_server(echo, [](std::string url) -> aio::Coro<void> {
        aio::http::ClientSession s;
        aio::ws::WebSocket ws = co_await s.ws_connect(url);
        co_await ws.send_bytes("b");
        EXPECT_THROW(co_await ws.receive_str(5s), aio::ws::WSMessageTypeError);
        nlohmann::json doc = {{"a", 1}};
        co_await ws.send_json(doc);
        EXPECT_EQ((co_await ws.receive_json(5s))["a"], 1);
        co_await ws.close();
    });
}

TEST_F(WsConnection, TheServersFirstPreferredSubprotocolThatTheClientOffersIsChosen) {
    static const std::string_view server_protocols[] = {"chat.v2", "chat.v1"};
    aio::ws::WSOptions so;
    so.protocols = server_protocols;
    std::string seen;
    auto session = [&](aio::ws::WebSocket& ws) -> aio::Coro<void> {
        seen = std::string(ws.protocol());
        co_await echo(ws);
    };
    with_server(
        session,
        [](std::string url) -> aio::Coro<void> {
            aio::http::ClientSession s;
            aio::ws::WSConnectOptions o;
            o.protocols = {"chat.v1", "chat.v2"};
            aio::ws::WebSocket ws = co_await s.ws_connect(url, o);
            EXPECT_EQ(ws.protocol(), "chat.v2");
            co_await ws.close();
        },
        so);
    EXPECT_EQ(seen, "chat.v2");
}

// An upgrade request's head is moved out of the connection's read buffer before the handler runs,
// and the buffer goes back to the server's pool once the socket is taken over (10,000 idle
// websockets would otherwise pin 16 KiB each). The head must stay readable, views taken before
// the upgrade included, while other connections reuse that buffer.
TEST_F(WsConnection, TheRequestHeadStaysReadableWhileOtherRequestsReuseItsBuffer) {
    auto body = [&]() -> aio::Coro<void> {
        aio::http::Handler h = [](aio::http::Request& req) -> aio::Coro<aio::http::Response> {
            if (!aio::ws::can_accept(req)) co_return aio::http::Response(std::string(req.header("X-Marker")));
            std::string_view before = req.header("X-Marker");
            aio::ws::WebSocket ws = co_await aio::ws::accept(req);
            while (auto msg = co_await ws.next()) {
                std::string seen = std::string(req.method()) + " " + std::string(req.target()) + " " +
                                   std::string(before) + " " + std::string(req.header("X-Marker"));
                co_await ws.send_str(seen);
            }
            co_return aio::http::Response::taken_over();
        };
        auto server = co_await aio::http::serve(h, "127.0.0.1", 0);
        const std::string base = "127.0.0.1:" + std::to_string(server->port());
        aio::http::ClientSession s;
        aio::ws::WSConnectOptions o;
        o.headers.add("X-Marker", "ws-" + std::string(300, 'w'));
        aio::ws::WebSocket ws = co_await s.ws_connect("ws://" + base + "/chat?room=7", o);
        const std::string want = "GET /chat?room=7 ws-" + std::string(300, 'w') + " ws-" + std::string(300, 'w');
        aio::http::TCPConnectorOptions fresh;
        fresh.force_close = true;  // a new connection, so a pooled buffer, for every request
        aio::http::ClientSessionOptions so;
        so.connector = std::make_shared<aio::http::TCPConnector>(fresh);
        aio::http::ClientSession other(so);
        for (int i = 0; i < 20; ++i) {
            const std::string marker(600, static_cast<char>('a' + i));
            aio::http::RequestOptions ro;
            ro.headers.add("X-Marker", marker);
            auto r = co_await other.get("http://" + base + "/", ro);
            EXPECT_EQ(co_await r.text(), marker);
            co_await ws.send_str("?");
            EXPECT_EQ(co_await ws.receive_str(5s), want) << "after request " << i;
        }
        co_await ws.close();
        other.close();
        co_await server->shutdown(2s);
    };
    run(body());
}

TEST_F(WsConnection, ANon101AnswerIsAWSServerHandshakeError) {
    auto body = [&]() -> aio::Coro<void> {
        aio::http::Handler h = [](aio::http::Request&) -> aio::Coro<aio::http::Response> {
            co_return aio::http::Response("no websockets here", 404);
        };
        auto server = co_await aio::http::serve(h, "127.0.0.1", 0);
        aio::http::ClientSession s;
        std::string url = "ws://127.0.0.1:" + std::to_string(server->port()) + "/";
        try {
            co_await s.ws_connect(url);
            ADD_FAILURE() << "connected";
        } catch (const aio::ws::WSServerHandshakeError& e) {
            EXPECT_EQ(e.status(), 404);
        }
        co_await server->shutdown(2s);
    };
    run(body());
}

}  // namespace
