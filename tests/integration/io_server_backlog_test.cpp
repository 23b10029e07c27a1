// The listen() backlog: by default SOMAXCONN (the kernel's cap), not asyncio's 100, so a burst of
// clients completes in the kernel's accept queue instead of having SYNs dropped and retried a
// second later.

#include <dirent.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string_view>
#include <vector>

#include "support/io_fixture.hpp"

using namespace aio_io_test;

namespace {

struct Idle : aio::Protocol {
    void data_received(std::string_view) override {}
};

std::shared_ptr<Idle> make_idle() { return std::make_shared<Idle>(); }

// This process's descriptor that listens on `addr`, or -1.
int listening_fd_for(const aio::SocketAddress& addr) {
    int found = -1;
    DIR* d = ::opendir("/proc/self/fd");
    if (!d) return -1;
    while (auto* e = ::readdir(d)) {
        int fd = std::atoi(e->d_name);
        int listening = 0;
        socklen_t len = sizeof listening;
        if (fd < 3 || ::getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) != 0 || !listening) continue;
        sockaddr_storage ss{};
        socklen_t slen = sizeof ss;
        if (::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &slen) == 0 &&
            aio::SocketAddress(reinterpret_cast<sockaddr*>(&ss), slen) == addr)
            found = fd;
    }
    ::closedir(d);
    return found;
}

// A listening socket's effective backlog: Linux reports sk_max_ack_backlog in tcpi_sacked for a
// listener (what `ss -l` shows as Send-Q).
int effective_backlog(int listener) {
    tcp_info info{};
    socklen_t len = sizeof info;
    if (::getsockopt(listener, IPPROTO_TCP, TCP_INFO, &info, &len) != 0) return -1;
    return static_cast<int>(info.tcpi_sacked);
}

int kernel_somaxconn() {
    std::ifstream in("/proc/sys/net/core/somaxconn");
    int n = -1;
    in >> n;
    return n;
}

}  // namespace

class ServerBacklog : public IoTest {};

TEST_F(ServerBacklog, TheDefaultBacklogIsSomaxconnAsTheKernelCapsIt) {
    int cap = kernel_somaxconn();
    if (cap <= 0) GTEST_SKIP() << "no /proc/sys/net/core/somaxconn";
    EXPECT_EQ(aio::ServerOptions{}.backlog, SOMAXCONN);
    auto body = [&]() -> aio::Coro<int> {
        auto server = co_await aio::create_server(make_idle, "127.0.0.1", 0);
        int backlog = effective_backlog(listening_fd_for(server->sockets().at(0)));
        server->close();
        co_await server->wait_closed();
        co_return backlog;
    };
    EXPECT_EQ(run(body()), std::min(SOMAXCONN, cap));
}

TEST_F(ServerBacklog, AnExplicitBacklogIsStillPassedToListen) {
    auto body = [&]() -> aio::Coro<int> {
        aio::ServerOptions options;
        options.backlog = 7;
        auto server = co_await aio::create_server(make_idle, "127.0.0.1", 0, options);
        int backlog = effective_backlog(listening_fd_for(server->sockets().at(0)));
        server->close();
        co_await server->wait_closed();
        co_return backlog;
    };
    EXPECT_EQ(run(body()), 7);
}

TEST_F(ServerBacklog, ABurstFarBeyondAsynciosHundredCompletesInTheKernelWithNobodyAccepting) {
    // With a backlog of 100, the kernel queues 101 connections and drops the other clients' SYNs
    // while nobody accepts: they would still be connecting at the deadline.
    constexpr int kClients = 300;
    if (kernel_somaxconn() <= kClients) GTEST_SKIP() << "net.core.somaxconn caps the backlog below the burst";
    auto body = [&]() -> aio::Coro<int> {
        aio::ServerOptions options;
        options.start_serving = false;  // nothing accepts: every connection waits in the queue
        auto server = co_await aio::create_server(make_idle, "127.0.0.1", 0, options);
        auto addr = server->sockets().at(0);
        std::vector<int> clients;
        for (int i = 0; i < kClients; ++i) {
            int s = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
            ::connect(s, addr.data(), addr.size());  // EINPROGRESS; the kernel completes it
            clients.push_back(s);
        }
        // Wait (bounded) until each is writable, i.e. connected or failed.
        std::vector<pollfd> pending;
        for (int s : clients) pending.push_back({s, POLLOUT, 0});
        int connected = 0;
        auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (!pending.empty() && std::chrono::steady_clock::now() < deadline) {
            if (::poll(pending.data(), pending.size(), 100) <= 0) continue;
            std::vector<pollfd> still;
            for (const auto& p : pending) {
                if (p.revents == 0) {
                    still.push_back({p.fd, POLLOUT, 0});
                    continue;
                }
                int err = 0;
                socklen_t len = sizeof err;
                ::getsockopt(p.fd, SOL_SOCKET, SO_ERROR, &err, &len);
                if (err == 0) ++connected;
            }
            pending = std::move(still);
        }
        for (int s : clients) ::close(s);
        server->close();
        co_await server->wait_closed();
        co_return connected;
    };
    EXPECT_EQ(run(body()), kClients);
}
