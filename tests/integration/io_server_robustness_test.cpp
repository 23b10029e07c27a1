// A server under pressure: out of file descriptors while accepting, and 10,000 connections at once.

#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "io/fd_wait.hpp"
#include "support/io_fixture.hpp"

using namespace aio_io_test;

#if defined(__SANITIZE_ADDRESS__)
#define AIO_TEST_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define AIO_TEST_UNDER_ASAN 1
#endif
#endif

namespace {

struct CountingEcho : aio::Protocol {
    aio::Transport* t = nullptr;
    static inline int made = 0;
    static inline int lost = 0;
    void connection_made(aio::Transport& tr) override {
        t = &tr;
        ++made;
    }
    void data_received(std::string_view d) override { t->write(d); }
    void connection_lost(std::exception_ptr) override { ++lost; }
};

}  // namespace

class ServerRobustness : public IoTest {};

TEST_F(ServerRobustness, RunningOutOfDescriptorsBacksOffInsteadOfSpinningAndRecovers) {
#ifdef AIO_TEST_UNDER_ASAN
    // UBSan's vptr check probes memory through a pipe(); with every descriptor taken it reports
    // each virtual call as "invalid vptr". The debug and TSan builds run this test.
    GTEST_SKIP() << "sanitizer runtimes need free file descriptors";
#endif
    CountingEcho::made = CountingEcho::lost = 0;
    aio::Event reported;
    loop.set_exception_handler([&](aio::EventLoop&, const aio::ExceptionContext& ctx) {
        reports.handler()(loop, ctx);
        reported.set();
    });
    auto body = [&]() -> aio::Coro<void> {
        auto server = co_await aio::create_server([] { return std::make_shared<CountingEcho>(); }, "127.0.0.1", 0);
        auto addr = server->sockets().at(0);
        int client = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        ::connect(client, addr.data(), addr.size());  // completes in the kernel's backlog
        // Use up every descriptor the process may have.
        std::vector<int> hog;
        for (;;) {
            int fd = ::dup(client);
            if (fd < 0) break;
            hog.push_back(fd);
        }
        EXPECT_EQ(errno, EMFILE);
        std::size_t watched_before = watched();
        co_await reported.wait();
        EXPECT_EQ(reports.count_containing("out of system resource"), 1u) << reports.describe();
        // The listener is off the epoll set while it backs off: the loop cannot spin on it.
        EXPECT_EQ(watched(), watched_before - 1);
        EXPECT_EQ(CountingEcho::made, 0);
        for (int fd : hog) ::close(fd);
        // Within a second the server accepts again and serves the waiting client.
        while (CountingEcho::made == 0) co_await aio::sleep(10ms);
        ::send(client, "ping", 4, MSG_NOSIGNAL);
        co_await aio::io::FdWait(client, aio::backend::Interest::readable);
        char buf[8];
        EXPECT_EQ(::recv(client, buf, sizeof buf, 0), 4);
        ::close(client);
        while (CountingEcho::lost == 0) co_await aio::sleep(1ms);
        server->close();
        co_await server->wait_closed();
    };
    run(body());
    reports.clear();
}

TEST_F(ServerRobustness, TenThousandConcurrentConnectionsAreAllServed) {
    constexpr int kConnections = 10000;
    rlimit rl{};
    ::getrlimit(RLIMIT_NOFILE, &rl);
    if (rl.rlim_max < kConnections + 100) GTEST_SKIP() << "RLIMIT_NOFILE hard limit " << rl.rlim_max << " is too low";
    rlimit raised = rl;
    raised.rlim_cur = rl.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &raised);
    CountingEcho::made = CountingEcho::lost = 0;

    auto body = [&]() -> aio::Coro<void> {
        auto server = co_await aio::create_server([] { return std::make_shared<CountingEcho>(); }, "127.0.0.1", 0,
                                                  {.backlog = 4096});
        auto addr = server->sockets().at(0);
        // The clients live in a child process: both ends in one process would need 20,000 fds.
        std::vector<int> fds(kConnections, -1);
        pid_t pid = ::fork();
        if (pid == 0) {
            int ok = 0;
            for (int i = 0; i < kConnections; ++i) {
                fds[i] = ::socket(AF_INET, SOCK_STREAM, 0);
                if (fds[i] < 0 || ::connect(fds[i], addr.data(), addr.size()) < 0) ::_exit(2);
            }
            // Every connection is open now; each does one round trip.
            for (int i = 0; i < kConnections; ++i) {
                char c = static_cast<char>('a' + i % 26), back = 0;
                if (::send(fds[i], &c, 1, 0) == 1 && ::recv(fds[i], &back, 1, 0) == 1 && back == c) ++ok;
            }
            ::_exit(ok == kConnections ? 0 : 3);
        }
        EXPECT_GT(pid, 0);
        int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
        EXPECT_GE(pidfd, 0);
        co_await aio::io::FdWait(pidfd, aio::backend::Interest::readable, "child");
        int status = 0;
        ::waitpid(pid, &status, 0);
        ::close(pidfd);
        EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "client child status " << status;
        EXPECT_EQ(CountingEcho::made, kConnections);
        while (CountingEcho::lost < kConnections) co_await aio::sleep(1ms);
        server->close();
        co_await server->wait_closed();
    };
    run(body());
    ::setrlimit(RLIMIT_NOFILE, &rl);
}
