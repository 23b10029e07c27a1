// BufferedProtocol (asyncio.BufferedProtocol): a socket transport reads straight into the buffer
// the protocol lends it; TLS and pipes copy their bytes through the same get_buffer() /
// buffer_updated() pair. Real loopback sockets, pipes and TLS connections.

#include <fcntl.h>
#include <unistd.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "support/io_fixture.hpp"
#include "support/loopback_server.hpp"
#include "unit/io/tls_support.hpp"

using namespace aio_io_test;

namespace {

/// Lends a buffer of `size` bytes and records every call.
struct Collector : aio::BufferedProtocol {
    explicit Collector(std::size_t size = 7) : buf(size) {}
    std::vector<char> buf;
    std::string got;
    std::vector<std::size_t> hints, updates;
    bool lend_empty = false;
    bool throw_in_update = false;
    int eofs = 0;
    aio::Event lost;
    std::exception_ptr lost_with;

    std::span<char> get_buffer(std::size_t sizehint) override {
        hints.push_back(sizehint);
        if (lend_empty) return {};
        return buf;
    }
    void buffer_updated(std::size_t n) override {
        updates.push_back(n);
        if (throw_in_update) throw std::runtime_error("boom");
        got.append(buf.data(), n);
    }
    bool eof_received() override {
        ++eofs;
        return false;
    }
    void connection_lost(std::exception_ptr e) override {
        lost_with = e;
        lost.set();
    }
};

/// A plain client: writes what it is told, notes when it is closed.
struct Sender : aio::Protocol {
    aio::Transport* transport = nullptr;
    aio::Event lost;
    void connection_made(aio::Transport& t) override { transport = &t; }
    void data_received(std::string_view) override {}
    void connection_lost(std::exception_ptr) override { lost.set(); }
};

using aio_test::pattern;

using CollectingServer = aio_test::LoopbackServer<Collector>;

}  // namespace

class BufferedProtocolTest : public IoTest {
protected:
    /// Starts `s`, whose Collector lends `buffer_size` bytes, and connects a Sender to it.
    static aio::Coro<aio_test::ClientEnd<Sender>> serve_and_connect(CollectingServer& s, std::size_t buffer_size,
                                                                     aio::ServerOptions sopts,
                                                                     aio::ConnectOptions copts) {
        auto make = [buffer_size] { return std::make_shared<Collector>(buffer_size); };
        co_return co_await aio_test::serve_and_connect<Sender>(s, make, sopts, copts);
    }
    static aio::Coro<aio_test::ClientEnd<Sender>> serve_and_connect(CollectingServer& s, std::size_t buffer_size) {
        aio::ServerOptions sopts;
        aio::ConnectOptions copts;
        co_return co_await serve_and_connect(s, buffer_size, sopts, copts);
    }
};

TEST(BufferedProtocolFeed, DataReceivedCopiesThroughAsManyBuffersAsItTakes) {
    // What TLS and file transports do with their bytes (asyncio's _feed_data_to_buffered_proto):
    // each get_buffer() is told how much is left, each buffer_updated() how much was copied.
    Collector c(3);
    static_cast<aio::Protocol&>(c).data_received("abcdefghij");
    EXPECT_EQ(c.got, "abcdefghij");
    EXPECT_EQ(c.hints, (std::vector<std::size_t>{10, 7, 4, 1}));
    EXPECT_EQ(c.updates, (std::vector<std::size_t>{3, 3, 3, 1}));
}

TEST(BufferedProtocolFeed, AnEmptyBufferIsARuntimeError) {
    Collector c;
    c.lend_empty = true;
    EXPECT_THROW(static_cast<aio::Protocol&>(c).data_received("x"), aio::RuntimeError);
    EXPECT_TRUE(c.updates.empty());
}

TEST_F(BufferedProtocolTest, ASocketReadsStraightIntoTheLentBufferInOrder) {
    const std::string sent = pattern(100'000);
    CollectingServer s;
    auto body = [&]() -> aio::Coro<void> {
        auto [t, p] = co_await serve_and_connect(s, 7);
        t->write(sent);
        t->write_eof();
        co_await aio_test::wait_both_lost(s, *p);
    };
    run(body());
    const Collector& c = *s.accepted;
    EXPECT_EQ(c.got, sent);
    EXPECT_EQ(c.eofs, 1);
    EXPECT_EQ(c.lost_with, nullptr);
    // A socket read asks for a buffer of any size (sizehint 0) and never fills more than it.
    ASSERT_FALSE(c.updates.empty());
    EXPECT_GE(c.updates.size(), sent.size() / 7);
    for (std::size_t n : c.updates) EXPECT_LE(n, 7u);
    for (std::size_t h : c.hints) EXPECT_EQ(h, 0u);
}

TEST_F(BufferedProtocolTest, AnEmptyBufferAbortsTheConnectionWithRuntimeError) {
    CollectingServer s;
    auto body = [&]() -> aio::Coro<void> {
        auto [t, p] = co_await serve_and_connect(s, 7);
        co_await s.made.wait();
        s.accepted->lend_empty = true;
        t->write("x");
        co_await aio_test::wait_both_lost(s, *p);
    };
    run(body());
    EXPECT_TRUE(s.accepted->updates.empty());
    ASSERT_NE(s.accepted->lost_with, nullptr);
    EXPECT_EQ(aio_test::message_of(s.accepted->lost_with), "get_buffer() returned an empty buffer");
    EXPECT_EQ(reports.count_containing("protocol.get_buffer() failed"), 1u);
    reports.clear();
}

TEST_F(BufferedProtocolTest, AnExceptionFromBufferUpdatedAbortsTheConnection) {
    CollectingServer s;
    auto body = [&]() -> aio::Coro<void> {
        auto [t, p] = co_await serve_and_connect(s, 64);
        co_await s.made.wait();
        s.accepted->throw_in_update = true;
        t->write("hello");
        co_await aio_test::wait_both_lost(s, *p);
    };
    run(body());
    ASSERT_EQ(s.accepted->updates.size(), 1u);
    EXPECT_EQ(aio_test::message_of(s.accepted->lost_with), "boom");
    EXPECT_EQ(reports.count_containing("protocol.buffer_updated() failed"), 1u);
    reports.clear();
}

TEST_F(BufferedProtocolTest, OverTlsTheDecryptedBytesAreCopiedThroughGetBuffer) {
    const std::string sent = pattern(50'000);
    CollectingServer s;
    auto body = [&]() -> aio::Coro<void> {
        aio::ServerOptions sopts{.ssl = aio_tls_test::server_context()};
        aio::ConnectOptions copts{.ssl = aio_tls_test::client_context(), .server_hostname = "localhost"};
        auto [t, p] = co_await serve_and_connect(s, 1000, sopts, copts);
        t->write(sent);
        t->close();  // close_notify after the data: an EOF for the server
        co_await aio_test::wait_both_lost(s, *p);
    };
    run(body());
    const Collector& c = *s.accepted;
    EXPECT_EQ(c.got, sent);
    EXPECT_EQ(c.eofs, 1);
    for (std::size_t n : c.updates) EXPECT_LE(n, 1000u);
    // Each buffer is asked for with what is left of the decrypted record.
    for (std::size_t h : c.hints) EXPECT_GT(h, 0u);
}

TEST_F(BufferedProtocolTest, AReadPipeFeedsABufferedProtocol) {
    int fds[2];
    ASSERT_EQ(::pipe2(fds, O_CLOEXEC), 0);
    const int read_end = fds[0], write_end = fds[1];
    const std::string sent = pattern(10'000);
    auto body = [&]() -> aio::Coro<void> {
        auto factory = [] { return std::make_shared<Collector>(100); };
        auto [t, c] = co_await aio::connect_read_pipe(factory, read_end);
        std::size_t off = 0;
        while (off < sent.size()) {
            ssize_t n = ::write(write_end, sent.data() + off, sent.size() - off);
            EXPECT_GT(n, 0);
            if (n <= 0) break;
            off += static_cast<std::size_t>(n);
        }
        ::close(write_end);
        co_await c->lost.wait();
        EXPECT_EQ(c->got, sent);
        EXPECT_EQ(c->eofs, 1);
        EXPECT_EQ(c->lost_with, nullptr);
        for (std::size_t n : c->updates) EXPECT_LE(n, 100u);
    };
    run(body());
}
