#pragma once
// asyncio's SSLProtocol (Lib/asyncio/sslproto.py, 3.11+): OpenSSL over two memory BIOs between a
// plain stream transport (below) and the application's protocol (above).
//
//   raw transport --data_received--> [incoming BIO] -> SSL -> data_received --> app protocol
//   raw transport <------write------- [outgoing BIO] <- SSL <- write ---------- app (TlsTransport)
//
// State machine (SSLProtocolState): UNWRAPPED -> DO_HANDSHAKE -> WRAPPED -> FLUSHING -> SHUTDOWN,
// and back to UNWRAPPED from any state when the connection ends. The app protocol's own states
// (INIT -> CON_MADE [-> EOF] -> CON_LOST) make sure it sees connection_made at most once,
// eof_received at most once, and connection_lost exactly once if and only if it saw
// connection_made.
//
// Ownership is one chain, with no cycle: the raw transport owns the TlsProtocol (it is its
// protocol), which owns the app protocol (until connection_lost) and the TlsTransport. The app
// keeps a plain pointer to the TlsTransport, valid until connection_lost() has returned (aio's
// lifetime rule); a user's shared_ptr to it may outlive the connection, and the TlsTransport
// then answers as a closed transport (the engine's destructor detaches it). Callbacks scheduled
// on the loop hold weak references to the engine.
//
// Errors: the raw transport's public API can only abort() (connection_lost(nullptr)), so the
// exception that ended the connection is kept in `error_` and handed to the app protocol and
// the waiter when the raw connection_lost() arrives.

#include <any>
#include <cstddef>
#include <exception>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "aio/core/event_loop.hpp"
#include "aio/core/future.hpp"
#include "aio/core/handle.hpp"
#include "aio/io/protocol.hpp"
#include "aio/io/tls.hpp"
#include "aio/io/transport.hpp"
#include "io/tls_hook.hpp"

struct bio_st;

namespace aio::io {

class TlsTransport;

class TlsProtocol final : public Protocol, public std::enable_shared_from_this<TlsProtocol> {
public:
    enum class State : unsigned char { unwrapped, do_handshake, wrapped, flushing, shutdown };
    enum class AppState : unsigned char { init, con_made, eof, con_lost };

    /// What make_tls_protocol builds; `call_connection_made` false for start_tls (the app
    /// protocol is connected already). Throws ValueError for a context of the wrong side or a
    /// missing server_hostname with check_hostname on; SSLError if OpenSSL fails.
    static TlsWrapping create(EventLoop& loop, TlsParams params, std::shared_ptr<BaseProtocol> app,
                              std::optional<Future<void>> waiter, bool call_connection_made);
    TlsProtocol(EventLoop& loop, TlsParams params, std::shared_ptr<BaseProtocol> app,
                std::optional<Future<void>> waiter, bool call_connection_made);
    ~TlsProtocol() override;
    TlsProtocol(const TlsProtocol&) = delete;
    TlsProtocol& operator=(const TlsProtocol&) = delete;

    // ---- the raw transport's protocol ----
    void connection_made(Transport& raw) override;
    void data_received(std::string_view data) override;
    bool eof_received() override;
    void connection_lost(std::exception_ptr exc) override;
    void pause_writing() override { ssl_writing_paused_ = true; }
    void resume_writing() override;

    // ---- what TlsTransport forwards to ----
    void app_write(std::string_view data);
    void app_writelines(std::span<const std::string_view> pieces);
    void app_close();
    void app_abort();
    void app_pause_reading() noexcept { app_reading_paused_ = true; }
    void app_resume_reading();
    bool app_reading_paused() const noexcept { return app_reading_paused_; }
    std::size_t write_buffer_size() const noexcept;
    void set_write_buffer_limits(std::size_t high, std::size_t low);
    std::pair<std::size_t, std::size_t> write_buffer_limits() const noexcept {
        return {outgoing_high_, outgoing_low_};
    }
    std::any extra_info(std::string_view name) const;
    std::shared_ptr<BaseProtocol> app_protocol() const noexcept { return app_; }
    void set_app_protocol(std::shared_ptr<BaseProtocol> app);

    /// Keeps a context chosen by the SNI callback alive as long as the connection.
    void adopt_context(std::shared_ptr<SSLContext> ctx) { sni_context_ = std::move(ctx); }
    /// The engine of an SSL object made by TlsProtocol, or null.
    static TlsProtocol* from_ssl(ssl_st* ssl) noexcept;

    State state() const noexcept { return state_; }
    ssl_st* ssl() const noexcept { return ssl_; }

private:
    friend class TlsTransport;

    void start_handshake();
    void check_handshake_timeout();
    void do_handshake();
    void on_handshake_complete(std::exception_ptr exc);
    void start_shutdown();
    void check_shutdown_timeout();
    void do_flush();
    void do_shutdown();
    void on_shutdown_complete(std::exception_ptr exc);
    void abort_raw();
    std::size_t encrypt(std::string_view data, bool force);
    void do_write(bool force = false);
    void flush_outgoing(bool force);
    void process_outgoing();
    void do_read();
    void read_and_deliver();
    void call_eof_received();
    void control_app_writing();
    void control_ssl_reading();
    void fatal_error(std::exception_ptr exc, const char* message, bool send_alert = false);
    void wakeup_waiter(std::exception_ptr exc);
    void report(const char* message, std::exception_ptr exc) noexcept;
    std::size_t incoming_pending() const noexcept;
    std::size_t outgoing_pending() const noexcept;
    template <class F>
    void call_soon_weak(F f);

    EventLoop* loop_;
    TlsParams params_;
    std::shared_ptr<BaseProtocol> app_;
    Protocol* app_stream_ = nullptr;  // app_ as a Protocol (data_received, eof_received)
    std::optional<Future<void>> waiter_;
    std::shared_ptr<TlsTransport> app_transport_;
    std::shared_ptr<SSLContext> sni_context_;
    Transport* raw_ = nullptr;
    ssl_st* ssl_ = nullptr;
    bio_st* incoming_ = nullptr;  // owned by ssl_
    bio_st* outgoing_ = nullptr;  // owned by ssl_
    // Plain text written by the app that SSL has not taken yet (only during the handshake, or
    // after SSL_write asked to be retried); `write_pos_` bytes of it are already taken.
    std::string write_backlog_;
    std::size_t write_pos_ = 0;
    std::exception_ptr error_;
    TimerHandle handshake_timer_;
    TimerHandle shutdown_timer_;
    // asyncio's defaults: FLOW_CONTROL_HIGH_WATER_SSL_WRITE 512 KiB, _SSL_READ 256 KiB, low = /4.
    std::size_t outgoing_high_ = 512 * 1024;
    std::size_t outgoing_low_ = 128 * 1024;
    std::size_t incoming_high_ = 256 * 1024;
    std::size_t incoming_low_ = 64 * 1024;
    unsigned writes_after_close_ = 0;
    State state_ = State::unwrapped;
    AppState app_state_;
    bool ssl_writing_paused_ = false;  // the raw transport asked us to stop writing
    bool ssl_reading_paused_ = false;  // we paused the raw transport's reading
    bool app_reading_paused_ = false;  // the app paused the TLS transport's reading
    bool app_writing_paused_ = false;  // we told the app to stop writing
    bool eof_received_ = false;        // the raw transport saw the peer's EOF
    bool handshake_done_ = false;
    bool delivering_ = false;          // inside the app's data_received()
};

/// The transport the app protocol sees (asyncio's _SSLProtocolTransport). Once its engine is
/// gone (the connection ended and the raw transport was freed), it behaves as a closed transport.
class TlsTransport final : public Transport {
public:
    explicit TlsTransport(TlsProtocol* engine) noexcept : engine_(engine) {}

    void close() override;
    bool is_closing() const noexcept override { return closed_ || !engine_; }
    std::any get_extra_info(std::string_view name) const override;
    std::shared_ptr<BaseProtocol> get_protocol() const override;
    void set_protocol(std::shared_ptr<BaseProtocol> protocol) override;

    bool is_reading() const noexcept override {
        return !is_closing() && !engine_->app_reading_paused();
    }
    void pause_reading() override;
    void resume_reading() override;

    void write(std::string_view data) override;
    void writelines(std::span<const std::string_view> pieces) override;
    /// TLS has no half-close (asyncio raises NotImplementedError): throws RuntimeError.
    void write_eof() override;
    bool can_write_eof() const noexcept override { return false; }
    void abort() override;
    std::size_t get_write_buffer_size() const noexcept override {
        return engine_ ? engine_->write_buffer_size() : 0;
    }
    using WriteTransport::set_write_buffer_limits;
    void set_write_buffer_limits(std::size_t high, std::size_t low) override;
    std::pair<std::size_t, std::size_t> get_write_buffer_limits() const noexcept override;

    TlsProtocol* engine() const noexcept { return engine_; }
    void mark_closed() noexcept { closed_ = true; }
    void detach() noexcept {
        engine_ = nullptr;
        closed_ = true;
    }

private:
    TlsProtocol* engine_;
    bool closed_ = false;
};

template <class F>
void TlsProtocol::call_soon_weak(F f) {
    loop_->call_soon([w = weak_from_this(), f = std::move(f)]() mutable {
        if (auto self = w.lock()) f(*self);
    });
}

}  // namespace aio::io
