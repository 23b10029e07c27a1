#pragma once
// What the TLS tests share: a private CA made at test time with OpenSSL's C API (no fixture files
// to expire), loopback socket pairs, a recording protocol, and a fixture that wraps both ends of a
// connection in TLS over FdTransport.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "aio/core/event_loop.hpp"
#include "aio/core/future.hpp"
#include "aio/core/os_errors.hpp"
#include "aio/io/tls.hpp"
#include "aio/time/sleep.hpp"
#include "aio/time/wait_for.hpp"
#include "io/fd_transport.hpp"
#include "io/tls_hook.hpp"
#include "support/loop_fixture.hpp"

namespace aio_tls_test {

using namespace std::chrono_literals;

// ---- a CA made at test time -------------------------------------------------------------------

struct KeyDeleter {
    void operator()(EVP_PKEY* k) const noexcept { EVP_PKEY_free(k); }
};
struct CertDeleter {
    void operator()(X509* c) const noexcept { X509_free(c); }
};
using Key = std::unique_ptr<EVP_PKEY, KeyDeleter>;
using Cert = std::unique_ptr<X509, CertDeleter>;

inline void check(bool ok, const char* what) {
    if (!ok) {
        char buf[256];
        ERR_error_string_n(ERR_get_error(), buf, sizeof buf);
        throw std::runtime_error(std::string("test CA: ") + what + ": " + buf);
    }
}

inline Key make_key() {
    Key k(EVP_EC_gen("P-256"));
    check(k != nullptr, "EVP_EC_gen");
    return k;
}

inline void add_ext(X509* cert, X509V3_CTX* ctx, int nid, const char* value) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, ctx, nid, value);
    check(ext != nullptr, "X509V3_EXT_conf_nid");
    X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
}

/// A certificate for `key` named `cn`, signed by `issuer` (self-signed when null). A CA when `ca`;
/// otherwise a leaf for `san` ("DNS:localhost,IP:127.0.0.1"), good for servers and clients.
inline Cert make_cert(EVP_PKEY* key, const char* cn, X509* issuer, EVP_PKEY* issuer_key, bool ca,
                      const char* san = nullptr) {
    static long serial = 1;
    Cert x(X509_new());
    check(x != nullptr, "X509_new");
    X509_set_version(x.get(), 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x.get()), serial++);
    X509_gmtime_adj(X509_getm_notBefore(x.get()), -3600);
    X509_gmtime_adj(X509_getm_notAfter(x.get()), 30L * 24 * 3600);
    X509_set_pubkey(x.get(), key);
    X509_NAME* name = X509_get_subject_name(x.get());
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("aio tests"), -1, -1, 0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn), -1, -1, 0);
    X509_set_issuer_name(x.get(), issuer ? X509_get_subject_name(issuer) : name);
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer ? issuer : x.get(), x.get(), nullptr, nullptr, 0);
    add_ext(x.get(), &ctx, NID_basic_constraints, ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
    add_ext(x.get(), &ctx, NID_key_usage, ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature,keyEncipherment");
    add_ext(x.get(), &ctx, NID_subject_key_identifier, "hash");
    if (issuer) add_ext(x.get(), &ctx, NID_authority_key_identifier, "keyid:always");
    if (!ca) add_ext(x.get(), &ctx, NID_ext_key_usage, "serverAuth,clientAuth");
    if (san) add_ext(x.get(), &ctx, NID_subject_alt_name, san);
    check(X509_sign(x.get(), issuer_key ? issuer_key : key, EVP_sha256()) > 0, "X509_sign");
    return x;
}

inline std::string cert_pem(X509* c) {
    BIO* bio = BIO_new(BIO_s_mem());
    PEM_write_bio_X509(bio, c);
    char* p = nullptr;
    long n = BIO_get_mem_data(bio, &p);
    std::string s(p, static_cast<std::size_t>(n));
    BIO_free(bio);
    return s;
}

inline void write_file(const std::string& path, const std::string& text) {
    FILE* f = std::fopen(path.c_str(), "wb");
    check(f != nullptr, "fopen");
    std::fwrite(text.data(), 1, text.size(), f);
    std::fclose(f);
}

inline void write_key(const std::string& path, EVP_PKEY* key, const char* password = nullptr) {
    FILE* f = std::fopen(path.c_str(), "wb");
    check(f != nullptr, "fopen");
    int ok = password ? PEM_write_PrivateKey(f, key, EVP_aes_128_cbc(), nullptr, 0, nullptr, const_cast<char*>(password))
                      : PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr);
    std::fclose(f);
    check(ok == 1, "PEM_write_PrivateKey");
}

/// The files of the test PKI, in a temporary directory removed at exit.
struct Pki {
    std::string dir;
    std::string ca;            // the trusted CA (PEM)
    std::string ca_pem_text;   // its text, for cadata
    std::string server_cert;   // "localhost" + 127.0.0.1, signed by the CA
    std::string server_key;
    std::string server_key_encrypted;  // the same key, password "secret"
    std::string server_combined;       // certificate and key in one file
    std::string client_cert;   // "aio test client", signed by the CA
    std::string client_key;
    std::string other_ca;      // a CA nobody trusts
    std::string other_server_cert;  // "localhost" signed by the other CA
    std::string other_server_key;
    std::string self_signed_cert;   // "localhost", self-signed
    std::string self_signed_key;
    std::string garbage;       // not PEM at all
    std::string missing;       // a path that does not exist

    ~Pki() {
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
    }
};

inline const Pki& pki() {
    static const Pki p = [] {
        Pki r;
        char tmpl[] = "/tmp/aio_tls_test_XXXXXX";
        check(::mkdtemp(tmpl) != nullptr, "mkdtemp");
        r.dir = tmpl;
        auto path = [&](const char* name) { return r.dir + "/" + name; };

        Key ca_key = make_key();
        Cert ca = make_cert(ca_key.get(), "aio test CA", nullptr, nullptr, true);
        Key server_key = make_key();
        Cert server = make_cert(server_key.get(), "localhost", ca.get(), ca_key.get(), false, "DNS:localhost,IP:127.0.0.1");
        Key client_key = make_key();
        Cert client = make_cert(client_key.get(), "aio test client", ca.get(), ca_key.get(), false, "DNS:client.test");
        Key other_ca_key = make_key();
        Cert other_ca = make_cert(other_ca_key.get(), "aio untrusted CA", nullptr, nullptr, true);
        Key other_key = make_key();
        Cert other = make_cert(other_key.get(), "localhost", other_ca.get(), other_ca_key.get(), false, "DNS:localhost,IP:127.0.0.1");
        Key self_key = make_key();
        Cert self = make_cert(self_key.get(), "localhost", nullptr, nullptr, false, "DNS:localhost");

        r.ca = path("ca.pem");
        r.ca_pem_text = cert_pem(ca.get());
        write_file(r.ca, r.ca_pem_text);
        r.server_cert = path("server.pem");
        write_file(r.server_cert, cert_pem(server.get()));
        r.server_key = path("server.key");
        write_key(r.server_key, server_key.get());
        r.server_key_encrypted = path("server_encrypted.key");
        write_key(r.server_key_encrypted, server_key.get(), "secret");
        r.server_combined = path("server_combined.pem");
        {
            write_key(r.server_combined + ".key", server_key.get());
            FILE* f = std::fopen((r.server_combined + ".key").c_str(), "rb");
            std::string key_text;
            char buf[4096];
            std::size_t n;
            while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) key_text.append(buf, n);
            std::fclose(f);
            write_file(r.server_combined, cert_pem(server.get()) + key_text);
        }
        r.client_cert = path("client.pem");
        write_file(r.client_cert, cert_pem(client.get()));
        r.client_key = path("client.key");
        write_key(r.client_key, client_key.get());
        r.other_ca = path("other_ca.pem");
        write_file(r.other_ca, cert_pem(other_ca.get()));
        r.other_server_cert = path("other_server.pem");
        write_file(r.other_server_cert, cert_pem(other.get()));
        r.other_server_key = path("other_server.key");
        write_key(r.other_server_key, other_key.get());
        r.self_signed_cert = path("self_signed.pem");
        write_file(r.self_signed_cert, cert_pem(self.get()));
        r.self_signed_key = path("self_signed.key");
        write_key(r.self_signed_key, self_key.get());
        r.garbage = path("garbage.pem");
        write_file(r.garbage, "this is not a certificate\n-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
        r.missing = path("does_not_exist.pem");
        return r;
    }();
    return p;
}

/// A server context serving the CA-signed "localhost" certificate.
inline std::shared_ptr<aio::SSLContext> server_context() {
    auto ctx = aio::SSLContext::create_server_context();
    ctx->load_cert_chain(pki().server_cert, pki().server_key);
    return ctx;
}

/// A client context that trusts the test CA (and only it).
inline std::shared_ptr<aio::SSLContext> client_context() {
    return aio::SSLContext::create_default_context(aio::Purpose::server_auth, {.cafile = pki().ca});
}

// ---- sockets ------------------------------------------------------------------------------------

/// Two connected, non-blocking loopback TCP sockets {client, server}. Tests copy them into plain
/// ints rather than structured bindings, which clang 14 cannot capture in lambdas.
inline std::pair<int, int> tcp_pair() {
    int l = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    check(l >= 0, "socket");
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    check(::bind(l, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 && ::listen(l, 1) == 0 &&
              ::getsockname(l, reinterpret_cast<sockaddr*>(&a), &len) == 0,
          "listen");
    int c = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    check(c >= 0 && ::connect(c, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0, "connect");
    int s = ::accept4(l, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    check(s >= 0, "accept");
    ::close(l);
    ::fcntl(c, F_SETFL, ::fcntl(c, F_GETFL) | O_NONBLOCK);
    return {c, s};
}

/// Two connected, non-blocking Unix sockets (fully synchronous: for the virtual clock).
inline std::pair<int, int> unix_pair() {
    int sv[2];
    check(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) == 0, "socketpair");
    return {sv[0], sv[1]};
}

// ---- a recording protocol ---------------------------------------------------------------------------

/// Records what a TLS (or plain) transport tells it; futures let a test wait for each event.
struct Peer : aio::Protocol {
    explicit Peer(aio::EventLoop& l) : loop(&l), made(l.create_future<void>()), lost(l.create_future<void>()) {}

    aio::EventLoop* loop;
    aio::Transport* t = nullptr;
    std::string data;
    int eofs = 0;
    bool eof_after_close_notify = false;  // the peer's close_notify had arrived when eof_received ran
    bool close_notify_at_lost = false;    // ... when connection_lost ran
    bool echo = false;
    bool pause_reading_when_paused = false;  // echo with back-pressure: stop reading while our writes wait
    int pauses = 0, resumes = 0;
    bool writing_paused = false;
    std::exception_ptr lost_exc;
    aio::Future<void> made, lost;
    std::size_t want = 0;
    std::optional<aio::Future<void>> got;
    std::optional<aio::Future<void>> resumed;

    static bool received_close_notify(aio::Transport* tr) {
        if (!tr) return false;
        auto any = tr->get_extra_info("ssl_object");
        if (!any.has_value()) return false;
        return (SSL_get_shutdown(std::any_cast<SSL*>(any)) & SSL_RECEIVED_SHUTDOWN) != 0;
    }

    void connection_made(aio::Transport& tr) override {
        t = &tr;
        made.set_result();
    }
    void data_received(std::string_view d) override {
        data += d;
        if (echo) t->write(d);
        if (got && !got->done() && data.size() >= want) got->set_result();
    }
    bool eof_received() override {
        ++eofs;
        eof_after_close_notify = received_close_notify(t);
        return false;
    }
    void connection_lost(std::exception_ptr e) override {
        close_notify_at_lost = received_close_notify(t);
        lost_exc = e;
        t = nullptr;
        if (got && !got->done()) got->set_result();
        if (!lost.done()) lost.set_result();
    }
    void pause_writing() override {
        ++pauses;
        writing_paused = true;
        if (pause_reading_when_paused && t) t->pause_reading();
    }
    void resume_writing() override {
        ++resumes;
        writing_paused = false;
        if (pause_reading_when_paused && t) t->resume_reading();
        if (resumed && !resumed->done()) resumed->set_result();
    }

    /// Waits until `n` bytes arrived in total (or the connection is lost).
    aio::Coro<void> wait_bytes(std::size_t n) {
        if (data.size() >= n || lost.done()) co_return;
        want = n;
        got = loop->create_future<void>();
        co_await *got;
    }
    /// Waits for resume_writing() if writing is paused.
    aio::Coro<void> wait_writable() {
        if (!writing_paused) co_return;
        resumed = loop->create_future<void>();
        co_await *resumed;
    }
};

/// The exception a future ends with (null if it succeeds).
inline aio::Coro<std::exception_ptr> failure_of(aio::Future<void> f) {
    try {
        co_await f;
    } catch (...) {
        co_return std::current_exception();
    }
    co_return nullptr;
}

/// what() of `e` if it holds an E, else a failure.
template <class E>
std::string what_of(const std::exception_ptr& e) {
    if (!e) {
        ADD_FAILURE() << "expected " << typeid(E).name() << ", got no exception";
        return {};
    }
    try {
        std::rethrow_exception(e);
    } catch (const E& x) {
        return x.what();
    } catch (...) {
        ADD_FAILURE() << "expected " << typeid(E).name() << ", got " << aio::describe_exception(e);
    }
    return {};
}

template <class E>
bool holds(const std::exception_ptr& e) {
    try {
        if (e) std::rethrow_exception(e);
    } catch (const E&) {
        return true;
    } catch (...) {
    }
    return false;
}

// ---- one end of a TLS connection over FdTransport -------------------------------------------------

struct End {
    std::shared_ptr<Peer> app;
    std::shared_ptr<aio::io::FdTransport> raw;
    std::shared_ptr<aio::Transport> tls;  // what create_connection would return
    aio::Future<void> handshake;
};

struct EndOptions {
    std::string server_hostname = "localhost";
    aio::Duration handshake_timeout = 60s;
    aio::Duration shutdown_timeout = 30s;
};

/// Wraps `fd` in TLS with `ctx`, as create_connection / create_server will.
inline End tls_end(aio::EventLoop& loop, int fd, std::shared_ptr<aio::SSLContext> ctx, bool server_side,
                   EndOptions o = {}) {
    End e{std::make_shared<Peer>(loop), nullptr, nullptr, loop.create_future<void>()};
    aio::io::TlsParams p;
    p.context = std::move(ctx);
    p.server_side = server_side;
    p.server_hostname = server_side ? std::string() : o.server_hostname;
    p.handshake_timeout = o.handshake_timeout;
    p.shutdown_timeout = o.shutdown_timeout;
    auto w = aio::io::make_tls_protocol(loop, std::move(p), e.app, e.handshake);
    e.tls = w.app_transport;
    e.raw = std::make_shared<aio::io::FdTransport>(loop, aio::sys::Fd(fd), w.raw_protocol,
                                                   aio::io::FdTransport::Kind::socket);
    e.raw->start();
    return e;
}

/// A plain (not TLS) end: FdTransport with a Peer.
inline End plain_end(aio::EventLoop& loop, int fd) {
    End e{std::make_shared<Peer>(loop), nullptr, nullptr, loop.create_future<void>()};
    e.raw = std::make_shared<aio::io::FdTransport>(loop, aio::sys::Fd(fd), e.app, aio::io::FdTransport::Kind::socket);
    e.tls = e.raw;
    e.raw->start(e.handshake);
    return e;
}

/// Tears down what a test left: aborts every raw transport still open and lets their
/// connection_lost() run, so no transport outlives the test (they keep themselves alive).
inline void drain(aio::EventLoop& loop, std::vector<std::shared_ptr<aio::io::FdTransport>>& raws) {
    for (auto& r : raws)
        if (r && !r->is_closing()) r->abort();
    auto spin = []() -> aio::Coro<void> {
        for (int i = 0; i < 5; ++i) co_await aio::sleep(0s);
    };
    loop.run_until_complete(spin());
    raws.clear();
}

/// A fixture on the real clock (TLS over real loopback sockets): bounded by a 20 s timeout per
/// run(), and failing on leftover tasks, reports or watched fds.
class TlsTest : public ::testing::Test {
protected:
    TlsTest() { loop.set_exception_handler(reports.handler()); }
    void TearDown() override {
        drain(loop, raws);
        EXPECT_TRUE(loop.all_tasks().empty());
        EXPECT_TRUE(reports.empty()) << "unexpected exception-handler reports:\n" << reports.describe();
    }
    template <class T>
    T run(aio::Coro<T> c) {
        return loop.run_until_complete(aio::wait_for(std::move(c), 20s));
    }
    End client(int fd, std::shared_ptr<aio::SSLContext> ctx, EndOptions o = {}) {
        End e = tls_end(loop, fd, std::move(ctx), false, std::move(o));
        raws.push_back(e.raw);
        return e;
    }
    End server(int fd, std::shared_ptr<aio::SSLContext> ctx, EndOptions o = {}) {
        End e = tls_end(loop, fd, std::move(ctx), true, std::move(o));
        raws.push_back(e.raw);
        return e;
    }
    End plain(int fd) {
        End e = plain_end(loop, fd);
        raws.push_back(e.raw);
        return e;
    }

    /// Both ends of a new loopback TCP connection. A struct, not a pair: tests name the ends
    /// with references (`End &c = ends.client, &s = ends.server;`), since clang 14 cannot capture
    /// structured bindings in lambdas.
    struct Ends {
        End client;
        End server;
    };
    /// A TLS client with `cctx` (and `client_options`) and a TLS server with `sctx`, over a new
    /// loopback TCP connection; the handshakes run once the loop does.
    Ends tls_ends(std::shared_ptr<aio::SSLContext> cctx, std::shared_ptr<aio::SSLContext> sctx,
                  EndOptions client_options = {}) {
        const auto fds = tcp_pair();
        End c = client(fds.first, std::move(cctx), std::move(client_options));
        End s = server(fds.second, std::move(sctx));
        return Ends{std::move(c), std::move(s)};
    }
    /// Plain (not TLS) ends of a new loopback TCP connection, for start_tls.
    Ends plain_ends() {
        const auto fds = tcp_pair();
        End c = plain(fds.first);
        End s = plain(fds.second);
        return Ends{std::move(c), std::move(s)};
    }

    aio_test::ReportLog reports;
    aio::EventLoop loop;
    std::vector<std::shared_ptr<aio::io::FdTransport>> raws;
};

}  // namespace aio_tls_test
