// examples/http_get (curl-like) and split_lines --url (seed 001's chunked download over HTTP),
// run as programs against a loopback server in this test's own aio loop.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "aio/aio.hpp"
#include "integration/http_client_test_server.hpp"
#include "run_with_aio.hpp"

namespace aio_examples_test {
namespace {

using aio_http_client_test::Reply;
using aio_http_client_test::SeenRequest;
using aio_http_client_test::TestServer;

struct ProgramRun {
    int code = -1;
    std::string out;
    std::string err;
    std::vector<SeenRequest> requests;
};

// Serves `handler` on loopback while example_<name> runs with `args` ("{URL}" is replaced by the
// server's URL for the path that follows it, as "{URL}/path").
ProgramRun run_against(std::string name, std::vector<std::string> args, TestServer::Handler handler) {
    auto body = [](std::string name, std::vector<std::string> args, TestServer::Handler handler) -> aio::Coro<ProgramRun> {
        TestServer server(std::move(handler));
        co_await server.start();
        for (auto& a : args) {
            if (a.starts_with("{URL}")) a = server.url(a.substr(5));
        }
        aio::ProgramArgs argv(args);
        aio::SubprocessOptions options{.stdout = aio::PIPE, .stderr = aio::PIPE};
        auto proc = co_await aio::create_subprocess_exec(example_path(name), std::move(argv), options);
        auto [out, err] = co_await aio::wait_for(proc.communicate(), std::chrono::seconds(30));
        ProgramRun r{*proc.returncode(), out, err, server.requests};
        co_await server.stop();
        co_return r;
    };
    return aio::run(body(std::move(name), std::move(args), std::move(handler)));
}

TEST(HttpGetExample, PrintsStatusHeadersAndBody) {
    ProgramRun r = run_against("http_get", {"{URL}/hello"}, [](const SeenRequest&) {
        return Reply{aio_http_client_test::ok("hi there\n", "X-Server: test\r\n")};
    });
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out, "HTTP/1.1 200 OK\nX-Server: test\nContent-Length: 9\n\nhi there\n");
    EXPECT_EQ(r.requests.at(0).target, "/hello");
}

TEST(HttpGetExample, SendsMethodDataAndHeadersAndPrintsJson) {
    ProgramRun r = run_against("http_get", {"-X", "PUT", "-d", "{\"a\":1}", "-H", "X-Key: v", "--json", "--no-headers",
                                     "{URL}/put"},
                        [](const SeenRequest& q) {
                            return Reply{aio_http_client_test::ok(q.body, "Content-Type: application/json\r\n")};
                        });
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out, "{\n  \"a\": 1\n}\n");
    EXPECT_EQ(r.requests.at(0).method, "PUT");
    EXPECT_EQ(r.requests.at(0).headers.get("X-Key", ""), "v");
}

TEST(HttpGetExample, FollowsRedirectsOnlyWithL) {
    auto handler = [](const SeenRequest& q) {
        if (q.target == "/old") return Reply{aio_http_client_test::response(302, "Found", "", "Location: /new\r\n")};
        return Reply{aio_http_client_test::ok("new place")};
    };
    ProgramRun plain = run_against("http_get", {"--size", "{URL}/old"}, handler);
    EXPECT_EQ(plain.code, 0) << plain.err;
    EXPECT_NE(plain.out.find("HTTP/1.1 302 Found\n"), std::string::npos) << plain.out;
    ProgramRun followed = run_against("http_get", {"-L", "--no-headers", "{URL}/old"}, handler);
    EXPECT_EQ(followed.code, 0) << followed.err;
    EXPECT_NE(followed.out.find("< 302 "), std::string::npos) << followed.out;
    EXPECT_NE(followed.out.find("new place"), std::string::npos) << followed.out;
}

TEST(HttpGetExample, ATimeoutAndARefusedConnectionAreOneLineErrors) {
    ProgramRun slow = run_against("http_get", {"--timeout", "0.05", "{URL}/slow"},
                           [](const SeenRequest&) { return Reply{"", false, {}, true}; });
    EXPECT_EQ(slow.code, 1);
    EXPECT_NE(slow.err.find("timed out"), std::string::npos) << slow.err;
    ProgramRun bad = run_against("http_get", {"http://127.0.0.1:1/"}, [](const SeenRequest&) { return Reply{}; });
    EXPECT_EQ(bad.code, 1);
    EXPECT_NE(bad.err.find("Cannot connect to host 127.0.0.1:1"), std::string::npos) << bad.err;
    ProgramRun usage = run_against("http_get", {"--timeout", "soon", "{URL}/"}, [](const SeenRequest&) { return Reply{}; });
    EXPECT_NE(usage.code, 0);
    EXPECT_NE(usage.err.find("--timeout"), std::string::npos) << usage.err;
}

TEST(SplitLinesExample, Seed001ChunkedDownloadSplitsAnHttpBodyIntoLines) {
    // A chunked body whose HTTP chunks cut lines in odd places; iter_chunked(4) re-cuts it.
    ProgramRun r = run_against("split_lines", {"--url", "{URL}/text", "--chunk-size", "4"}, [](const SeenRequest&) {
        std::string body = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
        for (std::string piece : {"alpha", "\nbeta\r", "\nga", "mma\n\nd"}) {
            char size[16];
            std::snprintf(size, sizeof size, "%zx\r\n", piece.size());
            body += size + piece + "\r\n";
        }
        return Reply{body + "0\r\n\r\n"};
    });
    EXPECT_EQ(r.code, 0) << r.err;
    // "alpha\nbeta\r\ngamma\n\nd" is 20 bytes: 5 chunks of 4, cut elsewhere than the HTTP chunks.
    EXPECT_EQ(r.out, "\"alpha\"\n\"beta\"\n\"gamma\"\n\"\"\n\"d\"\n5 lines from 5 chunks\n");
}

}  // namespace
}  // namespace aio_examples_test
