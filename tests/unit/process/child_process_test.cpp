// The process core (spawn, pidfd watch, reaping) without the pipes: see subprocess_*_test.cpp for
// the public API.

#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>

#include <cerrno>
#include <memory>

#include "aio/core/os_errors.hpp"
#include "aio/core/run.hpp"
#include "aio/time/wait_for.hpp"
#include "process/child_process.hpp"

using namespace std::chrono_literals;

TEST(ChildProcess, SpawnsWaitsAndReportsTheExitStatus) {
    aio::EventLoop loop;
    auto body = [&]() -> aio::Coro<int> {
        aio::process::ParentPipes pipes;
        auto child = aio::process::ChildProcess::spawn(loop, {"sh", "-c", "exit 7"}, {}, pipes);
        co_return co_await aio::wait_for(child->wait(), 10s);
    };
    EXPECT_EQ(loop.run_until_complete(body()), 7);
    loop.run_shutdown_hooks();
}

TEST(ChildProcess, AMissingProgramIsFileNotFoundError) {
    aio::EventLoop loop;
    aio::process::ParentPipes pipes;
    EXPECT_THROW(aio::process::ChildProcess::spawn(loop, {"/nonexistent/prog"}, {}, pipes),
                 aio::FileNotFoundError);
    EXPECT_THROW(aio::process::ChildProcess::spawn(loop, {"no-such-program-aio"}, {}, pipes),
                 aio::FileNotFoundError);
    loop.run_shutdown_hooks();
}

TEST(ChildProcess, ALoopClosedWithoutShutdownKillsAndReapsItsRunningChildren) {
    pid_t pid = -1;
    std::shared_ptr<aio::process::ChildProcess> child;
    {
        aio::EventLoop loop;
        auto body = [&]() -> aio::Coro<void> {
            aio::process::ParentPipes pipes;
            child = aio::process::ChildProcess::spawn(loop, {"sleep", "1000"}, {}, pipes);
            pid = child->pid();
            co_return;
        };
        loop.run_until_complete(body());
        EXPECT_FALSE(child->returncode());
    }  // no run_shutdown_hooks(): close() kills the child and reaps it
    ASSERT_TRUE(child->returncode());
    EXPECT_EQ(*child->returncode(), -SIGKILL);
    errno = 0;
    EXPECT_EQ(::waitpid(pid, nullptr, WNOHANG), -1);  // no zombie left: already reaped
    EXPECT_EQ(errno, ECHILD);
    // The handle outlives its loop, and knows the child is gone.
    EXPECT_THROW(child->send_signal(SIGTERM), aio::ProcessLookupError);
}
