// TLS handshakes over real loopback sockets: what succeeds, what fails and how it says so.

#include <sys/socket.h>

#include "io/fd_wait.hpp"
#include "tls_support.hpp"

namespace {

using namespace aio_tls_test;

using TlsHandshake = TlsTest;

TEST_F(TlsHandshake, EchoesBothWaysAfterTheHandshake) {
    Ends ends = tls_ends(client_context(), server_context());
    End &c = ends.client, &s = ends.server;
    s.app->echo = true;
    auto body = [&]() -> aio::Coro<void> {
        co_await c.handshake;
        co_await s.handshake;
        EXPECT_TRUE(c.app->made.done());
        EXPECT_EQ(c.app->t, c.tls.get());  // connection_made got the transport create_connection returns
        c.tls->write("hello over TLS");
        co_await c.app->wait_bytes(14);
        EXPECT_EQ(c.app->data, "hello over TLS");
        EXPECT_EQ(s.app->data, "hello over TLS");
        s.tls->write(" and back");
        co_await c.app->wait_bytes(23);
        EXPECT_EQ(c.app->data, "hello over TLS and back");
        c.tls->close();
        co_await c.app->lost;
        co_await s.app->lost;
    };
    run(body());
    EXPECT_EQ(c.app->lost_exc, nullptr);
    EXPECT_EQ(s.app->lost_exc, nullptr);
}

TEST_F(TlsHandshake, ExtraInfoDescribesTheSessionAndTheSocket) {
    auto cctx = client_context();
    Ends ends = tls_ends(cctx, server_context());
    End &c = ends.client, &s = ends.server;
    auto body = [&]() -> aio::Coro<void> {
        co_await c.handshake;
        co_await s.handshake;
        auto& t = *c.tls;
        EXPECT_EQ(std::any_cast<std::string>(t.get_extra_info("ssl_version")), "TLSv1.3");
        EXPECT_FALSE(std::any_cast<std::string>(t.get_extra_info("cipher")).empty());
        EXPECT_EQ(std::any_cast<std::string>(t.get_extra_info("compression")), "");
        auto peercert = std::any_cast<std::string>(t.get_extra_info("peercert"));
        EXPECT_EQ(peercert.rfind("-----BEGIN CERTIFICATE-----", 0), 0u) << peercert;
        // The server asked for no client certificate.
        EXPECT_EQ(std::any_cast<std::string>(s.tls->get_extra_info("peercert")), "");
        EXPECT_NE(std::any_cast<SSL*>(t.get_extra_info("ssl_object")), nullptr);
        EXPECT_EQ(std::any_cast<std::shared_ptr<aio::SSLContext>>(t.get_extra_info("sslcontext")), cctx);
        EXPECT_EQ(std::any_cast<std::string>(t.get_extra_info("alpn_protocol")), "");
        // What the socket beneath knows.
        EXPECT_EQ(std::any_cast<int>(t.get_extra_info("socket")), c.raw->fd());
        auto peer = std::any_cast<aio::SocketAddress>(t.get_extra_info("peername"));
        auto local = std::any_cast<aio::SocketAddress>(s.tls->get_extra_info("sockname"));
        EXPECT_EQ(peer, local);
        EXPECT_EQ(peer.host(), "127.0.0.1");
        EXPECT_FALSE(t.get_extra_info("no such thing").has_value());
        // TLS has no half-close.
        EXPECT_FALSE(t.can_write_eof());
        EXPECT_THROW(t.write_eof(), aio::RuntimeError);
        EXPECT_TRUE(t.is_reading());
        EXPECT_FALSE(t.is_closing());
        EXPECT_EQ(t.get_protocol(), c.app);
        c.tls->close();
        EXPECT_TRUE(t.is_closing());
        co_await c.app->lost;
        co_await s.app->lost;
    };
    run(body());
}

TEST_F(TlsHandshake, UntrustedIssuerFailsWithCertVerificationErrorOnTheClientAndAnAlertOnTheServer) {
    // The client trusts the test CA; the server's certificate comes from another one.
    auto sctx = aio::SSLContext::create_server_context();
    sctx->load_cert_chain(pki().other_server_cert, pki().other_server_key);
    Ends ends = tls_ends(client_context(), sctx);
    End &c = ends.client, &s = ends.server;
    auto body = [&]() -> aio::Coro<void> {
        auto ce = co_await failure_of(c.handshake);
        auto se = co_await failure_of(s.handshake);
        auto msg = what_of<aio::SSLCertVerificationError>(ce);
        EXPECT_EQ(msg, "certificate verify failed: unable to get local issuer certificate");
        try {
            std::rethrow_exception(ce);
        } catch (const aio::SSLCertVerificationError& e) {
            EXPECT_EQ(e.verify_code(), X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
            EXPECT_EQ(e.errno_code(), SSL_ERROR_SSL);
        }
        // The client told the server why (the alert went out before the close).
        EXPECT_NE(what_of<aio::SSLError>(se).find("unknown ca"), std::string::npos) << aio::describe_exception(se);
    };
    run(body());
    // Neither app protocol heard of the connection.
    EXPECT_FALSE(c.app->made.done());
    EXPECT_FALSE(c.app->lost.done());
    EXPECT_FALSE(s.app->made.done());
    EXPECT_TRUE(c.raw->is_closing());
    EXPECT_TRUE(s.raw->is_closing());
}

TEST_F(TlsHandshake, SelfSignedServerCertificateFailsVerification) {
    auto sctx = aio::SSLContext::create_server_context();
    sctx->load_cert_chain(pki().self_signed_cert, pki().self_signed_key);
    Ends ends = tls_ends(client_context(), sctx);
    End &c = ends.client, &s = ends.server;
    auto body = [&]() -> aio::Coro<void> {
        auto ce = co_await failure_of(c.handshake);
        (void)co_await failure_of(s.handshake);
        EXPECT_EQ(what_of<aio::SSLCertVerificationError>(ce), "certificate verify failed: self-signed certificate");
    };
    run(body());
}

TEST_F(TlsHandshake, SystemStoreDoesNotTrustTheTestCa) {
    Ends ends = tls_ends(aio::SSLContext::create_default_context(), server_context());
    End &c = ends.client, &s = ends.server;
    auto body = [&]() -> aio::Coro<void> {
        auto ce = co_await failure_of(c.handshake);
        (void)co_await failure_of(s.handshake);
        EXPECT_NE(what_of<aio::SSLCertVerificationError>(ce).find("certificate verify failed"), std::string::npos);
    };
    run(body());
}

TEST_F(TlsHandshake, HostnameMismatchFailsWithThePythonMessage) {
    Ends ends = tls_ends(client_context(), server_context(), {.server_hostname = "example.com"});
    End &c = ends.client, &s = ends.server;
    auto body = [&]() -> aio::Coro<void> {
        auto ce = co_await failure_of(c.handshake);
        (void)co_await failure_of(s.handshake);
        EXPECT_EQ(what_of<aio::SSLCertVerificationError>(ce),
                  "certificate verify failed: Hostname mismatch, certificate is not valid for 'example.com'.");
        try {
            std::rethrow_exception(ce);
        } catch (const aio::SSLCertVerificationError& e) {
            EXPECT_EQ(e.verify_code(), X509_V_ERR_HOSTNAME_MISMATCH);
        }
    };
    run(body());
}

TEST_F(TlsHandshake, IpAddressIsCheckedAgainstTheIpEntries) {
    Ends right = tls_ends(client_context(), server_context(), {.server_hostname = "127.0.0.1"});
    End &ok = right.client, &ok_s = right.server;
    Ends wrong = tls_ends(client_context(), server_context(), {.server_hostname = "127.0.0.2"});
    End &bad = wrong.client, &bad_s = wrong.server;
    auto body = [&]() -> aio::Coro<void> {
        co_await ok.handshake;
        co_await ok_s.handshake;
        auto e = co_await failure_of(bad.handshake);
        (void)co_await failure_of(bad_s.handshake);
        EXPECT_EQ(what_of<aio::SSLCertVerificationError>(e),
                  "certificate verify failed: IP address mismatch, certificate is not valid for '127.0.0.2'.");
        ok.tls->close();
        co_await ok.app->lost;
    };
    run(body());
}

TEST_F(TlsHandshake, CertNoneClientAcceptsAnUntrustedServer) {
    auto cctx = aio::SSLContext::create_default_context();
    cctx->set_check_hostname(false);
    cctx->set_verify_mode(aio::CERT_NONE);
    auto sctx = aio::SSLContext::create_server_context();
    sctx->load_cert_chain(pki().self_signed_cert, pki().self_signed_key);
    Ends ends = tls_ends(cctx, sctx, {.server_hostname = "whatever.example"});
    End &c = ends.client, &s = ends.server;
    s.app->echo = true;
    auto body = [&]() -> aio::Coro<void> {
        co_await c.handshake;
        co_await s.handshake;
        c.tls->write("ping");
        co_await c.app->wait_bytes(4);
        EXPECT_EQ(c.app->data, "ping");
        s.tls->close();
        co_await c.app->lost;
        co_await s.app->lost;
    };
    run(body());
}

TEST_F(TlsHandshake, NoServerHostnameWithCheckHostnameIsAValueError) {
    auto ctx = client_context();
    auto app = std::make_shared<Peer>(loop);
    aio::io::TlsParams p;
    p.context = ctx;
    EXPECT_THROW(aio::io::make_tls_protocol(loop, p, app, std::nullopt), aio::ValueError);
    // A context of the wrong side.
    p.context = server_context();
    p.server_hostname = "localhost";
    EXPECT_THROW(aio::io::make_tls_protocol(loop, p, app, std::nullopt), aio::ValueError);
    p.context = ctx;
    p.server_side = true;
    EXPECT_THROW(aio::io::make_tls_protocol(loop, p, app, std::nullopt), aio::ValueError);
}

TEST_F(TlsHandshake, ServerSeesTheSniNameAndCanSwitchContexts) {
    // The default context serves a certificate the client does not trust; the SNI callback
    // switches to the trusted one for "localhost", which the handshake's success proves.
    auto sctx = aio::SSLContext::create_server_context();
    sctx->load_cert_chain(pki().other_server_cert, pki().other_server_key);
    auto trusted = server_context();
    std::vector<std::string> names;
    sctx->set_sni_callback([&](std::string_view name) -> std::shared_ptr<aio::SSLContext> {
        names.emplace_back(name);
        return name == "localhost" ? trusted : nullptr;
    });
    Ends by_name = tls_ends(client_context(), sctx);
    End &c = by_name.client, &s = by_name.server;
    // An IP address is never sent as SNI: the callback sees an empty name.
    auto nocheck = client_context();
    nocheck->set_check_hostname(false);
    nocheck->set_verify_mode(aio::CERT_NONE);
    Ends by_ip = tls_ends(nocheck, sctx, {.server_hostname = "127.0.0.1"});
    End &c2 = by_ip.client, &s2 = by_ip.server;
    auto body = [&]() -> aio::Coro<void> {
        co_await c.handshake;
        co_await s.handshake;
        co_await c2.handshake;
        co_await s2.handshake;
        c.tls->close();
        c2.tls->close();
        co_await c.app->lost;
        co_await c2.app->lost;
    };
    run(body());
    EXPECT_EQ(names, (std::vector<std::string>{"localhost", ""}));
}

TEST_F(TlsHandshake, SniCallbackThatThrowsFailsTheHandshake) {
    auto sctx = server_context();
    sctx->set_sni_callback([](std::string_view) -> std::shared_ptr<aio::SSLContext> {
        throw std::runtime_error("no such virtual host");
    });
    Ends ends = tls_ends(client_context(), sctx);
    End &c = ends.client, &s = ends.server;
    auto body = [&]() -> aio::Coro<void> {
        auto ce = co_await failure_of(c.handshake);
        auto se = co_await failure_of(s.handshake);
        EXPECT_TRUE(holds<aio::SSLError>(ce)) << aio::describe_exception(ce);
        EXPECT_TRUE(holds<aio::SSLError>(se)) << aio::describe_exception(se);
    };
    run(body());
}

TEST_F(TlsHandshake, AlpnPicksTheServersPreferenceAmongTheClientsOffers) {
    auto cctx = client_context();
    cctx->set_alpn_protocols({"h2", "http/1.1"});
    auto sctx = server_context();
    sctx->set_alpn_protocols({"http/1.1", "h2"});
    Ends ends = tls_ends(cctx, sctx);
    End &c = ends.client, &s = ends.server;
    auto body = [&]() -> aio::Coro<void> {
        co_await c.handshake;
        co_await s.handshake;
        EXPECT_EQ(std::any_cast<std::string>(c.tls->get_extra_info("alpn_protocol")), "http/1.1");
        EXPECT_EQ(std::any_cast<std::string>(s.tls->get_extra_info("alpn_protocol")), "http/1.1");
        c.tls->close();
        co_await c.app->lost;
    };
    run(body());
    EXPECT_THROW(cctx->set_alpn_protocols({""}), aio::ValueError);
}

TEST_F(TlsHandshake, ServerRequiringClientCertificatesVerifiesThem) {
    auto sctx = server_context();
    sctx->load_verify_locations({.cafile = pki().ca});
    sctx->set_verify_mode(aio::CERT_REQUIRED);
    auto with_cert = client_context();
    with_cert->load_cert_chain(pki().client_cert, pki().client_key);
    Ends certified = tls_ends(with_cert, sctx);
    End &c = certified.client, &s = certified.server;
    Ends anonymous = tls_ends(client_context(), sctx);
    End &anon = anonymous.client, &anon_s = anonymous.server;
    auto body = [&]() -> aio::Coro<void> {
        co_await c.handshake;
        co_await s.handshake;
        auto pem = std::any_cast<std::string>(s.tls->get_extra_info("peercert"));
        EXPECT_EQ(pem.rfind("-----BEGIN CERTIFICATE-----", 0), 0u);
        // Without a certificate: the server refuses. In TLS 1.3 the client may finish its half
        // first and learn of it from the alert, as a lost connection.
        auto se = co_await failure_of(anon_s.handshake);
        EXPECT_NE(what_of<aio::SSLError>(se).find("certificate"), std::string::npos);
        auto ce = co_await failure_of(anon.handshake);
        if (!ce) {
            co_await anon.app->lost;
            EXPECT_TRUE(holds<aio::SSLError>(anon.app->lost_exc)) << aio::describe_exception(anon.app->lost_exc);
        }
        c.tls->close();
        co_await c.app->lost;
    };
    run(body());
}

// ---- bad peers ----------------------------------------------------------------------------------

TEST_F(TlsHandshake, PeerThatResetsMidHandshakeGivesConnectionResetError) {
    const auto cfd_sfd = tcp_pair();
    const int cfd = cfd_sfd.first, sfd = cfd_sfd.second;
    End c = client(cfd, client_context());
    auto body = [&]() -> aio::Coro<void> {
        co_await aio::io::FdWait(sfd, aio::backend::Interest::readable);  // the ClientHello arrived
        linger l{1, 0};
        ::setsockopt(sfd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
        ::close(sfd);  // RST
        auto e = co_await failure_of(c.handshake);
        EXPECT_TRUE(holds<aio::ConnectionResetError>(e)) << aio::describe_exception(e);
    };
    run(body());
    EXPECT_FALSE(c.app->made.done());
}

TEST_F(TlsHandshake, PeerThatClosesMidHandshakeGivesConnectionResetError) {
    const auto cfd_sfd = tcp_pair();
    const int cfd = cfd_sfd.first, sfd = cfd_sfd.second;
    End c = client(cfd, client_context());
    auto body = [&]() -> aio::Coro<void> {
        co_await aio::io::FdWait(sfd, aio::backend::Interest::readable);
        ::shutdown(sfd, SHUT_WR);  // FIN, no answer
        auto e = co_await failure_of(c.handshake);
        EXPECT_TRUE(holds<aio::ConnectionResetError>(e)) << aio::describe_exception(e);
    };
    run(body());
    ::close(sfd);
}

TEST_F(TlsHandshake, PeerThatSpeaksPlainTextGivesSslError) {
    const auto cfd_sfd = tcp_pair();
    const int cfd = cfd_sfd.first, sfd = cfd_sfd.second;
    End c = client(cfd, client_context());
    auto body = [&]() -> aio::Coro<void> {
        co_await aio::io::FdWait(sfd, aio::backend::Interest::readable);
        const char reply[] = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
        EXPECT_GT(::send(sfd, reply, sizeof reply - 1, MSG_NOSIGNAL), 0);
        auto e = co_await failure_of(c.handshake);
        EXPECT_TRUE(holds<aio::SSLError>(e)) << aio::describe_exception(e);
        EXPECT_FALSE(holds<aio::SSLCertVerificationError>(e));
        EXPECT_NE(std::string(aio::describe_exception(e)).find("SSL handshake failed"), std::string::npos)
            << aio::describe_exception(e);
    };
    run(body());
    ::close(sfd);
}

TEST_F(TlsHandshake, ClientSpeakingPlainTextToATlsServerGivesSslError) {
    const auto cfd_sfd = tcp_pair();
    const int cfd = cfd_sfd.first, sfd = cfd_sfd.second;
    End s = server(sfd, server_context());
    auto body = [&]() -> aio::Coro<void> {
        const char req[] = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n";
        EXPECT_GT(::send(cfd, req, sizeof req - 1, MSG_NOSIGNAL), 0);
        auto e = co_await failure_of(s.handshake);
        EXPECT_TRUE(holds<aio::SSLError>(e)) << aio::describe_exception(e);
    };
    run(body());
    ::close(cfd);
}

}  // namespace
