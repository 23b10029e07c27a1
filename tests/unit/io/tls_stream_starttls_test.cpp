// StreamWriter::start_tls: a plain-text conversation that upgrades to TLS half-way (STARTTLS).

#include "aio/io/server.hpp"
#include "aio/io/streams.hpp"
#include "tls_support.hpp"

namespace {

using namespace aio_tls_test;

using TlsStartTlsStreams = TlsTest;

TEST_F(TlsStartTlsStreams, APlainConversationUpgradesToTlsOnBothEnds) {
    auto server_ctx = server_context();
    auto handler = [server_ctx](aio::StreamReader reader, aio::StreamWriter writer) -> aio::Coro<void> {
        EXPECT_EQ(co_await reader.readline(), "STARTTLS\n");
        writer.write("GO\n");
        co_await writer.drain();
        co_await writer.start_tls(server_ctx, {.server_side = true});
        EXPECT_FALSE(std::any_cast<std::string>(writer.get_extra_info("cipher")).empty());
        std::string secret = co_await reader.readline();
        writer.write("you said " + secret);
        co_await writer.drain();
        writer.close();
        co_await writer.wait_closed();
    };
    auto body = [&]() -> aio::Coro<void> {
        auto server = co_await aio::start_server(handler, "127.0.0.1", 0);
        auto [reader, writer] = co_await aio::open_connection("127.0.0.1", server->sockets().at(0).port());
        writer.write("STARTTLS\n");
        EXPECT_EQ(co_await reader.readline(), "GO\n");
        co_await writer.start_tls(client_context(), {.server_hostname = "localhost"});
        EXPECT_EQ(std::any_cast<std::string>(writer.get_extra_info("ssl_version")), "TLSv1.3");
        writer.write("secret\n");
        co_await writer.drain();
        EXPECT_EQ(co_await reader.readline(), "you said secret\n");
        EXPECT_EQ(co_await reader.read(), "");
        writer.close();
        co_await writer.wait_closed();
        server->close();
        co_await server->wait_closed();
    };
    run(body());
}

TEST_F(TlsStartTlsStreams, UnreadPlainTextInTheReaderRefusesTheUpgrade) {
    auto body = [&]() -> aio::Coro<void> {
        auto talker = [](aio::StreamReader, aio::StreamWriter w) -> aio::Coro<void> {
            w.write("one\ntwo\n");
            co_await w.drain();
            w.close();
        };
        auto server = co_await aio::start_server(talker, "127.0.0.1", 0);
        auto [reader, writer] = co_await aio::open_connection("127.0.0.1", server->sockets().at(0).port());
        EXPECT_EQ(co_await reader.readline(), "one\n");
        while (reader.buffered() == 0 && !reader.at_eof()) co_await aio::sleep(std::chrono::milliseconds(1));
        EXPECT_THROW(co_await writer.start_tls(client_context(), {.server_hostname = "localhost"}), aio::RuntimeError);
        writer.close();
        co_await writer.wait_closed();
        server->close();
        co_await server->wait_closed();
    };
    run(body());
}

}  // namespace
