// UDP endpoints and the sock_* calls on real loopback sockets.

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "support/io_fixture.hpp"

using namespace aio_io_test;

namespace {

struct Udp : aio::DatagramProtocol {
    aio::DatagramTransport* t = nullptr;
    bool echo = false;
    std::vector<std::string> got;
    std::vector<std::exception_ptr> errors;
    aio::Event lost, received, errored;
    void connection_made(aio::DatagramTransport& tr) override { t = &tr; }
    void datagram_received(std::string_view d, const aio::SocketAddress& from) override {
        got.emplace_back(d);
        if (echo) t->sendto(d, from);
        received.set();
    }
    void error_received(std::exception_ptr e) override {
        errors.push_back(e);
        errored.set();
    }
    void connection_lost(std::exception_ptr) override { lost.set(); }
};

}  // namespace

class DatagramTest : public IoTest {};

TEST_F(DatagramTest, UdpEchoKeepsDatagramBoundaries) {
    auto body = [&]() -> aio::Coro<void> {
        auto [st, sp] = co_await aio::create_datagram_endpoint(
            [] {
                auto p = std::make_shared<Udp>();
                p->echo = true;
                return p;
            },
            {.local_addr = aio::SocketAddress::ip("127.0.0.1", 0)});
        auto server_addr = std::any_cast<aio::SocketAddress>(st->get_extra_info("sockname"));
        auto [ct, cp] = co_await aio::create_datagram_endpoint([] { return std::make_shared<Udp>(); },
                                                               {.remote_addr = server_addr});
        ct->sendto("one");
        ct->sendto("two");
        while (cp->got.size() < 2) {
            cp->received.clear();
            co_await cp->received.wait();
        }
        EXPECT_EQ(cp->got, (std::vector<std::string>{"one", "two"}));
        EXPECT_THROW(ct->sendto("x", aio::SocketAddress::ip("127.0.0.1", 1)), aio::ValueError);
        ct->close();
        st->close();
        co_await cp->lost.wait();
        co_await sp->lost.wait();
    };
    run(body());
}

TEST_F(DatagramTest, SendingToAClosedPortReportsConnectionRefusedToErrorReceived) {
    auto body = [&]() -> aio::Coro<void> {
        // A bound-then-closed UDP port: the kernel answers with ICMP port unreachable.
        int s = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
        socklen_t len = sizeof a;
        ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
        ::close(s);
        aio::SocketAddress dead(reinterpret_cast<sockaddr*>(&a), len);
        auto [t, p] = co_await aio::create_datagram_endpoint([] { return std::make_shared<Udp>(); },
                                                             {.remote_addr = dead});
        t->sendto("anyone?");
        co_await p->errored.wait();
        EXPECT_THROW(std::rethrow_exception(p->errors.at(0)), aio::ConnectionRefusedError);
        EXPECT_FALSE(t->is_closing());  // a datagram endpoint survives errors
        t->close();
        co_await p->lost.wait();
    };
    run(body());
}

TEST_F(DatagramTest, NoAddressAndNoFamilyIsValueError) {
    auto body = [&]() -> aio::Coro<void> {
        co_await aio::create_datagram_endpoint([] { return std::make_shared<Udp>(); }, {});
    };
    EXPECT_THROW(run(body()), aio::ValueError);
}

class SockTest : public IoTest {};

TEST_F(SockTest, AcceptConnectRecvSendallRoundTrip) {
    auto body = [&]() -> aio::Coro<void> {
        int lfd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        auto any = aio::SocketAddress::ip("127.0.0.1", 0);
        ::bind(lfd, any.data(), any.size());
        ::listen(lfd, 8);
        sockaddr_storage ss{};
        socklen_t len = sizeof ss;
        ::getsockname(lfd, reinterpret_cast<sockaddr*>(&ss), &len);
        aio::SocketAddress addr(reinterpret_cast<sockaddr*>(&ss), len);
        int cfd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        auto accepting = aio::create_task(aio::sock_accept(lfd));
        co_await aio::sock_connect(cfd, addr);
        auto [sfd, peer] = co_await accepting;
        EXPECT_EQ(peer.host(), "127.0.0.1");
        std::string big(1 << 20, 'q');
        auto sending = aio::create_task(aio::sock_sendall(cfd, big));
        std::size_t got = 0;
        while (got < big.size()) {
            std::string part = co_await aio::sock_recv(sfd, 65536);
            EXPECT_FALSE(part.empty());
            if (part.empty()) break;
            got += part.size();
        }
        co_await sending;
        EXPECT_EQ(got, big.size());
        ::close(cfd);
        EXPECT_EQ(co_await aio::sock_recv(sfd, 10), "");  // EOF
        ::close(sfd);
        ::close(lfd);
    };
    run(body());
}

TEST_F(SockTest, ABlockingSocketIsValueErrorAndACancelledRecvLeavesNoRegistration) {
    auto body = [&]() -> aio::Coro<void> {
        int pair[2];
        ::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair);
        EXPECT_THROW(co_await aio::sock_recv(pair[0], 1), aio::ValueError);
        int nb[2];
        ::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, nb);
        auto reading = aio::create_task(aio::sock_recv(nb[0], 1));
        co_await aio::sleep(0ms);
        EXPECT_EQ(watched(), 1u);
        reading.cancel();
        EXPECT_THROW(co_await reading, aio::CancelledError);
        EXPECT_EQ(watched(), 0u);
        ::write(nb[1], "z", 1);
        EXPECT_EQ(co_await aio::sock_recv(nb[0], 1), "z");  // the byte was left for the next reader
        for (int fd : {pair[0], pair[1], nb[0], nb[1]}) ::close(fd);
    };
    run(body());
}

TEST_F(SockTest, ACancelledAcceptLeavesNoRegistrationAndTheConnectionForTheNextAccept) {
    auto body = [&]() -> aio::Coro<void> {
        int lfd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        auto any = aio::SocketAddress::ip("127.0.0.1", 0);
        ::bind(lfd, any.data(), any.size());
        ::listen(lfd, 8);
        auto accepting = aio::create_task(aio::sock_accept(lfd));
        co_await aio::sleep(0ms);
        EXPECT_EQ(watched(), 1u);
        accepting.cancel();
        EXPECT_THROW(co_await accepting, aio::CancelledError);
        EXPECT_EQ(watched(), 0u);
        sockaddr_storage ss{};
        socklen_t len = sizeof ss;
        ::getsockname(lfd, reinterpret_cast<sockaddr*>(&ss), &len);
        int cfd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        co_await aio::sock_connect(cfd, aio::SocketAddress(reinterpret_cast<sockaddr*>(&ss), len));
        auto [sfd, peer] = co_await aio::sock_accept(lfd);
        EXPECT_GE(sfd, 0);
        for (int fd : {sfd, cfd, lfd}) ::close(fd);
    };
    run(body());
}
