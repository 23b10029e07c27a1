#pragma once
/// Protocols — asyncio's callback-level API (asyncio.Protocol, DatagramProtocol): the transport
/// calls them as bytes arrive and the connection changes state. The fastest way to write a server.
///
/// ```
/// struct Echo : aio::Protocol {
///     aio::Transport* t = nullptr;
///     void connection_made(aio::Transport& tr) override { t = &tr; }
///     void data_received(std::string_view data) override { t->write(data); }
/// };
/// auto server = co_await aio::create_server([] { return std::make_shared<Echo>(); }, "127.0.0.1", 8888);
/// ```
///
/// Lifetime: the transport passed to connection_made() stays valid until connection_lost() has
/// returned; keep a pointer to it, not an owning reference. The transport owns its protocol.
/// Callbacks run on the loop thread; an exception thrown from one reaches the loop's exception
/// handler and the connection is aborted (asyncio does the same for a failing data_received).

#include <cstddef>
#include <exception>
#include <span>
#include <string_view>

#include "aio/io/address.hpp"

namespace aio {

class BaseTransport;
class Transport;
class DatagramTransport;

/// What every protocol receives (asyncio.BaseProtocol).
class BaseProtocol {
public:
    virtual ~BaseProtocol() = default;
    /// What a transport calls when the connection is up: each kind of protocol passes it on to
    /// its typed connection_made() (Protocol: Transport&, DatagramProtocol: DatagramTransport&).
    virtual void deliver_connection_made(BaseTransport& t) = 0;
    /// Called once, when the connection is closed: `exc` is null after a clean close or EOF, the
    /// error otherwise. The transport is closed by then.
    virtual void connection_lost(std::exception_ptr /*exc*/) {}
    /// The transport's write buffer went over its high-water mark: stop writing until
    /// resume_writing().
    virtual void pause_writing() {}
    /// The write buffer drained to its low-water mark.
    virtual void resume_writing() {}
};

/// A stream protocol (asyncio.Protocol).
class Protocol : public BaseProtocol {
public:
    void deliver_connection_made(BaseTransport& t) final;
    /// Called once, with the stream transport, when the connection is up.
    virtual void connection_made(Transport&) {}
    /// Bytes arrived. `data` is valid only during the call: copy what you keep.
    virtual void data_received(std::string_view data) = 0;
    /// The peer closed its sending side. Return true to keep the connection open for writing
    /// (half-close); false (the default) closes the transport.
    virtual bool eof_received() { return false; }
};

/// A stream protocol that lends the transport its own buffer (asyncio.BufferedProtocol): a socket
/// transport reads straight into the buffer get_buffer() returns, so no bytes are copied between
/// the kernel and the protocol's memory. Transports that produce bytes themselves (TLS, a regular
/// file on stdin) copy them into that buffer, as asyncio does.
///
/// ```
/// struct Counter : aio::BufferedProtocol {
///     std::array<char, 64 * 1024> buf;
///     std::size_t total = 0;
///     std::span<char> get_buffer(std::size_t) override { return buf; }
///     void buffer_updated(std::size_t n) override { total += n; }
/// };
/// ```
///
/// It is a Protocol (so every factory and transport that takes a Protocol takes it), whose
/// data_received() is final and feeds get_buffer()/buffer_updated().
class BufferedProtocol : public Protocol {
public:
    /// A buffer for the next read: at least 1 byte. `sizehint` is the recommended minimum size,
    /// 0 when any size will do; a smaller or larger buffer is fine. An empty buffer is a
    /// RuntimeError that aborts the connection, as is an exception thrown from here.
    virtual std::span<char> get_buffer(std::size_t sizehint) = 0;
    /// The first `nbytes` bytes of the buffer the last get_buffer() returned were written.
    virtual void buffer_updated(std::size_t nbytes) = 0;
    /// Copies `data` through get_buffer()/buffer_updated(), as many times as the buffers need.
    void data_received(std::string_view data) final;
};

/// A datagram protocol (asyncio.DatagramProtocol).
class DatagramProtocol : public BaseProtocol {
public:
    void deliver_connection_made(BaseTransport& t) final;
    /// Called once, with the datagram transport, when the endpoint is ready.
    virtual void connection_made(DatagramTransport&) {}
    /// A datagram arrived from `addr`. `data` is valid only during the call.
    virtual void datagram_received(std::string_view data, const SocketAddress& addr) = 0;
    /// A send or receive failed (for example, ICMP port unreachable shows up as
    /// ConnectionRefusedError); the endpoint stays open.
    virtual void error_received(std::exception_ptr /*exc*/) {}
};

}  // namespace aio
