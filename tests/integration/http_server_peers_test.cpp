// Real HTTP clients against aio::http::Server: curl, Python's http.client, aiohttp's client and
// Node's fetch. Each test skips, saying so, when its tool is missing.

#include <unistd.h>

#include <set>

#include "http_server_client.hpp"

using namespace http_test;

namespace {

struct Seen {
    std::set<std::uint16_t> client_ports;  // one per connection the requests came on
    int requests = 0;
};

bool installed(const char* path) { return ::access(path, X_OK) == 0; }

bool python_has(const char* module) {
    std::string cmd = std::string("/usr/bin/python3 -c 'import ") + module + "' 2>/dev/null";
    return std::system(cmd.c_str()) == 0;
}

class HttpServerPeers : public HttpServerTest {
protected:
    /// Serves while `program args...` runs; returns its stdout (stderr appended after a "--").
    std::string run_peer(std::string program, std::vector<std::string> args, std::string input = {}) {
        auto handler = [this](aio::http::Request& req) -> aio::Coro<aio::http::Response> {
            seen.client_ports.insert(req.remote().port());
            ++seen.requests;
            if (req.path() == "/echo") {
                std::string body = co_await req.read();
                co_return aio::http::Response(std::move(body));
            }
            co_return aio::http::Response("Hello, World!");
        };
        auto body = [&]() -> aio::Coro<std::string> {
            aio::http::Handler h = handler;
            auto server = co_await aio::http::serve(h, "127.0.0.1", 0);
            std::string port = std::to_string(server->port());
            std::vector<std::string> argv;
            for (auto& a : args) {
                std::string s = a;
                for (std::size_t at; (at = s.find("PORT")) != std::string::npos;) s.replace(at, 4, port);
                argv.push_back(s);
            }
            aio::SubprocessOptions po;
            po.stdin = aio::PIPE;
            po.stdout = aio::PIPE;
            po.stderr = aio::PIPE;
            aio::ProgramArgs pargs(std::move(argv));
            auto p = co_await aio::create_subprocess_exec(program, std::move(pargs), po);
            auto [out, err] = co_await aio::wait_for(p.communicate(input), 20s);
            EXPECT_EQ(p.returncode().value_or(-1), 0) << err;
            co_await server->shutdown(2s);
            co_return out + "--" + err;
        };
        return run(body());
    }
    Seen seen;
};

}  // namespace

TEST_F(HttpServerPeers, CurlReusesTheConnectionPostsUploadsChunkedAndSendsHead) {
    if (!installed("/usr/bin/curl")) GTEST_SKIP() << "curl is not installed (/usr/bin/curl)";
    std::string out = run_peer("/usr/bin/curl", {"-sv", "http://127.0.0.1:PORT/", "http://127.0.0.1:PORT/again"});
    EXPECT_EQ(out.substr(0, out.find("--")), "Hello, World!Hello, World!");
    EXPECT_EQ(seen.requests, 2);
    EXPECT_EQ(seen.client_ports.size(), 1u) << "curl opened a second connection";

    out = run_peer("/usr/bin/curl", {"-s", "-d", "posted=1", "http://127.0.0.1:PORT/echo"});
    EXPECT_EQ(out.substr(0, out.find("--")), "posted=1");

    out = run_peer("/usr/bin/curl", {"-s", "-H", "Transfer-Encoding: chunked", "--data-binary", "@-",
                                     "http://127.0.0.1:PORT/echo"},
                   std::string(100000, 'k'));
    EXPECT_EQ(out.substr(0, out.find("--")), std::string(100000, 'k'));

    out = run_peer("/usr/bin/curl", {"-sI", "http://127.0.0.1:PORT/"});
    EXPECT_EQ(out.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << out;
    EXPECT_NE(out.find("Content-Length: 13\r\n"), std::string::npos) << out;

    out = run_peer("/usr/bin/curl", {"-sv", "-H", "Expect: 100-continue", "--data-binary", "@-",
                                     "http://127.0.0.1:PORT/echo"},
                   "continued");
    EXPECT_EQ(out.substr(0, out.find("--")), "continued");
    EXPECT_NE(out.find("HTTP/1.1 100 Continue"), std::string::npos) << out;
}

TEST_F(HttpServerPeers, PythonsHttpClientKeepsTheConnectionForGetPostAndHead) {
    if (!installed("/usr/bin/python3")) GTEST_SKIP() << "no /usr/bin/python3";
    const char* script = R"PY(
import http.client, sys
c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=10)
c.request("GET", "/"); r = c.getresponse(); print(r.status, r.read().decode())
c.request("POST", "/echo", body=b"abc"); r = c.getresponse(); print(r.status, r.read().decode())
c.request("HEAD", "/"); r = c.getresponse(); print(r.status, r.getheader("Content-Length"), repr(r.read()))
c.request("POST", "/echo", body=iter([b"chunk1", b"chunk2"]), encode_chunked=True,
          headers={"Transfer-Encoding": "chunked"}); r = c.getresponse(); print(r.status, r.read().decode())
)PY";
    std::string out = run_peer("/usr/bin/python3", {"-c", script, "PORT"});
    EXPECT_EQ(out.substr(0, out.find("--")), "200 Hello, World!\n200 abc\n200 13 b''\n200 chunk1chunk2\n") << out;
    EXPECT_EQ(seen.client_ports.size(), 1u);
}

TEST_F(HttpServerPeers, AiohttpsClientSession) {
    if (!installed("/usr/bin/python3") || !python_has("aiohttp"))
        GTEST_SKIP() << "aiohttp is not importable by /usr/bin/python3 (python3-aiohttp)";
    const char* script = R"PY(
import asyncio, sys, aiohttp
async def main():
    url = f"http://127.0.0.1:{sys.argv[1]}"
    async with aiohttp.ClientSession() as s:
        async with s.get(url + "/") as r: print(r.status, await r.text())
        async with s.post(url + "/echo", data=b"x" * 70000) as r: print(r.status, len(await r.read()))
        async def gen():
            yield b"streamed "
            yield b"body"
        async with s.post(url + "/echo", data=gen()) as r: print(r.status, await r.text())
asyncio.run(main())
)PY";
    std::string out = run_peer("/usr/bin/python3", {"-c", script, "PORT"});
    EXPECT_EQ(out.substr(0, out.find("--")), "200 Hello, World!\n200 70000\n200 streamed body\n") << out;
    EXPECT_EQ(seen.client_ports.size(), 1u);
}

TEST_F(HttpServerPeers, NodesFetch) {
    if (!installed("/usr/bin/node")) GTEST_SKIP() << "node is not installed (/usr/bin/node)";
    const char* script = R"JS(
const url = `http://127.0.0.1:${process.argv[1]}`;
(async () => {
  let r = await fetch(url + "/"); console.log(r.status, await r.text());
  r = await fetch(url + "/echo", {method: "POST", body: "from node"}); console.log(r.status, await r.text());
})().catch(e => { console.error(e); process.exit(1); });
)JS";
    std::string out = run_peer("/usr/bin/node", {"-e", script, "PORT"});
    if (out.find("fetch is not defined") != std::string::npos) GTEST_SKIP() << "this node has no fetch";
    EXPECT_EQ(out.substr(0, out.find("--")), "200 Hello, World!\n200 from node\n") << out;
}
