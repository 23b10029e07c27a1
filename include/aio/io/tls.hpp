#pragma once
/// TLS with OpenSSL — Python's ssl module (SSLContext, SSLError, SSLCertVerificationError) and
/// asyncio's loop.start_tls. Connections get TLS through the `ssl` option of create_connection,
/// create_server, open_connection and start_server:
///
/// ```
/// // client: the system CA store, certificate and host name checked
/// auto ctx = aio::SSLContext::create_default_context();
/// auto [reader, writer] = co_await aio::open_connection("example.org", 443, {.ssl = ctx});
///
/// // server: a certificate chain and its key
/// auto sctx = aio::SSLContext::create_server_context();
/// sctx->load_cert_chain("server.pem", "server.key");
/// auto server = co_await aio::start_server(handle, "0.0.0.0", 8443, {.ssl = sctx});
/// ```
///
/// The TLS transport is asyncio's SSLProtocol: it runs OpenSSL over two memory BIOs on top of the
/// plain transport, so it works over any stream transport (TCP, Unix sockets, pipes) and can be
/// started on a connection that is already open (start_tls). Its get_extra_info() knows
/// "peercert" (std::string, the PEM of the peer's certificate, empty if none), "cipher",
/// "ssl_version", "compression", "alpn_protocol" (std::string), "ssl_object" (SSL*),
/// "sslcontext" (std::shared_ptr<SSLContext>), and every name of the transport beneath
/// ("peername", "sockname", "socket"). TLS has no half-close: can_write_eof() is false and
/// write_eof() throws, as in asyncio.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aio/core/clock.hpp"
#include "aio/core/coro.hpp"
#include "aio/core/exceptions.hpp"
#include "aio/io/protocol.hpp"
#include "aio/io/transport.hpp"

// OpenSSL's types, so that this header does not pull in <openssl/ssl.h>.
struct ssl_ctx_st;
struct ssl_st;

namespace aio {

// ---- errors ---------------------------------------------------------------------------------

/// A TLS failure (Python's ssl.SSLError, an OSError). errno_code() is OpenSSL's SSL_ERROR_* value
/// (SSL_ERROR_SSL = 1 for protocol and certificate errors), as in Python; library() and reason()
/// are OpenSSL's texts ("SSL routines", "wrong version number"), empty when OpenSSL gave none.
class SSLError : public OSError {
public:
    SSLError(int ssl_error, std::string message, std::string library = {}, std::string reason = {});
    const char* what() const noexcept override { return message_.c_str(); }
    const std::string& library() const noexcept { return library_; }
    const std::string& reason() const noexcept { return reason_; }

private:
    std::string message_;
    std::string library_;
    std::string reason_;
};

/// The peer's certificate did not verify (Python's ssl.SSLCertVerificationError): an unknown
/// issuer, an expired certificate, a host name that does not match. what() reads
/// "certificate verify failed: <OpenSSL's verify message>", e.g. "certificate verify failed:
/// self-signed certificate" or "certificate verify failed: Hostname mismatch, certificate is not
/// valid for 'example.com'.".
class SSLCertVerificationError : public SSLError {
public:
    SSLCertVerificationError(long verify_code, std::string verify_message);
    /// X509_V_ERR_* (e.g. 18 for a self-signed certificate, 62 for a host name mismatch).
    long verify_code() const noexcept { return verify_code_; }
    /// The verify message, without the "certificate verify failed: " prefix.
    const std::string& verify_message() const noexcept { return verify_message_; }

private:
    long verify_code_;
    std::string verify_message_;
};

// ---- context --------------------------------------------------------------------------------

/// Python's ssl.Purpose: what the certificates a context verifies are for.
enum class Purpose {
    server_auth,  ///< the context verifies servers: a client context
    client_auth,  ///< the context verifies clients: a server context
};

/// Python's ssl.VerifyMode (aio::CERT_NONE, aio::CERT_OPTIONAL, aio::CERT_REQUIRED).
enum class VerifyMode { CERT_NONE, CERT_OPTIONAL, CERT_REQUIRED };
inline constexpr VerifyMode CERT_NONE = VerifyMode::CERT_NONE;
inline constexpr VerifyMode CERT_OPTIONAL = VerifyMode::CERT_OPTIONAL;
inline constexpr VerifyMode CERT_REQUIRED = VerifyMode::CERT_REQUIRED;

/// Python's ssl.TLSVersion.
enum class TLSVersion { MINIMUM_SUPPORTED, TLSv1, TLSv1_1, TLSv1_2, TLSv1_3, MAXIMUM_SUPPORTED };

/// Where trusted CA certificates come from (load_verify_locations, create_default_context): a
/// PEM file, an OpenSSL hashed directory, or PEM text in memory. Any of them may be empty.
struct VerifyLocations {
    std::string cafile = {};
    std::string capath = {};
    std::string cadata = {};
};

/// Python's ssl.SSLContext: certificates, keys, trust and options shared by many connections.
/// Always held by std::shared_ptr; a connection keeps its context alive. Configure it before
/// connections use it; like Python's, it is not meant to be changed while in use from another
/// thread.
///
/// Every method that reads files or parses PEM throws SSLError with OpenSSL's reason on bad
/// input (a missing file, a wrong password, garbage), never crashes and never prompts for a
/// password on the terminal.
class SSLContext : public std::enable_shared_from_this<SSLContext> {
    struct Private {};

public:
    /// Which end of a connection the context is for (PROTOCOL_TLS_CLIENT / PROTOCOL_TLS_SERVER).
    enum class Side { client, server };

    /// Python's ssl.create_default_context(purpose, cafile=, capath=, cadata=). For
    /// Purpose::server_auth (the default): a client context that verifies the server's
    /// certificate and host name (CERT_REQUIRED, check_hostname on), TLS 1.2 or newer, trusting
    /// `locations` if any is given, else the system CA store. For Purpose::client_auth: a server
    /// context (CERT_NONE unless changed) that would verify client certificates against the same
    /// CAs; it still needs load_cert_chain().
    static std::shared_ptr<SSLContext> create_default_context(Purpose purpose = Purpose::server_auth,
                                                              const VerifyLocations& locations = {});
    /// SSLContext(PROTOCOL_TLS_CLIENT): CERT_REQUIRED and check_hostname on, TLS 1.2 or newer,
    /// no CA loaded yet.
    static std::shared_ptr<SSLContext> create_client_context();
    /// SSLContext(PROTOCOL_TLS_SERVER): CERT_NONE (clients are not asked for certificates), TLS
    /// 1.2 or newer; call load_cert_chain() before serving.
    static std::shared_ptr<SSLContext> create_server_context();

    SSLContext(Side side, Private);
    ~SSLContext();
    SSLContext(const SSLContext&) = delete;
    SSLContext& operator=(const SSLContext&) = delete;

    Side side() const noexcept { return side_; }
    bool is_server() const noexcept { return side_ == Side::server; }

    /// Loads the certificate chain (PEM: the leaf first, then intermediates) and its private key
    /// (in `certfile` too when `keyfile` is empty). `password` decrypts an encrypted key.
    /// Throws SSLError (missing file, garbage, wrong or missing password, a key that does not
    /// match the certificate).
    void load_cert_chain(const std::string& certfile, const std::string& keyfile = {},
                         const std::optional<std::string>& password = std::nullopt);
    /// Trusts the CA certificates of `locations`. Throws ValueError if all are empty, SSLError
    /// if a file or directory cannot be used or cadata holds no certificate.
    void load_verify_locations(const VerifyLocations& locations);
    /// Trusts the system CA store (OpenSSL's default paths, SSL_CERT_FILE / SSL_CERT_DIR).
    void set_default_verify_paths();

    /// Whether the peer's certificate must match server_hostname (client side). Turning it on
    /// while verify_mode is CERT_NONE switches verify_mode to CERT_REQUIRED, as in Python.
    void set_check_hostname(bool on);
    bool check_hostname() const noexcept { return check_hostname_; }
    /// Throws ValueError for CERT_NONE while check_hostname is on (as Python does).
    void set_verify_mode(VerifyMode mode);
    VerifyMode verify_mode() const noexcept { return verify_mode_; }

    /// Protocols offered (client) or accepted in order of preference (server) by ALPN, for
    /// example {"h2", "http/1.1"}. The chosen one is get_extra_info("alpn_protocol"). Throws
    /// ValueError for an empty or over-long name.
    void set_alpn_protocols(const std::vector<std::string>& protocols);
    /// OpenSSL cipher list for TLS 1.2 and older (TLS 1.3 suites are OpenSSL's defaults). Throws
    /// SSLError if no cipher matches.
    void set_ciphers(const std::string& ciphers);
    /// Throws SSLError if OpenSSL refuses the version.
    void set_minimum_version(TLSVersion v);
    void set_maximum_version(TLSVersion v);
    TLSVersion minimum_version() const noexcept;
    TLSVersion maximum_version() const noexcept;

    /// Server side: called during the handshake with the name the client asked for by SNI
    /// (empty if none), like Python's sni_callback. Return another context to serve this
    /// connection with it (virtual hosting), or null to go on with this one. Throwing aborts the
    /// handshake with a fatal alert.
    using SniCallback = std::function<std::shared_ptr<SSLContext>(std::string_view server_name)>;
    void set_sni_callback(SniCallback cb);

    /// The OpenSSL context, for what this class does not wrap (session caches, keylog, ...).
    ssl_ctx_st* native_handle() const noexcept { return ctx_; }

private:
    static int sni_trampoline(ssl_st* ssl, int* alert, void* arg);
    static int alpn_select_trampoline(ssl_st* ssl, const unsigned char** out, unsigned char* outlen,
                                      const unsigned char* in, unsigned int inlen, void* arg);
    void apply_verify() noexcept;

    ssl_ctx_st* ctx_;
    Side side_;
    bool check_hostname_;
    VerifyMode verify_mode_;
    std::string alpn_wire_;  // ALPN protocols in wire format (length-prefixed)
    SniCallback sni_callback_;
};

// ---- start_tls ------------------------------------------------------------------------------

/// The keyword arguments of start_tls. Every member is trivially copyable on purpose: g++ 12
/// destroys an aggregate temporary written inside a co_await expression twice (a bitwise copy
/// lands in the coroutine frame), which a std::string member would not survive;
/// `co_await aio::start_tls(t, p, ctx, {.server_hostname = "x"})` is safe with this struct.
struct StartTlsOptions {
    /// True on the accepting end of the connection (needs a server context).
    bool server_side = false;
    /// SNI and the name the server's certificate must match (client side). Copied when
    /// start_tls() is called, so a temporary is fine. Empty with a context that checks host
    /// names: ValueError.
    std::string_view server_hostname = {};
    Duration ssl_handshake_timeout = std::chrono::seconds(60);
    Duration ssl_shutdown_timeout = std::chrono::seconds(30);
};

/// asyncio's loop.start_tls: upgrades an open connection to TLS. `transport` stops being read,
/// its protocol is replaced by the TLS layer, the handshake runs, and the TLS transport that
/// `protocol` now talks through is returned; `protocol` gets no new connection_made(). Use the
/// returned transport from now on, never `transport` (it carries the TLS records).
///
/// Throws what the handshake raised (SSLError, SSLCertVerificationError, TimeoutError,
/// ConnectionResetError, ...) after closing `transport`; `protocol` then gets connection_lost().
/// ValueError, before touching `transport`, for a context of the wrong side or a missing
/// server_hostname. Nothing happens until the result is awaited.
/// Cancel safety: cancelling the await closes `transport`.
///
/// StreamWriter::start_tls (asyncio 3.11) is to wrap this: swap the writer's transport for the
/// returned one (see docs/tls.md).
///
/// ```
/// transport->write("STARTTLS\r\n");  // ... the peer agreed:
/// auto tls = co_await aio::start_tls(transport, protocol, ctx, {.server_hostname = "mail.example.org"});
/// tls->write("EHLO me\r\n");
/// ```
Coro<std::shared_ptr<Transport>> start_tls(std::shared_ptr<Transport> transport,
                                           std::shared_ptr<BaseProtocol> protocol,
                                           std::shared_ptr<SSLContext> ctx, StartTlsOptions options = {});

}  // namespace aio
