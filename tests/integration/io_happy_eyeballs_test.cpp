// Connecting to the first of several addresses (asyncio's create_connection): in order, or as an
// RFC 8305 staggered race. A "hanging" address is a loopback listener whose accept queue is full:
// the kernel drops further SYNs, so a connect to it stays in progress, as to a black-holed IPv6
// route.

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <vector>

#include "io/happy_eyeballs.hpp"
#include "support/io_fixture.hpp"

using namespace aio_io_test;

namespace {

int listener(int backlog) {
    int s = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    EXPECT_EQ(::listen(s, backlog), 0);
    return s;
}

std::uint16_t port_of(int fd) {
    sockaddr_in a{};
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    return ntohs(a.sin_port);
}

std::uint16_t peer_port_of(int fd) {
    sockaddr_in a{};
    socklen_t len = sizeof a;
    ::getpeername(fd, reinterpret_cast<sockaddr*>(&a), &len);
    return ntohs(a.sin_port);
}

/// A port nothing listens on: bound, then closed.
std::uint16_t closed_port() {
    int s = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
    std::uint16_t p = port_of(s);
    ::close(s);
    return p;
}

/// A loopback address whose connects never complete: a listener with backlog 0 (one queued
/// connection) that never accepts, its queue filled by one established connection.
struct HangingAddress {
    HangingAddress() {
        fds.push_back(listener(0));
        int filler = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        fds.push_back(filler);
        auto a = aio::SocketAddress::ip("127.0.0.1", port_of(fds[0]));
        ::connect(filler, a.data(), a.size());
        pollfd p{filler, POLLOUT, 0};
        EXPECT_EQ(::poll(&p, 1, 10'000), 1);  // established: the queue is full from now on
        addr = a;
    }
    ~HangingAddress() {
        for (int fd : fds) ::close(fd);
    }
    aio::SocketAddress addr;
    std::vector<int> fds;
};

aio::SocketAddress v4(std::uint16_t port) { return aio::SocketAddress::ip("127.0.0.1", port); }

}  // namespace

using HappyEyeballsTest = IoTest;

TEST(InterleaveAddresses, FamiliesAlternateWithTheFirstFamilyCountFirst) {
    using aio::SocketAddress;
    std::vector<SocketAddress> addrs = {SocketAddress::ip("::1", 1), SocketAddress::ip("::1", 2),
                                        SocketAddress::ip("::1", 3), SocketAddress::ip("127.0.0.1", 4),
                                        SocketAddress::ip("127.0.0.1", 5)};
    auto ports = [](const std::vector<SocketAddress>& v) {
        std::vector<int> out;
        for (const auto& a : v) out.push_back(a.port());
        return out;
    };
    EXPECT_EQ(ports(aio::io::interleave_addresses(addrs, 1)), (std::vector<int>{1, 4, 2, 5, 3}));
    EXPECT_EQ(ports(aio::io::interleave_addresses(addrs, 2)), (std::vector<int>{1, 2, 4, 3, 5}));
    std::vector<SocketAddress> v4_first = {SocketAddress::ip("127.0.0.1", 7), SocketAddress::ip("::1", 8),
                                           SocketAddress::ip("::1", 9)};
    EXPECT_EQ(ports(aio::io::interleave_addresses(v4_first, 1)), (std::vector<int>{7, 8, 9}));
}

TEST_F(HappyEyeballsTest, AHangingFirstAddressLosesTheRaceToTheNextAfterTheDelay) {
    HangingAddress hanging;
    int good = listener(16);
    auto body = [&]() -> aio::Coro<void> {
        std::vector<std::exception_ptr> errors;
        std::vector<aio::SocketAddress> addrs = {hanging.addr, v4(port_of(good))};
        aio::sys::Fd fd = co_await aio::io::connect_first(addrs, aio::Duration(50ms), std::nullopt, errors);
        EXPECT_TRUE(fd);
        if (!fd) co_return;
        EXPECT_EQ(peer_port_of(fd.get()), port_of(good));
        EXPECT_TRUE(errors.empty());  // the hanging attempt was cancelled, not failed
    };
    run(body());
    ::close(good);
}

TEST_F(HappyEyeballsTest, InOrderWithoutADelayAHangingFirstAddressHoldsEverythingUp) {
    HangingAddress hanging;
    int good = listener(16);
    auto body = [&]() -> aio::Coro<void> {
        std::vector<std::exception_ptr> errors;
        std::vector<aio::SocketAddress> addrs = {hanging.addr, v4(port_of(good))};
        EXPECT_THROW(co_await aio::wait_for(aio::io::connect_first(addrs, std::nullopt, std::nullopt, errors), 200ms),
                     aio::TimeoutError);
    };
    run(body());  // the cancelled connect closed its socket (the fixture counts descriptors)
    ::close(good);
}

TEST_F(HappyEyeballsTest, AFailedAttemptStartsTheNextAtOnceAndItsErrorIsKept) {
    int good = listener(16);
    auto body = [&]() -> aio::Coro<void> {
        std::vector<std::exception_ptr> errors;
        std::vector<aio::SocketAddress> addrs = {v4(closed_port()), v4(port_of(good))};
        // A delay far longer than the guard: only a failure can start the second attempt.
        aio::sys::Fd fd = co_await aio::wait_for(aio::io::connect_first(addrs, aio::Duration(60s), std::nullopt, errors), 20s);
        EXPECT_TRUE(fd);
        if (!fd) co_return;
        EXPECT_EQ(peer_port_of(fd.get()), port_of(good));
        EXPECT_EQ(errors.size(), 1u);
        for (auto& e : errors) EXPECT_THROW(std::rethrow_exception(e), aio::ConnectionRefusedError);
    };
    run(body());
    ::close(good);
}

TEST_F(HappyEyeballsTest, WhenEveryAddressFailsEveryErrorIsReportedInAddressOrder) {
    auto body = [&]() -> aio::Coro<void> {
        for (std::optional<aio::Duration> delay : {std::optional<aio::Duration>(), std::optional<aio::Duration>(10ms)}) {
            std::vector<std::exception_ptr> errors;
            std::vector<aio::SocketAddress> addrs = {v4(closed_port()), v4(closed_port()), v4(closed_port())};
            aio::sys::Fd fd = co_await aio::io::connect_first(addrs, delay, std::nullopt, errors);
            EXPECT_FALSE(fd);
            EXPECT_EQ(errors.size(), 3u);
            for (auto& e : errors) EXPECT_THROW(std::rethrow_exception(e), aio::ConnectionRefusedError);
        }
    };
    run(body());
}

TEST_F(HappyEyeballsTest, CancellingARaceCancelsAndClosesEveryAttempt) {
    HangingAddress first, second;
    auto body = [&]() -> aio::Coro<void> {
        std::vector<std::exception_ptr> errors;
        std::vector<aio::SocketAddress> addrs = {first.addr, second.addr};
        EXPECT_THROW(co_await aio::wait_for(aio::io::connect_first(addrs, aio::Duration(10ms), std::nullopt, errors), 200ms),
                     aio::TimeoutError);
        EXPECT_TRUE(errors.empty());
    };
    run(body());  // no attempt is left pending and no socket open (the fixture checks both)
}

TEST_F(HappyEyeballsTest, CreateConnectionTakesTheOptionsAndRejectsBadOnes) {
    int good = listener(16);
    struct Quiet : aio::Protocol {
        void data_received(std::string_view) override {}
    };
    auto body = [&]() -> aio::Coro<void> {
        auto factory = [] { return std::make_shared<Quiet>(); };
        aio::ConnectOptions racing{.happy_eyeballs_delay = aio::Duration(250ms)};
        auto [t, p] = co_await aio::create_connection(factory, "127.0.0.1", port_of(good), racing);
        t->abort();
        aio::ConnectOptions negative{.happy_eyeballs_delay = aio::Duration(-1ms)};
        EXPECT_THROW(co_await aio::create_connection(factory, "127.0.0.1", port_of(good), negative), aio::ValueError);
        aio::ConnectOptions bad_interleave{.interleave = -1};
        EXPECT_THROW(co_await aio::create_connection(factory, "127.0.0.1", port_of(good), bad_interleave),
                     aio::ValueError);
    };
    run(body());
    ::close(good);
}
