#pragma once
// The client's side of one connection: a BufferedProtocol whose read buffer the response parser
// and the body decoder read in place (fill_buf/consume), and an awaitable "more bytes arrived".

#include <cstddef>
#include <exception>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "aio/core/clock.hpp"
#include "aio/core/coro.hpp"
#include "aio/http/connector.hpp"
#include "aio/http/parser.hpp"
#include "aio/io/protocol.hpp"
#include "aio/io/transport.hpp"
#include "aio/sync/event.hpp"

namespace aio::http::detail {

class ClientProtocol final : public BufferedProtocol {
public:
    ClientProtocol() = default;
    ~ClientProtocol() override;

    // ---- the transport's side ----
    void connection_made(Transport& t) override { transport_ = &t; }
    std::span<char> get_buffer(std::size_t sizehint) override;
    void buffer_updated(std::size_t nbytes) override;
    bool eof_received() override;
    void connection_lost(std::exception_ptr exc) override;

    // ---- the reader's side ----
    /// The bytes received and not consumed yet: valid until the next wait_more().
    std::string_view unread() const noexcept { return {buf_.get() + rd_, wr_ - rd_}; }
    void consume(std::size_t n) noexcept;
    /// Waits until more bytes arrive or the connection ends, until `deadline` at the latest
    /// (then aio::TimeoutError). Returns at once if that already happened since the last call.
    Coro<void> wait_more(std::optional<TimePoint> deadline);
    /// While true, the buffer's bytes do not move (a response head is being parsed from them);
    /// if they must (the head outgrew the buffer), moved() says so and the parse starts over.
    void pin(bool on) noexcept {
        pinned_ = on;
        moved_ = false;
    }
    bool moved() const noexcept { return moved_; }
    /// The peer sent EOF or the connection was lost.
    bool at_eof() const noexcept { return eof_ || lost_; }
    bool lost() const noexcept { return lost_; }
    std::exception_ptr error() const noexcept { return error_; }
    /// Bytes received since reset_received(): 0 means the server answered nothing yet.
    std::size_t received() const noexcept { return received_; }
    void reset_received() noexcept { received_ = 0; }
    /// Idle and usable for another request: open, no EOF, nothing buffered.
    bool reusable() const noexcept { return !lost_ && !eof_ && transport_ && !transport_->is_closing() && rd_ == wr_; }
    /// Frees the read buffer (an idle connection holds none).
    void drop_buffer() noexcept;

    Transport* transport() const noexcept { return transport_; }
    ResponseParser& parser() noexcept { return parser_; }

private:
    void wake() noexcept { more_.set(); }

    Transport* transport_ = nullptr;
    std::unique_ptr<char[]> buf_;
    std::size_t cap_ = 0;
    std::size_t rd_ = 0;  // first unconsumed byte
    std::size_t wr_ = 0;  // end of the received bytes
    std::size_t received_ = 0;
    bool pinned_ = false;
    bool moved_ = false;
    bool paused_ = false;
    bool eof_ = false;
    bool lost_ = false;
    std::exception_ptr error_;
    aio::Event more_;
    ResponseParser parser_;
};

/// One pooled connection.
struct Connection {
    std::shared_ptr<Transport> transport;
    std::shared_ptr<ClientProtocol> protocol;
    std::string key;
    TimePoint idle_since{};
    /// It has carried a response before: a failure before the first byte may just mean the
    /// server closed it while idle, so an idempotent request is retried once.
    bool reused = false;

    Connection() = default;
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;
    ~Connection() { close(); }
    void close() noexcept;
};

/// What a request asks of the connector.
struct ConnectParams {
    std::optional<TimePoint> deadline;      // the request's total deadline
    std::optional<Duration> connect;        // waiting for a permit plus connecting
    std::optional<Duration> sock_connect;   // one connect
    std::shared_ptr<SSLContext> ssl;        // null: the connector's
    bool verify_ssl = true;
};

/// A connection lent to one request, with its permits. Destroyed without release(true), it closes
/// the connection; either way the permits go back.
class Lease {
public:
    Lease() = default;
    Lease(std::shared_ptr<ConnectorImpl> pool, std::shared_ptr<Connection> conn) noexcept
        : pool_(std::move(pool)), conn_(std::move(conn)) {}
    Lease(Lease&& o) noexcept = default;
    Lease& operator=(Lease&& o) noexcept {
        if (this != &o) {
            release(false);
            pool_ = std::move(o.pool_);
            conn_ = std::move(o.conn_);
        }
        return *this;
    }
    ~Lease() { release(false); }

    explicit operator bool() const noexcept { return bool(conn_); }
    Connection& connection() const noexcept { return *conn_; }
    ClientProtocol& protocol() const noexcept { return *conn_->protocol; }
    /// Gives the connection back: to the pool if `reusable` (and it is), else closed.
    void release(bool reusable) noexcept;
    /// What an upgraded connection (101) leaves behind when it leaves the pool for good.
    struct Detached {
        std::shared_ptr<Transport> transport;
        std::string tail;  // received after the response head
    };
    /// Takes the connection out of the pool, open (its permits go back): the caller owns the
    /// transport and sets its own protocol on it. Empty if the lease holds none.
    Detached detach() noexcept;

private:
    std::shared_ptr<ConnectorImpl> pool_;
    std::shared_ptr<Connection> conn_;
};

}  // namespace aio::http::detail
