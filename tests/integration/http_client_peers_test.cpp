// The client against real servers that are not aio: python3-aiohttp's web server and Node's
// http module, each started as a child on a free loopback port (skipped, saying why, when the
// peer is not installed). Plain, JSON, chunked, gzip, redirects, keep-alive reuse.

#include <gtest/gtest.h>
#include <unistd.h>

#include "aio/http/client.hpp"
#include "support/io_fixture.hpp"

namespace aio_http_client_test {
namespace {

using namespace std::chrono_literals;
using aio::http::ClientResponse;
using aio::http::ClientSession;
using aio::http::RequestOptions;

const char* const kAiohttpServer = R"PY(
import asyncio
from aiohttp import web

async def hello(r):
    return web.Response(text="hello from the peer")

async def echo(r):
    return web.json_response({"method": r.method, "body": await r.text(), "q": r.query.get("q", "")})

async def chunked(r):
    resp = web.StreamResponse()
    resp.enable_chunked_encoding()
    await resp.prepare(r)
    for i in range(200):
        await resp.write(b"line %d\n" % i)
    await resp.write_eof()
    return resp

async def gz(r):
    resp = web.Response(text="z" * 10000)
    resp.enable_compression(web.ContentCoding.gzip)
    return resp

async def redirect(r):
    raise web.HTTPFound("/hello")

async def main():
    app = web.Application()
    app.add_routes([web.get("/hello", hello), web.route("*", "/echo", echo), web.get("/chunked", chunked),
                    web.get("/gzip", gz), web.get("/redirect", redirect)])
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    print(site._server.sockets[0].getsockname()[1], flush=True)
    await asyncio.Event().wait()

asyncio.run(main())
)PY";

const char* const kNodeServer = R"JS(
const http = require('http');
const zlib = require('zlib');
const server = http.createServer((req, res) => {
  let body = '';
  req.on('data', (d) => { body += d; });
  req.on('end', () => {
    const url = new URL(req.url, 'http://x');
    if (url.pathname === '/hello') {
      res.end('hello from the peer');
    } else if (url.pathname === '/echo') {
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ method: req.method, body, q: url.searchParams.get('q') || '' }));
    } else if (url.pathname === '/chunked') {
      for (let i = 0; i < 199; i++) res.write('line ' + i + '\n');
      res.end('line 199\n');
    } else if (url.pathname === '/gzip') {
      res.setHeader('Content-Encoding', 'gzip');
      res.end(zlib.gzipSync('z'.repeat(10000)));
    } else if (url.pathname === '/redirect') {
      res.writeHead(302, { Location: '/hello' });
      res.end();
    } else {
      res.statusCode = 404;
      res.end('no');
    }
  });
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
)JS";

class HttpClientPeers : public aio_io_test::IoTest {
protected:
    bool have(const char* program, const char* check) {
        std::string cmd = std::string(program) + " " + check + " >/dev/null 2>&1";
        return std::system(cmd.c_str()) == 0;
    }
    void against(std::string program, std::vector<std::string> args);
};

aio::Coro<void> exercise(std::string base) {
    ClientSession session;
    ClientResponse a = co_await session.get(base + "/hello");
    EXPECT_EQ(a.status, 200);
    EXPECT_EQ(co_await a.text(), "hello from the peer");

    RequestOptions post{.params = {{"q", "a b"}}, .data = std::string("payload")};
    ClientResponse b = co_await session.post(base + "/echo", post);
    nlohmann::json j = co_await b.json();
    EXPECT_EQ(j["method"], "POST");
    EXPECT_EQ(j["body"], "payload");
    EXPECT_EQ(j["q"], "a b");

    ClientResponse c = co_await session.get(base + "/chunked");
    std::string expect;
    for (int i = 0; i < 200; ++i) expect += "line " + std::to_string(i) + "\n";
    EXPECT_EQ(co_await c.read(), expect);

    ClientResponse d = co_await session.get(base + "/gzip");
    EXPECT_EQ(d.headers.get("Content-Encoding", ""), "gzip");
    EXPECT_EQ(co_await d.read(), std::string(10000, 'z'));

    ClientResponse e = co_await session.get(base + "/redirect");
    EXPECT_EQ(e.history.size(), 1u);
    EXPECT_EQ(co_await e.read(), "hello from the peer");

    // Every request above went over the same kept-alive connection.
    EXPECT_EQ(session.connector().connections_made(), 1u);
}

void HttpClientPeers::against(std::string program, std::vector<std::string> args) {
    run([](std::string program, std::vector<std::string> args) -> aio::Coro<void> {
        aio::SubprocessOptions options{.stdout = aio::PIPE};
        auto proc = co_await aio::create_subprocess_exec(program, aio::ProgramArgs(args), options);
        std::string port = co_await aio::wait_for(proc.stdout->readline(), 20s);
        while (!port.empty() && (port.back() == '\n' || port.back() == '\r')) port.pop_back();
        std::exception_ptr failure;
        try {
            if (port.empty()) throw aio::RuntimeError(program + " printed no port");
            co_await aio::wait_for(exercise("http://127.0.0.1:" + port), 20s);
        } catch (...) {
            failure = std::current_exception();
        }
        proc.kill();
        (void)co_await aio::wait_for(proc.wait(), 10s);
        if (failure) std::rethrow_exception(failure);
    }(std::move(program), std::move(args)));
}

TEST_F(HttpClientPeers, AgainstAiohttpsServer) {
    if (!have("/usr/bin/python3", "-c 'import aiohttp'")) GTEST_SKIP() << "python3-aiohttp is not installed";
    against("/usr/bin/python3", {"-c", kAiohttpServer});
}

TEST_F(HttpClientPeers, AgainstNodesHttpServer) {
    if (!have("node", "-e 0")) GTEST_SKIP() << "node is not installed";
    against("node", {"-e", kNodeServer});
}

}  // namespace
}  // namespace aio_http_client_test
