// aio's own descriptors never take 0, 1 or 2: a program started with its standard streams closed
// must not find aio's epoll descriptor, a socket or a pipe where its stdin or stdout should be.
// The streams are closed in a death-test child (a fresh run of this binary), not in the runner.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <optional>

#include "aio/core/run.hpp"
#include "aio/io/server.hpp"
#include "aio/io/signals.hpp"
#include "aio/io/streams.hpp"
#include "aio/process/subprocess.hpp"
#include "aio/sync/event.hpp"
#include "sys/syscall.hpp"

namespace {

// A bit per standard number (0, 1, 2) that is open: each was closed, so an open one is aio's.
int taken_stdio_numbers() {
    int taken = 0;
    for (int fd = 0; fd < 3; ++fd)
        if (::fcntl(fd, F_GETFD) >= 0) taken |= 1 << fd;
    return taken;
}

aio::Coro<int> open_one_of_each() {
    aio::EventLoop& loop = aio::get_running_loop();  // its epoll and eventfd exist by now
    aio::add_signal_handler(loop, SIGUSR1, [] {});    // the signal wake-up pipe
    aio::Event accepted;
    std::optional<aio::StreamWriter> server_side;
    auto on_client = [&](aio::StreamReader, aio::StreamWriter w) -> aio::Coro<void> {
        server_side.emplace(std::move(w));
        accepted.set();
        co_return;
    };
    auto server = co_await aio::start_server(on_client, "127.0.0.1", 0);  // a listening socket
    auto [reader, writer] = co_await aio::open_connection("127.0.0.1", server->sockets().at(0).port());
    co_await accepted.wait();  // an accepted socket
    aio::SubprocessOptions options{.stdin = aio::PIPE, .stdout = aio::PIPE};
    auto proc = co_await aio::create_subprocess_exec("true", {}, options);  // pipes and a pidfd

    int taken = taken_stdio_numbers();  // while every one of them is open

    co_await proc.communicate();
    writer.close();
    server_side->close();
    server->close();
    co_await server->wait_closed();
    aio::remove_signal_handler(loop, SIGUSR1);
    co_return taken;
}

// The child's exit status: the bits of taken_stdio_numbers(), or 100 if aio threw.
[[noreturn]] void run_with_stdio_closed() {
    for (int fd = 0; fd < 3; ++fd) ::close(fd);
    int status = 100;
    try {
        status = aio::run(open_one_of_each());
    } catch (...) {
    }
    std::_Exit(status);
}

TEST(AioDescriptors, NeverTakeZeroOneOrTwoWhenTheStandardStreamsAreClosed) {
    GTEST_FLAG_SET(death_test_style, "threadsafe");  // a fresh process: no runner threads forked
    EXPECT_EXIT(run_with_stdio_closed(), ::testing::ExitedWithCode(0), "");
}

TEST(AboveStdio, MovesALowDescriptorUpAndClosesIt) {
    int saved = ::dup(STDIN_FILENO);
    ASSERT_GE(saved, 3);
    ::close(STDIN_FILENO);
    int fd = aio::sys::above_stdio(::open("/dev/null", O_RDONLY | O_CLOEXEC));  // the kernel gives 0
    bool zero_is_closed = ::fcntl(STDIN_FILENO, F_GETFD) < 0;
    ::dup2(saved, STDIN_FILENO);
    ::close(saved);
    EXPECT_GE(fd, 3);
    EXPECT_TRUE(zero_is_closed);
    EXPECT_TRUE(::fcntl(fd, F_GETFD) & FD_CLOEXEC);
    ::close(fd);
}

TEST(AboveStdio, LeavesAHighDescriptorAndAFailureAsTheyAre) {
    int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    ASSERT_GE(fd, 3);
    EXPECT_EQ(aio::sys::above_stdio(fd), fd);
    ::close(fd);
    errno = EINTR;
    EXPECT_EQ(aio::sys::above_stdio(-1), -1);
    EXPECT_EQ(errno, EINTR);  // retry_eintr still sees it
}

TEST(AboveStdio, APipeHasBothEndsAboveTwoWhenTheStandardStreamsAreClosed) {
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    auto child = [] {
        for (int fd = 0; fd < 3; ++fd) ::close(fd);
        int fds[2] = {-1, -1};
        int rc = aio::sys::pipe2_above_stdio(fds, O_CLOEXEC | O_NONBLOCK);
        bool ok = rc == 0 && fds[0] >= 3 && fds[1] >= 3 && taken_stdio_numbers() == 0 &&
                  (::fcntl(fds[0], F_GETFL) & O_NONBLOCK) && (::fcntl(fds[1], F_GETFD) & FD_CLOEXEC);
        std::_Exit(ok ? 0 : 1);
    };
    EXPECT_EXIT(child(), ::testing::ExitedWithCode(0), "");
}

}  // namespace
