#pragma once
// Shared helpers for tests on a real loop (pipes, child processes, signals): a count of this
// process's open descriptors, and a fixture that owns the loop and fails the test if it leaves a
// task pending or a descriptor open.

#include <dirent.h>
#include <gtest/gtest.h>

#include <utility>

#include "aio/core/event_loop.hpp"
#include "aio/core/task.hpp"

namespace aio_test {

/// Open file descriptors of this process.
inline int count_open_fds() {
    int n = 0;
    if (DIR* d = ::opendir("/proc/self/fd")) {
        while (auto* e = ::readdir(d))
            if (e->d_name[0] != '.') ++n;
        ::closedir(d);
        --n;  // the DIR's own fd
    }
    return n;
}

/// A test with its own EventLoop on the real clock. At the end the loop's shutdown hooks run
/// (the default executor is joined), then no task may be pending and no descriptor opened since
/// the loop was made may be open; then the loop is closed.
class RealLoopTest : public ::testing::Test {
protected:
    void TearDown() override {
        expect_nothing_left();
        loop.close();
    }
    /// The checks TearDown() makes before it closes the loop, for fixtures that check more.
    void expect_nothing_left() {
        loop.run_shutdown_hooks();
        EXPECT_TRUE(loop.all_tasks().empty());
        EXPECT_EQ(count_open_fds(), fds_before_) << "the test leaked file descriptors";
    }
    template <class T>
    T run(aio::Coro<T> c) {
        return loop.run_until_complete(std::move(c));
    }

    aio::EventLoop loop;
    int fds_before_ = count_open_fds();  // after the loop's own descriptors
};

}  // namespace aio_test
