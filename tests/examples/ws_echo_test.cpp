// examples/ws_echo: the echo server as a real process, the example's own client (lines from
// stdin), a Python websockets client that stays connected through SIGTERM (it must get 1001),
// and the clean exit.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <cstdio>
#include <string>
#include <vector>

#include "web_process.hpp"

namespace {

const std::string kWsEcho = std::string(AIO_BIN_DIR) + "/example_ws_echo";

/// The server as a child process whose stdout we read.
struct WsEchoServer : web_examples_test::WebProcess {
    explicit WsEchoServer(bool compress) : WebProcess("ws_echo", args(compress)) {}
    static std::vector<std::string> args(bool compress) {
        std::vector<std::string> a{"serve", "--port", "0"};
        if (!compress) a.push_back("--no-compression");
        return a;
    }
};

std::string port_after_colon(const std::string& listening) { return listening.substr(listening.rfind(':') + 1); }

/// Runs `cmd` with a shell, returning its stdout and exit status as the last line.
std::vector<std::string> run(const std::string& cmd) {
    std::vector<std::string> lines;
    FILE* p = ::popen(cmd.c_str(), "r");
    if (!p) return lines;
    char buf[512];
    while (std::fgets(buf, sizeof buf, p)) {
        std::string s(buf);
        if (!s.empty() && s.back() == '\n') s.pop_back();
        lines.push_back(s);
    }
    lines.push_back("exit " + std::to_string(WEXITSTATUS(::pclose(p))));
    return lines;
}

void echo_round_trip(bool compress) {
    WsEchoServer server(compress);
    ASSERT_TRUE(server.started());
    std::string first = server.line();
    ASSERT_EQ(first.rfind("listening on 127.0.0.1:", 0), 0u) << first;
    std::string url = "ws://127.0.0.1:" + port_after_colon(first) + "/";
    EXPECT_EQ(run("printf 'hello\\nsecond line\\n' | timeout 20 " + kWsEcho + " connect " + url),
              (std::vector<std::string>{"hello", "second line", "exit 0"}));
    server.signal(SIGTERM);
    EXPECT_EQ(server.line(), "shut down");
    EXPECT_EQ(server.wait_exit(), 0);
}

}  // namespace

TEST(WsEchoExample, TheClientsLinesComeBackCompressed) { echo_round_trip(true); }
TEST(WsEchoExample, TheClientsLinesComeBackWithoutCompression) { echo_round_trip(false); }

TEST(WsEchoExample, SigtermClosesAnOpenWebSocketWithGoingAwayAndExitsZero) {
    if (std::system("/usr/bin/python3 -c 'import websockets' 2>/dev/null") != 0)
        GTEST_SKIP() << "python3-websockets is not installed";
    WsEchoServer server(true);
    ASSERT_TRUE(server.started());
    std::string first = server.line();
    ASSERT_EQ(first.rfind("listening on 127.0.0.1:", 0), 0u) << first;
    // A client that says "ready" once its echo came back, then waits for the server's close.
    std::string script =
        "import asyncio, websockets\n"
        "async def main():\n"
        "    async with websockets.connect('ws://127.0.0.1:" + port_after_colon(first) + "/') as ws:\n"
        "        await ws.send('x'); assert await ws.recv() == 'x'\n"
        "        print('ready', flush=True)\n"
        "        try:\n"
        "            await asyncio.wait_for(ws.recv(), 20)\n"
        "        except websockets.ConnectionClosed as e:\n"
        "            print(e.rcvd.code, e.rcvd.reason, flush=True)\n"
        "asyncio.run(main())\n";
    FILE* client = ::popen(("/usr/bin/python3 -c \"" + script + "\"").c_str(), "r");
    ASSERT_TRUE(client);
    char buf[256];
    ASSERT_TRUE(std::fgets(buf, sizeof buf, client));
    EXPECT_STREQ(buf, "ready\n");
    server.signal(SIGTERM);
    ASSERT_TRUE(std::fgets(buf, sizeof buf, client));
    EXPECT_STREQ(buf, "1001 Server shutdown\n");
    EXPECT_EQ(WEXITSTATUS(::pclose(client)), 0);
    EXPECT_EQ(server.line(), "shut down");
    EXPECT_EQ(server.wait_exit(), 0);
}
