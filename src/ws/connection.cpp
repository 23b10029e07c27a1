#include "ws/connection.hpp"

#include <algorithm>

#include "aio/core/event_loop.hpp"
#include "aio/core/exceptions.hpp"
#include "aio/core/os_errors.hpp"
#include "aio/time/wait_for.hpp"

namespace aio::ws::detail {

namespace {

ReaderOptions reader_options(const Config& c) {
    ReaderOptions o;
    o.role = c.role;
    o.max_msg_size = c.max_msg_size;
    o.deflate = c.deflate;
    return o;
}

WriterOptions writer_options(const Config& c) {
    WriterOptions o;
    o.role = c.role;
    o.deflate = c.deflate;
    return o;
}

// After both close frames the client leaves closing TCP to the server (RFC 6455 7.1.1), but
// only for a moment: a server that never closes does not hold the client's socket.
constexpr Duration kClientWaitForFin = std::chrono::seconds(1);

[[noreturn]] void throw_not_open() { throw ConnectionResetError(ECONNRESET, "the WebSocket is closing or closed"); }

}  // namespace

Connection::Connection(Config config)
    : config_(std::move(config)),
      loop_(&get_running_loop()),
      reader_(reader_options(config_)),
      writer_(writer_options(config_)) {
    writable_.set();
}

Connection::~Connection() { cancel_timers(); }

void Connection::start(std::shared_ptr<Transport> transport, std::string_view tail) {
    transport_ = std::move(transport);
    transport_->set_protocol(shared_from_this());
    last_rx_ = loop_->time();
    if (config_.heartbeat) arm_heartbeat();
    if (!tail.empty()) data_received(tail);
    if (transport_ && !read_paused_ && !transport_->is_closing()) transport_->resume_reading();
}

// ---- reading ----------------------------------------------------------------------------------

void Connection::data_received(std::string_view data) {
    if (state_ == State::closed || reader_.failed() || reader_.closed()) return;
    if (config_.heartbeat) last_rx_ = loop_->time();
    std::exception_ptr fault;
    std::uint16_t code = 0;
    try {
        reader_.feed(data);
    } catch (const WebSocketError& e) {
        fault = std::current_exception();
        code = e.code();
    }
    // The messages before a fault are handed out first.
    while (state_ != State::closed) {
        std::optional<WSMessage> msg = reader_.next();
        if (!msg) break;
        handle(std::move(*msg));
    }
    if (fault && state_ != State::closed) fail(code, fault);
}

void Connection::handle(WSMessage msg) {
    switch (msg.type) {
    case WSMsgType::ping:
        if (config_.autoping) {
            if (state_ == State::open) {
                writer_.pong(out_, msg.data);
                send_raw();
            }
            return;
        }
        break;
    case WSMsgType::pong:
        if (pong_wanted_) {
            pong_wanted_ = false;
            pong_timer_.cancel();
        }
        if (config_.autoping) return;
        break;
    case WSMsgType::close:
        on_peer_close(std::move(msg));
        return;
    default:
        // Data after our close frame is dropped: the user asked to stop (aiohttp does the same).
        if (close_started_) return;
        break;
    }
    enqueue(std::move(msg));
}

void Connection::on_peer_close(WSMessage msg) {
    peer_closed_ = true;
    close_code_ = msg.close_code;
    if (close_started_) {
        // The answer to our close: the handshake is complete.
        finish_close();
        return;
    }
    if (config_.autoclose) {
        // Echo the peer's code (RFC 6455 5.5.1); a close without one is answered without one.
        if (is_valid_close_code(msg.close_code))
            writer_.close(out_, msg.close_code, {});
        else
            writer_.close_empty(out_);
        send_raw();
        close_started_ = true;
        enqueue(std::move(msg));
        finish_close();
        return;
    }
    // autoclose off: the user answers with close(); until then receive() says closing.
    state_ = State::closing;
    enqueue(std::move(msg));
}

void Connection::fail(std::uint16_t code, std::exception_ptr why) {
    // RFC 6455 7.1.7, "Fail the WebSocket Connection": send the close frame with the reason,
    // then close TCP without waiting for an answer (the peer's framing can no longer be trusted).
    exception_ = why;
    close_code_ = code;
    error_pending_ = true;
    if (!close_started_ && !lost_) {
        try {
            writer_.close(out_, code, {});
        } catch (...) {
            out_.clear();
            writer_.close_empty(out_);
        }
        send_raw();
        close_started_ = true;
    }
    state_ = State::closed;
    cancel_timers();
    wake_.set();
    if (transport_) transport_->close();
}

void Connection::enqueue(WSMessage msg) {
    queued_bytes_ += msg.data.size();
    queue_.push_back(std::move(msg));
    wake_.set();
    if (!read_paused_ && queued_bytes_ > config_.max_queue && transport_ && !lost_) {
        read_paused_ = true;
        transport_->pause_reading();
    }
}

void Connection::maybe_resume_reading() noexcept {
    if (read_paused_ && queued_bytes_ <= config_.max_queue / 2) {
        read_paused_ = false;
        if (transport_ && !lost_) transport_->resume_reading();
    }
}

bool Connection::eof_received() {
    // The peer is done sending: without its close frame the connection ended abnormally.
    wake_.set();
    return false;
}

void Connection::connection_lost(std::exception_ptr exc) {
    lost_ = true;
    if (state_ != State::closed) {
        if (!peer_closed_ || !close_started_) {
            if (!close_code_ || !peer_closed_) close_code_ = static_cast<std::uint16_t>(WSCloseCode::abnormal_closure);
            if (exc && !exception_) {
                exception_ = exc;
                error_pending_ = true;
            }
        }
        state_ = State::closed;
    }
    cancel_timers();
    transport_ = nullptr;  // breaks the transport -> protocol -> transport cycle
    writable_.set();
    wake_.set();
    lost_event_.set();
}

// ---- closing ----------------------------------------------------------------------------------

bool Connection::start_close(std::uint16_t code, std::string_view reason) {
    if (close_started_ || is_closed()) return false;
    if (!is_valid_close_code(code)) throw ValueError("invalid WebSocket close code " + std::to_string(code));
    writer_.close(out_, code, reason);  // ValueError for a reason over 123 bytes: nothing sent
    send_raw();
    close_started_ = true;
    if (peer_closed_) {
        // The peer closed first and autoclose was off: this is the answer.
        finish_close();
        return true;
    }
    if (!close_code_) close_code_ = code;
    state_ = State::closing;
    arm_close_timer(config_.close_timeout);
    wake_.set();
    return true;
}

void Connection::finish_close() noexcept {
    state_ = State::closed;
    close_timer_.cancel();
    heartbeat_timer_.cancel();
    pong_timer_.cancel();
    wake_.set();
    if (!transport_) return;
    if (config_.role == Role::server) {
        transport_->close();  // the server closes TCP first (RFC 6455 7.1.1)
    } else {
        arm_close_timer(std::min(config_.close_timeout, kClientWaitForFin));
    }
}

void Connection::abort() noexcept {
    if (state_ != State::closed) {
        if (!close_code_ || !peer_closed_) close_code_ = static_cast<std::uint16_t>(WSCloseCode::abnormal_closure);
        state_ = State::closed;
    }
    cancel_timers();
    wake_.set();
    if (transport_) transport_->abort();
}

void Connection::drop() noexcept {
    if (lost_) return;
    if (state_ == State::closed) {
        // A client whose close handshake is done waits a moment for the server's FIN (RFC 6455
        // 7.1.1); once its handle is gone nobody is waiting, so the socket goes now.
        cancel_timers();
        if (transport_) transport_->close();
        return;
    }
    if (!close_started_ && transport_) {
        try {
            writer_.close(out_, WSCloseCode::going_away, {});
        } catch (...) {
            out_.clear();
        }
        send_raw();
        close_started_ = true;
    }
    if (!close_code_) close_code_ = static_cast<std::uint16_t>(WSCloseCode::abnormal_closure);
    state_ = State::closed;
    cancel_timers();
    wake_.set();
    if (transport_) transport_->close();
}

void Connection::arm_close_timer(Duration d) {
    close_timer_.cancel();
    std::weak_ptr<Connection> weak = weak_from_this();
    close_timer_ = loop_->call_later(d, [weak] {
        auto self = weak.lock();
        if (!self || self->lost_) return;
        if (self->state_ != State::closed) {
            // The peer never answered our close frame (aiohttp: 1006 and a TimeoutError).
            self->close_code_ = static_cast<std::uint16_t>(WSCloseCode::abnormal_closure);
            if (!self->exception_) self->exception_ = std::make_exception_ptr(TimeoutError());
        }
        self->abort();
    });
}

Coro<void> Connection::wait_lost() {
    while (!lost_) {
        lost_event_.clear();
        co_await lost_event_.wait();
    }
}

// ---- the heartbeat ----------------------------------------------------------------------------

void Connection::arm_heartbeat() {
    std::weak_ptr<Connection> weak = weak_from_this();
    heartbeat_timer_ = loop_->call_at(last_rx_ + *config_.heartbeat, [weak] {
        if (auto self = weak.lock()) self->on_heartbeat();
    });
}

void Connection::on_heartbeat() {
    if (state_ != State::open || lost_) return;
    TimePoint now = loop_->time();
    if (now - last_rx_ < *config_.heartbeat) {
        // Something arrived since: the peer is alive; ping a heartbeat after it.
        arm_heartbeat();
        return;
    }
    writer_.ping(out_);
    send_raw();
    if (!pong_wanted_) {
        pong_wanted_ = true;
        std::weak_ptr<Connection> weak = weak_from_this();
        pong_timer_ = loop_->call_later(*config_.heartbeat / 2, [weak] {
            if (auto self = weak.lock()) self->on_pong_timeout();
        });
    }
    last_rx_ = now;  // the next ping a heartbeat from now, unless a pong resets it
    arm_heartbeat();
}

void Connection::on_pong_timeout() {
    if (!pong_wanted_ || is_closed()) return;
    // No pong within half a heartbeat (aiohttp 3.9): 1006, a TimeoutError, the TCP connection
    // closed; a waiting receive() gets the error.
    close_code_ = static_cast<std::uint16_t>(WSCloseCode::abnormal_closure);
    exception_ = std::make_exception_ptr(TimeoutError("no pong within half the heartbeat"));
    error_pending_ = true;
    state_ = State::closed;
    cancel_timers();
    wake_.set();
    if (transport_) transport_->close();
}

void Connection::cancel_timers() noexcept {
    close_timer_.cancel();
    heartbeat_timer_.cancel();
    pong_timer_.cancel();
}

// ---- writing ----------------------------------------------------------------------------------

void Connection::send_raw() noexcept {
    if (transport_ && !lost_ && !out_.empty()) transport_->write(out_);
    out_.clear();
}

void Connection::write_message(Kind kind, std::string_view data, bool compress) {
    if (state_ != State::open || close_started_ || lost_ || !transport_) throw_not_open();
    out_.clear();
    try {
        switch (kind) {
        case Kind::text:
            writer_.text(out_, data, compress);
            break;
        case Kind::binary:
            writer_.binary(out_, data, compress);
            break;
        case Kind::ping:
            writer_.ping(out_, data);
            break;
        case Kind::pong:
            writer_.pong(out_, data);
            break;
        }
    } catch (...) {
        out_.clear();
        throw;
    }
    send_raw();
    // A big frame leaves a big buffer: do not keep it for an idle connection.
    if (out_.capacity() > 64 * 1024) std::string().swap(out_);
}

void Connection::pause_writing() {
    write_paused_ = true;
    writable_.clear();
}

void Connection::resume_writing() {
    write_paused_ = false;
    writable_.set();
}

Coro<void> Connection::drain() {
    while (write_paused_ && !lost_) co_await writable_.wait();
    if (lost_) throw_not_open();
}

// ---- receiving --------------------------------------------------------------------------------

Coro<WSMessage> Connection::receive(std::optional<Duration> timeout) {
    if (receiving_) throw RuntimeError("Concurrent call to receive() is not allowed");
    receiving_ = true;
    struct Done {
        bool& flag;
        ~Done() { flag = false; }
    } done{receiving_};
    if (!timeout) timeout = config_.receive_timeout;
    std::optional<TimePoint> deadline;
    if (timeout) deadline = loop_->time() + *timeout;
    for (;;) {
        if (!queue_.empty()) {
            WSMessage msg = queue_.pop_front();
            queued_bytes_ -= msg.data.size();
            maybe_resume_reading();
            co_return msg;
        }
        if (error_pending_) {
            error_pending_ = false;
            WSMessage msg;
            msg.type = WSMsgType::error;
            msg.exception = exception_;
            msg.close_code = close_code_.value_or(0);
            msg.extra = describe_exception(exception_);
            co_return msg;
        }
        // Closed means the TCP connection too: a client waits (a second at most) for the
        // server's FIN, so that a program ending at `closed` leaves no socket behind.
        if (lost_) co_return WSMessage{};
        if (state_ != State::closed && (state_ == State::closing || close_started_)) {
            WSMessage msg;
            msg.type = WSMsgType::closing;
            co_return msg;
        }
        wake_.clear();
        if (deadline) {
            std::optional<Duration> left = *deadline - loop_->time();
            co_await wait_for(wake_.wait(), left);
        } else {
            co_await wake_.wait();
        }
    }
}

}  // namespace aio::ws::detail
