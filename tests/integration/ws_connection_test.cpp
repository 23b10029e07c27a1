// aio's WebSocket server and client against each other over loopback: messages of every length
// encoding, with and without permessage-deflate, pipelining, ping/pong, the close handshake from
// either side, timeouts, the receive rules and the thread-safe writer.

#include <thread>

#include "ws_test_support.hpp"

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

std::string pattern(std::size_t n) {
    std::string s(n, '\0');
    for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + (i * 7) % 26);
    return s;
}

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
                std::string text = pattern(n);
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
        co_await ws.send_json(nlohmann::json{{"a", 1}});
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

TEST_F(WsConnection, AnotherThreadSendsThroughTheThreadSafeWriterInOrder) {
    auto session = [](aio::ws::WebSocket& ws) -> aio::Coro<void> {
        co_await ws.receive_str(5s);
        aio::ws::ThreadSafeWriter writer = ws.threadsafe_writer();
        std::thread worker([writer] {
            for (int i = 0; i < 200; ++i) writer.send_str("t" + std::to_string(i));
            writer.send_str("done").wait();
        });
        std::string last;
        // The loop keeps running while the thread posts: wait for the client's acknowledgement.
        last = co_await ws.receive_str(10s);
        EXPECT_EQ(last, "got them");
        worker.join();
        co_await ws.receive(5s);
    };
    with_server(session, [](std::string url) -> aio::Coro<void> {
        aio::http::ClientSession s;
        aio::ws::WebSocket ws = co_await s.ws_connect(url);
        co_await ws.send_str("start");
        for (int i = 0; i < 200; ++i) {
            std::string m = co_await ws.receive_str(5s);
            if (m != "t" + std::to_string(i)) {
                ADD_FAILURE() << "message " << i << " was " << m;
                break;
            }
        }
        EXPECT_EQ(co_await ws.receive_str(5s), "done");
        co_await ws.send_str("got them");
        co_await ws.close();
    });
}

TEST_F(WsConnection, TheThreadSafeWriterReportsAClosedConnection) {
    auto session = [](aio::ws::WebSocket& ws) -> aio::Coro<void> { co_await echo(ws); };
    with_server(session, [](std::string url) -> aio::Coro<void> {
        aio::http::ClientSession s;
        aio::ws::WebSocket ws = co_await s.ws_connect(url);
        aio::ws::ThreadSafeWriter writer = ws.threadsafe_writer();
        co_await ws.close();
        // The thread waits for the posted call, which runs on this loop meanwhile.
        auto attempt = [writer] {
            try {
                writer.send_str("too late").get();
                return false;
            } catch (const aio::ConnectionResetError&) {
                return true;
            }
        };
        EXPECT_TRUE(co_await aio::to_thread(attempt));
    });
}

}  // namespace
