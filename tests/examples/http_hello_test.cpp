// examples/http_hello: the server process answers its three routes over a real socket and shuts
// down gracefully on SIGTERM and SIGINT, closing an idle keep-alive connection.

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

namespace {

const std::string kHttpHello = std::string(AIO_BIN_DIR) + "/example_http_hello";

struct HelloProcess {
    pid_t pid = -1;
    int out = -1;

    HelloProcess() {
        int p[2];
        if (::pipe2(p, O_CLOEXEC) != 0) return;
        pid = ::fork();
        if (pid == 0) {
            ::dup2(p[1], 1);
            ::execl(kHttpHello.c_str(), kHttpHello.c_str(), "--port", "0", nullptr);
            ::_exit(127);
        }
        ::close(p[1]);
        out = p[0];
    }
    ~HelloProcess() {
        if (pid > 0) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, nullptr, 0);
        }
        if (out >= 0) ::close(out);
    }
    std::string line() {
        std::string s;
        char c;
        for (;;) {
            pollfd pfd{out, POLLIN, 0};
            if (::poll(&pfd, 1, 10000) <= 0) return s + "<timeout>";
            if (::read(out, &c, 1) != 1) return s;
            if (c == '\n') return s;
            s += c;
        }
    }
    int wait_exit() {
        for (int i = 0; i < 1000; ++i) {  // at most 10 s
            int status = 0;
            if (::waitpid(pid, &status, WNOHANG) == pid) {
                pid = -1;
                return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            }
            ::usleep(10000);
        }
        return -1;
    }
};

int connect_to(int port) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    timeval tv{5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

/// Sends `request` and reads one response with a Content-Length body; "" on a timeout.
std::string exchange(int fd, const std::string& request) {
    if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(request.size())) return "";
    std::string got;
    char buf[4096];
    for (;;) {
        auto end = got.find("\r\n\r\n");
        if (end != std::string::npos) {
            auto cl = got.find("Content-Length: ");
            if (cl != std::string::npos && cl < end) {
                std::size_t n = std::stoul(got.substr(cl + 16));
                if (got.size() >= end + 4 + n) return got;
            }
        }
        ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) return got;
        got.append(buf, static_cast<std::size_t>(n));
    }
}

std::string body_of(const std::string& response) {
    auto end = response.find("\r\n\r\n");
    return end == std::string::npos ? "<no head>" : response.substr(end + 4);
}

int port_of(const std::string& listening) { return std::stoi(listening.substr(listening.rfind(':') + 1)); }

void serves_then_stops_on(int sig) {
    HelloProcess server;
    ASSERT_GT(server.pid, 0);
    std::string first = server.line();
    ASSERT_EQ(first.rfind("listening on 127.0.0.1:", 0), 0u) << first;
    int fd = connect_to(port_of(first));
    ASSERT_GE(fd, 0);
    std::string hello = exchange(fd, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_EQ(hello.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << hello;
    EXPECT_NE(hello.find("Content-Type: text/plain\r\n"), std::string::npos) << hello;
    EXPECT_EQ(body_of(hello), "Hello, World!");
    EXPECT_EQ(body_of(exchange(fd, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")), "hello");
    EXPECT_EQ(body_of(exchange(fd, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\nhello there")),
              "hello there");
    std::string missing = exchange(fd, "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_EQ(missing.rfind("HTTP/1.1 404 ", 0), 0u) << missing;
    // The connection stays open and idle: the shutdown closes it rather than waiting for it.
    ::kill(server.pid, sig);
    EXPECT_EQ(server.line(), "shut down after 4 requests");
    EXPECT_EQ(server.wait_exit(), 0);
    char c;
    EXPECT_EQ(::recv(fd, &c, 1, 0), 0);  // EOF: the server closed it
    ::close(fd);
}

}  // namespace

TEST(HttpHelloExample, ServesItsRoutesAndShutsDownOnSigterm) { serves_then_stops_on(SIGTERM); }
TEST(HttpHelloExample, ServesItsRoutesAndShutsDownOnSigint) { serves_then_stops_on(SIGINT); }

TEST(HttpHelloExample, ABadCommandLineIsAUsageError) {
    std::string cmd = kHttpHello + " --port 99999 2>&1";
    FILE* p = ::popen(cmd.c_str(), "r");
    ASSERT_TRUE(p);
    char buf[512] = {};
    std::string out;
    while (std::fgets(buf, sizeof buf, p)) out += buf;
    int status = ::pclose(p);
    EXPECT_NE(WEXITSTATUS(status), 0);
    EXPECT_NE(out.find("--port"), std::string::npos) << out;
}
