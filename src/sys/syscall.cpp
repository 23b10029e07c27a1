#include "sys/syscall.hpp"

#include <fcntl.h>

namespace aio::sys {

int above_stdio(int fd) noexcept {
    if (fd < 0 || fd > STDERR_FILENO) return fd;
    int moved = ::fcntl(fd, F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
    int err = errno;
    ::close(fd);
    errno = err;
    return moved;
}

int pipe2_above_stdio(int fds[2], int flags) noexcept {
    int raw[2];
    if (::pipe2(raw, flags) != 0) return -1;
    int r = above_stdio(raw[0]);
    if (r < 0) {
        int err = errno;
        ::close(raw[1]);
        errno = err;
        return -1;
    }
    int w = above_stdio(raw[1]);
    if (w < 0) {
        int err = errno;
        ::close(r);
        errno = err;
        return -1;
    }
    fds[0] = r;
    fds[1] = w;
    return 0;
}

}  // namespace aio::sys
