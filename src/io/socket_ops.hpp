#pragma once
// Socket syscalls the I/O layer shares: every fd is created non-blocking and close-on-exec.

#include <sys/socket.h>

#include <string>

#include "aio/io/address.hpp"
#include "sys/syscall.hpp"

namespace aio::io {

/// socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, proto); throws OSError.
sys::Fd open_socket(int family, int type, int proto = 0);
/// Makes an fd the user handed in non-blocking and close-on-exec; throws OSError.
void make_nonblocking(int fd);
/// TCP_NODELAY on for TCP sockets (asyncio does it for every TCP transport); ignores others.
void set_nodelay(int fd) noexcept;
/// getsockname / getpeername; an empty address on failure.
SocketAddress local_address(int fd) noexcept;
SocketAddress peer_address(int fd) noexcept;
/// True if `fd` is a socket.
bool is_socket(int fd) noexcept;
/// SIGPIPE would kill the process on a write to a closed pipe (sockets use MSG_NOSIGNAL): ignore
/// it, once, unless the program installed a handler of its own (Python ignores it at start-up).
void ignore_sigpipe() noexcept;
/// Binds `fd` to `addr`; throws OSError with the address in the message.
void bind_to(int fd, const SocketAddress& addr);

}  // namespace aio::io
