#pragma once
/// Awaitable socket calls on a raw non-blocking socket fd: asyncio's loop.sock_accept,
/// sock_connect, sock_recv, sock_recv_into, sock_sendall, sock_recvfrom, sock_sendto.
/// Each tries the syscall first and parks the task on EAGAIN; cancelling one leaves no
/// registration behind and, for receives, consumes nothing.
///
/// ```
/// auto [conn, peer] = co_await aio::sock_accept(listen_fd);
/// std::string data = co_await aio::sock_recv(conn, 4096);
/// co_await aio::sock_sendall(conn, data);
/// ```
/// The fds stay the caller's: these functions never close them. A blocking fd is a ValueError
/// (as in asyncio), since the call would stall the loop.

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "aio/core/coro.hpp"
#include "aio/io/address.hpp"

namespace aio {

/// Accepts a connection; returns the new (non-blocking, close-on-exec) fd, owned by the caller,
/// and the peer's address.
Coro<std::pair<int, SocketAddress>> sock_accept(int fd);
/// Connects `fd` to `addr`. Throws ConnectionRefusedError and the rest of the OSError family.
Coro<void> sock_connect(int fd, SocketAddress addr);
/// Up to `n` bytes; "" at EOF.
Coro<std::string> sock_recv(int fd, std::size_t n);
/// Reads into `buf`; returns the count (0 at EOF). `buf` must stay valid until the await ends.
Coro<std::size_t> sock_recv_into(int fd, std::span<char> buf);
/// Sends all of `data` (which must stay valid until the await ends).
Coro<void> sock_sendall(int fd, std::string_view data);
/// One datagram of up to `n` bytes and its sender.
Coro<std::pair<std::string, SocketAddress>> sock_recvfrom(int fd, std::size_t n);
/// Sends one datagram to `addr`; returns the bytes sent.
Coro<std::size_t> sock_sendto(int fd, std::string_view data, SocketAddress addr);

}  // namespace aio
