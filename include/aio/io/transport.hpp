#pragma once
/// Transports — asyncio's BaseTransport, ReadTransport, WriteTransport, Transport and
/// DatagramTransport: the connection as seen by a protocol. Made by create_connection,
/// create_server, create_unix_connection, connect_read_pipe, start_tls and friends; always held
/// by std::shared_ptr.
///
/// Writes never block: what the OS does not take at once is buffered, and the protocol's
/// pause_writing()/resume_writing() tell when the buffer crosses the water marks (defaults: high
/// 64 KiB, low 16 KiB, as asyncio).

#include <any>
#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "aio/io/address.hpp"
#include "aio/io/protocol.hpp"

namespace aio {

class BaseTransport : public std::enable_shared_from_this<BaseTransport> {
public:
    virtual ~BaseTransport() = default;
    /// Closes the transport: stops reading at once, sends what is buffered, then closes and calls
    /// connection_lost(nullptr) on a later loop iteration. Idempotent.
    virtual void close() = 0;
    /// True once close() or abort() was called or the connection was lost.
    virtual bool is_closing() const noexcept = 0;
    /// asyncio's get_extra_info(name): "peername" and "sockname" (SocketAddress), "socket" (int,
    /// the fd), "pipe" (int), and for TLS "ssl_object" (SSL*), "peercert" (std::string, PEM),
    /// "cipher" (std::string), "ssl_version" (std::string), "sslcontext". An empty std::any for
    /// names the transport does not know.
    virtual std::any get_extra_info(std::string_view name) const = 0;
    /// The protocol the transport calls.
    virtual std::shared_ptr<BaseProtocol> get_protocol() const = 0;
    /// Switches protocols (asyncio's set_protocol); the new one gets no connection_made().
    virtual void set_protocol(std::shared_ptr<BaseProtocol> protocol) = 0;
};

class ReadTransport : public virtual BaseTransport {
public:
    virtual bool is_reading() const noexcept = 0;
    /// Stops calling data_received() until resume_reading(). Idempotent.
    virtual void pause_reading() = 0;
    virtual void resume_reading() = 0;
};

class WriteTransport : public virtual BaseTransport {
public:
    /// Sends `data`, buffering what the OS does not take now. After close() or when the
    /// connection is lost, writes are dropped (asyncio logs a warning after a few; so does aio).
    virtual void write(std::string_view data) = 0;
    /// Sends the pieces in order (one syscall when it can).
    virtual void writelines(std::span<const std::string_view> pieces);
    /// Closes the sending side once the buffer is flushed (shutdown(SHUT_WR)); reading goes on.
    virtual void write_eof() = 0;
    virtual bool can_write_eof() const noexcept = 0;
    /// Closes at once: drops the buffer, calls connection_lost(nullptr) on a later iteration.
    virtual void abort() = 0;
    /// Bytes waiting in the write buffer.
    virtual std::size_t get_write_buffer_size() const noexcept = 0;
    /// Sets the water marks (asyncio: high 64 KiB, low = high / 4). low <= high, else ValueError.
    virtual void set_write_buffer_limits(std::size_t high, std::size_t low) = 0;
    /// Sets high and derives low = high / 4.
    void set_write_buffer_limits(std::size_t high) { set_write_buffer_limits(high, high / 4); }
    virtual std::pair<std::size_t, std::size_t> get_write_buffer_limits() const noexcept = 0;
};

/// A bidirectional stream transport (asyncio.Transport).
class Transport : public ReadTransport, public WriteTransport {};

/// A datagram endpoint (asyncio.DatagramTransport).
class DatagramTransport : public virtual BaseTransport {
public:
    /// Sends one datagram to `addr` (or to the connected peer if `addr` is empty). Never blocks:
    /// datagrams the OS does not take now are queued.
    virtual void sendto(std::string_view data, const SocketAddress& addr = {}) = 0;
    virtual void abort() = 0;
    virtual std::size_t get_write_buffer_size() const noexcept = 0;
};

}  // namespace aio
