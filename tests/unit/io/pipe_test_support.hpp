#pragma once
// Helpers for the pipe and stdin tests: a real loop (pipes are real), fd counting, pipes.

#include <gtest/gtest.h>

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <string>
#include <utility>

#include "aio/core/event_loop.hpp"
#include "aio/core/task.hpp"

namespace aio_pipe_test {

inline int count_open_fds() {
    int n = 0;
    DIR* d = ::opendir("/proc/self/fd");
    while (dirent* e = ::readdir(d))
        if (e->d_name[0] != '.') ++n;
    ::closedir(d);
    return n - 1;  // the DIR's own descriptor
}

inline bool fd_is_open(int fd) { return ::fcntl(fd, F_GETFD) >= 0; }

/// {read end, write end}, close-on-exec, blocking.
inline std::pair<int, int> make_pipe() {
    int fds[2];
    EXPECT_EQ(::pipe2(fds, O_CLOEXEC), 0);
    return {fds[0], fds[1]};
}

/// A file under /tmp holding `content`, opened for reading; unlinked at once.
inline int temp_file_with(const std::string& content) {
    char path[] = "/tmp/aio_pipe_test_XXXXXX";
    int fd = ::mkstemp(path);
    EXPECT_GE(fd, 0);
    ::unlink(path);
    std::size_t off = 0;
    while (off < content.size()) {
        ssize_t n = ::write(fd, content.data() + off, content.size() - off);
        if (n <= 0) break;
        off += static_cast<std::size_t>(n);
    }
    ::lseek(fd, 0, SEEK_SET);
    return fd;
}

/// A real loop; the default executor and anything else per loop is shut down at the end, and
/// no descriptor may be left open by the test.
class PipeTest : public ::testing::Test {
protected:
    void TearDown() override {
        loop.run_shutdown_hooks();
        EXPECT_TRUE(loop.all_tasks().empty());
        EXPECT_EQ(count_open_fds(), fds_before_) << "the test leaked file descriptors";
        loop.close();
    }
    template <class T>
    T run(aio::Coro<T> c) {
        return loop.run_until_complete(std::move(c));
    }
    aio::EventLoop loop;
    int fds_before_ = count_open_fds();  // after the loop's own descriptors
};

}  // namespace aio_pipe_test
