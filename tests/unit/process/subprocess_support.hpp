#pragma once
// Helpers for the subprocess tests: a real loop, and checks that a test leaves no descriptor,
// no zombie and no watcher behind.

#include <gtest/gtest.h>

#include <dirent.h>
#include <sys/wait.h>

#include <cerrno>
#include <utility>

#include "aio/core/event_loop.hpp"
#include "aio/core/task.hpp"
#include "io/fd_wait.hpp"

namespace aio_process_test {

inline int count_open_fds() {
    int n = 0;
    DIR* d = ::opendir("/proc/self/fd");
    while (dirent* e = ::readdir(d))
        if (e->d_name[0] != '.') ++n;
    ::closedir(d);
    return n - 1;  // the DIR's own descriptor
}

/// True if `pid` was reaped (is no child of ours any more). Does not reap it.
inline bool reaped(pid_t pid) {
    siginfo_t info{};
    return ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) < 0 && errno == ECHILD;
}

class SubprocessTest : public ::testing::Test {
protected:
    void TearDown() override {
        // A few iterations for transports closing on a later iteration.
        for (int i = 0; i < 3; ++i) {
            loop.stop();
            loop.run_forever();
        }
        EXPECT_EQ(watched(), watched_before_) << "the test left a watcher registered";
        loop.run_shutdown_hooks();
        EXPECT_TRUE(loop.all_tasks().empty());
        EXPECT_EQ(count_open_fds(), fds_before_) << "the test leaked file descriptors";
        siginfo_t info{};
        EXPECT_TRUE(::waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) < 0 && errno == ECHILD)
            << "the test left a child process (zombie or running): pid " << info.si_pid;
        loop.close();
    }
    template <class T>
    T run(aio::Coro<T> c) {
        return loop.run_until_complete(std::move(c));
    }
    std::size_t watched() { return aio::io::backend_of(loop).watched(); }

    aio::EventLoop loop;
    int fds_before_ = count_open_fds();  // after the loop's own descriptors
    std::size_t watched_before_ = watched();
};

}  // namespace aio_process_test
