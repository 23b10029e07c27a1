#pragma once
// A real redis-server for the client's tests: started on a free loopback port (and a unix socket)
// in a temp dir with no persistence, ready once it answers PING, stopped (and reaped) by the
// destructor. stop() / start() again keep the port and socket, for the reconnect tests; kill()
// is the crash (SIGKILL). Every wait is bounded.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace aio_test {

struct RedisServerOptions {
    std::string requirepass;
    bool debug_command = false;  // DEBUG SLEEP, for the timeout tests
};

class RedisServer {
public:
    explicit RedisServer(RedisServerOptions options = {}) : options_(std::move(options)) {
        char tmpl[] = "/tmp/aio-redis-XXXXXX";
        if (!::mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
        dir_ = tmpl;
        port_ = free_port();
        start();
    }
    ~RedisServer() {
        stop();
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }
    RedisServer(const RedisServer&) = delete;
    RedisServer& operator=(const RedisServer&) = delete;

    std::uint16_t port() const { return port_; }
    std::string unix_path() const { return dir_ + "/redis.sock"; }
    std::string url() const {
        std::string auth = options_.requirepass.empty() ? "" : ":" + options_.requirepass + "@";
        return "redis://" + auth + "127.0.0.1:" + std::to_string(port_);
    }

    void start() {
        if (pid_ > 0) return;
        std::vector<std::string> args{"redis-server", "--port", std::to_string(port_), "--bind", "127.0.0.1",
                                      "--save", "", "--appendonly", "no", "--dir", dir_, "--logfile",
                                      dir_ + "/redis.log", "--unixsocket", unix_path(), "--unixsocketperm", "700",
                                      "--daemonize", "no"};
        if (!options_.requirepass.empty()) {
            args.push_back("--requirepass");
            args.push_back(options_.requirepass);
        }
        if (options_.debug_command) {
            args.push_back("--enable-debug-command");
            args.push_back("yes");
        }
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        if (::posix_spawnp(&pid_, "redis-server", nullptr, nullptr, argv.data(), environ) != 0)
            throw std::runtime_error("cannot run redis-server");
        wait_ready();
    }
    /// SIGTERM and reap.
    void stop() { end(SIGTERM); }
    /// SIGKILL and reap: the crash, with clients connected.
    void kill() { end(SIGKILL); }

private:
    void end(int sig) {
        if (pid_ <= 0) return;
        ::kill(pid_, sig);
        int status = 0;
        ::waitpid(pid_, &status, 0);
        pid_ = -1;
    }

    static std::uint16_t free_port() {
        int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof a;
        ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
        ::close(fd);
        return ntohs(a.sin_port);
    }

    bool answers_ping() const {
        int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        a.sin_port = htons(port_);
        timeval tv{1, 0};
        ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        bool ok = false;
        if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
            std::string hello = options_.requirepass.empty() ? "" : "AUTH " + options_.requirepass + "\r\n";
            hello += "PING\r\n";
            if (::write(fd, hello.data(), hello.size()) == static_cast<ssize_t>(hello.size())) {
                std::string got;
                char buf[256];
                while (got.find("PONG") == std::string::npos && got.find("LOADING") == std::string::npos) {
                    ssize_t n = ::read(fd, buf, sizeof buf);
                    if (n <= 0) break;
                    got.append(buf, static_cast<std::size_t>(n));
                }
                ok = got.find("+PONG") != std::string::npos;
            }
        }
        ::close(fd);
        return ok;
    }

    // Polls (bounded: 10 s) until PING is answered; a server that exits says why from its log.
    void wait_ready() {
        auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (!answers_ping()) {
            int status = 0;
            if (::waitpid(pid_, &status, WNOHANG) == pid_) {
                pid_ = -1;
                throw std::runtime_error("redis-server exited at start-up: " + log());
            }
            if (std::chrono::steady_clock::now() > deadline) {
                stop();
                throw std::runtime_error("redis-server did not answer PING within 10 s: " + log());
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
    }

    std::string log() const {
        std::ifstream in(dir_ + "/redis.log");
        std::stringstream s;
        s << in.rdbuf();
        return s.str();
    }

    RedisServerOptions options_;
    std::string dir_;
    std::uint16_t port_ = 0;
    pid_t pid_ = -1;
};

}  // namespace aio_test
