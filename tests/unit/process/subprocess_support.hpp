#pragma once
// Helpers for the subprocess tests: a real loop, and checks that a test leaves no descriptor,
// no zombie and no watcher behind.

#include <gtest/gtest.h>

#include <sys/wait.h>

#include <cerrno>
#include <cstddef>

#include "io/fd_wait.hpp"
#include "support/real_loop_fixture.hpp"

namespace aio_process_test {

/// True if `pid` was reaped (is no child of ours any more). Does not reap it.
inline bool reaped(pid_t pid) {
    siginfo_t info{};
    return ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) < 0 && errno == ECHILD;
}

/// RealLoopTest that also fails a test leaving a watcher registered or a child process behind.
class SubprocessTest : public aio_test::RealLoopTest {
protected:
    void TearDown() override {
        // A few iterations for transports closing on a later iteration.
        for (int i = 0; i < 3; ++i) {
            loop.stop();
            loop.run_forever();
        }
        EXPECT_EQ(watched(), watched_before_) << "the test left a watcher registered";
        expect_nothing_left();
        siginfo_t info{};
        EXPECT_TRUE(::waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) < 0 && errno == ECHILD)
            << "the test left a child process (zombie or running): pid " << info.si_pid;
        loop.close();
    }
    std::size_t watched() { return aio::io::backend_of(loop).watched(); }

    std::size_t watched_before_ = watched();
};

}  // namespace aio_process_test
