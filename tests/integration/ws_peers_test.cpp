// Interop with real WebSocket peers in both directions: Debian's python3-websockets and
// python3-aiohttp, and npm's ws, as clients of aio's server and as servers for aio's client, with
// and without permessage-deflate. The peer scripts are tests/peers/{python,node}/ws_*_scenario.*;
// npm's ws is installed by the first node test from the committed package-lock.json into the
// build tree (npm ci). Each test skips, saying so, when its peer is missing. The 16 MiB messages make each test take 1-3 s in a debug
// build.

#include <unistd.h>

#include "support/ws_fixture.hpp"

using namespace ws_test;
using aio::ws::WSMsgType;

namespace {

const std::string kPython = "/usr/bin/python3";
const std::string kPeers = std::string(AIO_SOURCE_DIR) + "/tests/peers/python/";

bool python_can_import(const char* module) {
    std::string cmd = kPython + " -c 'import " + module + "' 2>/dev/null";
    return std::system(cmd.c_str()) == 0;
}

/// npm's ws, installed once into the build tree from tests/peers/node's lock file; the
/// NODE_PATH to run the scripts with, or empty (skip) when node or npm cannot provide it.
const std::string& node_modules() {
    static const std::string path = [] {
        std::string dir = std::string(AIO_BINARY_DIR) + "/peers/node";
        std::string src = std::string(AIO_SOURCE_DIR) + "/tests/peers/node";
        if (::access((dir + "/node_modules/ws/package.json").c_str(), R_OK) != 0) {
            // Under a lock, re-checked inside it: ctest runs tests in parallel processes, and an
            // `npm ci` deletes node_modules before it installs, under another test's feet.
            std::string cmd = "mkdir -p " + dir + " && cd " + dir + " && flock install.lock sh -c '" +
                              "test -r node_modules/ws/package.json || { cp " + src + "/package.json " + src +
                              "/package-lock.json . && timeout 120 npm ci --no-audit --no-fund >/dev/null 2>&1; }'";
            if (std::system(cmd.c_str()) != 0) return std::string();
        }
        return dir + "/node_modules";
    }();
    return path;
}

/// How to start one peer's script: argv before the script's own arguments.
std::vector<std::string> peer_command(const std::string& lib, const char* role) {
    if (lib == "node")
        return {"/usr/bin/env", "NODE_PATH=" + node_modules(), "node",
                std::string(AIO_SOURCE_DIR) + "/tests/peers/node/ws_" + role + "_scenario.js"};
    return {kPython, kPeers + "ws_" + role + "_scenario.py", lib};
}

class WsPeers : public aio_io_test::IoTest {
protected:
    /// The peer as a client of aio's echo server.
    void peer_client(const char* lib, bool compress) {
        auto body = [&]() -> aio::Coro<void> {
            aio::ws::WSOptions so;
            so.compress = compress;
            so.max_msg_size = 32u << 20;
            auto server = co_await serve_ws(echo, so);
            std::string url = "ws://127.0.0.1:" + std::to_string(server->port()) + "/";
            std::vector<std::string> args = peer_command(lib, "client");
            args.push_back(url);
            if (!compress) args.push_back("--no-compression");
            aio::SubprocessOptions po;
            po.stdout = aio::PIPE;
            po.stderr = aio::PIPE;
            std::string program = args.front();
            args.erase(args.begin());
            aio::ProgramArgs pargs(std::move(args));
            auto p = co_await aio::create_subprocess_exec(program, std::move(pargs), po);
            auto [out, err] = co_await aio::wait_for(p.communicate(), 60s);
            EXPECT_EQ(p.returncode().value_or(-1), 0) << err;
            EXPECT_EQ(out, "done\n") << err;
            co_await server->shutdown(2s);
        };
        run(body());
    }

    /// aio's client against the peer's echo server.
    void peer_server(const char* lib, bool compress) {
        auto body = [&]() -> aio::Coro<void> {
            std::vector<std::string> args = peer_command(lib, "server");
            if (!compress) args.push_back("--no-compression");
            aio::SubprocessOptions po;
            po.stdin = aio::PIPE;
            po.stdout = aio::PIPE;
            std::string program = args.front();
            args.erase(args.begin());
            aio::ProgramArgs pargs(std::move(args));
            auto p = co_await aio::create_subprocess_exec(program, std::move(pargs), po);
            std::string line = co_await aio::wait_for(p.stdout->readline(), 20s);
            EXPECT_EQ(line.rfind("listening on ", 0), 0u) << line;
            std::string url = "ws://127.0.0.1:" + line.substr(13, line.size() - 14) + "/";
            co_await client_scenario(url, compress, std::string_view(lib) != "aiohttp");
            p.stdin->close();
            co_await aio::wait_for(p.wait(), 20s);
            EXPECT_EQ(p.returncode(), 0);
        };
        run(body());
    }

    static aio::Coro<void> client_scenario(std::string url, bool compress, bool fragments) {
        aio::http::ClientSession session;
        aio::ws::WSConnectOptions o;
        o.compress = compress;
        o.max_msg_size = 32u << 20;
        o.autoping = false;
        aio::ws::WebSocket ws = co_await session.ws_connect(url, o);
        EXPECT_EQ(ws.compress(), compress);
        for (std::size_t n : {0u, 1u, 125u, 126u, 127u, 65535u, 65536u, 65537u, 16u << 20}) {
            std::string data = text_pattern(n);
            co_await ws.send_str(data);
            aio::ws::WSMessage m = co_await ws.receive(10s);
            EXPECT_EQ(m.type, WSMsgType::text);
            EXPECT_TRUE(m.data == data) << "text of " << n;
            co_await ws.send_bytes(data);
            m = co_await ws.receive(10s);
            EXPECT_EQ(m.type, WSMsgType::binary);
            EXPECT_TRUE(m.data == data) << "binary of " << n;
        }
        co_await ws.send_str("fragments");
        EXPECT_EQ(co_await ws.receive_str(5s), "fragmented");  // two frames from websockets
        for (int i = 0; i < 1000; ++i) co_await ws.send_str("m" + std::to_string(i));
        for (int i = 0; i < 1000; ++i) {
            std::string s = co_await ws.receive_str(5s);
            if (s != "m" + std::to_string(i)) {
                ADD_FAILURE() << "pipelined " << i << " came back as " << s;
                break;
            }
        }
        co_await ws.ping("cli");
        aio::ws::WSMessage pong = co_await ws.receive(5s);
        EXPECT_EQ(pong.type, WSMsgType::pong);
        EXPECT_EQ(pong.data, "cli");
        co_await ws.send_str("ping");
        aio::ws::WSMessage ping = co_await ws.receive(5s);
        EXPECT_EQ(ping.type, WSMsgType::ping);
        EXPECT_EQ(ping.data, "srv");
        co_await ws.pong(ping.data);
        // The server closes with its code: close, then closed.
        co_await ws.send_str("close 4002");
        aio::ws::WSMessage close = co_await ws.receive(5s);
        EXPECT_EQ(close.type, WSMsgType::close);
        EXPECT_EQ(close.close_code, 4002);
        EXPECT_EQ(close.extra, "bye");
        EXPECT_EQ((co_await ws.receive(5s)).type, WSMsgType::closed);
        EXPECT_EQ(ws.close_code(), 4002);

        // And a client-side close, on a second connection.
        aio::ws::WebSocket second = co_await session.ws_connect(url, o);
        co_await second.send_str("x");
        EXPECT_EQ(co_await second.receive_str(5s), "x");
        EXPECT_TRUE(co_await second.close(4003, "client done"));
        // The code is the server's answer: websockets and ws echo ours, aiohttp answers 1000.
        EXPECT_EQ(second.close_code(), fragments ? 4003 : 1000);
        EXPECT_FALSE(second.exception());
    }
};

TEST_F(WsPeers, PythonWebsocketsClientTalksToAioServerCompressed) {
    if (!python_can_import("websockets")) GTEST_SKIP() << "python3-websockets is not installed";
    peer_client("websockets", true);
}
TEST_F(WsPeers, PythonWebsocketsClientTalksToAioServerUncompressed) {
    if (!python_can_import("websockets")) GTEST_SKIP() << "python3-websockets is not installed";
    peer_client("websockets", false);
}
TEST_F(WsPeers, AiohttpClientTalksToAioServerCompressed) {
    if (!python_can_import("aiohttp")) GTEST_SKIP() << "python3-aiohttp is not installed";
    peer_client("aiohttp", true);
}
TEST_F(WsPeers, AiohttpClientTalksToAioServerUncompressed) {
    if (!python_can_import("aiohttp")) GTEST_SKIP() << "python3-aiohttp is not installed";
    peer_client("aiohttp", false);
}
TEST_F(WsPeers, AioClientTalksToPythonWebsocketsServerCompressed) {
    if (!python_can_import("websockets")) GTEST_SKIP() << "python3-websockets is not installed";
    peer_server("websockets", true);
}
TEST_F(WsPeers, AioClientTalksToPythonWebsocketsServerUncompressed) {
    if (!python_can_import("websockets")) GTEST_SKIP() << "python3-websockets is not installed";
    peer_server("websockets", false);
}
TEST_F(WsPeers, AioClientTalksToAiohttpServerCompressed) {
    if (!python_can_import("aiohttp")) GTEST_SKIP() << "python3-aiohttp is not installed";
    peer_server("aiohttp", true);
}
TEST_F(WsPeers, AioClientTalksToAiohttpServerUncompressed) {
    if (!python_can_import("aiohttp")) GTEST_SKIP() << "python3-aiohttp is not installed";
    peer_server("aiohttp", false);
}

bool have_node() { return ::access("/usr/bin/node", X_OK) == 0 && !node_modules().empty(); }

TEST_F(WsPeers, NodeWsClientTalksToAioServerCompressed) {
    if (!have_node()) GTEST_SKIP() << "node, or npm's ws (npm ci in the build tree), is not available";
    peer_client("node", true);
}
TEST_F(WsPeers, NodeWsClientTalksToAioServerUncompressed) {
    if (!have_node()) GTEST_SKIP() << "node, or npm's ws (npm ci in the build tree), is not available";
    peer_client("node", false);
}
TEST_F(WsPeers, AioClientTalksToNodeWsServerCompressed) {
    if (!have_node()) GTEST_SKIP() << "node, or npm's ws (npm ci in the build tree), is not available";
    peer_server("node", true);
}
TEST_F(WsPeers, AioClientTalksToNodeWsServerUncompressed) {
    if (!have_node()) GTEST_SKIP() << "node, or npm's ws (npm ci in the build tree), is not available";
    peer_server("node", false);
}

}  // namespace
