// The graceful end of a web::run_app program under load (examples/web_hello in a child process):
// 64 keep-alive connections send requests in a loop, some of them slow enough to be in flight at
// the SIGTERM, and 100 websockets are open. Every request the server had taken gets its whole
// response (none truncated, none lost), the connections end with `Connection: close`, new
// connections are refused, every websocket gets close 1001 "Server shutdown" and then the end of
// TCP from the server, on_cleanup runs and the process exits 0 within the grace. And a handler slower than the grace is
// cancelled: its client sees the connection closed, and the clean-up still runs.

#include <atomic>

#include "integration/http_server_client.hpp"
#include "web_process.hpp"

using namespace http_test;
using web_examples_test::WebProcess;

namespace {

using Clock = std::chrono::steady_clock;

// A request sent this long before the signal has certainly been read by the server (it is
// idle-waiting on the sockets, never saturated by 64 clients): it must be answered. One sent
// later may meet the closing of an idle connection, which is no loss (it was never taken).
constexpr auto kTakenMargin = 100ms;

struct Load {
    int complete = 0;
    int truncated = 0;         // part of a response, then the end: never allowed
    int lost = 0;              // no answer to a request the server had taken: never allowed
    int unanswered_late = 0;   // no answer to a request sent around the signal: allowed
    int slow_at_signal = 0;    // slow requests in flight when the signal went
    int slow_answered = 0;     // ... of which answered in full
    int closed_with_header = 0;
    int refused_after = 0;     // new connections after the signal
    std::optional<Clock::time_point> signal_at;
    int ready = 0;             // clients that completed their first request
    int clients = 0;
    aio::Event all_ready;      // set when every client has
    int ws_open = 0;           // websockets open (handshake and one echo done)
    int ws_wanted = 0;
    aio::Event ws_all_open;
    int ws_failed = 0;
    int ws_going_away = 0;     // close frames 1001 "Server shutdown" received
    int ws_tcp_closed = 0;     // ... then EOF from the server
};

// A client frame: FIN, masked, a payload under 126 bytes.
std::string masked_frame(unsigned char opcode, std::string_view payload) {
    std::string f;
    f.push_back(static_cast<char>(0x80 | opcode));
    f.push_back(static_cast<char>(0x80 | payload.size()));
    const char mask[4] = {0x11, 0x22, 0x33, 0x44};
    f.append(mask, 4);
    for (std::size_t i = 0; i < payload.size(); ++i) f.push_back(static_cast<char>(payload[i] ^ mask[i % 4]));
    return f;
}

aio::Coro<void> ws_client(std::uint16_t port, Load& load) {
    auto [reader, writer] = co_await aio::open_connection("127.0.0.1", port);
    try {
        writer.write("GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                     "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
        std::string head = co_await aio::wait_for(reader.readuntil("\r\n\r\n"), 5s);
        writer.write(masked_frame(0x1, "hi"));
        std::string echo = co_await aio::wait_for(reader.readexactly(4), 5s);
        if (head.rfind("HTTP/1.1 101 ", 0) != 0 || echo != "\x81\x02hi") {
            ++load.ws_failed;
        } else if (++load.ws_open == load.ws_wanted) {
            load.ws_all_open.set();
        }
        std::string frame = co_await aio::wait_for(reader.readexactly(2), 10s);
        std::size_t len = static_cast<unsigned char>(frame[1]) & 0x7f;
        std::string payload = co_await aio::wait_for(reader.readexactly(len), 5s);
        int code = len >= 2 ? (static_cast<unsigned char>(payload[0]) << 8) | static_cast<unsigned char>(payload[1]) : 0;
        if (static_cast<unsigned char>(frame[0]) == 0x88 && code == 1001 && payload.substr(2) == "Server shutdown")
            ++load.ws_going_away;
        writer.write(masked_frame(0x8, payload.substr(0, 2)));  // the client's half of the handshake
        if ((co_await aio::wait_for(reader.read(), 5s)).empty()) ++load.ws_tcp_closed;
    } catch (const std::exception&) {
        ++load.ws_failed;
    }
    writer.close();
    try {
        co_await writer.wait_closed();
    } catch (const aio::ConnectionError&) {
    }
}

// Reads one response; "" if the connection ended before its first byte; throws nothing.
aio::Coro<std::pair<std::string, RawResponse>> read_response(aio::StreamReader& r) {
    RawResponse resp;
    std::string got;
    try {
        got = co_await aio::wait_for(r.readuntil("\r\n\r\n"), 10s);
        resp.head = got;
        resp.status = std::stoi(got.substr(9, 3));
        auto cl = lower(got).find("content-length: ");
        std::size_t n = cl == std::string::npos ? 0 : std::stoul(got.substr(cl + 16));
        resp.body = co_await aio::wait_for(r.readexactly(n), 10s);
        got += resp.body;
        co_return std::pair{std::string("ok"), resp};
    } catch (const aio::IncompleteReadError& e) {
        got += e.partial();
    } catch (const aio::ConnectionError&) {
    } catch (const aio::TimeoutError&) {
        co_return std::pair{std::string("timeout"), resp};
    }
    co_return std::pair{got.empty() ? std::string("none") : std::string("partial"), resp};
}

aio::Coro<void> client(std::uint16_t port, int id, Load& load) {
    auto [reader, writer] = co_await aio::open_connection("127.0.0.1", port);
    bool counted_ready = false;
    for (int i = 0;; ++i) {
        // A quarter of the clients are slow (400 ms, in flight at the signal), the rest quick.
        bool slow = id % 4 == 0 && i > 0;
        std::string path = slow ? "/slow?ms=400" : (i % 2 ? "/hello" : "/json");
        writer.write(get(path));
        auto sent_at = Clock::now();
        bool in_flight_at_signal = false;
        if (slow && !load.signal_at) in_flight_at_signal = true;
        auto [outcome, resp] = co_await read_response(reader);
        if (slow && in_flight_at_signal && load.signal_at) ++load.slow_at_signal;
        else in_flight_at_signal = false;
        if (outcome == "ok") {
            ++load.complete;
            if (in_flight_at_signal) ++load.slow_answered;
            if (!counted_ready) {
                counted_ready = true;
                if (++load.ready == load.clients) load.all_ready.set();
            }
            if (lower(resp.head).find("connection: close") != std::string::npos) {
                ++load.closed_with_header;
                break;
            }
            continue;
        }
        if (outcome == "partial" || outcome == "timeout") {
            ++load.truncated;
        } else if (!load.signal_at || sent_at + kTakenMargin < *load.signal_at) {
            ++load.lost;
        } else {
            ++load.unanswered_late;
        }
        break;
    }
    writer.close();
    try {
        co_await writer.wait_closed();
    } catch (const aio::ConnectionError&) {
    }
    try {
        auto late = co_await aio::open_connection("127.0.0.1", port);
        late.second.close();
        co_await late.second.wait_closed();
    } catch (const aio::ConnectionError&) {
        ++load.refused_after;
    }
}

class WebShutdownUnderLoad : public HttpServerTest {};

}  // namespace

TEST_F(WebShutdownUnderLoad, EveryTakenRequestIsAnsweredInFullEveryWebsocketGets1001AndTheProcessExits0) {
    constexpr int kClients = 64, kSockets = 100;
    WebProcess server("web_hello", {"--host", "127.0.0.1", "--port", "0", "--shutdown-timeout", "5000", "--no-access-log"});
    ASSERT_TRUE(server.started());
    int port = server.running_port();
    ASSERT_GT(port, 0) << server.first_line;
    Load load;
    load.clients = kClients;
    load.ws_wanted = kSockets;
    Clock::time_point signalled;
    auto body = [&]() -> aio::Coro<void> {
        std::vector<aio::Task<void>> clients;
        for (int i = 0; i < kSockets; ++i) clients.push_back(aio::create_task(ws_client(static_cast<std::uint16_t>(port), load)));
        co_await aio::wait_for(load.ws_all_open.wait(), 5s);
        for (int i = 0; i < kClients; ++i)
            clients.push_back(aio::create_task(client(static_cast<std::uint16_t>(port), i, load)));
        // Every client answered once and the slow ones are on their 400 ms requests.
        co_await aio::wait_for(load.all_ready.wait(), 5s);
        co_await aio::sleep(kTakenMargin + 50ms);  // the margin that makes the slow requests taken
        load.signal_at = Clock::now();
        signalled = *load.signal_at;
        server.signal(SIGTERM);
        for (auto& c : clients) co_await aio::wait_for(c, 10s);
    };
    run(body());
    EXPECT_EQ(server.line(), "(Press CTRL+C to quit)");
    std::string cleaned = server.line();
    EXPECT_EQ(cleaned.rfind("cleaned up after ", 0), 0u) << cleaned;
    int code = server.wait_exit(6s);
    auto took = Clock::now() - signalled;
    EXPECT_EQ(code, 0);
    EXPECT_LT(took, 6s);

    EXPECT_EQ(load.ready, kClients);
    EXPECT_EQ(load.truncated, 0);
    EXPECT_EQ(load.lost, 0);
    EXPECT_EQ(load.slow_at_signal, kClients / 4);
    EXPECT_EQ(load.slow_answered, load.slow_at_signal);
    EXPECT_EQ(load.closed_with_header + load.unanswered_late, kClients);
    EXPECT_EQ(load.refused_after, kClients);
    EXPECT_EQ(load.ws_failed, 0);
    EXPECT_EQ(load.ws_going_away, kSockets);
    EXPECT_EQ(load.ws_tcp_closed, kSockets);
    if (cleaned.rfind("cleaned up after ", 0) == 0) {
        EXPECT_GE(std::stoi(cleaned.substr(17)), load.complete);  // the server counted every answer
    }
    std::printf("[ measured ] %d responses, %d in flight at the signal, %d unanswered around it, %d websockets "
                "closed 1001, exit after %lld ms\n",
                load.complete, load.slow_at_signal, load.unanswered_late, load.ws_going_away,
                static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(took).count()));
}

TEST_F(WebShutdownUnderLoad, AHandlerSlowerThanTheGraceIsCancelledAndTheCleanupStillRuns) {
    WebProcess server("web_hello", {"--host", "127.0.0.1", "--port", "0", "--shutdown-timeout", "300", "--no-access-log"});
    ASSERT_TRUE(server.started());
    int port = server.running_port();
    ASSERT_GT(port, 0) << server.first_line;
    Clock::time_point signalled;
    auto body = [&]() -> aio::Coro<void> {
        auto c = co_await RawClient::connect(static_cast<std::uint16_t>(port));
        co_await c.send(get("/hello"));
        EXPECT_EQ((co_await c.response()).body, "hello");  // the server is serving
        co_await c.send(get("/slow?ms=60000"));
        co_await aio::sleep(kTakenMargin);
        signalled = Clock::now();
        server.signal(SIGTERM);
        auto [outcome, resp] = co_await read_response(c.reader);
        EXPECT_EQ(outcome, "none");  // closed, with no byte of an answer
        EXPECT_LT(Clock::now() - signalled, 2s);
        co_await c.close();
    };
    run(body());
    EXPECT_EQ(server.line(), "(Press CTRL+C to quit)");
    EXPECT_EQ(server.line(), "cleaned up after 2 requests");
    EXPECT_EQ(server.wait_exit(3s), 0);
    EXPECT_LT(Clock::now() - signalled, 3s);
}
