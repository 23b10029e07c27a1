// https: the server's certificate is verified by default (the system CAs do not know the test
// CA: ClientConnectorError holding SSLCertVerificationError); a context that trusts it, or
// verify_ssl = false, gets through. Connections of different TLS settings are pooled apart.

#include <gtest/gtest.h>

#include "aio/http/client.hpp"
#include "http_client_test_server.hpp"
#include "support/io_fixture.hpp"
#include "unit/io/tls_support.hpp"

namespace aio_http_client_test {
namespace {

using aio::http::ClientResponse;
using aio::http::ClientSession;
using aio::http::RequestOptions;

class HttpClientTls : public aio_io_test::IoTest {};

TEST_F(HttpClientTls, HttpsIsVerifiedByDefaultAndWorksWithATrustedContextOrVerificationOff) {
    run([]() -> aio::Coro<void> {
        TestServer server([](const SeenRequest& r) { return Reply{ok("secure " + r.target)}; });
        aio::ServerOptions sopts{.ssl = aio_tls_test::server_context()};
        co_await server.start(sopts);
        ClientSession session;
        try {
            ClientResponse r = co_await session.get(server.url("/default"));
            ADD_FAILURE() << "an unknown CA was accepted";
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
        RequestOptions trusted{.ssl = aio_tls_test::client_context()};
        ClientResponse a = co_await session.get(server.url("/trusted"), trusted);
        EXPECT_EQ(co_await a.read(), "secure /trusted");
        ClientResponse again = co_await session.get(server.url("/trusted"), trusted);
        EXPECT_EQ(co_await again.read(), "secure /trusted");
        RequestOptions insecure{.verify_ssl = false};
        ClientResponse b = co_await session.get(server.url("/insecure"), insecure);
        EXPECT_EQ(co_await b.read(), "secure /insecure");
        // trusted (reused once) and insecure: two pooled connections, kept apart.
        EXPECT_EQ(session.connector().connections_made(), 2u);
        session.close();
        co_await server.stop();
    }());
}

TEST_F(HttpClientTls, AHandshakeThatNeverCompletesHitsSockConnect) {
    run([]() -> aio::Coro<void> {
        // A plain TCP server that accepts and never answers the ClientHello.
        TestServer mute([](const SeenRequest&) { return Reply{"", false, {}, true}; });
        co_await mute.start();
        ClientSession session;
        std::string url = "https://127.0.0.1:" + std::to_string(mute.port()) + "/";
        RequestOptions opts{.timeout = aio::http::ClientTimeout{.sock_connect = std::chrono::milliseconds(50)},
                            .verify_ssl = false};
        auto t0 = aio::get_running_loop().time();
        EXPECT_THROW((void)co_await session.get(url, opts), aio::TimeoutError);
        EXPECT_LT(aio::get_running_loop().time() - t0, std::chrono::milliseconds(1000));
        EXPECT_EQ(session.connector().acquired_connections(), 0u);
        co_await mute.stop();
    }());
}

}  // namespace
}  // namespace aio_http_client_test
