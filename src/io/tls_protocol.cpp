#include "io/tls_protocol.hpp"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <utility>

#include "aio/core/exceptions.hpp"
#include "aio/core/os_errors.hpp"
#include "io/tls_buffers.hpp"
#include "io/tls_errors.hpp"

namespace aio::io {

using tls_detail::is_again;

namespace {


bool is_ip_address(const std::string& host) {
    unsigned char buf[sizeof(in6_addr)];
    return ::inet_pton(AF_INET, host.c_str(), buf) == 1 || ::inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

int engine_index() {
    static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
    return index;
}

bool is_os_error(const std::exception_ptr& e) {
    try {
        std::rethrow_exception(e);
    } catch (const OSError&) {
        return true;
    } catch (...) {
        return false;
    }
}

std::string seconds_text(Duration d) {
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
    std::string s = std::to_string(ms / 1000);
    if (ms % 1000) {
        char frac[8];
        std::snprintf(frac, sizeof frac, ".%03d", static_cast<int>(ms % 1000));
        s += frac;
        while (s.back() == '0') s.pop_back();
    }
    return s;
}

}  // namespace

// ---- construction -----------------------------------------------------------------------------

TlsWrapping TlsProtocol::create(EventLoop& loop, TlsParams params, std::shared_ptr<BaseProtocol> app,
                                std::optional<Future<void>> waiter, bool call_connection_made) {
    auto engine = std::make_shared<TlsProtocol>(loop, std::move(params), std::move(app), std::move(waiter),
                                                call_connection_made);
    engine->app_transport_ = std::make_shared<TlsTransport>(engine.get());
    return TlsWrapping{engine, engine->app_transport_};
}

TlsProtocol::TlsProtocol(EventLoop& loop, TlsParams params, std::shared_ptr<BaseProtocol> app,
                         std::optional<Future<void>> waiter, bool call_connection_made)
    : loop_(&loop),
      params_(std::move(params)),
      app_(std::move(app)),
      waiter_(std::move(waiter)),
      app_state_(call_connection_made ? AppState::init : AppState::con_made) {
    if (!params_.context) throw ValueError("TLS needs an SSLContext");
    if (!app_) throw ValueError("TLS needs a protocol");
    app_stream_ = dynamic_cast<Protocol*>(app_.get());
    if (!app_stream_) throw ValueError("TLS needs a stream protocol (aio::Protocol)");
    if (params_.handshake_timeout <= Duration::zero())
        throw ValueError("ssl_handshake_timeout should be a positive duration");
    if (params_.shutdown_timeout <= Duration::zero())
        throw ValueError("ssl_shutdown_timeout should be a positive duration");
    const SSLContext& ctx = *params_.context;
    if (params_.server_side && !ctx.is_server())
        throw ValueError("Cannot create a server-side TLS connection with a client context");
    if (!params_.server_side && ctx.is_server())
        throw ValueError("Cannot create a client-side TLS connection with a server context");
    if (params_.server_side) params_.server_hostname.clear();  // asyncio ignores it there
    const std::string& host = params_.server_hostname;
    if (!params_.server_side && host.empty() && ctx.check_hostname())
        throw ValueError("check_hostname requires server_hostname");

    ERR_clear_error();
    ssl_ = SSL_new(ctx.native_handle());
    if (!ssl_) throw ssl_error_from_queue("SSL_new");
    incoming_ = BIO_new(BIO_s_mem());
    outgoing_ = BIO_new(BIO_s_mem());
    if (!incoming_ || !outgoing_) {
        BIO_free(incoming_);
        BIO_free(outgoing_);
        SSL_free(ssl_);
        ssl_ = nullptr;
        throw ssl_error_from_queue("BIO_new");
    }
    // Empty BIOs mean "no data yet", never EOF: like Python's MemoryBIO before write_eof().
    BIO_set_mem_eof_return(incoming_, -1);
    BIO_set_mem_eof_return(outgoing_, -1);
    SSL_set_bio(ssl_, incoming_, outgoing_);  // ssl_ owns both from here
    SSL_set_ex_data(ssl_, engine_index(), this);
    if (params_.server_side) {
        SSL_set_accept_state(ssl_);
        return;
    }
    SSL_set_connect_state(ssl_);
    if (host.empty()) return;
    // SNI carries host names only (RFC 6066); an IP address is checked against the
    // certificate's IP entries instead of its DNS names.
    bool ip = is_ip_address(host);
    if (!ip && SSL_set_tlsext_host_name(ssl_, host.c_str()) != 1)
        throw ssl_error_from_queue("invalid server_hostname '" + host + "'");
    if (ctx.check_hostname()) {
        X509_VERIFY_PARAM* param = SSL_get0_param(ssl_);
        X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
        int ok = ip ? X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str())
                    : X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size());
        if (ok != 1) throw ssl_error_from_queue("invalid server_hostname '" + host + "'");
    }
}

TlsProtocol::~TlsProtocol() {
    if (app_transport_) app_transport_->detach();
    handshake_timer_.cancel();
    shutdown_timer_.cancel();
    if (ssl_) SSL_free(ssl_);
}

TlsProtocol* TlsProtocol::from_ssl(SSL* ssl) noexcept {
    return static_cast<TlsProtocol*>(SSL_get_ex_data(ssl, engine_index()));
}


// ---- the raw transport's side ------------------------------------------------------------------

void TlsProtocol::connection_made(Transport& raw) {
    raw_ = &raw;
    // The raw transport pauses us as soon as it holds a byte and resumes us once it is empty:
    // what waits stays here as plain text (never a second, encrypted copy), and every change of
    // the raw buffer comes back through resume_writing() to control_app_writing(), so the app's
    // pause/resume_writing count the raw transport's bytes too.
    raw.set_write_buffer_limits(0, 0);
    start_handshake();
}

void TlsProtocol::data_received(std::string_view data) {
    if (state_ == State::unwrapped || !ssl_) return;  // aborted: what is still in flight is noise
    while (!data.empty()) {
        int n = static_cast<int>(std::min<std::size_t>(data.size(), INT_MAX));
        BIO_write(incoming_, data.data(), n);
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    switch (state_) {
        case State::do_handshake: do_handshake(); break;
        case State::wrapped: do_read(); break;
        case State::flushing: do_flush(); break;
        case State::shutdown: do_shutdown(); break;
        case State::unwrapped: break;
    }
}

bool TlsProtocol::eof_received() {
    eof_received_ = true;
    switch (state_) {
        case State::do_handshake:
            on_handshake_complete(std::make_exception_ptr(
                ConnectionResetError(ECONNRESET, "the peer closed the connection during the TLS handshake")));
            break;
        case State::wrapped:
            // TCP EOF without close_notify: asyncio delivers what was decrypted, then EOF to the
            // app, then closes (no truncation error; see docs/tls.md).
            state_ = State::flushing;
            if (app_reading_paused_) return true;  // resume_reading() finishes the job
            do_flush();
            break;
        case State::flushing:
            try {
                do_write(true);
            } catch (...) {
                fatal_error(std::current_exception(), "Fatal error on SSL protocol");
                break;
            }
            state_ = State::shutdown;
            do_shutdown();
            break;
        case State::shutdown: do_shutdown(); break;
        case State::unwrapped: break;
    }
    return false;
}

void TlsProtocol::connection_lost(std::exception_ptr exc) {
    if (!exc) exc = error_;
    write_backlog_.clear();
    write_pos_ = 0;
    if (outgoing_) (void)BIO_reset(outgoing_);
    handshake_timer_.cancel();
    shutdown_timer_.cancel();
    state_ = State::unwrapped;
    raw_ = nullptr;
    if (app_transport_) app_transport_->mark_closed();
    // The app saw connection_made (from us, or before start_tls): it gets connection_lost once.
    if (app_state_ == AppState::con_made || app_state_ == AppState::eof) {
        app_state_ = AppState::con_lost;
        try {
            app_->connection_lost(exc);
        } catch (...) {
            report("protocol.connection_lost() failed", std::current_exception());
        }
    }
    if (waiter_ && !waiter_->done()) {
        wakeup_waiter(exc ? exc
                          : std::make_exception_ptr(ConnectionAbortedError(
                                ECONNABORTED, "the connection was closed during the TLS handshake")));
    }
    waiter_.reset();
    // asyncio drops the app protocol here: whatever it holds is freed with the connection.
    app_.reset();
    app_stream_ = nullptr;
}

void TlsProtocol::resume_writing() {
    ssl_writing_paused_ = false;
    try {
        if (state_ == State::wrapped) {
            do_write();
        } else if (state_ == State::flushing) {
            do_flush();
            return;
        } else {
            process_outgoing();
        }
    } catch (...) {
        fatal_error(std::current_exception(), "Fatal error on SSL protocol");
    }
}

// ---- handshake --------------------------------------------------------------------------------

void TlsProtocol::start_handshake() {
    state_ = State::do_handshake;
    handshake_timer_ = loop_->call_later(params_.handshake_timeout, [w = weak_from_this()] {
        if (auto self = w.lock()) self->check_handshake_timeout();
    });
    do_handshake();
}

void TlsProtocol::check_handshake_timeout() {
    if (state_ != State::do_handshake) return;
    auto exc = std::make_exception_ptr(TimeoutError("SSL handshake is taking longer than " +
                                                    seconds_text(params_.handshake_timeout) +
                                                    " seconds: aborting the connection"));
    state_ = State::unwrapped;
    wakeup_waiter(exc);
    fatal_error(exc, "SSL handshake timed out");
}

void TlsProtocol::do_handshake() {
    ERR_clear_error();
    int r = SSL_do_handshake(ssl_);
    if (r == 1) {
        on_handshake_complete(nullptr);
        return;
    }
    int err = SSL_get_error(ssl_, r);
    if (is_again(err)) {
        ERR_clear_error();
        process_outgoing();
        return;
    }
    on_handshake_complete(make_ssl_exception(ssl_, err, "SSL handshake failed", params_.server_hostname));
}

void TlsProtocol::on_handshake_complete(std::exception_ptr exc) {
    handshake_timer_.cancel();
    if (exc) {
        state_ = State::unwrapped;
        // Send our alert (e.g. "unknown ca") before closing, so the peer learns why.
        fatal_error(exc, "SSL handshake failed", /*send_alert=*/true);
        wakeup_waiter(exc);
        return;
    }
    state_ = State::wrapped;
    handshake_done_ = true;
    if (app_state_ == AppState::init) {
        app_state_ = AppState::con_made;
        try {
            app_->deliver_connection_made(*app_transport_);
        } catch (...) {
            auto e = std::current_exception();
            // As FdTransport::start: the waiter takes the error; without one it is reported.
            if (waiter_ && !waiter_->done())
                wakeup_waiter(e);
            else
                report("protocol.connection_made() failed", e);
            if (!error_) error_ = e;
            state_ = State::unwrapped;
            abort_raw();
            return;
        }
    }
    wakeup_waiter(nullptr);
    do_read();  // records that came with the end of the handshake
}

// ---- shutdown ---------------------------------------------------------------------------------

void TlsProtocol::start_shutdown() {
    if (state_ == State::flushing || state_ == State::shutdown || state_ == State::unwrapped) return;
    if (app_transport_) app_transport_->mark_closed();
    if (state_ == State::do_handshake) {
        state_ = State::unwrapped;
        abort_raw();
        return;
    }
    state_ = State::flushing;
    shutdown_timer_ = loop_->call_later(params_.shutdown_timeout, [w = weak_from_this()] {
        if (auto self = w.lock()) self->check_shutdown_timeout();
    });
    if (delivering_) {
        // close() from inside data_received(): finish after it returns, not under its feet.
        call_soon_weak([](TlsProtocol& self) {
            if (self.state_ == State::flushing) self.do_flush();
        });
    } else {
        do_flush();
    }
}

void TlsProtocol::check_shutdown_timeout() {
    if (state_ != State::flushing && state_ != State::shutdown) return;
    if (!error_) error_ = std::make_exception_ptr(TimeoutError("SSL shutdown timed out"));
    state_ = State::unwrapped;
    abort_raw();
}

void TlsProtocol::do_flush() {
    do_read();
    if (state_ != State::flushing) return;
    try {
        do_write();
    } catch (...) {
        fatal_error(std::current_exception(), "Fatal error on SSL protocol");
        return;
    }
    // Every byte the app wrote goes out before our close_notify; resume_writing() comes back.
    if (write_pos_ < write_backlog_.size()) return;
    state_ = State::shutdown;
    do_shutdown();
}

void TlsProtocol::do_shutdown() {
    if (!eof_received_) {
        ERR_clear_error();
        int r = SSL_shutdown(ssl_);
        if (r == 0) r = SSL_shutdown(ssl_);  // sent ours; now look for the peer's (as Python's unwrap)
        if (r != 1) {
            int err = SSL_get_error(ssl_, r);
            if (is_again(err)) {
                ERR_clear_error();
                process_outgoing();
                return;
            }
            on_shutdown_complete(make_ssl_exception(ssl_, err, "SSL shutdown failed"));
            return;
        }
    }
    call_eof_received();
    on_shutdown_complete(nullptr);
}

void TlsProtocol::on_shutdown_complete(std::exception_ptr exc) {
    shutdown_timer_.cancel();
    if (exc) {
        fatal_error(exc, "SSL shutdown failed");
        return;
    }
    flush_outgoing(true);  // our close_notify, even if the raw transport asked us to pause
    if (raw_) raw_->close();
}

void TlsProtocol::abort_raw() {
    if (raw_) raw_->abort();
}

// ---- closing and errors -------------------------------------------------------------------------

void TlsProtocol::app_close() { start_shutdown(); }

void TlsProtocol::app_abort() {
    state_ = State::unwrapped;
    abort_raw();
}

void TlsProtocol::fatal_error(std::exception_ptr exc, const char* message, bool send_alert) {
    if (!error_) error_ = exc;
    state_ = State::unwrapped;
    if (raw_) {
        if (send_alert) {
            flush_outgoing(true);
            if (raw_) raw_->close();
        } else {
            raw_->abort();
        }
    }
    // OSErrors (SSLError included) are the connection's fate, told to the app; anything else is
    // a bug in a callback and goes to the loop's exception handler too (asyncio does the same).
    if (!is_os_error(exc) && !is_cancelled_error(exc)) report(message, exc);
}

void TlsProtocol::wakeup_waiter(std::exception_ptr exc) {
    if (!waiter_) return;
    Future<void> w = std::move(*waiter_);
    waiter_.reset();
    if (w.done()) return;  // cancelled by whoever awaited it
    if (exc)
        w.set_exception(exc);
    else
        w.set_result();
}

void TlsProtocol::report(const char* message, std::exception_ptr exc) noexcept {
    ExceptionContext ctx;
    ctx.message = message;
    ctx.exception = std::move(exc);
    loop_->call_exception_handler(ctx);
}

void TlsProtocol::set_app_protocol(std::shared_ptr<BaseProtocol> app) {
    auto* stream = dynamic_cast<Protocol*>(app.get());
    if (!stream) throw ValueError("set_protocol(): TLS needs a stream protocol (aio::Protocol)");
    app_ = std::move(app);
    app_stream_ = stream;
}

}  // namespace aio::io
