// Redirects (RFC 9110 15.4 with aiohttp's and browsers' method rules, history, relative
// Location, Authorization across origins, TooManyRedirects) and Content-Encoding (gzip and
// deflate decoded, corrupt data a ClientPayloadError).

#include <gtest/gtest.h>

#include "aio/http/client.hpp"
#include "aio/http/content_decoder.hpp"
#include "http_client_test_server.hpp"
#include "support/io_fixture.hpp"

namespace aio_http_client_test {
namespace {

using aio::http::ClientResponse;
using aio::http::ClientSession;
using aio::http::RequestOptions;

class HttpClientRedirects : public aio_io_test::IoTest {};

std::string redirect(int status, std::string_view location) {
    return response(status, "Moved", "", "Location: " + std::string(location) + "\r\n");
}

TEST_F(HttpClientRedirects, AChainIsFollowedWithHistoryAndRelativeLocations) {
    run([]() -> aio::Coro<void> {
        TestServer server([](const SeenRequest& r) {
            if (r.target == "/a") return Reply{redirect(301, "/b")};
            if (r.target == "/b") return Reply{redirect(302, "c?x=1")};
            if (r.target == "/c?x=1") return Reply{redirect(307, "../d")};
            return Reply{ok("landed at " + r.target)};
        });
        co_await server.start();
        ClientSession session;
        ClientResponse r = co_await session.get(server.url("/a"));
        EXPECT_EQ(co_await r.read(), "landed at /d");
        std::vector<int> hops;
        for (const ClientResponse& h : r.history) hops.push_back(h.status);
        EXPECT_EQ(hops, (std::vector<int>{301, 302, 307}));
        EXPECT_EQ(r.url.str(), server.url("/d"));
        EXPECT_EQ(server.accepted, 1u);  // every hop on the one pooled connection
        RequestOptions no_follow{.allow_redirects = false};
        ClientResponse first = co_await session.get(server.url("/a"), no_follow);
        EXPECT_EQ(first.status, 301);
        EXPECT_EQ(first.headers.get("Location", ""), "/b");
        co_await server.stop();
    }());
}

TEST_F(HttpClientRedirects, MethodsChangeAsRfc9110AndBrowsersSay) {
    run([]() -> aio::Coro<void> {
        TestServer server([](const SeenRequest& r) {
            if (r.target.starts_with("/to/")) return Reply{redirect(std::stoi(r.target.substr(4)), "/end")};
            return Reply{ok(r.method + " " + r.body)};
        });
        co_await server.start();
        ClientSession session;
        RequestOptions body{.data = std::string("payload")};
        struct Case {
            int status;
            std::string method;
            std::string expect;
        };
        for (const Case& c : {Case{301, "POST", "GET "}, Case{302, "POST", "GET "}, Case{303, "POST", "GET "},
                              Case{303, "PUT", "GET "}, Case{307, "POST", "POST payload"},
                              Case{308, "PUT", "PUT payload"}, Case{301, "PUT", "PUT payload"}}) {
            ClientResponse r = co_await session.request(c.method, server.url("/to/" + std::to_string(c.status)), body);
            EXPECT_EQ(co_await r.read(), c.expect) << c.status << " " << c.method;
        }
        co_await server.stop();
    }());
}

TEST_F(HttpClientRedirects, TooManyRedirectsStopsAnEndlessLoop) {
    run([]() -> aio::Coro<void> {
        TestServer server([](const SeenRequest&) { return Reply{redirect(302, "/again")}; });
        co_await server.start();
        ClientSession session;
        RequestOptions opts{.max_redirects = 3};
        try {
            ClientResponse r = co_await session.get(server.url("/start"), opts);
            ADD_FAILURE() << "no error";
        } catch (const aio::http::TooManyRedirects& e) {
            EXPECT_EQ(e.status(), 302);
        }
        EXPECT_EQ(server.requests.size(), 3u);
        co_await server.stop();
    }());
}

TEST_F(HttpClientRedirects, MaxRedirectsZeroFollowsWithoutABound) {
    run([]() -> aio::Coro<void> {
        TestServer server([](const SeenRequest& req) {
            const int n = std::stoi(req.target.substr(1));
            if (n >= 12) return Reply{response(200, "OK", "done")};
            return Reply{redirect(302, "/" + std::to_string(n + 1))};
        });
        co_await server.start();
        ClientSession session;
        RequestOptions opts{.max_redirects = 0};
        ClientResponse r = co_await session.get(server.url("/0"), opts);
        EXPECT_EQ(r.status, 200);
        EXPECT_EQ(r.history.size(), 12u);
        const std::string text = co_await r.text();
        EXPECT_EQ(text, "done");
        co_await server.stop();
    }());
}

TEST_F(HttpClientRedirects, AuthorizationIsDroppedWhenTheRedirectLeavesTheOrigin) {
    run([]() -> aio::Coro<void> {
        TestServer other([](const SeenRequest& r) { return Reply{ok(r.headers.get("Authorization", "none"))}; });
        co_await other.start();
        std::string elsewhere = other.url("/there");
        TestServer server([&](const SeenRequest& r) {
            if (r.target == "/same") return Reply{redirect(302, "/here")};
            if (r.target == "/cross") return Reply{redirect(302, elsewhere)};
            return Reply{ok(r.headers.get("Authorization", "none"))};
        });
        co_await server.start();
        ClientSession session;
        RequestOptions auth{.headers = {{"Authorization", "Bearer secret"}}};
        ClientResponse same = co_await session.get(server.url("/same"), auth);
        EXPECT_EQ(co_await same.read(), "Bearer secret");
        ClientResponse cross = co_await session.get(server.url("/cross"), auth);
        EXPECT_EQ(co_await cross.read(), "none");
        co_await server.stop();
        co_await other.stop();
    }());
}

TEST_F(HttpClientRedirects, CookiesAreKeptAcrossRequestsAndRedirectHops) {
    run([]() -> aio::Coro<void> {
        TestServer server([](const SeenRequest& r) {
            if (r.target == "/login")
                return Reply{response(302, "Found", "", "Set-Cookie: sid=abc; Path=/\r\nLocation: /home\r\n")};
            if (r.target == "/theme") return Reply{ok("", "Set-Cookie: theme=dark\r\n")};
            return Reply{ok(r.headers.get("Cookie", "none"))};
        });
        co_await server.start();
        // 127.0.0.1 is an IP address: aiohttp's jar (and aio's) refuses its cookies unless unsafe.
        aio::http::CookieJarOptions unsafe;  // assigned, not designated: `clock` has no initializer (g++ warns)
        unsafe.unsafe = true;
        auto jar = std::make_shared<aio::http::CookieJar>(unsafe);
        ClientSession session(aio::http::ClientSessionOptions{.cookie_jar = jar});
        ClientResponse home = co_await session.get(server.url("/login"));
        EXPECT_EQ(co_await home.read(), "sid=abc");  // set by the redirect, sent on the next hop
        ClientResponse t = co_await session.get(server.url("/theme"));
        (void)co_await t.read();
        ClientResponse both = co_await session.get(server.url("/page"));
        EXPECT_EQ(co_await both.read(), "sid=abc; theme=dark");
        EXPECT_EQ(jar->size(), 2u);

        ClientSession safe;  // the default jar: an IP host's cookies are refused
        ClientResponse a = co_await safe.get(server.url("/login"));
        EXPECT_EQ(co_await a.read(), "none");
        co_await server.stop();
    }());
}

std::string compressed(aio::http::ContentCoding coding, std::string_view text) {
    aio::http::ContentEncoder enc(coding);
    std::string out;
    enc.compress(text, out);
    enc.finish(out);
    return out;
}

TEST_F(HttpClientRedirects, GzipAndDeflateBodiesAreDecodedInEveryFraming) {
    run([]() -> aio::Coro<void> {
        std::string text;
        for (int i = 0; i < 2000; ++i) text += "line " + std::to_string(i) + "\n";
        std::string gz = compressed(aio::http::ContentCoding::gzip, text);
        std::string df = compressed(aio::http::ContentCoding::deflate, text);
        TestServer server([&](const SeenRequest& r) {
            if (r.target == "/gzip") return Reply{ok(gz, "Content-Encoding: gzip\r\n")};
            if (r.target == "/deflate") return Reply{ok(df, "Content-Encoding: deflate\r\n")};
            if (r.target == "/corrupt") return Reply{ok("not gzip at all", "Content-Encoding: gzip\r\n")};
            std::string chunked = "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n";
            for (std::size_t at = 0; at < gz.size(); at += 100) {
                std::string piece = gz.substr(at, 100);
                char size[16];
                std::snprintf(size, sizeof size, "%zx\r\n", piece.size());
                chunked += size + piece + "\r\n";
            }
            return Reply{chunked + "0\r\n\r\n"};
        });
        co_await server.start();
        ClientSession session;
        for (std::string path : {"/gzip", "/deflate", "/chunked-gzip"}) {
            ClientResponse r = co_await session.get(server.url(path));
            EXPECT_EQ(co_await r.read(), text) << path;
        }
        ClientResponse bad = co_await session.get(server.url("/corrupt"));
        EXPECT_THROW((void)co_await bad.read(), aio::http::ClientPayloadError);
        ClientSession raw(aio::http::ClientSessionOptions{.auto_decompress = false});
        ClientResponse as_sent = co_await raw.get(server.url("/gzip"));
        EXPECT_EQ(co_await as_sent.read(), gz);
        EXPECT_FALSE(server.requests.back().headers.contains("Accept-Encoding"));
        co_await server.stop();
    }());
}

}  // namespace
}  // namespace aio_http_client_test
