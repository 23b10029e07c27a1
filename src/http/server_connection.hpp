#pragma once
// The server's per-connection protocol (aiohttp's RequestHandler) and the state its connections
// share. Private to src/http.
//
// One task per connection runs the requests in order: it waits for a parsed head, runs the
// handler, writes the response, then parses whatever is already buffered (pipelining). The
// protocol callbacks only fill the buffer, parse heads, and wake that task.
//
// The read buffer: [0, start_) dead, [start_, start_ + head_size_) the current head (pinned while
// its Request lives: the Request's views point there), [head end, body_pos_) body bytes already
// handed out, [body_pos_, len_) not yet consumed (body, then pipelined requests). It comes from
// the server's pool when bytes arrive and goes back when the connection is idle and empty.

#include <cstdint>
#include <exception>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "aio/core/event_loop.hpp"
#include "aio/core/handle.hpp"
#include "aio/core/task.hpp"
#include "aio/http/parser.hpp"
#include "aio/http/request.hpp"
#include "aio/http/response.hpp"
#include "aio/http/server.hpp"
#include "aio/sync/event.hpp"

namespace aio::http::detail {

class ServerConnection;

/// What the server and all its connections share; each connection holds it, so a connection
/// that outlives its Server object still finds it.
class ServerState {
public:
    ServerState(Handler h, ServerOptions o, EventLoop& loop);
    ~ServerState();

    Handler handler;
    ServerOptions options;
    EventLoop* loop;
    std::vector<ServerConnection*> connections;  // each knows its index
    bool shutting_down = false;
    /// The loop's time at the last sweep (or the first connection): what the connections stamp
    /// their phases with, so a request reads no clock. Late by at most one sweep interval, so a
    /// timeout fires at most that much early (a quarter of the shortest timeout).
    TimePoint now{};
    std::uint64_t requests = 0;
    Event all_closed;  // set when `connections` becomes empty

    void add(ServerConnection* c);
    void remove(ServerConnection* c) noexcept;

    static constexpr std::size_t kBufferSize = 16 * 1024;
    char* take_buffer();
    void give_buffer(char* b) noexcept;

    /// "Date: ...\r\nServer: ...\r\n", formatted again by the sweep (at least once a second)
    /// when the second changed, as aiohttp does: a response reads no clock.
    std::string_view date_and_server() const noexcept { return date_fields_; }
    /// Scratch space for a response head: the transport copies what it does not send at once.
    std::string head;
    /// The same as raw memory of at least `size` bytes, for the hot path.
    char* head_buffer(std::size_t size) {
        if (size > head_cap_) {
            head_buf_ = std::make_unique<char[]>(size);
            head_cap_ = size;
        }
        return head_buf_.get();
    }

private:
    void arm_sweep();
    void refresh_date();
    void sweep() noexcept;

    std::vector<char*> free_buffers_;
    std::unique_ptr<char[]> head_buf_;
    std::size_t head_cap_ = 0;
    std::string date_fields_;
    std::int64_t date_second_ = -1;
    TimerHandle sweep_;
    bool sweep_armed_ = false;
    Duration sweep_interval_;
};

class ServerConnection final : public BufferedProtocol, public std::enable_shared_from_this<ServerConnection> {
public:
    explicit ServerConnection(std::shared_ptr<ServerState> state);
    ~ServerConnection() override;

    // ---- the protocol ----
    void connection_made(Transport& t) override;
    std::span<char> get_buffer(std::size_t sizehint) override;
    void buffer_updated(std::size_t n) override;
    bool eof_received() override;
    void connection_lost(std::exception_ptr exc) override;
    void pause_writing() override { write_paused_ = true; }
    void resume_writing() override;

    // ---- for Request, BodyStream and StreamResponse ----
    /// Appends up to `max` body bytes to `out`; false at the end of the body.
    Coro<bool> read_body(std::string& out, std::size_t max);
    Coro<std::string> read_whole(bool limited);
    bool body_done() const noexcept { return carry_.empty() && body_.done(); }
    std::uint64_t client_max_size() const noexcept { return state_->options.client_max_size; }
    TakenOver take_over();
    Transport& transport() const noexcept { return *transport_; }
    bool has_transport() const noexcept { return transport_ != nullptr; }
    void start_stream(StreamResponse& s, Request& req, std::string_view head);
    Coro<void> write_chunk(std::string_view framing, std::string_view data, std::string_view tail);
    Coro<void> drain();
    void finish_stream(bool complete) noexcept;
    bool response_started() const noexcept { return response_started_; }
    const RequestHead& head() const noexcept { return parser_.head(); }
    void append_common_fields(std::string& out, bool keep_alive);
    /// Whether the connection may carry another request after this one's response.
    bool will_keep_alive() const noexcept;

    /// Called by the sweep with the loop's time: enforces the timeouts.
    void check_timeouts(TimePoint now) noexcept;
    /// Shutdown: close now if no request is in progress.
    void close_if_idle() noexcept;
    /// Shutdown, after the grace: drop the connection and cancel its handler.
    void abort() noexcept;
    std::size_t index = 0;

private:
    enum class Phase : std::uint8_t { idle, head, ready, handler, closing, taken };

    Coro<void> run(std::shared_ptr<ServerConnection> self);
    Coro<void> serve_one();
    void answer_failure(const std::exception_ptr& failure);
    Coro<void> wait_wake();
    void write_response(Response& resp);
    void write_error(int status, std::string_view detail) noexcept;
    void parse_head();
    void next_request();
    void close() noexcept;
    void maybe_send_continue();
    void release_buffer_if_empty() noexcept;
    void compact() noexcept;
    void maybe_pause_reading() noexcept;
    void maybe_resume_reading() noexcept;
    void finished() noexcept;
    Coro<void> discard_body();

    std::shared_ptr<ServerState> state_;
    Transport* transport_ = nullptr;
    RequestParser parser_;
    BodyDecoder body_;
    Task<void> task_;
    Event wake_;
    std::string carry_;  // body bytes decoded beyond what a read() asked for
    // An upgrade request's head, moved out of buf_ before the handler sees it: a websocket lives
    // for hours, and would otherwise pin a 16 KiB buffer for a few hundred bytes of head.
    std::unique_ptr<char[]> upgrade_head_;
    char* buf_ = nullptr;
    std::size_t cap_ = 0;
    std::size_t start_ = 0;
    std::size_t len_ = 0;
    std::size_t head_size_ = 0;
    std::size_t body_pos_ = 0;
    TimePoint since_{};  // idle: since when; head: its first byte; waiting for body: since when
    Phase phase_ = Phase::idle;
    bool lost_ = false;
    bool eof_ = false;
    bool reading_paused_ = false;
    bool write_paused_ = false;
    bool waiting_body_ = false;
    bool body_timed_out_ = false;
    bool response_started_ = false;
    bool stream_complete_ = false;
    bool sent_continue_ = false;
    bool must_close_ = false;
    bool task_done_ = false;
    bool registered_ = false;
};

/// The status line's reason for `status`, with the HTTP/1.1 prefix: "HTTP/1.1 200 OK\r\n".
void append_status_line(std::string& out, int status, std::string_view reason);

}  // namespace aio::http::detail
