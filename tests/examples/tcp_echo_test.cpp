// examples/tcp_echo: a real server process, real clients in both styles, and the graceful
// shutdown on SIGTERM (seed 003).

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <cstdio>
#include <string>
#include <vector>

#include "web_process.hpp"

namespace {

const std::string kTcpEcho = std::string(AIO_BIN_DIR) + "/example_tcp_echo";

/// The server as a child process whose stdout we read.
struct TcpEchoServer : web_examples_test::WebProcess {
    explicit TcpEchoServer(const char* mode) : WebProcess("tcp_echo", {"server", "--port", "0", "--mode", mode}) {}
};

std::string port_of_listening_line(const std::string& listening) {
    auto colon = listening.rfind(':');
    auto space = listening.find(' ', colon);
    return listening.substr(colon + 1, space - colon - 1);
}

std::vector<std::string> run_client(const std::string& port, const char* mode) {
    std::string cmd = kTcpEcho + " client --port " + port + " --mode " + mode + " hello 'second line' bye";
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

void check(const char* server_mode, const char* client_mode) {
    TcpEchoServer server(server_mode);
    ASSERT_TRUE(server.started());
    std::string first = server.line();
    ASSERT_EQ(first.rfind("listening on 127.0.0.1:", 0), 0u) << first;
    std::string port = port_of_listening_line(first);
    EXPECT_EQ(run_client(port, client_mode),
              (std::vector<std::string>{"echo: hello", "echo: second line", "echo: bye", "exit 0"}));
    EXPECT_EQ(server.line().rfind("connection from 127.0.0.1:", 0), 0u);
    server.signal(SIGTERM);
    EXPECT_EQ(server.line(), "shut down (0 connections were open)");
    EXPECT_EQ(server.wait_exit(), 0);
}

}  // namespace

TEST(TcpEchoExample, StreamsServerWithStreamsClient) { check("streams", "streams"); }
TEST(TcpEchoExample, ProtocolServerWithProtocolClient) { check("protocol", "protocol"); }
TEST(TcpEchoExample, StreamsServerWithProtocolClient) { check("streams", "protocol"); }

TEST(TcpEchoExample, SigtermWithAClientConnectedCancelsItsTaskAndExitsCleanly) {
    TcpEchoServer server("streams");
    ASSERT_TRUE(server.started());
    std::string first = server.line();
    ASSERT_EQ(first.rfind("listening on 127.0.0.1:", 0), 0u) << first;
    // A client that connects and stays: the server must not wait for it forever.
    std::string cmd = "exec 3<>/dev/tcp/127.0.0.1/" + port_of_listening_line(first) + "; echo ready; read -t 20 <&3";
    FILE* idle = ::popen(("bash -c '" + cmd + "'").c_str(), "r");
    ASSERT_TRUE(idle);
    char buf[64];
    ASSERT_TRUE(std::fgets(buf, sizeof buf, idle));  // connected
    EXPECT_EQ(server.line().rfind("connection from 127.0.0.1:", 0), 0u);  // and accepted
    server.signal(SIGHUP);
    EXPECT_EQ(server.line(), "shut down (1 connections were open)");
    EXPECT_EQ(server.wait_exit(), 0);
    ::pclose(idle);  // the server closed the connection, so the client's read ends
}
