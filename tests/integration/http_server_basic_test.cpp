// aio::http::Server on real sockets: keep-alive, pipelining, HEAD, bodies, 100-continue, the
// errors it answers with, StreamResponse and its back-pressure, taking a connection over.

#include <nlohmann/json.hpp>

#include "http_server_client.hpp"

using namespace http_test;

namespace {

// The handler most tests share: a few paths, each exercising one feature.
aio::Coro<aio::http::Response> routes(aio::http::Request& req) {
    std::string_view p = req.path();
    if (p == "/") co_return aio::http::Response("Hello, World!");
    if (p == "/echo") co_return aio::http::Response(co_await req.read());
    if (p == "/target") co_return aio::http::Response(std::string(req.target()));
    if (p == "/json") {
        nlohmann::json j = co_await req.json();
        co_return aio::http::Response(j.at("name").get<std::string>(), 200, "application/json");
    }
    if (p == "/pieces") {  // the body as a stream, reported piece by piece
        std::string out;
        auto pieces = req.content().iter_chunked(3);
        while (auto piece = co_await pieces.next()) out += "[" + *piece + "]";
        co_return aio::http::Response(out);
    }
    if (p == "/ignore-body") co_return aio::http::Response("ignored");
    if (p == "/forbidden") throw aio::http::HTTPException(403, "not for you");
    if (p == "/exactly") {  // two reads of 3, then what is left
        std::string a = co_await req.content().readexactly(3);
        std::string b = co_await req.content().readexactly(3);
        std::string rest = co_await req.content().read_all();
        co_return aio::http::Response(a + "|" + b + "|" + rest + (req.content().at_eof() ? "|eof" : ""));
    }
    if (p == "/fail") throw std::runtime_error("secret internal detail");
    if (p == "/teapot") {
        aio::http::Response r("short and stout", 418);
        r.headers.add("X-Kind", "teapot");
        co_return r;
    }
    if (p == "/stream") {
        aio::http::StreamResponse resp;
        co_await resp.prepare(req);
        for (int i = 0; i < 3; ++i) co_await resp.write("part" + std::to_string(i) + ";");
        co_await resp.write_eof();
        co_return resp;
    }
    if (p == "/stream-length") {
        aio::http::StreamResponse resp;
        resp.content_length = 10;
        co_await resp.prepare(req);
        co_await resp.write("01234");
        co_await resp.write("56789");
        co_await resp.write_eof();
        co_return resp;
    }
    co_return aio::http::Response("not found", 404);
}

class HttpServer : public HttpServerTest {
protected:
    template <class Body>
    void with_server(Body body, aio::http::ServerOptions opts = {}) {
        aio::http::Handler h = routes;
        run(serve_then(h, opts, body));
    }

    template <class Body>
    static aio::Coro<void> serve_then(aio::http::Handler h, aio::http::ServerOptions opts, Body body) {
        auto server = co_await aio::http::serve(h, "127.0.0.1", 0, opts);
        std::exception_ptr failed;
        try {
            co_await body(*server);
        } catch (...) {
            failed = std::current_exception();
        }
        co_await server->shutdown(std::chrono::seconds(2));
        EXPECT_EQ(server->connections(), 0u);
        if (failed) std::rethrow_exception(failed);
    }
};

}  // namespace

TEST_F(HttpServer, AnswersTwoRequestsOnOneKeptAliveConnection) {
    auto body = [](aio::http::Server& s) -> aio::Coro<void> {
        auto c = co_await RawClient::connect(s.port());
        for (int i = 0; i < 2; ++i) {
            co_await c.send(get("/"));
            RawResponse r = co_await c.response();
            EXPECT_EQ(r.status, 200);
            EXPECT_EQ(r.body, "Hello, World!");
            EXPECT_EQ(r.field("content-length"), "13");
            EXPECT_EQ(r.field("content-type"), "text/plain");
            EXPECT_EQ(r.field("date").size(), 29u) << r.head;  // "Sun, 06 Nov 1994 08:49:37 GMT"
            EXPECT_EQ(r.field("connection"), "");
        }
        EXPECT_EQ(s.connections(), 1u);
        EXPECT_EQ(s.requests(), 2u);
        co_await c.close();
    };
    with_server(body);
}

TEST_F(HttpServer, HeadGetsTheSameHeadAndNoBody) {
    auto body = [](aio::http::Server& s) -> aio::Coro<void> {
        auto c = co_await RawClient::connect(s.port());
        co_await c.send("HEAD / HTTP/1.1\r\nHost: x\r\n\r\n" + get("/hello-404"));
        RawResponse head = co_await c.response(true);
        EXPECT_EQ(head.status, 200);
        EXPECT_EQ(head.field("content-length"), "13");
        // The next bytes are the next response's: nothing of the HEAD's body was sent.
        RawResponse next = co_await c.response();
        EXPECT_EQ(next.status, 404);
        co_await c.close();
    };
    with_server(body);
}

TEST_F(HttpServer, AHundredPipelinedRequestsAreAnsweredInOrder) {
    auto body = [](aio::http::Server& s) -> aio::Coro<void> {
        auto c = co_await RawClient::connect(s.port());
        std::string all;
        for (int i = 0; i < 100; ++i) all += get("/target?i=" + std::to_string(i));
        co_await c.send(all);
        for (int i = 0; i < 100; ++i) {
            RawResponse r = co_await c.response();
            EXPECT_EQ(r.body, "/target?i=" + std::to_string(i));
        }
        co_await c.close();
    };
    with_server(body);
}

TEST_F(HttpServer, ARequestSentByteByByteIsParsed) {
    auto body = [](aio::http::Server& s) -> aio::Coro<void> {
        auto c = co_await RawClient::connect(s.port());
        std::string req = "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello";
        for (char ch : req) co_await c.send(std::string(1, ch));
        RawResponse r = co_await c.response();
        EXPECT_EQ(r.status, 200);
        EXPECT_EQ(r.body, "hello");
        co_await c.close();
    };
    with_server(body);
}

TEST_F(HttpServer, AChunkedUploadIsDecodedAndStreamedInPieces) {
    auto body = [](aio::http::Server& s) -> aio::Coro<void> {
        auto c = co_await RawClient::connect(s.port());
        co_await c.send("POST /pieces HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n");
        co_await c.send("3\r\nefg\r\n0\r\n\r\n");
        RawResponse r = co_await c.response();
        EXPECT_EQ(r.body, "[abc][d][efg]");
        co_await c.send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n");
        EXPECT_EQ((co_await c.response()).body, "hi");
        co_await c.close();
    };
    with_server(body);
}

TEST_F(HttpServer, JsonBodiesAreParsedAndNonJsonGets400) {
    auto body = [](aio::http::Server& s) -> aio::Coro<void> {
        auto c = co_await RawClient::connect(s.port());
        std::string doc = R"({"name":"aio"})";
        co_await c.send("POST /json HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(doc.size()) +
                        "\r\n\r\n" + doc);
        RawResponse ok = co_await c.response();
        EXPECT_EQ(ok.body, "aio");
        EXPECT_EQ(ok.field("content-type"), "application/json");
        co_await c.send("POST /json HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\n{{{");
        EXPECT_EQ((co_await c.response()).status, 400);
        co_await c.close();
    };
    with_server(body);
}

TEST_F(HttpServer, ExpectContinueGets100OnlyWhenTheHandlerReadsTheBody) {
    auto body = [](aio::http::Server& s) -> aio::Coro<void> {
        auto c = co_await RawClient::connect(s.port());
        co_await c.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n");
        std::string interim = co_await aio::wait_for(c.reader.readuntil("\r\n\r\n"), 5s);
        EXPECT_EQ(interim, "HTTP/1.1 100 Continue\r\n\r\n");
        co_await c.send("data");
        EXPECT_EQ((co_await c.response()).body, "data");

        // A handler that does not read: no 100, the answer, and a close (the body never came).
        auto c2 = co_await RawClient::connect(s.port());
        co_await c2.send("POST /ignore-body HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n");
        std::string head = co_await aio::wait_for(c2.reader.readuntil("\r\n\r\n"), 5s);
        EXPECT_EQ(head.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << head;
        EXPECT_NE(head.find("Connection: close\r\n"), std::string::npos) << head;
        co_await c.close();
        co_await c2.close();
    };
    with_server(body);
}

TEST_F(HttpServer, AnUnreadSmallBodyIsSkippedAndTheConnectionGoesOn) {
    auto body = [](aio::http::Server& s) -> aio::Coro<void> {
        auto c = co_await RawClient::connect(s.port());
        co_await c.send("POST /ignore-body HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\n\r\nunread" + get("/"));
        EXPECT_EQ((co_await c.response()).body, "ignored");
        EXPECT_EQ((co_await c.response()).body, "Hello, World!");
        co_await c.close();
    };
    with_server(body);
}

TEST_F(HttpServer, MalformedRequestsGetTheParsersStatusAndAClose) {
    struct Case {
        const char* bytes;
        int status;
    };
    static const Case cases[] = {
        {"GET / HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\n\r\n", 400},
        {"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", 400},
        {"GET / HTTP/1.1\r\n\r\n", 400},
        {"GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505},
    };
    auto body = [](aio::http::Server& s) -> aio::Coro<void> {
        for (const Case& k : cases) {
            auto c = co_await RawClient::connect(s.port());
            co_await c.send(k.bytes);
            RawResponse r = co_await c.response();
            EXPECT_EQ(r.status, k.status) << k.bytes;
            EXPECT_EQ(r.field("connection"), "close");
            EXPECT_FALSE(r.body.empty());
            EXPECT_TRUE(co_await c.closed_by_server()) << k.bytes;
            co_await c.close();
        }
        // A long request line: 414.
        auto c = co_await RawClient::connect(s.port());
        co_await c.send("GET /" + std::string(9000, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n");
        EXPECT_EQ((co_await c.response()).status, 414);
        co_await c.close();
    };
    with_server(body);
}

TEST_F(HttpServer, AHandlersExceptionIs500WithoutItsTextAndIsReported) {
    auto body = [](aio::http::Server& s) -> aio::Coro<void> {
        auto c = co_await RawClient::connect(s.port());
        co_await c.send(get("/fail"));
        RawResponse r = co_await c.response();
        EXPECT_EQ(r.status, 500);
        EXPECT_EQ(r.body.find("secret"), std::string::npos);
        co_await c.send(get("/"));  // the connection goes on
        EXPECT_EQ((co_await c.response()).status, 200);
        co_await c.close();
    };
    with_server(body);
    ASSERT_EQ(reports.size(), 1u);
    EXPECT_EQ(reports[0].message, "Error handling request");
    EXPECT_NE(aio::describe_exception(reports[0].exception).find("secret internal detail"), std::string::npos);
    reports.clear();
}

TEST_F(HttpServer, ResponseStatusAndFieldsAreSentAsGiven) {
    auto body = [](aio::http::Server& s) -> aio::Coro<void> {
        auto c = co_await RawClient::connect(s.port());
        co_await c.send(get("/teapot"));
        RawResponse r = co_await c.response();
        EXPECT_EQ(r.head.rfind("HTTP/1.1 418 Unknown\r\n", 0), 0u) << r.head;
        EXPECT_EQ(r.field("x-kind"), "teapot");
        EXPECT_EQ(r.body, "short and stout");
        co_await c.close();
    };
    with_server(body);
}

TEST_F(HttpServer, StreamResponsesAreChunkedOrSizedAndKeepTheConnection) {
    auto body = [](aio::http::Server& s) -> aio::Coro<void> {
        auto c = co_await RawClient::connect(s.port());
        co_await c.send(get("/stream"));
        RawResponse r = co_await c.response();
        EXPECT_TRUE(r.chunked);
        EXPECT_EQ(r.body, "part0;part1;part2;");
        co_await c.send(get("/stream-length"));
        RawResponse sized = co_await c.response();
        EXPECT_FALSE(sized.chunked);
        EXPECT_EQ(sized.field("content-length"), "10");
        EXPECT_EQ(sized.body, "0123456789");
        co_await c.send("HEAD /stream HTTP/1.1\r\nHost: x\r\n\r\n" + get("/"));
        RawResponse head = co_await c.response(true);
        EXPECT_EQ(head.field("transfer-encoding"), "chunked");
        EXPECT_EQ((co_await c.response()).body, "Hello, World!");
        co_await c.close();
    };
    with_server(body);
}

TEST_F(HttpServer, Http10AndConnectionCloseEndTheConnectionAfterTheResponse) {
    auto body = [](aio::http::Server& s) -> aio::Coro<void> {
        auto c = co_await RawClient::connect(s.port());
        co_await c.send("GET / HTTP/1.0\r\n\r\n");
        RawResponse r = co_await c.response();
        EXPECT_EQ(r.body, "Hello, World!");
        EXPECT_EQ(r.field("connection"), "close");
        EXPECT_TRUE(co_await c.closed_by_server());
        co_await c.close();

        auto k = co_await RawClient::connect(s.port());
        co_await k.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
        EXPECT_EQ((co_await k.response()).field("connection"), "keep-alive");
        co_await k.send(get("/", "Connection: close\r\n"));
        EXPECT_EQ((co_await k.response()).field("connection"), "close");
        EXPECT_TRUE(co_await k.closed_by_server());
        co_await k.close();
    };
    with_server(body);
}

TEST_F(HttpServer, AClientThatHalfClosesAfterItsRequestStillGetsTheAnswer) {
    auto body = [](aio::http::Server& s) -> aio::Coro<void> {
        auto c = co_await RawClient::connect(s.port());
        co_await c.send(get("/"));
        c.writer.write_eof();
        EXPECT_EQ((co_await c.response()).body, "Hello, World!");
        EXPECT_TRUE(co_await c.closed_by_server());
        co_await c.close();
    };
    with_server(body);
}

TEST_F(HttpServer, AnHTTPExceptionAnswersWithItsStatusAndText) {
    auto body = [](aio::http::Server& s) -> aio::Coro<void> {
        auto c = co_await RawClient::connect(s.port());
        co_await c.send(get("/forbidden"));
        RawResponse r = co_await c.response();
        EXPECT_EQ(r.status, 403);
        EXPECT_EQ(r.body, "not for you");
        co_await c.send(get("/"));  // not a reason to close
        EXPECT_EQ((co_await c.response()).status, 200);
        co_await c.close();
    };
    with_server(body);
}

TEST_F(HttpServer, ReadexactlySplitsTheBodyAndATooShortBodyIs400) {
    auto body = [](aio::http::Server& s) -> aio::Coro<void> {
        auto c = co_await RawClient::connect(s.port());
        co_await c.send("POST /exactly HTTP/1.1\r\nHost: x\r\nContent-Length: 8\r\n\r\nabcdefgh");
        EXPECT_EQ((co_await c.response()).body, "abc|def|gh|eof");
        co_await c.send("POST /exactly HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nabcd");
        RawResponse r = co_await c.response();
        EXPECT_EQ(r.status, 400);
        EXPECT_TRUE(co_await c.closed_by_server());
        co_await c.close();
    };
    with_server(body);
}
