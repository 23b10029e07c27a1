#include "aio/io/sock.hpp"

#include <fcntl.h>
#include <sys/socket.h>

#include <cerrno>

#include "aio/core/exceptions.hpp"
#include "io/fd_wait.hpp"
#include "sys/errors.hpp"
#include "sys/syscall.hpp"

namespace aio {

namespace {

void check_nonblocking(int fd, const char* what) {
    int fl = ::fcntl(fd, F_GETFL);
    if (fl < 0) sys::raise_os_error(errno, what);
    if (!(fl & O_NONBLOCK)) throw ValueError(std::string(what) + ": the socket must be non-blocking");
}

bool would_block(long r) noexcept { return r == -EAGAIN || r == -EWOULDBLOCK; }

}  // namespace

Coro<std::pair<int, SocketAddress>> sock_accept(int fd) {
    check_nonblocking(fd, "sock_accept");
    for (;;) {
        SocketAddress peer;
        socklen_t len = SocketAddress::capacity();
        long r = sys::retry_eintr([&] { return sys::above_stdio(::accept4(fd, peer.data(), &len, SOCK_NONBLOCK | SOCK_CLOEXEC)); });
        if (r >= 0) {
            peer.set_size(len);
            co_return std::pair<int, SocketAddress>{static_cast<int>(r), peer};
        }
        if (!would_block(r) && r != -ECONNABORTED) sys::raise_os_error(static_cast<int>(-r), "sock_accept");
        co_await io::FdWait(fd, backend::Interest::readable, "sock_accept");
    }
}

Coro<void> sock_connect(int fd, SocketAddress addr) {
    check_nonblocking(fd, "sock_connect");
    if (::connect(fd, addr.data(), addr.size()) == 0) co_return;
    int err = errno;
    if (err != EINPROGRESS && err != EINTR) sys::raise_os_error(err, "sock_connect(" + addr.to_string() + ")");
    co_await io::FdWait(fd, backend::Interest::writable, "sock_connect");
    socklen_t len = sizeof err;
    if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) err = errno;
    if (err != 0) sys::raise_os_error(err, "sock_connect(" + addr.to_string() + ")");
}

Coro<std::size_t> sock_recv_into(int fd, std::span<char> buf) {
    check_nonblocking(fd, "sock_recv_into");
    for (;;) {
        long r = sys::retry_eintr([&] { return ::recv(fd, buf.data(), buf.size(), 0); });
        if (r >= 0) co_return static_cast<std::size_t>(r);
        if (!would_block(r)) sys::raise_os_error(static_cast<int>(-r), "sock_recv");
        co_await io::FdWait(fd, backend::Interest::readable, "sock_recv");
    }
}

Coro<std::string> sock_recv(int fd, std::size_t n) {
    std::string out(n, '\0');
    std::size_t got = co_await sock_recv_into(fd, std::span<char>(out.data(), out.size()));
    out.resize(got);
    co_return out;
}

Coro<void> sock_sendall(int fd, std::string_view data) {
    check_nonblocking(fd, "sock_sendall");
    while (!data.empty()) {
        long r = sys::retry_eintr([&] { return ::send(fd, data.data(), data.size(), MSG_NOSIGNAL); });
        if (r >= 0) {
            data.remove_prefix(static_cast<std::size_t>(r));
            continue;
        }
        if (!would_block(r)) sys::raise_os_error(static_cast<int>(-r), "sock_sendall");
        co_await io::FdWait(fd, backend::Interest::writable, "sock_sendall");
    }
}

Coro<std::pair<std::string, SocketAddress>> sock_recvfrom(int fd, std::size_t n) {
    check_nonblocking(fd, "sock_recvfrom");
    std::string out(n, '\0');
    for (;;) {
        SocketAddress from;
        socklen_t len = SocketAddress::capacity();
        long r = sys::retry_eintr([&] { return ::recvfrom(fd, out.data(), out.size(), 0, from.data(), &len); });
        if (r >= 0) {
            from.set_size(len);
            out.resize(static_cast<std::size_t>(r));
            co_return std::pair<std::string, SocketAddress>{std::move(out), from};
        }
        if (!would_block(r)) sys::raise_os_error(static_cast<int>(-r), "sock_recvfrom");
        co_await io::FdWait(fd, backend::Interest::readable, "sock_recvfrom");
    }
}

Coro<std::size_t> sock_sendto(int fd, std::string_view data, SocketAddress addr) {
    check_nonblocking(fd, "sock_sendto");
    for (;;) {
        long r = sys::retry_eintr(
            [&] { return ::sendto(fd, data.data(), data.size(), MSG_NOSIGNAL, addr.data(), addr.size()); });
        if (r >= 0) co_return static_cast<std::size_t>(r);
        if (!would_block(r)) sys::raise_os_error(static_cast<int>(-r), "sock_sendto");
        co_await io::FdWait(fd, backend::Interest::writable, "sock_sendto");
    }
}

}  // namespace aio
