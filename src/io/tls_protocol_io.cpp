// The data path of TlsProtocol: app writes encrypted out, records decrypted in, flow control both
// ways, extra info, and the transport the app sees. Handshake and shutdown: tls_protocol.cpp.

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
using tls_detail::kBufferSize;
using tls_detail::kWriteChunk;
using tls_detail::Scratch;

// ---- outgoing ---------------------------------------------------------------------------------

void TlsProtocol::app_write(std::string_view data) {
    if (data.empty()) return;
    if (state_ == State::flushing || state_ == State::shutdown || state_ == State::unwrapped) {
        // asyncio logs "SSL connection is closed" after a few such writes; the data is dropped.
        if (++writes_after_close_ == 5) loop_->warn("aio: write() on a closed TLS transport; the data is dropped");
        return;
    }
    try {
        if (state_ == State::wrapped && write_pos_ == write_backlog_.size()) {
            // The common case: nothing waits, encrypt straight from the caller's bytes.
            std::size_t n = encrypt(data, false);
            data.remove_prefix(n);
        }
        if (!data.empty()) {
            if (write_pos_ == write_backlog_.size()) {
                write_backlog_.clear();
                write_pos_ = 0;
            }
            write_backlog_.append(data);
            if (state_ == State::wrapped) do_write();
        }
        control_app_writing();
    } catch (...) {
        fatal_error(std::current_exception(), "Fatal error on SSL protocol");
    }
}

void TlsProtocol::app_writelines(std::span<const std::string_view> pieces) {
    for (auto p : pieces) app_write(p);
}

std::size_t TlsProtocol::encrypt(std::string_view data, bool force) {
    std::size_t taken = 0;
    while (taken < data.size() && (force || !ssl_writing_paused_)) {
        std::size_t chunk = std::min(kWriteChunk, data.size() - taken);
        std::size_t n = 0;
        ERR_clear_error();
        if (SSL_write_ex(ssl_, data.data() + taken, chunk, &n) != 1) {
            int err = SSL_get_error(ssl_, 0);
            if (!is_again(err)) throw make_ssl_exception(ssl_, err, "SSL write failed");
            ERR_clear_error();
            break;  // SSL must read first (a renegotiation): do_read() calls do_write() again
        }
        taken += n;
        if (!force) flush_outgoing(false);
    }
    return taken;
}

void TlsProtocol::do_write(bool force) {
    if (write_pos_ < write_backlog_.size()) {
        std::string_view rest(write_backlog_.data() + write_pos_, write_backlog_.size() - write_pos_);
        write_pos_ += encrypt(rest, force);
        if (write_pos_ == write_backlog_.size()) {
            write_backlog_.clear();
            if (write_backlog_.capacity() > 1024 * 1024) write_backlog_.shrink_to_fit();
            write_pos_ = 0;
        } else if (write_pos_ > kBufferSize && write_pos_ * 2 > write_backlog_.size()) {
            write_backlog_.erase(0, write_pos_);
            write_pos_ = 0;
        }
    }
    flush_outgoing(force);
    control_app_writing();
}

void TlsProtocol::flush_outgoing(bool force) {
    if (!raw_ || (ssl_writing_paused_ && !force)) return;
    if (BIO_ctrl_pending(outgoing_) == 0) return;
    Scratch buf;
    int n;
    while ((n = BIO_read(outgoing_, buf.data(), static_cast<int>(kBufferSize))) > 0) {
        // The raw transport copies what the socket does not take; it may pause us meanwhile,
        // but what SSL produced is handed over whole, so the BIO stays small.
        raw_->write(std::string_view(buf.data(), static_cast<std::size_t>(n)));
        if (!raw_) return;
    }
}

void TlsProtocol::process_outgoing() {
    flush_outgoing(false);
    control_app_writing();
}

std::size_t TlsProtocol::outgoing_pending() const noexcept {
    return outgoing_ ? BIO_ctrl_pending(outgoing_) : 0;
}

std::size_t TlsProtocol::incoming_pending() const noexcept {
    return incoming_ ? BIO_ctrl_pending(incoming_) : 0;
}

std::size_t TlsProtocol::write_buffer_size() const noexcept {
    std::size_t n = (write_backlog_.size() - write_pos_) + outgoing_pending();
    if (raw_) n += raw_->get_write_buffer_size();
    return n;
}

void TlsProtocol::set_write_buffer_limits(std::size_t high, std::size_t low) {
    if (low > high)
        throw ValueError("write buffer limits: high (" + std::to_string(high) + ") must be >= low (" +
                         std::to_string(low) + ")");
    outgoing_high_ = high;
    outgoing_low_ = low;
    control_app_writing();
}

void TlsProtocol::control_app_writing() {
    if (!app_) return;
    std::size_t size = write_buffer_size();
    if (!app_writing_paused_ && size > outgoing_high_) {
        app_writing_paused_ = true;
        try {
            app_->pause_writing();
        } catch (...) {
            report("protocol.pause_writing() failed", std::current_exception());
        }
    } else if (app_writing_paused_ && size <= outgoing_low_) {
        app_writing_paused_ = false;
        try {
            app_->resume_writing();
        } catch (...) {
            report("protocol.resume_writing() failed", std::current_exception());
        }
    }
}

// ---- incoming ---------------------------------------------------------------------------------

void TlsProtocol::do_read() {
    if (state_ != State::wrapped && state_ != State::flushing) return;
    try {
        if (!app_reading_paused_) {
            read_and_deliver();
            if (state_ == State::wrapped || state_ == State::flushing) {
                // Reading may have produced records to send (key updates, renegotiation) or
                // unblocked an SSL_write that waited for them.
                if (write_pos_ < write_backlog_.size())
                    do_write();
                else
                    process_outgoing();
            }
        }
        if (state_ != State::unwrapped) control_ssl_reading();
    } catch (...) {
        fatal_error(std::current_exception(), "Fatal error on SSL protocol");
    }
}

void TlsProtocol::read_and_deliver() {
    Scratch buf;
    for (;;) {
        if (app_reading_paused_ || (state_ != State::wrapped && state_ != State::flushing) || !app_stream_)
            return;
        std::size_t filled = 0;
        bool close_notify = false, drained = false;
        std::exception_ptr failure;
        while (filled < kBufferSize) {
            std::size_t n = 0;
            ERR_clear_error();
            if (SSL_read_ex(ssl_, buf.data() + filled, kBufferSize - filled, &n) == 1) {
                filled += n;
                continue;
            }
            int err = SSL_get_error(ssl_, 0);
            if (err == SSL_ERROR_ZERO_RETURN) {
                close_notify = true;
            } else if (is_again(err)) {
                ERR_clear_error();
                drained = true;
            } else {
                failure = make_ssl_exception(ssl_, err, "SSL read failed");
            }
            break;
        }
        if (filled) {
            delivering_ = true;
            try {
                app_stream_->data_received(std::string_view(buf.data(), filled));
            } catch (...) {
                delivering_ = false;
                auto e = std::current_exception();
                fatal_error(e, "protocol.data_received() failed");
                return;
            }
            delivering_ = false;
        }
        if (failure) std::rethrow_exception(failure);
        if (close_notify) {
            call_eof_received();
            start_shutdown();
            return;
        }
        if (drained) return;
    }
}

void TlsProtocol::call_eof_received() {
    if (app_state_ != AppState::con_made || !app_stream_) return;
    app_state_ = AppState::eof;
    try {
        bool keep_open = app_stream_->eof_received();
        if (keep_open && loop_->get_debug())
            loop_->warn("aio: returning true from eof_received() has no effect when using TLS");
    } catch (...) {
        fatal_error(std::current_exception(), "Error calling eof_received()");
    }
}

void TlsProtocol::control_ssl_reading() {
    if (!raw_) return;
    std::size_t size = incoming_pending();
    if (!ssl_reading_paused_ && size >= incoming_high_) {
        ssl_reading_paused_ = true;
        raw_->pause_reading();
    } else if (ssl_reading_paused_ && size <= incoming_low_) {
        ssl_reading_paused_ = false;
        raw_->resume_reading();
    }
}

void TlsProtocol::app_resume_reading() {
    if (!app_reading_paused_) return;
    app_reading_paused_ = false;
    call_soon_weak([](TlsProtocol& self) {
        switch (self.state_) {
            case State::wrapped: self.do_read(); break;
            case State::flushing: self.do_flush(); break;
            case State::shutdown: self.do_shutdown(); break;
            default: break;
        }
    });
}

// ---- extra info -----------------------------------------------------------------------------------

std::any TlsProtocol::extra_info(std::string_view name) const {
    if (name == "sslcontext") return params_.context;
    if (name == "ssl_object") return ssl_;
    if (handshake_done_ && ssl_) {
        if (name == "peercert") {
            std::string pem;
            if (X509* cert = SSL_get0_peer_certificate(ssl_)) {
                BIO* bio = BIO_new(BIO_s_mem());
                if (bio && PEM_write_bio_X509(bio, cert) == 1) {
                    char* p = nullptr;
                    long n = BIO_get_mem_data(bio, &p);
                    if (n > 0) pem.assign(p, static_cast<std::size_t>(n));
                }
                BIO_free(bio);
            }
            return pem;
        }
        if (name == "cipher") {
            const char* c = SSL_get_cipher_name(ssl_);
            return std::string(c ? c : "");
        }
        if (name == "ssl_version") return std::string(SSL_get_version(ssl_));
        if (name == "compression") {
            // OpenSSL 3 as shipped never compresses (SSL_OP_NO_COMPRESSION is set anyway).
            return std::string();
        }
        if (name == "alpn_protocol") {
            const unsigned char* p = nullptr;
            unsigned len = 0;
            SSL_get0_alpn_selected(ssl_, &p, &len);
            return std::string(reinterpret_cast<const char*>(p), p ? len : 0);
        }
    }
    if (raw_) return raw_->get_extra_info(name);
    return {};
}

// ---- the app's transport ------------------------------------------------------------------------

void TlsTransport::close() {
    closed_ = true;
    if (engine_) engine_->app_close();
}

void TlsTransport::abort() {
    closed_ = true;
    if (engine_) engine_->app_abort();
}

std::any TlsTransport::get_extra_info(std::string_view name) const {
    return engine_ ? engine_->extra_info(name) : std::any();
}

std::shared_ptr<BaseProtocol> TlsTransport::get_protocol() const {
    return engine_ ? engine_->app_protocol() : nullptr;
}

void TlsTransport::set_protocol(std::shared_ptr<BaseProtocol> protocol) {
    if (engine_) engine_->set_app_protocol(std::move(protocol));
}

void TlsTransport::pause_reading() {
    if (engine_) engine_->app_pause_reading();
}

void TlsTransport::resume_reading() {
    if (engine_) engine_->app_resume_reading();
}

void TlsTransport::write(std::string_view data) {
    if (engine_) engine_->app_write(data);  // else dropped, as after close()
}

void TlsTransport::writelines(std::span<const std::string_view> pieces) {
    if (engine_) engine_->app_writelines(pieces);
}

void TlsTransport::write_eof() {
    throw RuntimeError("TLS transports do not support write_eof() (TLS has no half-close)");
}

void TlsTransport::set_write_buffer_limits(std::size_t high, std::size_t low) {
    if (low > high)
        throw ValueError("write buffer limits: high (" + std::to_string(high) + ") must be >= low (" +
                         std::to_string(low) + ")");
    if (engine_) engine_->set_write_buffer_limits(high, low);
}

std::pair<std::size_t, std::size_t> TlsTransport::get_write_buffer_limits() const noexcept {
    return engine_ ? engine_->write_buffer_limits() : std::pair<std::size_t, std::size_t>{0, 0};
}

}  // namespace aio::io
