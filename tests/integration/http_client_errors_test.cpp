// The client's failures: connect errors, malformed and truncated responses, a server that
// closes a pooled connection (retried once), every ClientTimeout deadline, cancellation at each
// stage of a request (no fd, registration or permit left behind), and the pool's limit.

#include <gtest/gtest.h>

#include "aio/http/client.hpp"
#include "http_client_test_server.hpp"
#include "support/io_fixture.hpp"

namespace aio_http_client_test {
namespace {

using aio::http::ClientResponse;
using aio::http::ClientSession;
using aio::http::ClientSessionOptions;
using aio::http::ClientTimeout;
using aio::http::RequestOptions;

class HttpClientErrors : public aio_io_test::IoTest {};

TEST_F(HttpClientErrors, ARefusedConnectionIsAClientConnectorErrorNamingHostAndPort) {
    run([]() -> aio::Coro<void> {
        // A port that was free a moment ago: bind, read the port, close.
        TestServer server([](const SeenRequest&) { return Reply{ok("")}; });
        co_await server.start();
        std::string url = server.url();
        std::uint16_t port = server.port();
        co_await server.stop();
        ClientSession session;
        try {
            ClientResponse r = co_await session.get(url);
            ADD_FAILURE() << "no error";
        } catch (const aio::http::ClientConnectorError& e) {
            EXPECT_EQ(e.host(), "127.0.0.1");
            EXPECT_EQ(e.port(), port);
            EXPECT_EQ(e.errno_code(), ECONNREFUSED);
            EXPECT_NE(std::string(e.what()).find("Cannot connect to host 127.0.0.1:"), std::string::npos) << e.what();
        }
    }());
}

TEST_F(HttpClientErrors, BadUrlsAreInvalidUrl) {
    run([]() -> aio::Coro<void> {
        ClientSession session;
        for (std::string bad : {"/relative", "ftp://127.0.0.1/x", "http://"}) {
            try {
                ClientResponse r = co_await session.get(bad);
                ADD_FAILURE() << bad;
            } catch (const aio::http::InvalidURL&) {
            }
        }
    }());
}

TEST_F(HttpClientErrors, AMalformedStatusLineIsAClientResponseError) {
    run([]() -> aio::Coro<void> {
        TestServer server([](const SeenRequest&) { return Reply{"HTTP/1.1 2x0 OK\r\n\r\n"}; });
        co_await server.start();
        ClientSession session;
        try {
            ClientResponse r = co_await session.get(server.url());
            ADD_FAILURE() << "no error";
        } catch (const aio::http::ClientResponseError& e) {
            EXPECT_EQ(e.status(), 0);
        }
        co_await server.stop();
    }());
}

TEST_F(HttpClientErrors, TruncatedChunkedAndContentLengthBodiesAreClientPayloadErrors) {
    run([]() -> aio::Coro<void> {
        TestServer server([](const SeenRequest& r) {
            if (r.target == "/chunked")
                return Reply{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel", true};
            if (r.target == "/badchunk")
                return Reply{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n"};
            return Reply{"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello", true};
        });
        co_await server.start();
        ClientSession session;
        for (std::string path : {"/chunked", "/length", "/badchunk"}) {
            ClientResponse r = co_await session.get(server.url(path));
            try {
                (void)co_await r.read();
                ADD_FAILURE() << path;
            } catch (const aio::http::ClientPayloadError&) {
            }
        }
        EXPECT_EQ(session.connector().idle_connections(), 0u);
        co_await server.stop();
    }());
}

TEST_F(HttpClientErrors, AServerThatClosesWithoutAnsweringIsServerDisconnected) {
    run([]() -> aio::Coro<void> {
        TestServer server([](const SeenRequest&) { return Reply{"", true}; });
        co_await server.start();
        ClientSession session;
        EXPECT_THROW((void)co_await session.get(server.url()), aio::http::ServerDisconnectedError);
        co_await server.stop();
    }());
}

TEST_F(HttpClientErrors, APooledConnectionTheServerClosedIsRetriedOnceForAnIdempotentRequest) {
    run([]() -> aio::Coro<void> {
        // The first answer closes its connection right after the response, but says keep-alive:
        // the client pools it; the next GET finds it dead and goes again on a new connection.
        int n = 0;
        TestServer server([&n](const SeenRequest&) {
            ++n;
            return Reply{ok("r" + std::to_string(n)), n == 1};
        });
        co_await server.start();
        ClientSession session;
        ClientResponse a = co_await session.get(server.url());
        EXPECT_EQ(co_await a.read(), "r1");
        // Let the server's close reach the client while the connection is idle.
        for (int i = 0; i < 100 && server.open > 0; ++i) co_await aio::sleep(1ms);
        ClientResponse b = co_await session.get(server.url());
        EXPECT_EQ(co_await b.read(), "r2");
        EXPECT_EQ(server.accepted, 2u);
        co_await server.stop();
    }());
}

TEST_F(HttpClientErrors, AReusedConnectionThatDiesBeforeAnswerIsRetriedForAGet) {
    run([]() -> aio::Coro<void> {
        // The server answers the first request, then drops the next one on that connection
        // without a byte: the GET is retried on a fresh connection; a POST is not.
        TestServer server([](const SeenRequest& r) {
            if (r.connection == 1 && r.target != "/first") return Reply{"", true};
            return Reply{ok("fine")};
        });
        co_await server.start();
        ClientSession session;
        ClientResponse a = co_await session.get(server.url("/first"));
        EXPECT_EQ(co_await a.read(), "fine");
        ClientResponse b = co_await session.get(server.url("/again"));
        EXPECT_EQ(co_await b.read(), "fine");
        EXPECT_EQ(server.accepted, 2u);

        co_await server.stop();
    }());
}

TEST_F(HttpClientErrors, APostOnAReusedConnectionThatDiesIsNotRetried) {
    run([]() -> aio::Coro<void> {
        TestServer server([](const SeenRequest& r) {
            if (r.connection == 1 && r.target != "/first") return Reply{"", true};
            return Reply{ok("fine")};
        });
        co_await server.start();
        ClientSession session;
        ClientResponse a = co_await session.get(server.url("/first"));
        EXPECT_EQ(co_await a.read(), "fine");
        RequestOptions body{.data = std::string("once")};
        EXPECT_THROW((void)co_await session.post(server.url("/again"), body), aio::http::ServerDisconnectedError);
        EXPECT_EQ(server.accepted, 1u);
        co_await server.stop();
    }());
}

TEST_F(HttpClientErrors, ASlowHeadHitsSockReadAndTotal) {
    run([]() -> aio::Coro<void> {
        TestServer server([](const SeenRequest&) { return Reply{ok("late"), false, 300ms}; });
        co_await server.start();
        ClientSession session;
        RequestOptions sock_read{.timeout = ClientTimeout{.sock_read = 50ms}};
        auto t0 = aio::get_running_loop().time();
        EXPECT_THROW((void)co_await session.get(server.url(), sock_read), aio::TimeoutError);
        RequestOptions total{.timeout = ClientTimeout{.total = 50ms}};
        EXPECT_THROW((void)co_await session.get(server.url(), total), aio::TimeoutError);
        EXPECT_LT(aio::get_running_loop().time() - t0, 250ms);
        EXPECT_EQ(session.connector().idle_connections(), 0u);
        co_await server.stop();
    }());
}

TEST_F(HttpClientErrors, ASlowBodyHitsSockReadWhileTheBodyIsRead) {
    run([]() -> aio::Coro<void> {
        TestServer server([](const SeenRequest&) {
            return Reply{"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello"};  // the rest never comes
        });
        co_await server.start();
        ClientSession session;
        RequestOptions opts{.timeout = ClientTimeout{.sock_read = 50ms}};
        ClientResponse r = co_await session.get(server.url(), opts);
        EXPECT_EQ(co_await r.content.read(5), "hello");
        EXPECT_THROW((void)co_await r.content.read(5), aio::TimeoutError);
        EXPECT_EQ(session.connector().acquired_connections(), 0u);
        co_await server.stop();
    }());
}

TEST_F(HttpClientErrors, AConnectThatCannotGetAPermitHitsTheConnectTimeout) {
    run([]() -> aio::Coro<void> {
        TestServer server([](const SeenRequest&) { return Reply{ok("x")}; });
        co_await server.start();
        auto connector = std::make_shared<aio::http::TCPConnector>(aio::http::TCPConnectorOptions{.limit = 1});
        ClientSession session(ClientSessionOptions{.connector = connector});
        ClientResponse held = co_await session.get(server.url());  // body unread: holds the only permit
        RequestOptions opts{.timeout = ClientTimeout{.connect = 30ms}};
        EXPECT_THROW((void)co_await session.get(server.url(), opts), aio::TimeoutError);
        EXPECT_EQ(co_await held.read(), "x");
        ClientResponse next = co_await session.get(server.url(), opts);
        EXPECT_EQ(co_await next.read(), "x");
        co_await server.stop();
    }());
}

// Cancels a GET after `steps` loop iterations; the server answers slowly, so the cancel lands in
// the connect, the wait for the head, or the body read, depending on `steps` and `read_body`.
aio::Coro<void> cancel_at(TestServer& server, ClientSession& session, int steps, bool read_body) {
    auto request = [&]() -> aio::Coro<void> {
        ClientResponse r = co_await session.get(server.url());
        if (read_body) (void)co_await r.read();
    };
    auto task = aio::create_task(request());
    for (int i = 0; i < steps; ++i) co_await aio::sleep(0ms);
    task.cancel();
    try {
        co_await task;
    } catch (const aio::CancelledError&) {
    }
}

TEST_F(HttpClientErrors, CancellingARequestAtAnyStageLeavesNoSocketOrPermit) {
    run([]() -> aio::Coro<void> {
        TestServer server([](const SeenRequest& r) {
            if (r.target == "/") return Reply{"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf", false, 0ms};
            return Reply{ok("x")};
        });
        co_await server.start();
        auto connector = std::make_shared<aio::http::TCPConnector>(aio::http::TCPConnectorOptions{.limit = 1});
        ClientSession session(ClientSessionOptions{.connector = connector});
        for (int steps = 0; steps < 8; ++steps) {
            co_await cancel_at(server, session, steps, true);
            EXPECT_EQ(connector->acquired_connections(), 0u) << steps;
            EXPECT_EQ(connector->idle_connections(), 0u) << steps;
        }
        // The permit came back every time: a request still goes through with limit 1.
        ClientResponse r = co_await session.get(server.url("/ok"));
        EXPECT_EQ(co_await r.read(), "x");
        co_await server.stop();
    }());
}

TEST_F(HttpClientErrors, AThousandConcurrentRequestsWithLimitTenNeverOpenAnEleventhConnection) {
    run([]() -> aio::Coro<void> {
        TestServer server([](const SeenRequest& r) { return Reply{ok(r.target)}; });
        co_await server.start();
        auto connector = std::make_shared<aio::http::TCPConnector>(aio::http::TCPConnectorOptions{.limit = 10});
        ClientSession session(ClientSessionOptions{.connector = connector});
        int good = 0;
        auto one = [&](int i) -> aio::Coro<void> {
            ClientResponse r = co_await session.get(server.url("/" + std::to_string(i)));
            std::string body = co_await r.read();
            if (body == "/" + std::to_string(i)) ++good;
        };
        std::vector<aio::Task<void>> tasks;
        for (int i = 0; i < 1000; ++i) tasks.push_back(aio::create_task(one(i)));
        for (auto& t : tasks) co_await t;
        EXPECT_EQ(good, 1000);
        EXPECT_LE(server.accepted, 10u);
        EXPECT_LE(server.peak_open, 10u);
        EXPECT_EQ(connector->connections_made(), server.accepted);
        co_await server.stop();
    }());
}

TEST_F(HttpClientErrors, LimitPerHostCapsConnectionsToOneHost) {
    run([]() -> aio::Coro<void> {
        TestServer server([](const SeenRequest& r) { return Reply{ok(r.target)}; });
        co_await server.start();
        auto connector = std::make_shared<aio::http::TCPConnector>(
            aio::http::TCPConnectorOptions{.limit = 0, .limit_per_host = 3});
        ClientSession session(ClientSessionOptions{.connector = connector});
        auto one = [&]() -> aio::Coro<void> {
            ClientResponse r = co_await session.get(server.url());
            (void)co_await r.read();
        };
        std::vector<aio::Task<void>> tasks;
        for (int i = 0; i < 50; ++i) tasks.push_back(aio::create_task(one()));
        for (auto& t : tasks) co_await t;
        EXPECT_LE(server.accepted, 3u);
        co_await server.stop();
    }());
}

TEST_F(HttpClientErrors, RaiseForStatusCarriesStatusAndUrl) {
    run([]() -> aio::Coro<void> {
        TestServer server([](const SeenRequest&) { return Reply{response(404, "Not Found", "nope")}; });
        co_await server.start();
        ClientSession session;
        ClientResponse r = co_await session.get(server.url("/missing"));
        EXPECT_FALSE(r.ok());
        try {
            r.raise_for_status();
            ADD_FAILURE();
        } catch (const aio::http::ClientResponseError& e) {
            EXPECT_EQ(e.status(), 404);
            EXPECT_EQ(e.message(), "Not Found");
            EXPECT_EQ(e.url(), server.url("/missing"));
        }
        RequestOptions raising{.raise_for_status = true};
        EXPECT_THROW((void)co_await session.get(server.url(), raising), aio::http::ClientResponseError);
        co_await server.stop();
    }());
}

TEST_F(HttpClientErrors, JsonOnANonJsonResponseIsAContentTypeError) {
    run([]() -> aio::Coro<void> {
        TestServer server([](const SeenRequest&) { return Reply{ok("{}", "Content-Type: text/html\r\n")}; });
        co_await server.start();
        ClientSession session;
        ClientResponse r = co_await session.get(server.url());
        EXPECT_THROW((void)co_await r.json(), aio::http::ContentTypeError);
        nlohmann::json any = co_await r.json("");
        EXPECT_TRUE(any.is_object());
        co_await server.stop();
    }());
}

TEST_F(HttpClientErrors, HeaderValuesWithNewlinesAreRefusedBeforeAnythingIsSent) {
    run([]() -> aio::Coro<void> {
        TestServer server([](const SeenRequest&) { return Reply{ok("")}; });
        co_await server.start();
        ClientSession session;
        RequestOptions bad{.headers = {{"X-Evil", "a\r\nInjected: yes"}}};
        EXPECT_THROW((void)co_await session.get(server.url(), bad), aio::ValueError);
        EXPECT_TRUE(server.requests.empty());
        co_await server.stop();
    }());
}

}  // namespace
}  // namespace aio_http_client_test
