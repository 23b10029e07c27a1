#pragma once
/// Streams — asyncio's high-level connection API: StreamReader, StreamWriter, open_connection,
/// start_server and their Unix twins.
///
/// ```
/// aio::Coro<> handle(aio::StreamReader reader, aio::StreamWriter writer) {   // async def handle(reader, writer):
///     std::string line = co_await reader.readline();                      //     line = await reader.readline()
///     writer.write(line);                                                  //     writer.write(line)
///     co_await writer.drain();                                             //     await writer.drain()
///     writer.close();                                                      //     writer.close()
///     co_await writer.wait_closed();                                       //     await writer.wait_closed()
/// }
/// auto server = co_await aio::start_server(handle, "127.0.0.1", 8888);
/// auto [reader, writer] = co_await aio::open_connection("127.0.0.1", 8888);
/// ```
///
/// StreamReader and StreamWriter are cheap handles: copies share one stream. When the last
/// StreamWriter handle of a connection is gone, the connection is closed (what Python's garbage
/// collector does for a forgotten writer). Only one task may wait on a reader at a time
/// (RuntimeError otherwise, as asyncio). Every read is cancellation-safe: a cancelled read
/// consumes nothing, so the bytes are there for the next one.

#include <any>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include "aio/core/coro.hpp"
#include "aio/io/options.hpp"
#include "aio/io/tls.hpp"
#include "aio/io/transport.hpp"

namespace aio {

/// readexactly() or readuntil() met EOF first (asyncio.IncompleteReadError, an EOFError).
class IncompleteReadError : public std::runtime_error {
public:
    IncompleteReadError(std::string partial, std::optional<std::size_t> expected);
    /// The bytes read before EOF.
    const std::string& partial() const noexcept { return partial_; }
    /// How many bytes were expected (nullopt for readuntil).
    std::optional<std::size_t> expected() const noexcept { return expected_; }

private:
    std::string partial_;
    std::optional<std::size_t> expected_;
};

/// readuntil() found no separator within the reader's limit (asyncio.LimitOverrunError). The
/// bytes stay in the buffer; `consumed()` says how many to skip.
class LimitOverrunError : public std::runtime_error {
public:
    LimitOverrunError(const std::string& message, std::size_t consumed)
        : std::runtime_error(message), consumed_(consumed) {}
    std::size_t consumed() const noexcept { return consumed_; }

private:
    std::size_t consumed_;
};

namespace detail {
struct StreamReaderState;
struct StreamWriterState;
class StreamReaderProtocol;
}  // namespace detail

/// asyncio.StreamReader: a buffer that the connection fills and tasks read from.
class StreamReader {
public:
    /// asyncio's default limit: 64 KiB. readline()/readuntil() fail beyond it, and the
    /// transport pauses reading while more than twice the limit is buffered.
    static constexpr std::size_t kDefaultLimit = 64 * 1024;

    explicit StreamReader(std::size_t limit = kDefaultLimit);

    /// Up to `n` bytes: waits until at least one byte or EOF is there; "" at EOF. With n < 0,
    /// reads until EOF and returns everything.
    Coro<std::string> read(std::ptrdiff_t n = -1);
    /// One line including its `\n`; at EOF the partial last line (or "" when nothing is left).
    /// ValueError if the line exceeds the limit (the line is dropped, as asyncio does).
    Coro<std::string> readline();
    /// Exactly `n` bytes; IncompleteReadError if EOF comes first (the bytes are in partial()).
    Coro<std::string> readexactly(std::size_t n);
    /// Bytes up to and including `separator`; IncompleteReadError at EOF, LimitOverrunError when
    /// the limit is reached without finding it. ValueError for an empty separator.
    Coro<std::string> readuntil(std::string separator = "\n");

    /// True when EOF was fed and the buffer is empty.
    bool at_eof() const noexcept;
    /// The exception set by set_exception() (e.g. the connection's error), or null.
    std::exception_ptr exception() const noexcept;
    std::size_t limit() const noexcept;
    /// Bytes buffered and not yet read.
    std::size_t buffered() const noexcept;

    // ---- what the protocol (or a test) feeds in ----
    void feed_data(std::string_view data);
    void feed_eof();
    void set_exception(std::exception_ptr exc);
    /// The transport to pause and resume for flow control (or null).
    void set_transport(ReadTransport* transport) noexcept;

    friend bool operator==(const StreamReader& a, const StreamReader& b) noexcept { return a.s_ == b.s_; }

private:
    friend class detail::StreamReaderProtocol;
    std::shared_ptr<detail::StreamReaderState> s_;
};

/// asyncio.StreamWriter: writes to the connection, with drain() for back-pressure.
class StreamWriter {
public:
    StreamWriter(std::shared_ptr<Transport> transport, std::shared_ptr<detail::StreamReaderProtocol> protocol,
                 std::optional<StreamReader> reader);

    /// Buffers `data` for sending (never blocks; call drain() to respect back-pressure).
    void write(std::string_view data);
    void writelines(std::span<const std::string_view> pieces);
    void write_eof();
    bool can_write_eof() const noexcept;
    /// Closes the connection once the buffer is sent. Await wait_closed() to know it is done.
    void close();
    bool is_closing() const noexcept;
    /// Waits until the write buffer is below its low-water mark. Throws the connection's error,
    /// or ConnectionResetError("Connection lost") once the connection is gone.
    Coro<void> drain();
    /// Waits until the connection is closed; throws the error it was lost with, if any.
    Coro<void> wait_closed();
    /// The transport's get_extra_info ("peername", "sockname", "socket", "peercert", ...).
    std::any get_extra_info(std::string_view name) const;
    std::shared_ptr<Transport> transport() const;
    /// Upgrades the connection to TLS (asyncio 3.11's StreamWriter.start_tls): the handshake runs,
    /// then this writer and its reader use the TLS transport. Throws SSLError,
    /// SSLCertVerificationError, TimeoutError (see aio/io/tls.hpp).
    ///
    /// ```
    /// writer.write("STARTTLS\r\n");  // ... read the server's go-ahead ...
    /// co_await writer.start_tls(aio::SSLContext::create_default_context(), {.server_hostname = "mail.example.org"});
    /// ```
    Coro<void> start_tls(std::shared_ptr<SSLContext> context, StartTlsOptions options);

private:
    std::shared_ptr<detail::StreamWriterState> s_;
};

using ClientConnectedCallback = std::function<Coro<void>(StreamReader, StreamWriter)>;

class Server;

/// Connects and returns the connection as a (reader, writer) pair.
Coro<std::pair<StreamReader, StreamWriter>> open_connection(std::string host, std::uint16_t port,
                                                            ConnectOptions opts = {});
/// The same over a Unix socket.
Coro<std::pair<StreamReader, StreamWriter>> open_unix_connection(std::string path, ConnectOptions opts = {});

/// Serves: `client_connected_cb(reader, writer)` runs as a new task per connection. An exception
/// escaping it is reported to the loop's exception handler and the connection is closed. The
/// callback object lives as long as the server (a capturing lambda is fine).
Coro<std::shared_ptr<Server>> start_server(ClientConnectedCallback client_connected_cb, std::string host,
                                           std::uint16_t port, ServerOptions opts = {});
Coro<std::shared_ptr<Server>> start_unix_server(ClientConnectedCallback client_connected_cb, std::string path,
                                                ServerOptions opts = {});

}  // namespace aio
