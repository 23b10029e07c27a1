// SSLContext: Python's defaults, and clear SSLErrors (never a crash, never a password prompt) for
// bad files, passwords and settings.

#include "tls_support.hpp"

namespace {

using namespace aio_tls_test;

std::string ssl_error_text(const std::function<void()>& f) {
    try {
        f();
    } catch (const aio::SSLError& e) {
        return e.what();
    } catch (const std::exception& e) {
        ADD_FAILURE() << "expected an SSLError, got: " << e.what();
        return {};
    }
    ADD_FAILURE() << "expected an SSLError, got no exception";
    return {};
}

bool contains(const std::string& s, const char* part) { return s.find(part) != std::string::npos; }

TEST(TlsContext, DefaultClientContextVerifiesCertificatesAndHostNames) {
    auto ctx = aio::SSLContext::create_default_context();
    EXPECT_EQ(ctx->side(), aio::SSLContext::Side::client);
    EXPECT_TRUE(ctx->check_hostname());
    EXPECT_EQ(ctx->verify_mode(), aio::CERT_REQUIRED);
    EXPECT_EQ(ctx->minimum_version(), aio::TLSVersion::TLSv1_2);
    EXPECT_NE(ctx->native_handle(), nullptr);
    EXPECT_EQ(SSL_CTX_get_verify_mode(ctx->native_handle()) & SSL_VERIFY_PEER, SSL_VERIFY_PEER);
}

TEST(TlsContext, ServerContextAsksNoClientCertificateByDefault) {
    auto ctx = aio::SSLContext::create_server_context();
    EXPECT_TRUE(ctx->is_server());
    EXPECT_FALSE(ctx->check_hostname());
    EXPECT_EQ(ctx->verify_mode(), aio::CERT_NONE);
    auto ctx2 = aio::SSLContext::create_default_context(aio::Purpose::client_auth);
    EXPECT_TRUE(ctx2->is_server());
}

TEST(TlsContext, CheckHostnameAndVerifyModeFollowPythonsRules) {
    auto ctx = aio::SSLContext::create_client_context();
    EXPECT_THROW(ctx->set_verify_mode(aio::CERT_NONE), aio::ValueError);
    ctx->set_check_hostname(false);
    ctx->set_verify_mode(aio::CERT_NONE);
    EXPECT_EQ(SSL_CTX_get_verify_mode(ctx->native_handle()), SSL_VERIFY_NONE);
    ctx->set_check_hostname(true);  // turns verification back on
    EXPECT_EQ(ctx->verify_mode(), aio::CERT_REQUIRED);
    ctx->set_verify_mode(aio::CERT_OPTIONAL);
    EXPECT_EQ(SSL_CTX_get_verify_mode(ctx->native_handle()), SSL_VERIFY_PEER);
}

TEST(TlsContext, VersionsCanBeRaisedAndCapped) {
    auto ctx = aio::SSLContext::create_client_context();
    ctx->set_minimum_version(aio::TLSVersion::TLSv1_3);
    EXPECT_EQ(ctx->minimum_version(), aio::TLSVersion::TLSv1_3);
    EXPECT_EQ(ctx->maximum_version(), aio::TLSVersion::MAXIMUM_SUPPORTED);
    ctx->set_maximum_version(aio::TLSVersion::TLSv1_3);
    EXPECT_EQ(ctx->maximum_version(), aio::TLSVersion::TLSv1_3);
}

TEST(TlsContext, LoadsCertificateChainsInEveryForm) {
    auto ctx = aio::SSLContext::create_server_context();
    ctx->load_cert_chain(pki().server_cert, pki().server_key);
    ctx->load_cert_chain(pki().server_combined);  // key in the same file
    ctx->load_cert_chain(pki().server_cert, pki().server_key_encrypted, "secret");
}

TEST(TlsContext, MissingCertificateFileIsAnSslErrorNamingTheFile) {
    auto ctx = aio::SSLContext::create_server_context();
    auto msg = ssl_error_text([&] { ctx->load_cert_chain(pki().missing, pki().server_key); });
    EXPECT_TRUE(contains(msg, "No such file or directory")) << msg;
    EXPECT_TRUE(contains(msg, pki().missing.c_str())) << msg;
    // It is an OSError, as in Python.
    EXPECT_THROW(ctx->load_cert_chain(pki().missing), aio::OSError);
}

TEST(TlsContext, MissingKeyFileIsAnSslError) {
    auto ctx = aio::SSLContext::create_server_context();
    auto msg = ssl_error_text([&] { ctx->load_cert_chain(pki().server_cert, pki().missing); });
    EXPECT_TRUE(contains(msg, "No such file or directory")) << msg;
}

TEST(TlsContext, GarbagePemIsAnSslErrorWithOpenSslsReason) {
    auto ctx = aio::SSLContext::create_server_context();
    auto msg = ssl_error_text([&] { ctx->load_cert_chain(pki().garbage, pki().server_key); });
    EXPECT_FALSE(msg.empty());
    try {
        ctx->load_cert_chain(pki().garbage, pki().server_key);
    } catch (const aio::SSLError& e) {
        EXPECT_FALSE(e.reason().empty());
        EXPECT_FALSE(e.library().empty());
    }
    // A key file that is not a key.
    msg = ssl_error_text([&] { ctx->load_cert_chain(pki().server_cert, pki().garbage); });
    EXPECT_TRUE(contains(msg, "private key")) << msg;
}

TEST(TlsContext, WrongOrMissingPasswordIsAnSslErrorNotAPrompt) {
    auto ctx = aio::SSLContext::create_server_context();
    auto wrong = ssl_error_text([&] { ctx->load_cert_chain(pki().server_cert, pki().server_key_encrypted, "wrong"); });
    EXPECT_TRUE(contains(wrong, "private key")) << wrong;
    auto none = ssl_error_text([&] { ctx->load_cert_chain(pki().server_cert, pki().server_key_encrypted); });
    EXPECT_TRUE(contains(none, "no password given")) << none;
}

TEST(TlsContext, KeyThatDoesNotMatchTheCertificateIsAnSslError) {
    auto ctx = aio::SSLContext::create_server_context();
    auto msg = ssl_error_text([&] { ctx->load_cert_chain(pki().server_cert, pki().client_key); });
    EXPECT_TRUE(contains(msg, "does not match") || contains(msg, "values mismatch")) << msg;
}

TEST(TlsContext, VerifyLocationsFromFileAndMemory) {
    auto ctx = aio::SSLContext::create_client_context();
    ctx->load_verify_locations({.cafile = pki().ca});
    ctx->load_verify_locations({.cadata = pki().ca_pem_text});  // again: already trusted is fine
    ctx->load_verify_locations({.capath = pki().dir});
    EXPECT_THROW(ctx->load_verify_locations({}), aio::ValueError);
    auto msg = ssl_error_text([&] { ctx->load_verify_locations({.cafile = pki().missing}); });
    EXPECT_TRUE(contains(msg, pki().missing.c_str())) << msg;
    msg = ssl_error_text([&] { ctx->load_verify_locations({.cadata = "not a certificate"}); });
    EXPECT_TRUE(contains(msg, "no certificate")) << msg;
    msg = ssl_error_text([&] {
        ctx->load_verify_locations({.cadata = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"});
    });
    EXPECT_FALSE(msg.empty());
    ctx->set_default_verify_paths();
}

TEST(TlsContext, CiphersThatMatchNothingAreAnSslError) {
    auto ctx = aio::SSLContext::create_client_context();
    ctx->set_ciphers("ECDHE+AESGCM");
    auto msg = ssl_error_text([&] { ctx->set_ciphers("NO-SUCH-CIPHER"); });
    EXPECT_TRUE(contains(msg, "no cipher match")) << msg;
}

TEST(TlsContext, SslErrorIsAnOsErrorAndVerificationErrorAnSslError) {
    aio::SSLCertVerificationError e(18, "self-signed certificate");
    const aio::SSLError& base = e;
    const aio::OSError& os = e;
    EXPECT_STREQ(base.what(), "certificate verify failed: self-signed certificate");
    EXPECT_STREQ(os.what(), "certificate verify failed: self-signed certificate");
    EXPECT_EQ(e.verify_code(), 18);
    EXPECT_EQ(e.verify_message(), "self-signed certificate");
    EXPECT_EQ(os.errno_code(), SSL_ERROR_SSL);
}

}  // namespace
