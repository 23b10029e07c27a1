// wss://: an aio::web app serving a WebSocket on a TLS site, and ClientSession::ws_connect through
// the session's TLS settings. As for https, the certificate is checked by default (the test CA is
// unknown to the system: ClientConnectorError), a connector that trusts the CA gets through, and
// verify_ssl = false skips the check. Messages past one TLS record (16 KiB) and the close
// handshake go through the TLS transport whole.

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "aio/web/web.hpp"
#include "aio/ws/ws.hpp"
#include "support/io_fixture.hpp"
#include "unit/io/tls_support.hpp"

namespace {

using namespace std::chrono_literals;

aio::Coro<aio::web::Response> echo(aio::web::Request& request) {
    aio::web::WebSocketResponse ws;
    co_await ws.prepare(request);
    while (auto msg = co_await ws.next()) {
        if (msg->type == aio::ws::WSMsgType::text) co_await ws.send_str(msg->data);
        else if (msg->type == aio::ws::WSMsgType::binary) co_await ws.send_bytes(msg->data);
    }
    co_return ws;
}

class WsTls : public aio_io_test::IoTest {
protected:
    /// Runs `client` with the wss:// URL of an echo app on a TLS site.
    void with_wss_server(std::function<aio::Coro<void>(std::string url)> client) {
        auto body = [&]() -> aio::Coro<void> {
            aio::web::Application app;
            app.router().add_get("/echo", echo);
            aio::web::AppRunnerOptions quiet;
            quiet.access_log = false;
            aio::web::AppRunner runner(app, quiet);
            co_await runner.setup();
            auto ctx = aio_tls_test::server_context();
            aio::web::TCPSiteOptions tls;
            tls.ssl_context = ctx.get();
            aio::web::TCPSite site(runner, "127.0.0.1", 0, tls);
            co_await site.start();
            EXPECT_EQ(site.name().rfind("https://", 0), 0u) << site.name();
            co_await client("wss://127.0.0.1:" + std::to_string(site.port()) + "/echo");
            co_await runner.cleanup();
        };
        run(body());
    }
};

aio::http::ClientSessionOptions trusting_the_test_ca() {
    aio::http::TCPConnectorOptions c;
    c.ssl = aio_tls_test::client_context();
    aio::http::ClientSessionOptions o;
    o.connector = std::make_shared<aio::http::TCPConnector>(c);
    return o;
}

TEST_F(WsTls, AClientTrustingTheCaEchoesMessagesOfEveryRecordSizeAndClosesCleanly) {
    with_wss_server([](std::string url) -> aio::Coro<void> {
        aio::http::ClientSession session(trusting_the_test_ca());
        aio::ws::WebSocket ws = co_await session.ws_connect(url);
        for (std::size_t n : {std::size_t{0}, std::size_t{125}, std::size_t{16384}, std::size_t{70000},
                              std::size_t{1} << 20}) {
            std::string text(n, 'x');
            for (std::size_t i = 0; i < n; ++i) text[i] = static_cast<char>('a' + i % 23);
            co_await ws.send_str(text);
            aio::ws::WSMessage m = co_await ws.receive(10s);
            EXPECT_EQ(m.type, aio::ws::WSMsgType::text) << n;
            EXPECT_TRUE(m.data == text) << n << " bytes came back as " << m.data.size();
        }
        EXPECT_TRUE(co_await ws.close());
        EXPECT_EQ(ws.close_code(), 1000);
        session.close();
    });
}

TEST_F(WsTls, AnUnknownCaIsRefusedByDefaultAndAcceptedWithVerifySslOff) {
    with_wss_server([](std::string url) -> aio::Coro<void> {
        aio::http::ClientSession session;
        try {
            co_await session.ws_connect(url);
            ADD_FAILURE() << "a certificate from an unknown CA was accepted";
        } catch (const aio::http::ClientConnectorError& e) {
            bool verify = false;
            try {
                std::rethrow_exception(e.os_error());
            } catch (const aio::SSLCertVerificationError&) {
                verify = true;
            } catch (...) {
            }
            EXPECT_TRUE(verify) << e.what();
        }
        aio::ws::WSConnectOptions unchecked;
        unchecked.verify_ssl = false;
        aio::ws::WebSocket ws = co_await session.ws_connect(url, unchecked);
        co_await ws.send_str("over tls");
        EXPECT_EQ(co_await ws.receive_str(5s), "over tls");
        EXPECT_TRUE(co_await ws.close());
        session.close();
    });
}

}  // namespace
