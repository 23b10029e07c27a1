// ClientSession against a loopback server that answers canned bytes: the request on the wire,
// the response's fields and body in each framing, keep-alive reuse, HEAD, 204/304, redirects.

#include <gtest/gtest.h>

#include "aio/http/client.hpp"
#include "http_client_test_server.hpp"
#include "support/io_fixture.hpp"

namespace aio_http_client_test {
namespace {

using aio::http::ClientResponse;
using aio::http::ClientSession;
using aio::http::RequestOptions;

class HttpClientBasic : public aio_io_test::IoTest {};

TEST_F(HttpClientBasic, GetSendsOneWellFormedRequestAndReadsTheResponse) {
    run([]() -> aio::Coro<void> {
        TestServer server([](const SeenRequest&) { return Reply{ok("hello", "Content-Type: text/plain\r\n")}; });
        co_await server.start();
        {
            ClientSession session;
            RequestOptions opts{.params = {{"q", "a b"}}, .headers = {{"X-Test", "1"}}};
            ClientResponse r = co_await session.get(server.url("/path"), opts);
            EXPECT_EQ(r.status, 200);
            EXPECT_EQ(r.reason, "OK");
            EXPECT_EQ(r.headers.get("content-type", ""), "text/plain");
            EXPECT_EQ(co_await r.text(), "hello");
            EXPECT_EQ(co_await r.read(), "hello");  // kept
            EXPECT_TRUE(r.history.empty());
        }
        EXPECT_EQ(server.requests.size(), 1u);
        const SeenRequest& req = server.requests.at(0);
        EXPECT_EQ(req.method, "GET");
        EXPECT_EQ(req.target, "/path?q=a+b");
        EXPECT_EQ(req.headers.get("Host", ""), "127.0.0.1:" + std::to_string(server.port()));
        EXPECT_EQ(req.headers.get("X-Test", ""), "1");
        EXPECT_EQ(req.headers.get("Accept-Encoding", ""), "gzip, deflate");
        EXPECT_FALSE(req.headers.contains("Content-Length"));
        co_await server.stop();
    }());
}

TEST_F(HttpClientBasic, ChunkedAndUntilCloseBodiesAreRead) {
    run([]() -> aio::Coro<void> {
        TestServer server([](const SeenRequest& r) {
            if (r.target == "/chunked")
                return Reply{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"};
            return Reply{"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end", true};
        });
        co_await server.start();
        ClientSession session;
        ClientResponse a = co_await session.get(server.url("/chunked"));
        EXPECT_EQ(co_await a.read(), "hello world");
        ClientResponse b = co_await session.get(server.url("/close"));
        EXPECT_EQ(co_await b.read(), "until the end");
        co_await server.stop();
    }());
}

TEST_F(HttpClientBasic, KeepAliveReusesOneConnectionForSequentialRequests) {
    run([]() -> aio::Coro<void> {
        TestServer server([](const SeenRequest& r) { return Reply{ok(r.target)}; });
        co_await server.start();
        ClientSession session;
        for (int i = 0; i < 5; ++i) {
            ClientResponse r = co_await session.get(server.url("/" + std::to_string(i)));
            EXPECT_EQ(co_await r.read(), "/" + std::to_string(i));
        }
        EXPECT_EQ(server.accepted, 1u);
        EXPECT_EQ(session.connector().connections_made(), 1u);
        EXPECT_EQ(session.connector().idle_connections(), 1u);
        co_await server.stop();
    }());
}

TEST_F(HttpClientBasic, AnIdleConnectionPastKeepaliveTimeoutIsClosedNotReused) {
    run([]() -> aio::Coro<void> {
        TestServer server([](const SeenRequest& r) { return Reply{ok(r.target)}; });
        co_await server.start();
        auto connector = std::make_shared<aio::http::TCPConnector>(
            aio::http::TCPConnectorOptions{.keepalive_timeout = std::chrono::milliseconds(30)});
        ClientSession session(aio::http::ClientSessionOptions{.connector = connector});
        ClientResponse a = co_await session.get(server.url("/a"));
        EXPECT_EQ(co_await a.read(), "/a");
        EXPECT_EQ(connector->idle_connections(), 1u);
        // The connector's cleanup closes it once it has idled 30 ms: the server sees it go.
        for (int i = 0; i < 200 && server.open > 0; ++i) co_await aio::sleep(std::chrono::milliseconds(1));
        EXPECT_EQ(server.open, 0u);
        EXPECT_EQ(connector->idle_connections(), 0u);
        ClientResponse b = co_await session.get(server.url("/b"));
        EXPECT_EQ(co_await b.read(), "/b");
        EXPECT_EQ(server.accepted, 2u);
        co_await server.stop();
    }());
}

TEST_F(HttpClientBasic, AResponseDroppedBeforeItsBodyEndsClosesItsConnection) {
    run([]() -> aio::Coro<void> {
        TestServer server([](const SeenRequest&) { return Reply{ok(std::string(100000, 'x'))}; });
        co_await server.start();
        ClientSession session;
        {
            ClientResponse r = co_await session.get(server.url());
            EXPECT_EQ((co_await r.content.read(10)).size(), 10u);
        }
        EXPECT_EQ(session.connector().idle_connections(), 0u);
        EXPECT_EQ(session.connector().acquired_connections(), 0u);
        ClientResponse again = co_await session.get(server.url());
        EXPECT_EQ((co_await again.read()).size(), 100000u);
        EXPECT_EQ(server.accepted, 2u);
        co_await server.stop();
    }());
}

TEST_F(HttpClientBasic, HeadAnd204And304HaveNoBodyAndKeepTheConnection) {
    run([]() -> aio::Coro<void> {
        TestServer server([](const SeenRequest& r) {
            if (r.method == "HEAD") return Reply{"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n"};
            if (r.target == "/204") return Reply{"HTTP/1.1 204 No Content\r\n\r\n"};
            return Reply{"HTTP/1.1 304 Not Modified\r\nContent-Length: 50\r\n\r\n"};
        });
        co_await server.start();
        ClientSession session;
        ClientResponse h = co_await session.head(server.url());
        EXPECT_EQ(h.headers.get("Content-Length", ""), "1000");
        EXPECT_EQ(co_await h.read(), "");
        ClientResponse n = co_await session.get(server.url("/204"));
        EXPECT_EQ(n.status, 204);
        EXPECT_EQ(co_await n.read(), "");
        ClientResponse m = co_await session.get(server.url("/304"));
        EXPECT_EQ(m.status, 304);
        EXPECT_EQ(co_await m.read(), "");
        EXPECT_EQ(server.accepted, 1u);
        co_await server.stop();
    }());
}

TEST_F(HttpClientBasic, PostSendsDataFormAndJsonBodies) {
    run([]() -> aio::Coro<void> {
        TestServer server([](const SeenRequest& r) {
            return Reply{ok(r.body, "Content-Type: application/json\r\n")};
        });
        co_await server.start();
        ClientSession session;
        RequestOptions raw{.data = std::string("bytes\r\n")};
        ClientResponse a = co_await session.post(server.url(), raw);
        EXPECT_EQ(co_await a.read(), "bytes\r\n");
        RequestOptions form{.data = aio::http::QueryParams{{"a", "1"}, {"b", "x y"}}};
        ClientResponse b = co_await session.post(server.url(), form);
        EXPECT_EQ(co_await b.read(), "a=1&b=x+y");
        RequestOptions js{.json = {{"name", "Ada"}}};
        ClientResponse c = co_await session.put(server.url(), js);
        nlohmann::json j = co_await c.json();
        EXPECT_EQ(j["name"], "Ada");
        EXPECT_EQ(server.requests.at(0).headers.get("Content-Type", ""), "application/octet-stream");
        EXPECT_EQ(server.requests.at(1).headers.get("Content-Type", ""), "application/x-www-form-urlencoded");
        EXPECT_EQ(server.requests.at(2).headers.get("Content-Type", ""), "application/json");
        EXPECT_EQ(server.requests.at(2).method, "PUT");
        EXPECT_EQ(server.requests.at(0).headers.get("Content-Length", ""), "7");
        co_await server.stop();
    }());
}

TEST_F(HttpClientBasic, ContentStreamReadsLinesChunksAndExactCounts) {
    run([]() -> aio::Coro<void> {
        TestServer server([](const SeenRequest&) {
            return Reply{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\none\n\r\n8\r\ntwo\nthre\r\n2\r\ne\n\r\n0\r\n\r\n"};
        });
        co_await server.start();
        ClientSession session;
        ClientResponse a = co_await session.get(server.url());
        EXPECT_EQ(co_await a.content.readline(), "one\n");
        EXPECT_EQ(co_await a.content.readline(), "two\n");
        EXPECT_EQ(co_await a.content.readexactly(3), "thr");
        EXPECT_EQ(co_await a.content.readline(), "ee\n");
        EXPECT_EQ(co_await a.content.readline(), "");
        EXPECT_TRUE(a.content.at_eof());
        ClientResponse b = co_await session.get(server.url());
        std::vector<std::string> chunks;
        auto gen = b.content.iter_chunked(5);
        while (auto c = co_await gen.next()) chunks.push_back(*c);
        EXPECT_EQ(chunks, (std::vector<std::string>{"one\nt", "wo\nth", "ree\n"}));
        EXPECT_EQ(server.accepted, 1u);
        co_await server.stop();
    }());
}

TEST_F(HttpClientBasic, TextConvertsLatin1AndPassesUtf8Through) {
    run([]() -> aio::Coro<void> {
        TestServer server([](const SeenRequest& r) {
            if (r.target == "/latin1") return Reply{ok("caf\xe9", "Content-Type: text/plain; charset=ISO-8859-1\r\n")};
            return Reply{ok("caf\xc3\xa9", "Content-Type: text/plain; charset=utf-8\r\n")};
        });
        co_await server.start();
        ClientSession session;
        ClientResponse a = co_await session.get(server.url("/latin1"));
        EXPECT_EQ(a.charset(), "iso-8859-1");
        EXPECT_EQ(co_await a.text(), "caf\xc3\xa9");
        ClientResponse b = co_await session.get(server.url("/utf8"));
        EXPECT_EQ(co_await b.text(), "caf\xc3\xa9");
        co_await server.stop();
    }());
}

}  // namespace
}  // namespace aio_http_client_test
