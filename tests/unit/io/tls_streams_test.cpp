// TLS through the public API: start_server / open_connection / create_connection with `ssl`.
//
// The options are named variables, never braced temporaries inside the co_await: g++ 12 destroys
// an aggregate temporary of a co_await expression twice (see docs/tls.md), and ConnectOptions /
// ServerOptions hold a shared_ptr and a string.

#include "aio/io/connection.hpp"
#include "aio/io/server.hpp"
#include "aio/io/streams.hpp"
#include "tls_support.hpp"

namespace {

using namespace aio_tls_test;

using TlsStreams = TlsTest;

aio::Coro<void> echo_lines(aio::StreamReader reader, aio::StreamWriter writer) {
    for (;;) {
        std::string line = co_await reader.readline();
        if (line.empty()) break;
        writer.write(line);
        co_await writer.drain();
    }
    writer.close();
    co_await writer.wait_closed();
}

TEST_F(TlsStreams, OpenConnectionTalksToStartServerOverTls) {
    auto body = [&]() -> aio::Coro<void> {
        aio::ServerOptions sopts{.ssl = server_context()};
        auto server = co_await aio::start_server(echo_lines, "127.0.0.1", 0, sopts);
        auto port = server->sockets().at(0).port();

        aio::ConnectOptions copts{.ssl = client_context(), .server_hostname = "localhost"};
        auto [reader, writer] = co_await aio::open_connection("127.0.0.1", port, copts);
        EXPECT_EQ(std::any_cast<std::string>(writer.get_extra_info("ssl_version")), "TLSv1.3");
        EXPECT_FALSE(std::any_cast<std::string>(writer.get_extra_info("peercert")).empty());
        EXPECT_FALSE(writer.can_write_eof());
        writer.write("hello\n");
        writer.write(std::string(60000, 'z') + "\n");
        co_await writer.drain();
        EXPECT_EQ(co_await reader.readline(), "hello\n");
        EXPECT_EQ((co_await reader.readline()).size(), 60001u);
        writer.close();
        co_await writer.wait_closed();
        server->close();
        co_await server->wait_closed();
    };
    run(body());
}

TEST_F(TlsStreams, ServerHostnameDefaultsToTheHostAndIpAddressesAreChecked) {
    auto body = [&]() -> aio::Coro<void> {
        aio::ServerOptions sopts{.ssl = server_context()};
        auto server = co_await aio::start_server(echo_lines, "127.0.0.1", 0, sopts);
        auto port = server->sockets().at(0).port();
        aio::ConnectOptions copts{.ssl = client_context()};  // checks "127.0.0.1" (an IP entry)
        auto [reader, writer] = co_await aio::open_connection("127.0.0.1", port, copts);
        writer.write("x\n");
        EXPECT_EQ(co_await reader.readline(), "x\n");
        writer.close();
        co_await writer.wait_closed();
        server->close();
        co_await server->wait_closed();
    };
    run(body());
}

TEST_F(TlsStreams, UntrustedServerFailsOpenConnectionWithCertVerificationError) {
    auto body = [&]() -> aio::Coro<void> {
        auto sctx = aio::SSLContext::create_server_context();
        sctx->load_cert_chain(pki().self_signed_cert, pki().self_signed_key);
        aio::ServerOptions sopts{.ssl = sctx};
        auto server = co_await aio::start_server(echo_lines, "127.0.0.1", 0, sopts);
        auto port = server->sockets().at(0).port();
        aio::ConnectOptions copts{.ssl = client_context(), .server_hostname = "localhost"};
        std::string what;
        try {
            (void)co_await aio::open_connection("127.0.0.1", port, copts);
        } catch (const aio::SSLCertVerificationError& e) {
            what = e.what();
        }
        EXPECT_EQ(what, "certificate verify failed: self-signed certificate");
        server->close();
        co_await server->wait_closed();
    };
    run(body());
}

TEST_F(TlsStreams, HandshakeTimeoutFailsOpenConnectionWithTimeoutError) {
    auto body = [&]() -> aio::Coro<void> {
        // A plain server that accepts and never answers the ClientHello.
        aio::ServerOptions sopts{};
        auto server = co_await aio::start_server(
            [](aio::StreamReader reader, aio::StreamWriter writer) -> aio::Coro<void> {
                (void)co_await reader.read();  // until the client gives up
                writer.close();
            },
            "127.0.0.1", 0, sopts);
        auto port = server->sockets().at(0).port();
        aio::ConnectOptions copts{.ssl = client_context(), .server_hostname = "localhost",
                                  .ssl_handshake_timeout = std::chrono::milliseconds(200)};
        bool timed_out = false;
        try {
            (void)co_await aio::open_connection("127.0.0.1", port, copts);
        } catch (const aio::TimeoutError&) {
            timed_out = true;
        }
        EXPECT_TRUE(timed_out);
        server->close();
        co_await server->wait_closed();
    };
    run(body());
}

struct Hello : aio::Protocol {
    aio::Transport* t = nullptr;
    std::string got;
    aio::Future<void> lost;  // made inside create_connection: on the running loop
    void connection_made(aio::Transport& tr) override {
        t = &tr;
        t->write("hi\n");
    }
    void data_received(std::string_view d) override {
        got += d;
        t->close();
    }
    void connection_lost(std::exception_ptr) override { lost.set_result(); }
};

TEST_F(TlsStreams, CreateConnectionGivesTheProtocolTheTlsTransport) {
    auto body = [&]() -> aio::Coro<void> {
        aio::ServerOptions sopts{.ssl = server_context()};
        auto server = co_await aio::start_server(echo_lines, "127.0.0.1", 0, sopts);
        auto port = server->sockets().at(0).port();
        aio::ConnectOptions copts{.ssl = client_context(), .server_hostname = "localhost"};
        auto [transport, protocol] =
            co_await aio::create_connection([] { return std::make_shared<Hello>(); }, "127.0.0.1", port, copts);
        EXPECT_EQ(protocol->t, transport.get());
        EXPECT_NE(std::any_cast<SSL*>(transport->get_extra_info("ssl_object")), nullptr);
        co_await protocol->lost;
        EXPECT_EQ(protocol->got, "hi\n");
        server->close();
        co_await server->wait_closed();
    };
    run(body());
}

}  // namespace
