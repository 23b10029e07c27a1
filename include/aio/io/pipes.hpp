#pragma once
/// Pipes and stdin: asyncio's loop.connect_read_pipe / loop.connect_write_pipe, stream helpers on
/// top of them, and standard input as an async stream of lines (the asyncio
/// recipe `stream_as_generator(loop, sys.stdin)`).
///
/// ```
/// auto lines = aio::stdin_lines();                    // async for line in stream_as_generator(loop, sys.stdin):
/// while (auto line = co_await lines.next())           //     print(line)
///     std::cout << *line << "\n";
///
/// struct Sink : aio::Protocol { ... };
/// auto [transport, protocol] = co_await aio::connect_read_pipe([] { return std::make_shared<Sink>(); }, fd);
/// ```
///
/// **Ownership of the descriptor.** asyncio's connect_*_pipe take a pipe object, and closing the
/// transport closes it. aio takes the descriptor itself: from the moment the returned coroutine
/// starts, the transport owns `fd` and closes it when it is closed (also when connecting fails).
/// Pass `dup(fd)` to keep your own. The descriptor is made non-blocking and close-on-exec; for
/// a pipe, O_NONBLOCK belongs to the open file, so it is shared with every dup of it.
/// stdin_reader() avoids that for stdin (see there).
///
/// **What can be connected.** Pipes (FIFOs), sockets and character devices such as ttys, as in
/// asyncio, are watched on the loop. Descriptors that epoll cannot watch — regular files, and
/// devices such as /dev/null — work too, unlike in asyncio: a read transport reads them in the
/// loop's default executor (one blocking read() at a time, 64 KiB each, honouring
/// pause_reading()), and a write transport writes them directly (a regular file never says
/// EAGAIN). So `prog < file` and `prog > file` behave as `cat file | prog` and `prog | cat > file`.

#include <cstddef>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>

#include "aio/core/coro.hpp"
#include "aio/gen/async_generator.hpp"
#include "aio/io/protocol.hpp"
#include "aio/io/streams.hpp"
#include "aio/io/transport.hpp"

namespace aio {

namespace detail {
Coro<std::shared_ptr<Transport>> connect_read_pipe_impl(std::shared_ptr<Protocol> protocol, int fd);
Coro<std::shared_ptr<Transport>> connect_write_pipe_impl(std::shared_ptr<BaseProtocol> protocol, int fd);
template <class Factory>
using pipe_protocol_t = typename std::invoke_result_t<Factory&>::element_type;
}  // namespace detail

/// Connects the read end of a pipe (or a socket, a tty, a regular file) to `factory()`'s
/// protocol: data_received() as bytes arrive, eof_received() and connection_lost(nullptr) at EOF.
/// Returns when connection_made() has run. The transport owns `fd` (see above).
///
/// Throws OSError if `fd` is not open, IsADirectoryError if it is a directory; what
/// connection_made() throws.
/// Cancel safety: cancelled before connection_made() ran, the transport is closed (and `fd`).
template <class Factory, class P = detail::pipe_protocol_t<Factory>>
Coro<std::pair<std::shared_ptr<ReadTransport>, std::shared_ptr<P>>> connect_read_pipe(Factory factory, int fd) {
    static_assert(std::is_base_of_v<Protocol, P>, "the factory must return std::shared_ptr<a Protocol subclass>");
    std::shared_ptr<P> protocol = factory();
    std::shared_ptr<Transport> t = co_await detail::connect_read_pipe_impl(protocol, fd);
    co_return std::pair<std::shared_ptr<ReadTransport>, std::shared_ptr<P>>{std::move(t), std::move(protocol)};
}

/// Connects the write end of a pipe (or a socket, a tty, a regular file) to `factory()`'s
/// protocol (any BaseProtocol: pause_writing/resume_writing and connection_lost are what a write
/// pipe calls). When the reader goes away, connection_lost() gets BrokenPipeError if bytes were
/// still buffered, null otherwise. write_eof() is close() after the buffer is flushed.
template <class Factory, class P = detail::pipe_protocol_t<Factory>>
Coro<std::pair<std::shared_ptr<WriteTransport>, std::shared_ptr<P>>> connect_write_pipe(Factory factory, int fd) {
    static_assert(std::is_base_of_v<BaseProtocol, P>, "the factory must return std::shared_ptr<a protocol>");
    std::shared_ptr<P> protocol = factory();
    std::shared_ptr<Transport> t = co_await detail::connect_write_pipe_impl(protocol, fd);
    co_return std::pair<std::shared_ptr<WriteTransport>, std::shared_ptr<P>>{std::move(t), std::move(protocol)};
}

/// A StreamReader over the read end `fd` (connect_read_pipe with a StreamReaderProtocol, what
/// asyncio code writes by hand). The transport owns `fd`.
Coro<StreamReader> open_read_pipe(int fd, std::size_t limit = StreamReader::kDefaultLimit);

/// A StreamWriter over the write end `fd`: write(), drain() with back-pressure, close() (which
/// the reader sees as EOF), wait_closed(). The transport owns `fd`.
Coro<StreamWriter> open_write_pipe(int fd);

/// Standard input as a StreamReader. Reads a private descriptor for stdin: for a pipe or a tty,
/// /proc/self/fd/0 is opened again, so O_NONBLOCK is set on a new open file and the terminal or
/// the shell's pipe is left blocking for everyone else (asyncio sets it on the shared one);
/// otherwise a dup of 0. Descriptor 0 itself stays open. Works with a regular file or /dev/null
/// as stdin (read in the default executor). Each call makes a new reader: call it once.
///
/// Throws, before reading anything, OSError (EBADF) if stdin is closed ("stdin is closed: Bad
/// file descriptor", for `prog <&-`) or open for writing only, and IsADirectoryError (EISDIR)
/// if it is a directory ("stdin: Is a directory", for `prog < /`).
Coro<StreamReader> stdin_reader(std::size_t limit = StreamReader::kDefaultLimit);

/// `reader`'s lines, without their "\n" (keepends: with it), the last one even without a
/// newline; ends at EOF. A line longer than the reader's limit throws ValueError from next().
AsyncGenerator<std::string> lines_of(StreamReader reader, bool keepends = false);

/// Standard input line by line: `lines_of(co_await stdin_reader())`. The first next() throws
/// what stdin_reader() throws.
///
/// ```
/// auto lines = aio::stdin_lines();
/// while (auto line = co_await lines.next()) process(*line);
/// ```
AsyncGenerator<std::string> stdin_lines(bool keepends = false);

}  // namespace aio
