#include "io/socket_ops.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/stat.h>

#include <csignal>
#include <mutex>

#include "sys/errors.hpp"
#include "sys/syscall.hpp"

namespace aio::io {

sys::Fd open_socket(int family, int type, int proto) {
    sys::Fd fd(sys::above_stdio(::socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, proto)));
    if (!fd) sys::raise_os_error(errno, "socket");
    return fd;
}

void make_nonblocking(int fd) {
    int fl = ::fcntl(fd, F_GETFL);
    if (fl < 0 || ::fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) sys::raise_os_error(errno, "fcntl(O_NONBLOCK)");
    int fdfl = ::fcntl(fd, F_GETFD);
    if (fdfl < 0 || ::fcntl(fd, F_SETFD, fdfl | FD_CLOEXEC) < 0) sys::raise_os_error(errno, "fcntl(FD_CLOEXEC)");
}

void set_nodelay(int fd) noexcept {
    int one = 1;
    (void)::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);  // fails for non-TCP: fine
}

SocketAddress local_address(int fd) noexcept {
    SocketAddress a;
    socklen_t len = SocketAddress::capacity();
    if (::getsockname(fd, a.data(), &len) < 0) return {};
    a.set_size(len);
    return a;
}

SocketAddress peer_address(int fd) noexcept {
    SocketAddress a;
    socklen_t len = SocketAddress::capacity();
    if (::getpeername(fd, a.data(), &len) < 0) return {};
    a.set_size(len);
    return a;
}

bool is_socket(int fd) noexcept {
    struct stat st {};
    return ::fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode);
}

void ignore_sigpipe() noexcept {
    static std::once_flag once;
    std::call_once(once, [] {
        struct sigaction old {};
        if (::sigaction(SIGPIPE, nullptr, &old) == 0 && old.sa_handler == SIG_DFL &&
            !(old.sa_flags & SA_SIGINFO)) {
            struct sigaction ign {};
            ign.sa_handler = SIG_IGN;
            ::sigaction(SIGPIPE, &ign, nullptr);
        }
    });
}

void bind_to(int fd, const SocketAddress& addr) {
    if (::bind(fd, addr.data(), addr.size()) < 0)
        sys::raise_os_error(errno, "bind(" + addr.to_string() + ")");
}

}  // namespace aio::io
