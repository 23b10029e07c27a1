// Streams (open_connection / start_server / StreamReader / StreamWriter) on real loopback sockets.

#include <sys/socket.h>
#include <unistd.h>

#include "io/stream_protocol.hpp"
#include "support/io_fixture.hpp"

using namespace aio_io_test;

namespace {

std::uint16_t server_port(const aio::Server& s) { return s.sockets().at(0).port(); }

aio::Coro<void> echo_lines(aio::StreamReader r, aio::StreamWriter w) {
    for (;;) {
        std::string line = co_await r.readline();
        if (line.empty()) break;
        w.write(line);
        co_await w.drain();
    }
    w.close();
    co_await w.wait_closed();
}

}  // namespace

class StreamsTest : public IoTest {};

TEST_F(StreamsTest, EchoServerWithReadlineAndAClientThatReadsEachLineBack) {
    auto body = [&]() -> aio::Coro<void> {
        auto server = co_await aio::start_server(echo_lines, "127.0.0.1", 0);
        auto [r, w] = co_await aio::open_connection("127.0.0.1", server_port(*server));
        for (int i = 0; i < 100; ++i) {
            w.write("line " + std::to_string(i) + "\n");
            co_await w.drain();
            EXPECT_EQ(co_await r.readline(), "line " + std::to_string(i) + "\n");
        }
        w.write_eof();
        EXPECT_EQ(co_await r.read(), "");  // the server closes after our EOF
        EXPECT_TRUE(r.at_eof());
        w.close();
        co_await w.wait_closed();
        server->close();
        co_await server->wait_closed();
    };
    run(body());
}

TEST_F(StreamsTest, ReaderSemanticsFollowAsyncio) {
    // A reader fed by hand: no socket needed for the buffer logic.
    auto body = [&]() -> aio::Coro<void> {
        aio::StreamReader r(16);
        r.feed_data("abc\ndef");
        EXPECT_EQ(co_await r.readline(), "abc\n");
        EXPECT_EQ(co_await r.read(2), "de");
        EXPECT_EQ(co_await r.readexactly(1), "f");
        r.feed_data("0123456789ABCDEFGHIJ\nrest");
        EXPECT_THROW(co_await r.readuntil("\n"), aio::LimitOverrunError);
        EXPECT_EQ(r.buffered(), 25u);  // LimitOverrunError leaves the bytes in place
        EXPECT_THROW(co_await r.readline(), aio::ValueError);  // readline drops the overlong line
        EXPECT_EQ(co_await r.read(4), "rest");
        r.feed_data("xy");
        r.feed_eof();
        try {
            co_await r.readexactly(5);
            ADD_FAILURE() << "no IncompleteReadError";
        } catch (const aio::IncompleteReadError& e) {
            EXPECT_EQ(e.partial(), "xy");
            EXPECT_EQ(e.expected(), 5u);
        }
        EXPECT_TRUE(r.at_eof());
        EXPECT_EQ(co_await r.readline(), "");
        EXPECT_EQ(co_await r.read(), "");
        EXPECT_THROW(co_await r.readuntil(""), aio::ValueError);

        aio::StreamReader r2;
        r2.feed_data("no newline at the end");
        r2.feed_eof();
        EXPECT_EQ(co_await r2.readline(), "no newline at the end");
        aio::StreamReader r3;
        r3.feed_data("a--b--");
        EXPECT_EQ(co_await r3.readuntil("--"), "a--");
        EXPECT_EQ(co_await r3.readuntil("--"), "b--");
        r3.set_exception(std::make_exception_ptr(aio::ConnectionResetError(ECONNRESET, "gone")));
        EXPECT_THROW(co_await r3.read(1), aio::ConnectionResetError);
    };
    run(body());
}

TEST_F(StreamsTest, ACancelledReadConsumesNothingAndTwoReadersAtOnceIsRuntimeError) {
    auto body = [&]() -> aio::Coro<void> {
        aio::StreamReader r;
        auto first = aio::create_task(r.readexactly(6));
        co_await aio::sleep(0ms);
        auto second = aio::create_task(r.read(1));  // the buffer is empty: it would have to wait too
        co_await aio::sleep(0ms);
        EXPECT_TRUE(second.done());
        EXPECT_THROW(second.result(), aio::RuntimeError);
        r.feed_data("abc");  // wakes `first`, which finds too little and waits again
        co_await aio::sleep(0ms);
        EXPECT_FALSE(first.done());
        first.cancel();
        EXPECT_THROW(co_await first, aio::CancelledError);
        EXPECT_EQ(r.buffered(), 3u);  // the cancelled readexactly took nothing
        r.feed_data("def");
        EXPECT_EQ(co_await r.readexactly(6), "abcdef");
    };
    run(body());
}

TEST_F(StreamsTest, AHundredMegabytesGoThroughStreamsIntactWithBackPressure) {
    constexpr std::size_t kTotal = 100u * 1024 * 1024;
    auto sink = [](aio::StreamReader r, aio::StreamWriter w) -> aio::Coro<void> {
        std::size_t n = 0;
        std::uint64_t sum = 0;
        for (;;) {
            std::string chunk = co_await r.read(1 << 20);
            if (chunk.empty()) break;
            for (unsigned char c : chunk) sum += c;
            n += chunk.size();
        }
        w.write(std::to_string(n) + " " + std::to_string(sum) + "\n");
        co_await w.drain();
        w.close();
    };
    auto body = [&]() -> aio::Coro<void> {
        auto server = co_await aio::start_server(sink, "127.0.0.1", 0);
        auto [r, w] = co_await aio::open_connection("127.0.0.1", server_port(*server));
        std::string block(256 * 1024, '\0');
        for (std::size_t i = 0; i < block.size(); ++i) block[i] = static_cast<char>(i * 7 + 3);
        std::uint64_t block_sum = 0;
        for (unsigned char c : block) block_sum += c;
        std::size_t max_buffered = 0;
        for (std::size_t sent = 0; sent < kTotal; sent += block.size()) {
            w.write(block);
            max_buffered = std::max(max_buffered, w.transport()->get_write_buffer_size());
            co_await w.drain();
        }
        w.write_eof();
        std::string summary = co_await r.readline();
        EXPECT_EQ(summary, std::to_string(kTotal) + " " + std::to_string(block_sum * (kTotal / block.size())) + "\n");
        EXPECT_LE(max_buffered, 64 * 1024 + block.size());  // drain() kept our buffer bounded
        w.close();
        co_await w.wait_closed();
        server->close();
        co_await server->wait_closed();
    };
    run(body());
}

TEST_F(StreamsTest, DrainOnALostConnectionRaisesConnectionResetError) {
    auto body = [&]() -> aio::Coro<void> {
        auto hang_up = [](aio::StreamReader, aio::StreamWriter w) -> aio::Coro<void> {
            int fd = std::any_cast<int>(w.get_extra_info("socket"));
            linger lg{1, 0};
            ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
            w.transport()->abort();
            co_return;
        };
        auto server = co_await aio::start_server(hang_up, "127.0.0.1", 0);
        auto [r, w] = co_await aio::open_connection("127.0.0.1", server_port(*server));
        EXPECT_THROW(co_await r.read(), aio::ConnectionResetError);
        EXPECT_THROW(co_await w.drain(), aio::ConnectionResetError);
        EXPECT_THROW(co_await w.wait_closed(), aio::ConnectionResetError);
        server->close();
        co_await server->wait_closed();
    };
    run(body());
}

TEST_F(StreamsTest, AnExceptionInTheClientCallbackIsReportedAndTheConnectionClosed) {
    auto body = [&]() -> aio::Coro<void> {
        auto failing = [](aio::StreamReader, aio::StreamWriter) -> aio::Coro<void> {
            throw std::runtime_error("handler bug");
            co_return;
        };
        auto server = co_await aio::start_server(failing, "127.0.0.1", 0);
        auto [r, w] = co_await aio::open_connection("127.0.0.1", server_port(*server));
        EXPECT_EQ(co_await r.read(), "");  // closed by the server
        w.close();
        co_await w.wait_closed();
        server->close();
        co_await server->wait_closed();
    };
    run(body());
    EXPECT_EQ(reports.count_containing("client_connected_cb"), 1u) << reports.describe();
    reports.clear();
}

TEST_F(StreamsTest, DroppingEveryWriterHandleClosesTheConnection) {
    auto body = [&]() -> aio::Coro<void> {
        auto quiet = [](aio::StreamReader r, aio::StreamWriter) -> aio::Coro<void> {
            co_await r.read();  // returns at EOF
        };
        auto server = co_await aio::start_server(quiet, "127.0.0.1", 0);
        auto reader = co_await [&]() -> aio::Coro<aio::StreamReader> {
            auto [r, w] = co_await aio::open_connection("127.0.0.1", server_port(*server));
            co_return r;  // w dies here
        }();
        EXPECT_EQ(co_await reader.read(), "");  // the server saw EOF, returned, and its writer died too
        server->close();
        co_await server->wait_closed();
    };
    run(body());
}

TEST_F(StreamsTest, UnixSocketStreamsAndTheSocketFileIsRemovedOnClose) {
    std::string path = "/tmp/aio-test-" + std::to_string(::getpid()) + ".sock";
    auto body = [&]() -> aio::Coro<void> {
        auto server = co_await aio::start_unix_server(echo_lines, path);
        EXPECT_EQ(::access(path.c_str(), F_OK), 0);
        auto [r, w] = co_await aio::open_unix_connection(path);
        w.write("over unix\n");
        EXPECT_EQ(co_await r.readline(), "over unix\n");
        EXPECT_TRUE(std::any_cast<aio::SocketAddress>(w.get_extra_info("peername")).is_unix());
        w.close();
        co_await w.wait_closed();
        server->close();
        co_await server->wait_closed();
        EXPECT_NE(::access(path.c_str(), F_OK), 0);
    };
    run(body());
}

TEST_F(StreamsTest, IPv6LoopbackWorks) {
    int probe = ::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
    auto v6 = aio::SocketAddress::ip("::1", 0);
    bool have_v6 = probe >= 0 && ::bind(probe, v6.data(), v6.size()) == 0;
    if (probe >= 0) ::close(probe);
    if (!have_v6) GTEST_SKIP() << "no IPv6 loopback here";
    auto body = [&]() -> aio::Coro<void> {
        auto server = co_await aio::start_server(echo_lines, "::1", 0);
        auto [r, w] = co_await aio::open_connection("::1", server_port(*server));
        w.write("v6\n");
        EXPECT_EQ(co_await r.readline(), "v6\n");
        w.close();
        co_await w.wait_closed();
        server->close();
        co_await server->wait_closed();
    };
    run(body());
}
