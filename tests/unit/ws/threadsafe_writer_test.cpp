// The thread-safe writer (seed 004's ThreadSafeWebSocketWriter): a worker thread sends through
// the loop's call_soon_threadsafe. Real threads and a real connection, so that the tsan preset
// checks the hand-over: `$(bash scripts/tsan_wrapper.sh) ctest --preset tsan -R WsThreadSafeWriter`.

#include <thread>

#include "support/ws_fixture.hpp"

using namespace ws_test;

namespace {

class WsThreadSafeWriter : public aio_io_test::IoTest {
public:
    void with_server(Session session, std::function<aio::Coro<void>(std::string url)> client) {
        auto body = [&]() -> aio::Coro<void> {
            auto server = co_await serve_ws(session);
            std::string url = "ws://127.0.0.1:" + std::to_string(server->port()) + "/";
            co_await client(url);
            co_await server->shutdown(2s);
        };
        run(body());
    }
};

TEST_F(WsThreadSafeWriter, AnotherThreadSendsThroughTheThreadSafeWriterInOrder) {
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

TEST_F(WsThreadSafeWriter, TheThreadSafeWriterReportsAClosedConnection) {
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
