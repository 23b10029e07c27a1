// The TLS transport after the handshake: close_notify in both directions, EOF without it, abort,
// flow control both ways with a large transfer, pausing reads, start_tls.

#include "aio/tasks/gather.hpp"
#include "tls_support.hpp"

namespace {

using namespace aio_tls_test;

using TlsTransport = TlsTest;

TEST_F(TlsTransport, ClientCloseSendsCloseNotifyAndBothSidesEndCleanly) {
    Ends ends = tls_ends(client_context(), server_context());
    End &c = ends.client, &s = ends.server;
    auto body = [&]() -> aio::Coro<void> {
        co_await c.handshake;
        co_await s.handshake;
        c.tls->write("last words");
        c.tls->close();
        c.tls->close();  // idempotent
        c.tls->write("dropped");  // after close(): dropped
        co_await s.app->lost;
        co_await c.app->lost;
    };
    run(body());
    // The server read everything written before close(), then the close_notify: eof_received()
    // once, then connection_lost(nullptr).
    EXPECT_EQ(s.app->data, "last words");
    EXPECT_EQ(s.app->eofs, 1);
    EXPECT_TRUE(s.app->eof_after_close_notify);
    EXPECT_EQ(s.app->lost_exc, nullptr);
    // The server answered with its own close_notify before closing the socket.
    EXPECT_TRUE(c.app->close_notify_at_lost);
    EXPECT_EQ(c.app->lost_exc, nullptr);
    EXPECT_TRUE(c.tls->is_closing());
}

TEST_F(TlsTransport, ServerCloseSendsCloseNotifyAndBothSidesEndCleanly) {
    Ends ends = tls_ends(client_context(), server_context());
    End &c = ends.client, &s = ends.server;
    auto body = [&]() -> aio::Coro<void> {
        co_await c.handshake;
        co_await s.handshake;
        s.tls->write("bye");
        s.tls->close();
        co_await c.app->lost;
        co_await s.app->lost;
    };
    run(body());
    EXPECT_EQ(c.app->data, "bye");
    EXPECT_EQ(c.app->eofs, 1);
    EXPECT_TRUE(c.app->eof_after_close_notify);
    EXPECT_EQ(c.app->lost_exc, nullptr);
    EXPECT_TRUE(s.app->close_notify_at_lost);
    EXPECT_EQ(s.app->lost_exc, nullptr);
}

TEST_F(TlsTransport, TcpEofWithoutCloseNotifyIsAnEofAsInAsyncio) {
    Ends ends = tls_ends(client_context(), server_context());
    End &c = ends.client, &s = ends.server;
    auto body = [&]() -> aio::Coro<void> {
        co_await c.handshake;
        co_await s.handshake;
        c.tls->write("data");
        co_await s.app->wait_bytes(4);
        c.raw->close();  // the socket closes under TLS: no close_notify
        co_await s.app->lost;
        co_await c.app->lost;
    };
    run(body());
    EXPECT_EQ(s.app->eofs, 1);
    EXPECT_FALSE(s.app->eof_after_close_notify);
    EXPECT_EQ(s.app->lost_exc, nullptr);
    EXPECT_EQ(c.app->lost_exc, nullptr);
}

TEST_F(TlsTransport, AbortDropsTheBufferAndSkipsCloseNotify) {
    Ends ends = tls_ends(client_context(), server_context());
    End &c = ends.client, &s = ends.server;
    auto body = [&]() -> aio::Coro<void> {
        co_await c.handshake;
        co_await s.handshake;
        c.tls->abort();
        EXPECT_TRUE(c.tls->is_closing());
        co_await c.app->lost;
        co_await s.app->lost;
    };
    run(body());
    EXPECT_EQ(c.app->lost_exc, nullptr);
    EXPECT_FALSE(s.app->eof_after_close_notify);
    EXPECT_EQ(c.app->eofs, 0);
}

TEST_F(TlsTransport, PeerResetAfterTheHandshakeReachesConnectionLost) {
    Ends ends = tls_ends(client_context(), server_context());
    End &c = ends.client, &s = ends.server;
    auto body = [&]() -> aio::Coro<void> {
        co_await c.handshake;
        co_await s.handshake;
        linger l{1, 0};
        ::setsockopt(s.raw->fd(), SOL_SOCKET, SO_LINGER, &l, sizeof l);
        s.raw->abort();  // RST with SO_LINGER 0
        co_await c.app->lost;
        co_await s.app->lost;
    };
    run(body());
    EXPECT_TRUE(holds<aio::ConnectionResetError>(c.app->lost_exc)) << aio::describe_exception(c.app->lost_exc);
}

// The writer honours pause_writing(); the echo server pauses its reading while its own writes
// wait. 8 MiB go through both ways with every buffer bounded.
TEST_F(TlsTransport, LargeTransferWithFlowControlBothWays) {
    constexpr std::size_t total = 8 * 1024 * 1024;
    constexpr std::size_t chunk = 64 * 1024;
    std::string payload(total, '\0');
    for (std::size_t i = 0; i < total; ++i) payload[i] = static_cast<char>('a' + (i * 7 + i / 4096) % 26);
    Ends ends = tls_ends(client_context(), server_context());
    End &c = ends.client, &s = ends.server;
    s.app->echo = true;
    s.app->pause_reading_when_paused = true;
    std::size_t max_buffer = 0;
    auto body = [&]() -> aio::Coro<void> {
        co_await c.handshake;
        co_await s.handshake;
        auto [high, low] = c.tls->get_write_buffer_limits();
        EXPECT_EQ(high, 512u * 1024);
        EXPECT_EQ(low, 128u * 1024);
        for (std::size_t sent = 0; sent < total; sent += chunk) {
            co_await c.app->wait_writable();
            c.tls->write(std::string_view(payload).substr(sent, chunk));
            max_buffer = std::max(max_buffer, c.tls->get_write_buffer_size());
        }
        co_await c.app->wait_bytes(total);
        c.tls->close();
        co_await c.app->lost;
        co_await s.app->lost;
    };
    run(body());
    EXPECT_EQ(c.app->data.size(), total);
    EXPECT_TRUE(c.app->data == payload) << "the echo differs";
    EXPECT_GE(c.app->pauses, 1);
    EXPECT_EQ(c.app->pauses, c.app->resumes);
    // Paused above 512 KiB; one more chunk (and its TLS overhead) may land before the pause.
    EXPECT_LE(max_buffer, 512u * 1024 + chunk + 16 * 1024) << max_buffer;
    EXPECT_EQ(c.app->lost_exc, nullptr);
    EXPECT_EQ(s.app->lost_exc, nullptr);
}

TEST_F(TlsTransport, SmallWaterMarksPauseAndResumeTheWriter) {
    Ends ends = tls_ends(client_context(), server_context());
    End &c = ends.client, &s = ends.server;
    auto body = [&]() -> aio::Coro<void> {
        co_await c.handshake;
        co_await s.handshake;
        EXPECT_THROW(c.tls->set_write_buffer_limits(10, 20), aio::ValueError);
        s.tls->pause_reading();  // the server stops reading: the writer's buffers fill up
        c.tls->set_write_buffer_limits(4096);
        std::string block(64 * 1024, 'x');
        std::size_t sent = 0;
        while (!c.app->writing_paused) {
            c.tls->write(block);
            sent += block.size();
            if (sent > 64u * 1024 * 1024) {
                ADD_FAILURE() << "never paused";
                break;
            }
        }
        EXPECT_GT(c.tls->get_write_buffer_size(), 4096u);
        s.tls->resume_reading();
        co_await c.app->wait_writable();
        EXPECT_LE(c.tls->get_write_buffer_size(), 1024u);
        co_await s.app->wait_bytes(sent);
        EXPECT_EQ(s.app->data.size(), sent);
        c.tls->close();
        co_await s.app->lost;
    };
    run(body());
}

TEST_F(TlsTransport, PauseReadingStopsDeliveryAndThenTheSocket) {
    Ends ends = tls_ends(client_context(), server_context());
    End &c = ends.client, &s = ends.server;
    auto body = [&]() -> aio::Coro<void> {
        co_await c.handshake;
        co_await s.handshake;
        s.tls->pause_reading();
        EXPECT_FALSE(s.tls->is_reading());
        std::string block(1024 * 1024, 'y');
        for (int i = 0; i < 4; ++i) c.tls->write(block);
        // While the server does not read, nothing is delivered, and once 256 KiB of records
        // wait, the raw socket is paused too (the rest stays in the kernel and the client).
        // (The loop polls I/O every 61 busy turns: a bounded number of yields, no timing.)
        for (int i = 0; i < 100000 && s.raw->is_reading(); ++i) co_await aio::sleep(0s);
        EXPECT_FALSE(s.raw->is_reading());
        EXPECT_EQ(s.app->data.size(), 0u);
        s.tls->resume_reading();
        EXPECT_TRUE(s.tls->is_reading());
        co_await s.app->wait_bytes(4 * block.size());
        EXPECT_EQ(s.app->data.size(), 4 * block.size());
        c.tls->close();
        co_await s.app->lost;
    };
    run(body());
}

TEST_F(TlsTransport, ExceptionInDataReceivedAbortsAndIsReported) {
    struct Thrower : Peer {
        using Peer::Peer;
        void data_received(std::string_view) override { throw std::runtime_error("app bug"); }
    };
    const auto cfd_sfd = tcp_pair();
    const int cfd = cfd_sfd.first, sfd = cfd_sfd.second;
    End c = client(cfd, client_context());
    auto app = std::make_shared<Thrower>(loop);
    aio::io::TlsParams p;
    p.context = server_context();
    p.server_side = true;
    auto hs = loop.create_future<void>();
    auto w = aio::io::make_tls_protocol(loop, p, app, hs);
    auto raw = std::make_shared<aio::io::FdTransport>(loop, aio::sys::Fd(sfd), w.raw_protocol,
                                                      aio::io::FdTransport::Kind::socket);
    raws.push_back(raw);
    raw->start();
    auto body = [&]() -> aio::Coro<void> {
        co_await c.handshake;
        co_await hs;
        c.tls->write("boom");
        co_await app->lost;
        co_await c.app->lost;
    };
    run(body());
    ASSERT_EQ(reports.size(), 1u) << reports.describe();
    EXPECT_EQ(reports[0].message, "protocol.data_received() failed");
    reports.clear();
    EXPECT_EQ(aio::describe_exception(app->lost_exc).find("app bug") != std::string::npos, true);
}

TEST_F(TlsTransport, TransportHandleOutlivesTheConnectionAsAClosedTransport) {
    const auto cfd_sfd = tcp_pair();
    const int cfd = cfd_sfd.first, sfd = cfd_sfd.second;
    std::shared_ptr<aio::Transport> kept;
    {
        End c = client(cfd, client_context());
        End s = server(sfd, server_context());
        auto body = [&]() -> aio::Coro<void> {
            co_await c.handshake;
            co_await s.handshake;
            c.tls->close();
            co_await c.app->lost;
            co_await s.app->lost;
        };
        run(body());
        kept = c.tls;
        EXPECT_EQ(c.tls->get_protocol(), nullptr);  // asyncio drops the protocol at the end too
    }
    drain(loop, raws);  // the raw transports and their TLS engines are freed now
    EXPECT_TRUE(kept->is_closing());
    kept->write("nobody hears this");
    kept->close();
    kept->abort();
    EXPECT_EQ(kept->get_write_buffer_size(), 0u);
    EXPECT_FALSE(kept->get_extra_info("peercert").has_value());
}

// ---- start_tls ----------------------------------------------------------------------------------

TEST_F(TlsTransport, StartTlsUpgradesAPlainConnection) {
    Ends ends = plain_ends();
    End &c = ends.client, &s = ends.server;
    auto body = [&]() -> aio::Coro<void> {
        co_await c.handshake;
        co_await s.handshake;
        c.tls->write("STARTTLS\r\n");
        co_await s.app->wait_bytes(10);
        EXPECT_EQ(s.app->data, "STARTTLS\r\n");
        s.tls->write("220 go ahead\r\n");
        co_await c.app->wait_bytes(14);
        c.app->data.clear();
        s.app->data.clear();
        auto [ctls, stls] = co_await aio::gather(
            aio::start_tls(c.raw, c.app, client_context(), {.server_hostname = "localhost"}),
            aio::start_tls(s.raw, s.app, server_context(), {.server_side = true}));
        EXPECT_NE(ctls, c.raw);
        EXPECT_EQ(std::any_cast<std::string>(ctls->get_extra_info("ssl_version")), "TLSv1.3");
        EXPECT_EQ(ctls->get_protocol(), c.app);
        // The app protocols keep their callbacks; they now talk through the TLS transports.
        c.app->t = ctls.get();
        s.app->t = stls.get();
        ctls->write("EHLO secret");
        co_await s.app->wait_bytes(11);
        EXPECT_EQ(s.app->data, "EHLO secret");
        ctls->close();
        co_await s.app->lost;
        co_await c.app->lost;
    };
    run(body());
    EXPECT_EQ(c.app->lost_exc, nullptr);
    EXPECT_TRUE(s.app->eof_after_close_notify);
}

TEST_F(TlsTransport, StartTlsFailureClosesTheConnectionAndTellsTheProtocol) {
    Ends ends = plain_ends();
    End &c = ends.client, &s = ends.server;
    auto sctx = aio::SSLContext::create_server_context();
    sctx->load_cert_chain(pki().self_signed_cert, pki().self_signed_key);
    auto body = [&]() -> aio::Coro<void> {
        co_await c.handshake;
        co_await s.handshake;
        auto client_side = [&]() -> aio::Coro<std::exception_ptr> {
            try {
                (void)co_await aio::start_tls(c.raw, c.app, client_context(), {.server_hostname = "localhost"});
            } catch (...) {
                co_return std::current_exception();
            }
            co_return nullptr;
        };
        auto server_side = [&]() -> aio::Coro<std::exception_ptr> {
            try {
                (void)co_await aio::start_tls(s.raw, s.app, sctx, {.server_side = true});
            } catch (...) {
                co_return std::current_exception();
            }
            co_return nullptr;
        };
        auto [ce, se] = co_await aio::gather(client_side(), server_side());
        EXPECT_TRUE(holds<aio::SSLCertVerificationError>(ce)) << aio::describe_exception(ce);
        EXPECT_TRUE(holds<aio::SSLError>(se)) << aio::describe_exception(se);
        co_await c.app->lost;
        co_await s.app->lost;
    };
    run(body());
    EXPECT_TRUE(holds<aio::SSLCertVerificationError>(c.app->lost_exc));
    EXPECT_TRUE(c.raw->is_closing());
}

TEST_F(TlsTransport, StartTlsWithBadArgumentsThrowsBeforeTouchingTheTransport) {
    Ends ends = plain_ends();
    End &c = ends.client, &s = ends.server;
    auto body = [&]() -> aio::Coro<void> {
        co_await c.handshake;
        bool threw = false;
        try {
            // A client context on the server side.
            (void)co_await aio::start_tls(s.raw, s.app, client_context(), {.server_side = true});
        } catch (const aio::ValueError&) {
            threw = true;
        }
        EXPECT_TRUE(threw);
        EXPECT_EQ(s.raw->get_protocol(), s.app);
        EXPECT_TRUE(s.raw->is_reading());
        c.raw->close();
        co_await s.app->lost;
    };
    run(body());
}

}  // namespace
