// aio::http::Server under hostile or heavy load: 10,000 keep-alive connections at once, 200
// slowloris clients among normal ones, a 1 GB upload to a 1 MiB handler, a client that resets in
// the middle of a response.

#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include "http_server_client.hpp"

using namespace http_test;

namespace {

aio::Coro<aio::http::Response> handler(aio::http::Request& req) {
    if (req.path() == "/upload") co_return aio::http::Response(std::to_string((co_await req.read()).size()));
    if (req.path() == "/big") {
        aio::http::StreamResponse resp;
        co_await resp.prepare(req);
        std::string chunk(64 * 1024, 'z');
        for (int i = 0; i < 1600; ++i) co_await resp.write(chunk);  // 100 MiB, unless the client leaves
        co_await resp.write_eof();
        co_return resp;
    }
    co_return aio::http::Response("ok");
}

// The 10,000 clients live in another process (a connection costs a descriptor on each side, and
// the hard limit here is 20,000). Each sends two requests on its connection, the second only
// after every first one was answered, so all 10,000 are open at once.
const char* const kManyClients = R"PY(
import resource, selectors, socket, sys
port, n = int(sys.argv[1]), int(sys.argv[2])
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
req = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"
socks = []
for i in range(n):
    s = socket.create_connection(("127.0.0.1", port))
    s.setblocking(False)
    socks.append(s)
answered = 0
for rnd in range(2):
    for s in socks:
        s.send(req)
    sel = selectors.DefaultSelector()
    got = {}
    for s in socks:
        sel.register(s, selectors.EVENT_READ)
        got[s] = b""
    left = n
    while left:
        events = sel.select(timeout=10)
        if not events:
            break
        for key, _ in events:
            s = key.fileobj
            data = s.recv(4096)
            got[s] += data
            if not data or got[s].endswith(b"\r\n\r\nok"):
                sel.unregister(s)
                left -= 1
                if got[s].startswith(b"HTTP/1.1 200 OK") and got[s].endswith(b"ok"):
                    answered += 1
    sel.close()
print(answered, flush=True)
)PY";

class HttpServerRobustness : public HttpServerTest {};

}  // namespace

TEST_F(HttpServerRobustness, TenThousandConcurrentKeepAliveConnectionsAreServed) {
    constexpr int kClients = 10000;
    rlimit lim{};
    ::getrlimit(RLIMIT_NOFILE, &lim);
    rlimit saved = lim;
    if (lim.rlim_max < kClients + 100) GTEST_SKIP() << "RLIMIT_NOFILE hard limit " << lim.rlim_max << " < 10,100";
    lim.rlim_cur = lim.rlim_max;
    ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &lim), 0);
    auto body = [&]() -> aio::Coro<void> {
        aio::http::Handler h = handler;
        auto server = co_await aio::http::serve(h, "127.0.0.1", 0);
        aio::SubprocessOptions po;
        po.stdout = aio::PIPE;
        aio::ProgramArgs args{"-c", kManyClients, std::to_string(server->port()), std::to_string(kClients)};
        auto client = co_await aio::create_subprocess_exec("/usr/bin/python3", std::move(args), po);
        auto [out, err] = co_await client.communicate();
        EXPECT_EQ(out, std::to_string(2 * kClients) + "\n") << err;
        EXPECT_EQ(server->requests(), 2u * kClients);
        co_await server->shutdown(2s);
    };
    run(body());
    ::setrlimit(RLIMIT_NOFILE, &saved);
}

TEST_F(HttpServerRobustness, TwoHundredSlowlorisClientsAreClosedWhileOthersAreServed) {
    auto body = [&]() -> aio::Coro<void> {
        aio::http::Handler h = handler;
        aio::http::ServerOptions o;
        o.header_timeout = 300ms;
        auto server = co_await aio::http::serve(h, "127.0.0.1", 0, o);
        std::vector<RawClient> slow;
        for (int i = 0; i < 200; ++i) {
            slow.push_back(co_await RawClient::connect(server->port()));
            co_await slow.back().send("GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ");
        }
        // Slowloris keeps each connection busy with a byte now and then; the normal clients get
        // their answers meanwhile.
        auto t0 = std::chrono::steady_clock::now();
        int served = 0;
        while (std::chrono::steady_clock::now() - t0 < 600ms) {  // twice the header timeout
            for (auto& s : slow)
                if (!s.writer.is_closing()) s.writer.write("a");
            auto c = co_await RawClient::connect(server->port());
            co_await c.send(get("/"));
            if ((co_await c.response()).body == "ok") ++served;
            co_await c.close();
        }
        EXPECT_GT(served, 10);
        int closed = 0;
        for (auto& s : slow) {
            if (co_await s.closed_by_server(100ms)) ++closed;
            co_await s.close();
        }
        EXPECT_EQ(closed, 200);
        co_await server->shutdown(1s);
    };
    run(body());
}

TEST_F(HttpServerRobustness, AGigabyteUploadToAOneMebibyteHandlerGets413AtOnce) {
    auto body = [&]() -> aio::Coro<void> {
        aio::http::Handler h = handler;
        auto server = co_await aio::http::serve(h, "127.0.0.1", 0);
        auto c = co_await RawClient::connect(server->port());
        auto t0 = std::chrono::steady_clock::now();
        co_await c.send("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000000\r\n\r\n" +
                        std::string(64 * 1024, 'u'));
        RawResponse r = co_await c.response();
        EXPECT_EQ(r.status, 413);
        EXPECT_EQ(r.field("connection"), "close");
        EXPECT_TRUE(co_await c.closed_by_server());
        EXPECT_LT(std::chrono::steady_clock::now() - t0, 1s);
        co_await c.close();
        // Within the limit the same handler reads it all.
        auto ok = co_await RawClient::connect(server->port());
        co_await ok.send("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 1048576\r\n\r\n" +
                         std::string(1024 * 1024, 'u'));
        EXPECT_EQ((co_await ok.response()).body, "1048576");
        // A chunked body has no length to refuse up front: 413 once it grows past the limit.
        co_await ok.send("POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
        std::string chunk = "100000\r\n" + std::string(0x100000, 'c') + "\r\n";
        co_await ok.send(chunk);
        co_await ok.send(chunk);
        EXPECT_EQ((co_await ok.response()).status, 413);
        EXPECT_TRUE(co_await ok.closed_by_server());
        co_await ok.close();
        co_await server->shutdown(1s);
    };
    run(body());
}

TEST_F(HttpServerRobustness, APeerThatResetsMidResponseLeavesTheServerServing) {
    auto body = [&]() -> aio::Coro<void> {
        aio::http::Handler h = handler;
        auto server = co_await aio::http::serve(h, "127.0.0.1", 0);
        {
            auto c = co_await RawClient::connect(server->port());
            co_await c.send(get("/big"));
            co_await aio::wait_for(c.reader.readexactly(256 * 1024), 5s);
            // SO_LINGER 0: close() sends a RST instead of a FIN.
            int fd = std::any_cast<int>(c.writer.get_extra_info("socket"));
            linger l{1, 0};
            ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
            c.writer.transport()->abort();
        }
        for (int i = 0; i < 200 && server->connections() > 0; ++i) co_await aio::sleep(10ms);
        EXPECT_EQ(server->connections(), 0u);
        auto c = co_await RawClient::connect(server->port());
        co_await c.send(get("/"));
        EXPECT_EQ((co_await c.response()).body, "ok");
        co_await c.close();
        co_await server->shutdown(1s);
    };
    run(body());
}
