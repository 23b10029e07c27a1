#pragma once
// One WebSocket connection's protocol state: the Protocol set on the transport after the
// handshake. Frames are decoded in data_received (MessageReader), control frames handled there
// (autoping, autoclose, heartbeat pongs), data messages queued for receive(). The close handshake
// and the heartbeat are timers, so nothing needs the user's task to make progress.
//
// States: open -> closing (our close frame sent, waiting for the peer's; or the peer's received
// with autoclose off, waiting for close()) -> closed (both close frames seen, or the connection
// failed). `lost_` is separate: the TCP connection itself ended (connection_lost ran).

#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "aio/core/clock.hpp"
#include "aio/core/coro.hpp"
#include "aio/core/handle.hpp"
#include "aio/io/protocol.hpp"
#include "aio/io/transport.hpp"
#include "aio/sync/event.hpp"
#include "aio/ws/deflate.hpp"
#include "aio/ws/frame.hpp"
#include "aio/ws/message.hpp"
#include "aio/ws/message_reader.hpp"
#include "aio/ws/message_writer.hpp"

namespace aio::ws::detail {

/// What a connection runs with, once the handshake is over.
struct Config {
    Role role = Role::server;
    Duration close_timeout = std::chrono::seconds(10);
    std::optional<Duration> receive_timeout;
    bool autoclose = true;
    bool autoping = true;
    std::optional<Duration> heartbeat;
    std::size_t max_msg_size = default_max_msg_size;
    std::size_t max_queue = 1024 * 1024;
    std::optional<DeflateParams> deflate;
    std::string protocol;
};

/// The settings both sides share, from WSOptions (server) or WSConnectOptions (client), whose
/// members of these names mean the same; the close timeout has a different name in each.
template <class Options>
Config make_config(Role role, const Options& options, Duration close_timeout, std::optional<DeflateParams> deflate,
                   std::string protocol) {
    Config config;
    config.role = role;
    config.close_timeout = close_timeout;
    config.receive_timeout = options.receive_timeout;
    config.autoclose = options.autoclose;
    config.autoping = options.autoping;
    config.heartbeat = options.heartbeat;
    config.max_msg_size = options.max_msg_size;
    config.max_queue = options.max_queue;
    config.deflate = deflate;
    config.protocol = std::move(protocol);
    return config;
}

class Connection final : public Protocol, public std::enable_shared_from_this<Connection> {
public:
    explicit Connection(Config config);
    ~Connection() override;

    /// Sets this protocol on `transport`, feeds it `tail` (the bytes that came after the
    /// handshake's head) and resumes reading.
    void start(std::shared_ptr<Transport> transport, std::string_view tail);

    // ---- the transport's side ----
    void data_received(std::string_view data) override;
    bool eof_received() override;
    void connection_lost(std::exception_ptr exc) override;
    void pause_writing() override;
    void resume_writing() override;

    // ---- the WebSocket's side ----
    enum class Kind : std::uint8_t { text, binary, ping, pong };
    /// Frames and queues one message on the transport now (whole). ConnectionResetError when
    /// the connection is not open.
    void write_message(Kind kind, std::string_view data, bool compress);
    /// Waits while the transport's buffer is over its high-water mark.
    Coro<void> drain();
    Coro<WSMessage> receive(std::optional<Duration> timeout);
    /// Starts our side of the close (no-op if already started); true if this call started it.
    bool start_close(std::uint16_t code, std::string_view reason);
    /// Waits until the TCP connection has ended.
    Coro<void> wait_lost();
    /// Ends the connection now, without a close handshake (1006).
    void abort() noexcept;
    /// The last handle went away with the connection open: a close frame (1001, going away) is
    /// sent and TCP closed once it is flushed, without waiting for the peer's answer.
    void drop() noexcept;

    bool is_closed() const noexcept { return state_ == State::closed || lost_; }
    /// aiohttp's `closed`: true once our close started or the connection ended.
    bool closed_flag() const noexcept { return close_started_ || is_closed(); }
    std::optional<std::uint16_t> close_code() const noexcept { return close_code_; }
    std::exception_ptr exception() const noexcept { return exception_; }
    const Config& config() const noexcept { return config_; }
    std::shared_ptr<Transport> transport() const noexcept { return transport_; }
    EventLoop& loop() const noexcept { return *loop_; }

private:
    enum class State : std::uint8_t { open, closing, closed };

    void handle(WSMessage msg);
    void on_peer_close(WSMessage msg);
    void fail(std::uint16_t code, std::exception_ptr why);
    void enqueue(WSMessage msg);
    void finish_close() noexcept;
    void send_raw() noexcept;
    void arm_close_timer(Duration d);
    void arm_heartbeat();
    void on_heartbeat();
    void on_pong_timeout();
    void cancel_timers() noexcept;
    void maybe_resume_reading() noexcept;

    Config config_;
    EventLoop* loop_;
    MessageReader reader_;
    MessageWriter writer_;
    std::shared_ptr<Transport> transport_;  // null once lost
    std::string out_;                       // frames being written, reused

    State state_ = State::open;
    bool close_started_ = false;  // our close frame was sent
    bool peer_closed_ = false;    // the peer's close frame was read
    bool lost_ = false;
    bool write_paused_ = false;
    bool read_paused_ = false;
    bool receiving_ = false;  // a receive() is waiting
    bool error_pending_ = false;  // an error message waits for receive() at the queue's end
    std::optional<std::uint16_t> close_code_;
    std::exception_ptr exception_;

    MessageFifo queue_;
    std::size_t queued_bytes_ = 0;
    Event wake_;      // a message was queued, or the state changed
    Event writable_;  // set while the write buffer is under its high-water mark
    Event lost_event_;

    TimerHandle close_timer_;
    TimerHandle heartbeat_timer_;
    TimerHandle pong_timer_;
    bool pong_wanted_ = false;
    TimePoint last_rx_{};
};

}  // namespace aio::ws::detail
