#pragma once
// Helpers for the pipe and stdin tests: pipes, temporary files, and the real-loop fixture (pipes
// are real).

#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include <string>
#include <utility>

#include "support/real_loop_fixture.hpp"

namespace aio_pipe_test {

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
using PipeTest = aio_test::RealLoopTest;

}  // namespace aio_pipe_test
