// examples/tcp_echo: a real server process, real clients in both styles, and the graceful
// shutdown on SIGTERM (seed 003).

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

namespace {

const std::string kTcpEcho = std::string(AIO_BIN_DIR) + "/example_tcp_echo";

/// The server as a child process whose stdout we read.
struct TcpEchoServer {
    pid_t pid = -1;
    int out = -1;

    explicit TcpEchoServer(const char* mode) {
        int p[2];
        if (::pipe2(p, O_CLOEXEC) != 0) return;
        pid = ::fork();
        if (pid == 0) {
            ::dup2(p[1], 1);
            ::execl(kTcpEcho.c_str(), kTcpEcho.c_str(), "server", "--port", "0", "--mode", mode, nullptr);
            ::_exit(127);
        }
        ::close(p[1]);
        out = p[0];
    }
    ~TcpEchoServer() {
        if (pid > 0) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, nullptr, 0);
        }
        if (out >= 0) ::close(out);
    }
    /// One line of its output, waiting at most 20 s.
    std::string line() {
        std::string s;
        char c;
        while (true) {
            pollfd pfd{out, POLLIN, 0};
            if (::poll(&pfd, 1, 20000) <= 0) return s + "<timeout>";
            if (::read(out, &c, 1) != 1) return s;
            if (c == '\n') return s;
            s += c;
        }
    }
    int wait_exit() {
        int status = 0;
        for (int i = 0; i < 2000; ++i) {  // at most 20 s
            if (::waitpid(pid, &status, WNOHANG) == pid) {
                pid = -1;
                return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            }
            ::usleep(10000);
        }
        return -1;
    }
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
    ASSERT_GT(server.pid, 0);
    std::string first = server.line();
    ASSERT_EQ(first.rfind("listening on 127.0.0.1:", 0), 0u) << first;
    std::string port = port_of_listening_line(first);
    EXPECT_EQ(run_client(port, client_mode),
              (std::vector<std::string>{"echo: hello", "echo: second line", "echo: bye", "exit 0"}));
    EXPECT_EQ(server.line().rfind("connection from 127.0.0.1:", 0), 0u);
    ::kill(server.pid, SIGTERM);
    EXPECT_EQ(server.line(), "shut down (0 connections were open)");
    EXPECT_EQ(server.wait_exit(), 0);
}

}  // namespace

TEST(TcpEchoExample, StreamsServerWithStreamsClient) { check("streams", "streams"); }
TEST(TcpEchoExample, ProtocolServerWithProtocolClient) { check("protocol", "protocol"); }
TEST(TcpEchoExample, StreamsServerWithProtocolClient) { check("streams", "protocol"); }

TEST(TcpEchoExample, SigtermWithAClientConnectedCancelsItsTaskAndExitsCleanly) {
    TcpEchoServer server("streams");
    ASSERT_GT(server.pid, 0);
    std::string first = server.line();
    ASSERT_EQ(first.rfind("listening on 127.0.0.1:", 0), 0u) << first;
    // A client that connects and stays: the server must not wait for it forever.
    std::string cmd = "exec 3<>/dev/tcp/127.0.0.1/" + port_of_listening_line(first) + "; echo ready; read -t 20 <&3";
    FILE* idle = ::popen(("bash -c '" + cmd + "'").c_str(), "r");
    ASSERT_TRUE(idle);
    char buf[64];
    ASSERT_TRUE(std::fgets(buf, sizeof buf, idle));  // connected
    EXPECT_EQ(server.line().rfind("connection from 127.0.0.1:", 0), 0u);  // and accepted
    ::kill(server.pid, SIGHUP);
    EXPECT_EQ(server.line(), "shut down (1 connections were open)");
    EXPECT_EQ(server.wait_exit(), 0);
    ::pclose(idle);  // the server closed the connection, so the client's read ends
}
