// aio's ssl module: SSLError, SSLContext, and the entry points of the TLS protocol
// (make_tls_protocol for create_connection/create_server, start_tls).

#include "aio/io/tls.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <cstring>
#include <utility>

#include "aio/core/future.hpp"
#include "io/tls_errors.hpp"
#include "io/tls_hook.hpp"
#include "io/tls_protocol.hpp"

namespace aio {

// ---- errors ---------------------------------------------------------------------------------

SSLError::SSLError(int ssl_error, std::string message, std::string library, std::string reason)
    : OSError(ssl_error, message),
      message_(std::move(message)),
      library_(std::move(library)),
      reason_(std::move(reason)) {}

SSLCertVerificationError::SSLCertVerificationError(long verify_code, std::string verify_message)
    : SSLError(SSL_ERROR_SSL, "certificate verify failed: " + verify_message, "SSL routines",
               "certificate verify failed"),
      verify_code_(verify_code),
      verify_message_(std::move(verify_message)) {}

namespace io {

SSLError ssl_error_from_queue(std::string_view context, int ssl_error) {
    const char* data = nullptr;
    int flags = 0;
    // The first entry is the root cause ("No such file or directory"); later ones are the
    // callers that passed it up ("system lib", "PEM lib").
    unsigned long e = ERR_get_error_all(nullptr, nullptr, nullptr, &data, &flags);
    std::string library, reason, detail;
    if (e != 0) {
        if (const char* lib = ERR_lib_error_string(e)) library = lib;
        if (ERR_SYSTEM_ERROR(e)) {
            reason = std::strerror(ERR_GET_REASON(e));
        } else if (const char* r = ERR_reason_error_string(e)) {
            reason = r;
        } else {
            reason = "error " + std::to_string(ERR_GET_REASON(e));
        }
        if ((flags & ERR_TXT_STRING) && data && *data) detail = data;
    } else {
        switch (ssl_error) {
            case SSL_ERROR_SYSCALL: reason = "EOF occurred in violation of protocol"; break;
            case SSL_ERROR_ZERO_RETURN: reason = "TLS/SSL connection has been closed (EOF)"; break;
            default: reason = "unknown error (SSL_ERROR " + std::to_string(ssl_error) + ")"; break;
        }
    }
    ERR_clear_error();
    std::string message(context);
    message += ": ";
    message += reason;
    if (!detail.empty()) message += " (" + detail + ")";
    return SSLError(ssl_error, std::move(message), std::move(library), std::move(reason));
}

namespace {

// The failure "certificate verify failed" is the oldest entry when OpenSSL raised it itself, the
// newest when a caller passed it up.
bool queue_has_verify_failure() noexcept {
    for (unsigned long e : {ERR_peek_error(), ERR_peek_last_error()}) {
        if (e != 0 && ERR_GET_LIB(e) == ERR_LIB_SSL && ERR_GET_REASON(e) == SSL_R_CERTIFICATE_VERIFY_FAILED)
            return true;
    }
    return false;
}

}  // namespace

std::exception_ptr make_ssl_exception(SSL* ssl, int ssl_error, std::string_view context,
                                      std::string_view hostname) {
    if (ssl_error == SSL_ERROR_SSL && ssl && queue_has_verify_failure()) {
        long code = SSL_get_verify_result(ssl);
        std::string msg;
        if (code == X509_V_ERR_HOSTNAME_MISMATCH) {
            msg = "Hostname mismatch, certificate is not valid for '" + std::string(hostname) + "'.";
        } else if (code == X509_V_ERR_IP_ADDRESS_MISMATCH) {
            msg = "IP address mismatch, certificate is not valid for '" + std::string(hostname) + "'.";
        } else {
            msg = X509_verify_cert_error_string(code);
        }
        ERR_clear_error();
        return std::make_exception_ptr(SSLCertVerificationError(code, std::move(msg)));
    }
    return std::make_exception_ptr(ssl_error_from_queue(context, ssl_error));
}

}  // namespace io

// ---- context --------------------------------------------------------------------------------

namespace {

// Never prompt on the terminal (OpenSSL's default): no password given means no password.
int password_callback(char* buf, int size, int /*rwflag*/, void* userdata) {
    auto* pw = static_cast<const std::string*>(userdata);
    if (!pw) return -1;
    if (pw->size() > static_cast<std::size_t>(size)) return -1;
    std::memcpy(buf, pw->data(), pw->size());
    return static_cast<int>(pw->size());
}

int to_openssl(TLSVersion v) {
    switch (v) {
        case TLSVersion::MINIMUM_SUPPORTED: return 0;
        case TLSVersion::TLSv1: return TLS1_VERSION;
        case TLSVersion::TLSv1_1: return TLS1_1_VERSION;
        case TLSVersion::TLSv1_2: return TLS1_2_VERSION;
        case TLSVersion::TLSv1_3: return TLS1_3_VERSION;
        case TLSVersion::MAXIMUM_SUPPORTED: return 0;
    }
    return 0;
}

TLSVersion from_openssl(long v, TLSVersion none) {
    switch (v) {
        case TLS1_VERSION: return TLSVersion::TLSv1;
        case TLS1_1_VERSION: return TLSVersion::TLSv1_1;
        case TLS1_2_VERSION: return TLSVersion::TLSv1_2;
        case TLS1_3_VERSION: return TLSVersion::TLSv1_3;
        default: return none;
    }
}

}  // namespace

SSLContext::SSLContext(Side side, Private) : ctx_(nullptr), side_(side) {
    ERR_clear_error();
    ctx_ = SSL_CTX_new(side == Side::client ? TLS_client_method() : TLS_server_method());
    if (!ctx_) throw io::ssl_error_from_queue("SSL_CTX_new");
    // Python's defaults for PROTOCOL_TLS_CLIENT / PROTOCOL_TLS_SERVER.
    SSL_CTX_set_options(ctx_, SSL_OP_NO_COMPRESSION | SSL_OP_CIPHER_SERVER_PREFERENCE |
                                  SSL_OP_SINGLE_DH_USE | SSL_OP_SINGLE_ECDH_USE);
    SSL_CTX_set_min_proto_version(ctx_, TLS1_2_VERSION);
    // Memory BIOs never block, but SSL_write may still be retried with a moved buffer; idle
    // connections give back their record buffers (10,000 connections, not 10,000 x 34 KiB).
    SSL_CTX_set_mode(ctx_, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_AUTO_RETRY |
                               SSL_MODE_RELEASE_BUFFERS);
    SSL_CTX_set_default_passwd_cb(ctx_, password_callback);
    SSL_CTX_set_default_passwd_cb_userdata(ctx_, nullptr);
    if (side == Side::client) {
        check_hostname_ = true;
        verify_mode_ = VerifyMode::CERT_REQUIRED;
    } else {
        check_hostname_ = false;
        verify_mode_ = VerifyMode::CERT_NONE;
    }
    apply_verify();
    X509_VERIFY_PARAM_set_hostflags(SSL_CTX_get0_param(ctx_), X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    SSL_CTX_set_tlsext_servername_callback(ctx_, reinterpret_cast<void (*)()>(&SSLContext::sni_trampoline));
    SSL_CTX_set_tlsext_servername_arg(ctx_, this);
}

SSLContext::~SSLContext() { SSL_CTX_free(ctx_); }

std::shared_ptr<SSLContext> SSLContext::create_client_context() {
    return std::make_shared<SSLContext>(Side::client, Private{});
}

std::shared_ptr<SSLContext> SSLContext::create_server_context() {
    return std::make_shared<SSLContext>(Side::server, Private{});
}

std::shared_ptr<SSLContext> SSLContext::create_default_context(Purpose purpose,
                                                               const VerifyLocations& locations) {
    auto ctx = purpose == Purpose::server_auth ? create_client_context() : create_server_context();
    if (locations.cafile.empty() && locations.capath.empty() && locations.cadata.empty())
        ctx->set_default_verify_paths();
    else
        ctx->load_verify_locations(locations);
    return ctx;
}

void SSLContext::apply_verify() noexcept {
    int mode = SSL_VERIFY_NONE;
    if (verify_mode_ == VerifyMode::CERT_OPTIONAL) {
        mode = SSL_VERIFY_PEER;
    } else if (verify_mode_ == VerifyMode::CERT_REQUIRED) {
        mode = SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
    }
    SSL_CTX_set_verify(ctx_, mode, nullptr);
}

void SSLContext::set_check_hostname(bool on) {
    if (on && verify_mode_ == VerifyMode::CERT_NONE) {
        verify_mode_ = VerifyMode::CERT_REQUIRED;
        apply_verify();
    }
    check_hostname_ = on;
}

void SSLContext::set_verify_mode(VerifyMode mode) {
    if (mode == VerifyMode::CERT_NONE && check_hostname_)
        throw ValueError("Cannot set verify_mode to CERT_NONE when check_hostname is enabled.");
    verify_mode_ = mode;
    apply_verify();
}

void SSLContext::load_cert_chain(const std::string& certfile, const std::string& keyfile,
                                 const std::optional<std::string>& password) {
    if (certfile.empty()) throw ValueError("load_cert_chain: certfile must not be empty");
    const std::string& key = keyfile.empty() ? certfile : keyfile;
    // password_callback reads it while the files are loaded, and only then.
    SSL_CTX_set_default_passwd_cb_userdata(ctx_, password ? const_cast<std::string*>(&*password) : nullptr);
    struct ResetUserdata {
        SSL_CTX* ctx;
        ~ResetUserdata() { SSL_CTX_set_default_passwd_cb_userdata(ctx, nullptr); }
    } reset{ctx_};
    ERR_clear_error();
    if (SSL_CTX_use_certificate_chain_file(ctx_, certfile.c_str()) != 1)
        throw io::ssl_error_from_queue("cannot load the certificate chain '" + certfile + "'");
    if (SSL_CTX_use_PrivateKey_file(ctx_, key.c_str(), SSL_FILETYPE_PEM) != 1) {
        std::string what = "cannot load the private key '" + key + "'";
        if (!password) what += " (no password given)";
        throw io::ssl_error_from_queue(what);
    }
    if (SSL_CTX_check_private_key(ctx_) != 1)
        throw io::ssl_error_from_queue("the private key '" + key + "' does not match the certificate '" +
                                       certfile + "'");
}

void SSLContext::load_verify_locations(const VerifyLocations& locations) {
    if (locations.cafile.empty() && locations.capath.empty() && locations.cadata.empty())
        throw ValueError("cafile, capath and cadata cannot be all omitted");
    ERR_clear_error();
    if (!locations.cafile.empty() && SSL_CTX_load_verify_file(ctx_, locations.cafile.c_str()) != 1)
        throw io::ssl_error_from_queue("cannot load CA certificates from '" + locations.cafile + "'");
    if (!locations.capath.empty() && SSL_CTX_load_verify_dir(ctx_, locations.capath.c_str()) != 1)
        throw io::ssl_error_from_queue("cannot use the CA directory '" + locations.capath + "'");
    if (!locations.cadata.empty()) {
        BIO* bio = BIO_new_mem_buf(locations.cadata.data(), static_cast<int>(locations.cadata.size()));
        if (!bio) throw io::ssl_error_from_queue("cadata");
        X509_STORE* store = SSL_CTX_get_cert_store(ctx_);
        int loaded = 0;
        for (;;) {
            X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
            if (!cert) break;
            int ok = X509_STORE_add_cert(store, cert);
            X509_free(cert);
            if (ok != 1) {
                // A certificate already trusted is fine (Python ignores it too).
                unsigned long e = ERR_peek_last_error();
                if (ERR_GET_LIB(e) == ERR_LIB_X509 && ERR_GET_REASON(e) == X509_R_CERT_ALREADY_IN_HASH_TABLE) {
                    ERR_clear_error();
                } else {
                    BIO_free(bio);
                    throw io::ssl_error_from_queue("cadata");
                }
            }
            ++loaded;
        }
        BIO_free(bio);
        // The loop ends on the first read that fails: at the end of the text that is "no start
        // line"; anything else is a broken certificate.
        unsigned long e = ERR_peek_last_error();
        bool clean_end = e == 0 || (ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_NO_START_LINE);
        if (!clean_end) throw io::ssl_error_from_queue("cadata holds a broken certificate");
        ERR_clear_error();
        if (loaded == 0) throw SSLError(SSL_ERROR_SSL, "cadata: no certificate found", "X509 routines", "no certificate found");
    }
}

void SSLContext::set_default_verify_paths() {
    ERR_clear_error();
    if (SSL_CTX_set_default_verify_paths(ctx_) != 1) throw io::ssl_error_from_queue("set_default_verify_paths");
}

void SSLContext::set_alpn_protocols(const std::vector<std::string>& protocols) {
    std::string wire;
    for (const auto& p : protocols) {
        if (p.empty() || p.size() > 255) throw ValueError("ALPN protocol names must be 1 to 255 bytes: '" + p + "'");
        wire.push_back(static_cast<char>(p.size()));
        wire += p;
    }
    ERR_clear_error();
    // SSL_CTX_set_alpn_protos returns 0 on success.
    if (SSL_CTX_set_alpn_protos(ctx_, reinterpret_cast<const unsigned char*>(wire.data()),
                                static_cast<unsigned>(wire.size())) != 0)
        throw io::ssl_error_from_queue("set_alpn_protocols");
    alpn_wire_ = std::move(wire);
    if (alpn_wire_.empty())
        SSL_CTX_set_alpn_select_cb(ctx_, nullptr, nullptr);
    else
        SSL_CTX_set_alpn_select_cb(ctx_, &SSLContext::alpn_select_trampoline, this);
}

int SSLContext::alpn_select_trampoline(SSL* /*ssl*/, const unsigned char** out, unsigned char* outlen,
                                       const unsigned char* in, unsigned int inlen, void* arg) {
    auto* self = static_cast<SSLContext*>(arg);
    unsigned char* selected = nullptr;
    // The server's preference wins: the first of ours that the client offers.
    int r = SSL_select_next_proto(&selected, outlen,
                                  reinterpret_cast<const unsigned char*>(self->alpn_wire_.data()),
                                  static_cast<unsigned>(self->alpn_wire_.size()), in, inlen);
    if (r != OPENSSL_NPN_NEGOTIATED) return SSL_TLSEXT_ERR_NOACK;
    *out = selected;
    return SSL_TLSEXT_ERR_OK;
}

void SSLContext::set_ciphers(const std::string& ciphers) {
    ERR_clear_error();
    if (SSL_CTX_set_cipher_list(ctx_, ciphers.c_str()) != 1)
        throw io::ssl_error_from_queue("No cipher can be selected from '" + ciphers + "'");
}

void SSLContext::set_minimum_version(TLSVersion v) {
    ERR_clear_error();
    if (SSL_CTX_set_min_proto_version(ctx_, to_openssl(v)) != 1) throw io::ssl_error_from_queue("set_minimum_version");
}

void SSLContext::set_maximum_version(TLSVersion v) {
    ERR_clear_error();
    if (SSL_CTX_set_max_proto_version(ctx_, to_openssl(v)) != 1) throw io::ssl_error_from_queue("set_maximum_version");
}

TLSVersion SSLContext::minimum_version() const noexcept {
    return from_openssl(SSL_CTX_get_min_proto_version(ctx_), TLSVersion::MINIMUM_SUPPORTED);
}

TLSVersion SSLContext::maximum_version() const noexcept {
    return from_openssl(SSL_CTX_get_max_proto_version(ctx_), TLSVersion::MAXIMUM_SUPPORTED);
}

void SSLContext::set_sni_callback(SniCallback cb) { sni_callback_ = std::move(cb); }

int SSLContext::sni_trampoline(SSL* ssl, int* alert, void* arg) {
    auto* self = static_cast<SSLContext*>(arg);
    if (!self->sni_callback_) return SSL_TLSEXT_ERR_OK;
    const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
    try {
        auto other = self->sni_callback_(name ? std::string_view(name) : std::string_view());
        if (other && other.get() != self) {
            if (!SSL_set_SSL_CTX(ssl, other->native_handle())) {
                *alert = SSL_AD_INTERNAL_ERROR;
                return SSL_TLSEXT_ERR_ALERT_FATAL;
            }
            if (auto* engine = io::TlsProtocol::from_ssl(ssl)) engine->adopt_context(std::move(other));
        }
    } catch (...) {
        *alert = SSL_AD_HANDSHAKE_FAILURE;
        return SSL_TLSEXT_ERR_ALERT_FATAL;
    }
    return SSL_TLSEXT_ERR_OK;
}

// ---- entry points -----------------------------------------------------------------------------

namespace io {

TlsWrapping make_tls_protocol(EventLoop& loop, TlsParams params, std::shared_ptr<BaseProtocol> app,
                              std::optional<Future<void>> waiter) {
    return TlsProtocol::create(loop, std::move(params), std::move(app), std::move(waiter), true);
}

}  // namespace io

namespace {

Coro<std::shared_ptr<Transport>> start_tls_impl(std::shared_ptr<Transport> transport,
                                                std::shared_ptr<BaseProtocol> protocol, io::TlsParams params) {
    if (!transport) throw ValueError("start_tls(): null transport");
    if (transport->is_closing()) throw RuntimeError("start_tls(): the transport is closing");
    EventLoop& loop = get_running_loop();
    auto waiter = loop.create_future<void>();
    auto wrapping = io::TlsProtocol::create(loop, std::move(params), std::move(protocol), waiter, false);

    // As asyncio: pause first, so that no TLS record reaches the new protocol before its
    // connection_made(); both steps run on the next iteration, in this order.
    transport->pause_reading();
    transport->set_protocol(wrapping.raw_protocol);
    Handle made = loop.call_soon([raw = wrapping.raw_protocol, transport] {
        raw->deliver_connection_made(*transport);
    });
    Handle resume = loop.call_soon([transport] { transport->resume_reading(); });
    try {
        co_await waiter;
    } catch (...) {
        transport->close();
        made.cancel();
        resume.cancel();
        throw;
    }
    co_return wrapping.app_transport;
}

}  // namespace

// Not a coroutine itself: it copies the options into owned parameters at the call, and the
// coroutine receives them as an xvalue, never as a temporary (see StartTlsOptions).
Coro<std::shared_ptr<Transport>> start_tls(std::shared_ptr<Transport> transport,
                                           std::shared_ptr<BaseProtocol> protocol,
                                           std::shared_ptr<SSLContext> ctx, StartTlsOptions options) {
    io::TlsParams params;
    params.context = std::move(ctx);
    params.server_side = options.server_side;
    params.server_hostname = std::string(options.server_hostname);
    params.handshake_timeout = options.ssl_handshake_timeout;
    params.shutdown_timeout = options.ssl_shutdown_timeout;
    return start_tls_impl(std::move(transport), std::move(protocol), std::move(params));
}

}  // namespace aio
