// The per-connection protocol of aio::http::Server: see server_connection.hpp for the buffer's
// layout and the task that runs the requests.

#include "server_connection.hpp"

#include <algorithm>
#include <cstring>

#include "aio/core/exceptions.hpp"
#include "aio/core/os_errors.hpp"

namespace aio::http::detail {

namespace {
// A head that does not fit the pool's buffer may grow it up to this (the parser's limits allow a
// start line of 8 KiB and a header section of 8 KiB).
constexpr std::size_t kMaxBuffer = 64 * 1024;
// Below this much free space, get_buffer() first moves the live bytes down.
constexpr std::size_t kCompactBelow = 2048;

void append_number(std::string& out, std::uint64_t v) {
    char digits[24];
    char* p = digits + sizeof digits;
    do {
        *--p = static_cast<char>('0' + v % 10);
        v /= 10;
    } while (v != 0);
    out.append(p, static_cast<std::size_t>(digits + sizeof digits - p));
}

bool has_no_body(int status) { return status < 200 || status == 204 || status == 304; }
}  // namespace

void append_status_line(std::string& out, int status, std::string_view reason) {
    if (status == 200 && reason.empty()) {
        out.append("HTTP/1.1 200 OK\r\n");
        return;
    }
    out.append("HTTP/1.1 ");
    append_number(out, static_cast<std::uint64_t>(status));
    out.push_back(' ');
    out.append(reason.empty() ? reason_phrase(status) : reason);
    out.append("\r\n");
}

ServerConnection::ServerConnection(std::shared_ptr<ServerState> state)
    : state_(std::move(state)), parser_(state_->options.limits) {}

ServerConnection::~ServerConnection() {
    if (buf_) state_->give_buffer(buf_);
    if (registered_) state_->remove(this);
}

// ---- the protocol -------------------------------------------------------------------------

void ServerConnection::connection_made(Transport& t) {
    transport_ = &t;
    state_->add(this);  // first: the first connection starts the sweep, which sets `now`
    registered_ = true;
    since_ = state_->now;
    if (state_->shutting_down) {
        task_done_ = true;  // no task: connection_lost() alone ends it
        close();
        return;
    }
    task_ = state_->loop->create_task(run(shared_from_this()), "http-connection");
}

std::span<char> ServerConnection::get_buffer(std::size_t) {
    if (!buf_) {
        buf_ = state_->take_buffer();
        cap_ = ServerState::kBufferSize;
        start_ = len_ = body_pos_ = 0;
    }
    if (cap_ - len_ < kCompactBelow) compact();
    if (len_ == cap_) {
        // Only a head can get here (body bytes pause reading when the buffer fills).
        std::size_t bigger = std::min(cap_ * 2, kMaxBuffer);
        if (bigger == cap_) bigger = cap_ + kCompactBelow;  // reading pauses after this read
        char* nb = new char[bigger];
        std::memcpy(nb, buf_, len_);
        if (cap_ == ServerState::kBufferSize)
            state_->give_buffer(buf_);
        else
            delete[] buf_;
        buf_ = nb;
        cap_ = bigger;
    }
    return {buf_ + len_, cap_ - len_};
}

void ServerConnection::compact() noexcept {
    std::size_t keep_from = 0;
    if (phase_ == Phase::handler || phase_ == Phase::ready) {
        // The head is pinned; the body bytes already handed out go.
        std::size_t head_end = start_ + head_size_;
        if (body_pos_ > head_end) {
            std::memmove(buf_ + head_end, buf_ + body_pos_, len_ - body_pos_);
            len_ -= body_pos_ - head_end;
            body_pos_ = head_end;
        }
        return;
    }
    keep_from = start_;
    if (keep_from == 0) return;
    std::memmove(buf_, buf_ + keep_from, len_ - keep_from);
    len_ -= keep_from;
    start_ = 0;
    body_pos_ = 0;
}

void ServerConnection::buffer_updated(std::size_t n) {
    len_ += n;
    switch (phase_) {
    case Phase::idle:
        phase_ = Phase::head;
        since_ = state_->now;
        [[fallthrough]];
    case Phase::head:
        parse_head();
        break;
    case Phase::handler:
    case Phase::ready:
        if (waiting_body_) wake_.set();
        maybe_pause_reading();
        break;
    case Phase::closing:
    case Phase::taken:
        len_ = start_;  // nobody reads these
        break;
    }
}

void ServerConnection::parse_head() {
    std::string_view view(buf_ + start_, len_ - start_);
    switch (parser_.parse(view)) {
    case ParseStatus::incomplete:
        if (len_ == cap_ && cap_ >= kMaxBuffer) write_error(431, "the request head is too large");
        return;
    case ParseStatus::error:
        write_error(status_of(parser_.error()), name(parser_.error()));
        return;
    case ParseStatus::complete:
        break;
    }
    head_size_ = parser_.head_size();
    body_pos_ = start_ + head_size_;
    if (parser_.head().upgrade) {
        upgrade_head_ = std::make_unique<char[]>(head_size_);
        std::memcpy(upgrade_head_.get(), buf_ + start_, head_size_);
        parser_.relocate(buf_ + start_, head_size_, upgrade_head_.get());
    }
    BodyDecoder::Options bo;
    bo.limits = state_->options.limits;
    body_ = BodyDecoder(parser_.head(), bo);
    carry_.clear();
    phase_ = Phase::ready;
    response_started_ = stream_complete_ = sent_continue_ = false;
    must_close_ = false;
    body_timed_out_ = false;
    wake_.set();
    maybe_pause_reading();
}

bool ServerConnection::eof_received() {
    eof_ = true;
    wake_.set();
    // A read cannot tell a half-close from a close: with the option, EOF under a running handler
    // counts as the client leaving (the transport closes and connection_lost() cancels it).
    if (phase_ == Phase::handler && state_->options.cancel_handler_on_disconnect && !response_started_) return false;
    // A client may half-close after its last request: keep writing until it is answered.
    return phase_ != Phase::idle && phase_ != Phase::head;
}

void ServerConnection::connection_lost(std::exception_ptr) {
    lost_ = true;
    if (phase_ != Phase::taken) {
        wake_.set();
        if (phase_ == Phase::handler && !response_started_ && state_->options.cancel_handler_on_disconnect && task_ &&
            !task_.done())
            task_.cancel("the client disconnected");
    }
    transport_ = nullptr;
    finished();
}

void ServerConnection::resume_writing() {
    write_paused_ = false;
    wake_.set();
}

void ServerConnection::maybe_pause_reading() noexcept {
    // Nobody consumes fast enough: stop reading until the handler (or the next request) makes room.
    if (reading_paused_ || !transport_ || len_ != cap_) return;
    compact();
    if (len_ == cap_) {
        reading_paused_ = true;
        transport_->pause_reading();
    }
}

void ServerConnection::maybe_resume_reading() noexcept {
    if (reading_paused_ && transport_ && !lost_) {
        reading_paused_ = false;
        transport_->resume_reading();
    }
}

void ServerConnection::close() noexcept {
    if (phase_ != Phase::taken) phase_ = Phase::closing;
    if (transport_ && !transport_->is_closing()) transport_->close();
    wake_.set();
}

void ServerConnection::close_if_idle() noexcept {
    if (phase_ == Phase::idle || phase_ == Phase::head) close();
}

void ServerConnection::abort() noexcept {
    // A taken-over connection's transport belongs to its new protocol, but its handler (a
    // websocket's loop) is still the server's task: left running, shutdown() would wait forever.
    if (phase_ != Phase::taken) {
        phase_ = Phase::closing;
        if (transport_) transport_->abort();
    }
    if (task_ && !task_.done()) task_.cancel("the server shut down");
    wake_.set();
}

void ServerConnection::finished() noexcept {
    // The server forgets the connection once its socket is gone and its task ended.
    if (registered_ && (lost_ || phase_ == Phase::taken) && task_done_) {
        registered_ = false;
        state_->remove(this);
    }
}

void ServerConnection::check_timeouts(TimePoint now) noexcept {
    const ServerOptions& o = state_->options;
    switch (phase_) {
    case Phase::idle:
        if (now - since_ >= o.keepalive_timeout) close();
        break;
    case Phase::head:
        if (now - since_ >= o.header_timeout) write_error(408, "the request head took too long");
        break;
    case Phase::handler:
        if (waiting_body_ && now - since_ >= o.body_timeout) {
            body_timed_out_ = true;
            wake_.set();
        }
        break;
    default:
        break;
    }
}

void ServerConnection::release_buffer_if_empty() noexcept {
    if (buf_ && start_ == len_) {
        state_->give_buffer(buf_);
        buf_ = nullptr;
        cap_ = start_ = len_ = body_pos_ = head_size_ = 0;
    }
}

// ---- the requests -------------------------------------------------------------------------

Coro<void> ServerConnection::wait_wake() {
    wake_.clear();
    co_await wake_.wait();
}

Coro<void> ServerConnection::run(std::shared_ptr<ServerConnection> self) {
    try {
        for (;;) {
            while (phase_ != Phase::ready) {
                if (phase_ == Phase::closing || phase_ == Phase::taken || lost_) break;
                if (eof_ && (phase_ == Phase::idle || phase_ == Phase::head)) {
                    close();
                    break;
                }
                wake_.clear();
                co_await wake_.wait();
            }
            if (phase_ != Phase::ready || lost_) break;
            co_await serve_one();
            if (phase_ == Phase::closing || phase_ == Phase::taken || lost_) break;
            next_request();
        }
    } catch (const CancelledError&) {
        if (transport_ && phase_ != Phase::taken) transport_->abort();
    }
    task_done_ = true;
    self->finished();
}

Coro<void> ServerConnection::serve_one() {
    phase_ = Phase::handler;
    Request req(this, &parser_.head());
    std::exception_ptr failure;
    try {
        Response resp = co_await state_->handler(req);
        if (phase_ == Phase::taken) co_return;
        ++state_->requests;
        if (resp.sent()) {
            if (!stream_complete_) must_close_ = true;
        } else if (!lost_) {
            if (response_started_) throw RuntimeError("the handler returned a Response after starting a StreamResponse");
            write_response(resp);
        }
    } catch (...) {
        failure = std::current_exception();
    }
    // The error path lives outside the coroutine, so a request's frame holds none of it.
    if (failure) answer_failure(failure);  // rethrows CancelledError
    if (phase_ == Phase::taken || phase_ == Phase::closing || lost_) co_return;
    if (!will_keep_alive()) {
        close();
        co_return;
    }
    if (!body_done()) co_await discard_body();
}

void ServerConnection::answer_failure(const std::exception_ptr& failure) {
    int status = 500;
    std::string text = "500 Internal Server Error";
    bool report = true;
    try {
        std::rethrow_exception(failure);
    } catch (const CancelledError&) {
        throw;
    } catch (const HTTPException& e) {
        status = e.status();
        text = e.what();
        report = false;
        if (status == 413 || status == 408 || status == 400) must_close_ = true;
    } catch (const ConnectionError&) {
        // The client went away under a StreamResponse: nobody to answer, nothing to report.
        if (lost_ || !transport_) {
            phase_ = Phase::closing;
            return;
        }
    } catch (...) {
    }
    if (report) {
        ExceptionContext ctx;
        ctx.message = "Error handling request";
        ctx.exception = failure;
        state_->loop->call_exception_handler(ctx);
    }
    if (phase_ == Phase::taken) return;
    if (response_started_ || lost_) {
        // Half a response is on the wire: the client can only tell by the connection closing.
        if (transport_) transport_->abort();
        phase_ = Phase::closing;
        return;
    }
    ++state_->requests;
    Response err(std::move(text), status);
    write_response(err);
}

bool ServerConnection::will_keep_alive() const noexcept {
    if (must_close_ || state_->shutting_down || !state_->options.keep_alive || !parser_.head().keep_alive)
        return false;
    if (body_done()) return true;
    // An unread body: read and dropped if small and the client was not told to wait for a 100.
    if (parser_.head().expect_continue && !sent_continue_) return false;
    return body_.kind() == BodyKind::length && parser_.head().content_length <= state_->options.client_max_size;
}

Coro<void> ServerConnection::discard_body() {
    std::string sink;
    try {
        while (co_await read_body(sink, 64 * 1024)) sink.clear();
    } catch (const HTTPException&) {
        close();
    }
}

void ServerConnection::next_request() {
    start_ = body_pos_;
    head_size_ = 0;
    parser_.reset();
    upgrade_head_.reset();
    body_ = BodyDecoder();
    waiting_body_ = false;
    if (start_ == len_) {
        phase_ = Phase::idle;
        since_ = state_->now;
        release_buffer_if_empty();
        if (eof_) close();
    } else {
        phase_ = Phase::head;
        since_ = state_->now;
        parse_head();
    }
    maybe_resume_reading();
}

// ---- writing -----------------------------------------------------------------------------

void ServerConnection::append_common_fields(std::string& out, bool keep_alive) {
    out.append(state_->date_and_server());
    if (!keep_alive)
        out.append("Connection: close\r\n");
    else if (parser_.head().version_minor == 0)
        out.append("Connection: keep-alive\r\n");
}

namespace {
// Writes a head into memory sized beforehand: the hot path's head is a few memcpy's.
struct HeadWriter {
    char* p;
    // A literal: a copy of known size, inlined rather than a call to memcpy.
    template <std::size_t N>
    void put(const char (&s)[N]) noexcept {
        std::memcpy(p, s, N - 1);
        p += N - 1;
    }
    void put(std::string_view s) noexcept {
        std::memcpy(p, s.data(), s.size());
        p += s.size();
    }
    void put_number(std::uint64_t v) noexcept {
        char digits[24];
        char* d = digits + sizeof digits;
        do {
            *--d = static_cast<char>('0' + v % 10);
            v /= 10;
        } while (v != 0);
        put(std::string_view(d, static_cast<std::size_t>(digits + sizeof digits - d)));
    }
};
}  // namespace

void ServerConnection::write_response(Response& resp) {
    if (!transport_) return;
    response_started_ = true;
    bool keep = will_keep_alive();
    if (!keep) must_close_ = true;
    bool no_body = has_no_body(resp.status);
    bool custom_type = false, custom_length = false;
    std::size_t fields_size = 0;
    for (const auto& [n, v] : resp.headers) {
        if (iequals(n, "Content-Type")) custom_type = true;
        else if (iequals(n, "Content-Length")) custom_length = true;
        fields_size += n.size() + v.size() + 4;
    }
    bool send_body = !no_body && !resp.body.empty() && parser_.head().method != "HEAD";
    bool inline_body = send_body && resp.body.size() <= 2048;  // one buffer, one iovec
    std::string_view reason = resp.reason.empty() ? reason_phrase(resp.status) : std::string_view(resp.reason);
    std::string_view date_server = state_->date_and_server();
    std::size_t bound = 32 + reason.size() + 16 + resp.content_type.size() + 2 + 40 + date_server.size() + 26 +
                        fields_size + 2 + (inline_body ? resp.body.size() : 0);
    char* buf = state_->head_buffer(bound);
    HeadWriter w{buf};
    if (resp.status == 200 && resp.reason.empty()) {
        w.put("HTTP/1.1 200 OK\r\n");
    } else {
        w.put("HTTP/1.1 ");
        w.put_number(static_cast<std::uint64_t>(resp.status));
        w.put(" ");
        w.put(reason);
        w.put("\r\n");
    }
    if (!resp.content_type.empty() && !custom_type && !no_body) {
        w.put("Content-Type: ");
        w.put(resp.content_type);
        w.put("\r\n");
    }
    if (!no_body && !custom_length) {
        w.put("Content-Length: ");
        w.put_number(resp.body.size());
        w.put("\r\n");
    }
    w.put(date_server);
    if (!keep)
        w.put("Connection: close\r\n");
    else if (parser_.head().version_minor == 0)
        w.put("Connection: keep-alive\r\n");
    for (const auto& [n, v] : resp.headers) {
        w.put(n);
        w.put(": ");
        w.put(v);
        w.put("\r\n");
    }
    w.put("\r\n");
    if (inline_body) w.put(resp.body);
    std::string_view head(buf, static_cast<std::size_t>(w.p - buf));
    if (send_body && !inline_body) {
        std::string_view pieces[2] = {head, resp.body};
        transport_->writelines(pieces);
    } else {
        transport_->write(head);
    }
    stream_complete_ = true;
}

void ServerConnection::write_error(int status, std::string_view detail) noexcept {
    if (!transport_ || phase_ == Phase::closing) return;
    try {
        std::string body(reason_phrase(status));
        body.append(" (");
        body.append(detail);
        body.append(")\n");
        std::string& out = state_->head;
        out.clear();
        append_status_line(out, status, {});
        out.append("Content-Type: text/plain\r\nContent-Length: ");
        append_number(out, body.size());
        out.append("\r\nConnection: close\r\n");
        out.append(state_->date_and_server());
        out.append("\r\n");
        out.append(body);
        transport_->write(out);
    } catch (...) {  // out of memory: the close below still tells the client
    }
    close();
}

void ServerConnection::maybe_send_continue() {
    if (sent_continue_ || response_started_ || !parser_.head().expect_continue || !transport_) return;
    sent_continue_ = true;
    transport_->write("HTTP/1.1 100 Continue\r\n\r\n");
}

}  // namespace aio::http::detail
