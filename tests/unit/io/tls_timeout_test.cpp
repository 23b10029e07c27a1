// TLS timeouts on the virtual clock: a handshake nobody answers and a close_notify nobody answers
// end at the configured times, instantly and deterministically. Unix socket pairs keep every
// byte's arrival synchronous, so the clock only jumps when nothing can happen.

#include "tls_support.hpp"

namespace {

using namespace aio_tls_test;

class TlsTimeout : public aio_test::VirtualLoopTest {
protected:
    void TearDown() override {
        drain(loop, raws);
        VirtualLoopTest::TearDown();
    }
    End end(int fd, std::shared_ptr<aio::SSLContext> ctx, bool server_side, EndOptions o = {}) {
        End e = tls_end(loop, fd, std::move(ctx), server_side, std::move(o));
        raws.push_back(e.raw);
        return e;
    }
    std::vector<std::shared_ptr<aio::io::FdTransport>> raws;
};

TEST_F(TlsTimeout, HandshakeThatNobodyAnswersTimesOutAndClosesTheSocket) {
    const auto cfd_sfd = unix_pair();
    const int cfd = cfd_sfd.first, sfd = cfd_sfd.second;
    aio::sys::Fd peer(sfd);  // reads nothing, answers nothing
    End c = end(cfd, client_context(), false, {.handshake_timeout = 5s});
    auto body = [&]() -> aio::Coro<void> {
        auto e = co_await failure_of(c.handshake);
        EXPECT_EQ(what_of<aio::TimeoutError>(e).rfind("SSL handshake is taking longer than 5 seconds: aborting the connection", 0), 0u);
        EXPECT_TRUE(c.raw->is_closing());
        // The socket is closed on the next iteration: the peer reads the ClientHello, then EOF.
        char buf[4096];
        long n = 0;
        for (int i = 0; i < 10; ++i) {
            co_await aio::sleep(0s);
            while ((n = ::read(peer.get(), buf, sizeof buf)) > 0) {
            }
            if (n == 0) break;
        }
        EXPECT_EQ(n, 0);
    };
    run(body());
    EXPECT_EQ(elapsed(), std::chrono::seconds(5));
    EXPECT_FALSE(c.app->made.done());
    EXPECT_FALSE(c.app->lost.done());
}

TEST_F(TlsTimeout, ServerHandshakeTimesOutToo) {
    const auto cfd_sfd = unix_pair();
    const int cfd = cfd_sfd.first, sfd = cfd_sfd.second;
    aio::sys::Fd peer(cfd);  // a client that connects and says nothing
    End s = end(sfd, server_context(), true, {.handshake_timeout = 1500ms});
    auto body = [&]() -> aio::Coro<void> {
        auto e = co_await failure_of(s.handshake);
        EXPECT_EQ(what_of<aio::TimeoutError>(e).rfind("SSL handshake is taking longer than 1.5 seconds: aborting the connection", 0), 0u);
    };
    run(body());
    EXPECT_EQ(elapsed(), std::chrono::milliseconds(1500));
}

TEST_F(TlsTimeout, HandshakeWithinTheTimeoutLeavesNoTimerBehind) {
    const auto cfd_sfd = unix_pair();
    const int cfd = cfd_sfd.first, sfd = cfd_sfd.second;
    End c = end(cfd, client_context(), false, {.handshake_timeout = 5s});
    End s = end(sfd, server_context(), true, {.handshake_timeout = 5s});
    auto body = [&]() -> aio::Coro<void> {
        co_await c.handshake;
        co_await s.handshake;
        co_await aio::sleep(60s);  // well past the timeout: nothing fires
        EXPECT_FALSE(c.app->lost.done());
        c.tls->write("still here");
        co_await s.app->wait_bytes(10);
        c.tls->close();
        co_await c.app->lost;
        co_await s.app->lost;
    };
    run(body());
    EXPECT_EQ(c.app->lost_exc, nullptr);
    EXPECT_EQ(s.app->data, "still here");
}

TEST_F(TlsTimeout, CloseNotifyThatNobodyAnswersTimesOutWithTimeoutError) {
    const auto cfd_sfd = unix_pair();
    const int cfd = cfd_sfd.first, sfd = cfd_sfd.second;
    End c = end(cfd, client_context(), false, {.shutdown_timeout = 7s});
    End s = end(sfd, server_context(), true);
    auto body = [&]() -> aio::Coro<void> {
        co_await c.handshake;
        co_await s.handshake;
        auto t0 = loop.time();
        s.raw->pause_reading();  // the server never sees our close_notify
        c.tls->close();
        co_await c.app->lost;
        EXPECT_EQ(loop.time() - t0, std::chrono::seconds(7));
        EXPECT_EQ(what_of<aio::TimeoutError>(c.app->lost_exc).rfind("SSL shutdown timed out", 0), 0u);
        s.raw->resume_reading();  // now it reads the close_notify, then EOF
        co_await s.app->lost;
    };
    run(body());
    EXPECT_EQ(s.app->eofs, 1);
}

}  // namespace
