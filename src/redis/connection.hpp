#pragma once
// One socket to a Redis server, RESP in and out: connect, AUTH/HELLO, SELECT; write a command;
// read the next reply. The client, its blocking pool and each pub/sub generator own one each.

#include <memory>
#include <string>
#include <string_view>

#include "aio/core/coro.hpp"
#include "aio/io/streams.hpp"
#include "aio/redis/config.hpp"
#include "aio/redis/reply.hpp"
#include "aio/redis/resp_parser.hpp"

namespace aio::redis::detail {

class Connection {
public:
    /// Connects and runs the handshake, all within options.connect_timeout.
    static Coro<std::unique_ptr<Connection>> open(const ConnectionConfig& config, const ClientOptions& options);

    Connection(StreamReader reader, StreamWriter writer, std::string peer);
    ~Connection();

    /// Queues bytes on the transport (no wait: the pipeline is bounded by its pending replies).
    void write(std::string_view bytes);
    /// The next reply, error replies included. Throws aio::ConnectionError at EOF or reset,
    /// ProtocolError for malformed RESP.
    Coro<Reply> read_reply();
    void close() noexcept;
    /// HELLO (RESP3) or AUTH, then SELECT, each checked.
    Coro<void> handshake(const ConnectionConfig& config, const ClientOptions& options);
    const std::string& peer() const noexcept { return peer_; }

private:

    StreamReader reader_;
    StreamWriter writer_;
    RespParser parser_;
    std::string peer_;
    bool closed_ = false;
};

}  // namespace aio::redis::detail
