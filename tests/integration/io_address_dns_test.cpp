#include <netdb.h>

#include "support/io_fixture.hpp"

using namespace aio_io_test;

TEST(SocketAddress, ParsesIpv4AndIpv6AndFormatsThemAsAsyncioPrintsThem) {
    auto a = aio::SocketAddress::ip("127.0.0.1", 8080);
    EXPECT_TRUE(a.is_ipv4());
    EXPECT_EQ(a.host(), "127.0.0.1");
    EXPECT_EQ(a.port(), 8080);
    EXPECT_EQ(a.to_string(), "127.0.0.1:8080");
    auto b = aio::SocketAddress::ip("::1", 443);
    EXPECT_TRUE(b.is_ipv6());
    EXPECT_EQ(b.host(), "::1");
    EXPECT_EQ(b.to_string(), "[::1]:443");
    EXPECT_EQ(aio::SocketAddress::ip("[::1]", 443), b);
}

TEST(SocketAddress, RejectsNamesAndGarbageWithValueError) {
    EXPECT_THROW(aio::SocketAddress::ip("localhost", 1), aio::ValueError);
    EXPECT_THROW(aio::SocketAddress::ip("1.2.3.4.5", 1), aio::ValueError);
    EXPECT_FALSE(aio::SocketAddress::parse_ip("", 1));
}

TEST(SocketAddress, UnixPathsAndTheirLimits) {
    auto u = aio::SocketAddress::unix_path("/tmp/x.sock");
    EXPECT_TRUE(u.is_unix());
    EXPECT_EQ(u.host(), "/tmp/x.sock");
    EXPECT_EQ(u.to_string(), "/tmp/x.sock");
    EXPECT_THROW(aio::SocketAddress::unix_path(std::string(200, 'x')), aio::ValueError);
    EXPECT_THROW(aio::SocketAddress::unix_path(""), aio::ValueError);
}

class Dns : public IoTest {};

TEST_F(Dns, NumericHostsResolveWithoutTheExecutor) {
    auto body = []() -> aio::Coro<std::vector<aio::AddrInfo>> {
        co_return co_await aio::getaddrinfo("127.0.0.1", 80, AF_UNSPEC, SOCK_STREAM);
    };
    auto r = run(body());
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0].addr.to_string(), "127.0.0.1:80");
    EXPECT_EQ(r[0].socktype, SOCK_STREAM);
}

TEST_F(Dns, LocalhostResolvesThroughTheSystemResolver) {
    auto body = []() -> aio::Coro<std::vector<aio::AddrInfo>> {
        co_return co_await aio::getaddrinfo("localhost", 8080, AF_INET, SOCK_STREAM);
    };
    auto r = run(body());
    ASSERT_FALSE(r.empty());
    EXPECT_EQ(r[0].addr.to_string(), "127.0.0.1:8080");
}

TEST_F(Dns, AnUnresolvableNameIsAGaiErrorSayingSoOnceWithNoErrno) {
    auto body = []() -> aio::Coro<void> {
        co_await aio::getaddrinfo("not-a-number", 80, AF_UNSPEC, SOCK_STREAM, 0, AI_NUMERICHOST);
    };
    try {
        run(body());
        FAIL() << "no error";
    } catch (const aio::GaiError& e) {
        EXPECT_EQ(e.eai_code(), EAI_NONAME);
        EXPECT_EQ(e.errno_code(), 0);
        EXPECT_STREQ(e.what(), "getaddrinfo(not-a-number): Name or service not known");
    }
}
