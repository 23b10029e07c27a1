#pragma once
/// Sending a file — asyncio's loop.sendfile(transport, file) and loop.sock_sendfile(sock, file):
/// the kernel copies the file to the socket with sendfile(2), no bytes pass through user space.
/// Where sendfile(2) cannot be used (a TLS transport, a file it refuses) and `fallback` is true,
/// the file is read in 256 KiB blocks on the default executor and written with flow control.
///
/// ```
/// int file = ::open("report.pdf", O_RDONLY | O_CLOEXEC);
/// std::size_t sent = co_await aio::sendfile(*writer.transport(), file);  // the whole file
/// sent = co_await aio::sendfile(*transport, file, 4096, 1000);           // bytes 4096..5095
/// ```
///
/// The file is an open file descriptor, which aio does not close. `offset` is where sending
/// starts; the descriptor's own position is ignored, then set after the last byte sent (as
/// asyncio seeks the file object). `count` bytes are sent, or the file up to its end when none.
/// Both return the number of bytes sent. While a transport sends a file, its reading is paused
/// and write() raises RuntimeError; close() waits for the file as for buffered bytes.

#include <cstddef>
#include <cstdint>
#include <optional>

#include "aio/core/coro.hpp"
#include "aio/core/exceptions.hpp"
#include "aio/io/transport.hpp"

namespace aio {

/// sendfile(2) cannot send this file on this socket (asyncio.SendfileNotAvailableError).
class SendfileNotAvailableError : public RuntimeError {
public:
    using RuntimeError::RuntimeError;
};

/// Sends the file over a stream transport (asyncio's loop.sendfile). Raises RuntimeError if the
/// transport is closing, ValueError for a zero count, SendfileNotAvailableError (fallback=false)
/// when the kernel path cannot be used, and the transport's connection error if it is lost.
Coro<std::size_t> sendfile(Transport& transport, int file_fd, std::uint64_t offset = 0,
                           std::optional<std::size_t> count = std::nullopt, bool fallback = true);

/// Sends the file on a connected, non-blocking SOCK_STREAM socket (asyncio's loop.sock_sendfile).
Coro<std::size_t> sock_sendfile(int sock, int file_fd, std::uint64_t offset = 0,
                                std::optional<std::size_t> count = std::nullopt, bool fallback = true);

}  // namespace aio
