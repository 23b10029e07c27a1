// loop.sendfile / loop.sock_sendfile: sendfile(2) on real loopback sockets, the fallback over TLS
// and for files the kernel refuses, ranges, the file position, and the errors asyncio raises.

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "support/io_fixture.hpp"
#include "support/loopback_server.hpp"
#include "unit/io/tls_support.hpp"

using namespace aio_io_test;

namespace {

using aio_test::pattern;

/// A temporary regular file holding `content`, open for reading; removed and closed at the end.
struct TempFile {
    explicit TempFile(const std::string& content) {
        char path[] = "/tmp/aio_sendfile_XXXXXX";
        fd = ::mkstemp(path);
        EXPECT_GE(fd, 0);
        ::unlink(path);
        std::size_t off = 0;
        while (off < content.size()) {
            ssize_t n = ::write(fd, content.data() + off, content.size() - off);
            EXPECT_GT(n, 0);
            if (n <= 0) break;
            off += static_cast<std::size_t>(n);
        }
        ::lseek(fd, 0, SEEK_SET);
    }
    ~TempFile() { ::close(fd); }
    off_t position() const { return ::lseek(fd, 0, SEEK_CUR); }
    int fd = -1;
};

/// Collects what a connection receives until EOF.
struct Sink : aio::Protocol {
    std::string got;
    aio::Event lost;
    aio::Transport* transport = nullptr;
    void connection_made(aio::Transport& t) override { transport = &t; }
    void data_received(std::string_view d) override { got.append(d); }
    void connection_lost(std::exception_ptr) override { lost.set(); }
};

/// The client side: records what it is told.
struct Client : aio::Protocol {
    std::vector<std::string> events;
    aio::Event lost;
    void data_received(std::string_view) override {}
    void pause_writing() override { events.push_back("pause"); }
    void resume_writing() override { events.push_back("resume"); }
    void connection_lost(std::exception_ptr) override { lost.set(); }
};

using SinkServer = aio_test::LoopbackServer<Sink>;

std::shared_ptr<Sink> make_sink() { return std::make_shared<Sink>(); }

}  // namespace

class SendfileTest : public IoTest {
protected:
    /// Closes the client and waits until both ends are gone and the server is closed.
    static aio::Coro<void> close_both(SinkServer& s, aio::Transport& t, Client& p) {
        t.close();
        co_await aio_test::wait_both_lost(s, p);
    }
};

TEST_F(SendfileTest, ATransportSendsAWholeFileWithTheKernelAndMovesTheFilePosition) {
    const std::string content = pattern(3'000'000);
    TempFile file(content);
    SinkServer s;
    auto body = [&]() -> aio::Coro<void> {
        auto [t, p] = co_await aio_test::serve_and_connect<Client>(s, make_sink);
        t->write("head:");
        std::size_t sent = co_await aio::sendfile(*t, file.fd);
        EXPECT_EQ(sent, content.size());
        EXPECT_TRUE(t->is_reading());  // paused during the send, resumed after
        t->write(":tail");
        co_await close_both(s, *t, *p);
    };
    run(body());
    EXPECT_EQ(s.accepted->got, "head:" + content + ":tail");
    EXPECT_EQ(file.position(), static_cast<off_t>(content.size()));
}

TEST_F(SendfileTest, OffsetAndCountSendARangeAndThePositionEndsAfterIt) {
    const std::string content = pattern(100'000);
    TempFile file(content);
    SinkServer s;
    auto body = [&]() -> aio::Coro<void> {
        auto [t, p] = co_await aio_test::serve_and_connect<Client>(s, make_sink);
        EXPECT_EQ(co_await aio::sendfile(*t, file.fd, 4096, 1000), 1000u);
        // A count past the end sends what is there.
        EXPECT_EQ(co_await aio::sendfile(*t, file.fd, 99'000, 5000), 1000u);
        co_await close_both(s, *t, *p);
    };
    run(body());
    EXPECT_EQ(s.accepted->got, content.substr(4096, 1000) + content.substr(99'000));
    EXPECT_EQ(file.position(), 100'000);
}

TEST_F(SendfileTest, WriteDuringASendIsRuntimeErrorAndCloseWaitsForTheFile) {
    const std::string content = pattern(8'000'000);  // far more than the socket buffers hold
    TempFile file(content);
    SinkServer s;
    auto body = [&]() -> aio::Coro<void> {
        auto [t, p] = co_await aio_test::serve_and_connect<Client>(s, make_sink);
        aio::Task<std::size_t> sending = aio::create_task(aio::sendfile(*t, file.fd));
        co_await aio::sleep(0s);  // the send starts and fills the socket
        EXPECT_FALSE(sending.done());
        EXPECT_THROW(t->write("x"), aio::RuntimeError);
        t->close();  // waits for the file, as for buffered bytes
        EXPECT_EQ(co_await sending, content.size());
        co_await close_both(s, *t, *p);
    };
    run(body());
    EXPECT_EQ(s.accepted->got.size(), content.size());
    EXPECT_TRUE(s.accepted->got == content);
}

TEST_F(SendfileTest, OverTlsTheFallbackSendsTheFileWithFlowControl) {
    const std::string content = pattern(2'000'000);
    TempFile file(content);
    SinkServer s;
    auto body = [&]() -> aio::Coro<void> {
        aio::ServerOptions sopts{.ssl = aio_tls_test::server_context()};
        aio::ConnectOptions copts{.ssl = aio_tls_test::client_context(), .server_hostname = "localhost"};
        auto [t, p] = co_await aio_test::serve_and_connect<Client>(s, make_sink, sopts, copts);
        // Without the fallback, a TLS transport cannot send a file.
        EXPECT_THROW(co_await aio::sendfile(*t, file.fd, 0, std::nullopt, false), aio::RuntimeError);
        std::size_t sent = co_await aio::sendfile(*t, file.fd);
        EXPECT_EQ(sent, content.size());
        EXPECT_EQ(t->get_protocol(), p);  // given back
        co_await close_both(s, *t, *p);
        // The client's protocol never saw a pause without the resume that ends it.
        std::size_t pauses = 0, resumes = 0;
        for (auto& e : p->events) (e == "pause" ? pauses : resumes) += 1;
        EXPECT_EQ(pauses, resumes);
    };
    run(body());
    EXPECT_TRUE(s.accepted->got == content);
    EXPECT_EQ(file.position(), static_cast<off_t>(content.size()));
}

TEST_F(SendfileTest, AFileTheKernelCannotSendFallsBackOrRaisesSendfileNotAvailableError) {
    // A pipe is not a regular file: asyncio raises SendfileNotAvailableError before trying.
    int fds[2];
    ASSERT_EQ(::pipe2(fds, O_CLOEXEC), 0);
    const int read_end = fds[0], write_end = fds[1];
    ASSERT_EQ(::write(write_end, "piped bytes", 11), 11);
    ::close(write_end);
    SinkServer s;
    auto body = [&]() -> aio::Coro<void> {
        auto [t, p] = co_await aio_test::serve_and_connect<Client>(s, make_sink);
        EXPECT_THROW(co_await aio::sendfile(*t, read_end, 0, std::nullopt, false), aio::SendfileNotAvailableError);
        EXPECT_EQ(co_await aio::sendfile(*t, read_end, 0, std::nullopt, true), 11u);  // read, then written
        co_await close_both(s, *t, *p);
    };
    run(body());
    ::close(read_end);
    EXPECT_EQ(s.accepted->got, "piped bytes");
}

TEST_F(SendfileTest, BadArgumentsAndAClosingTransportAreClearErrors) {
    TempFile file("abc");
    SinkServer s;
    auto body = [&]() -> aio::Coro<void> {
        auto [t, p] = co_await aio_test::serve_and_connect<Client>(s, make_sink);
        EXPECT_THROW(co_await aio::sendfile(*t, file.fd, 0, 0), aio::ValueError);
        EXPECT_THROW(co_await aio::sendfile(*t, file.fd, std::uint64_t(1) << 63), aio::ValueError);
        EXPECT_THROW(co_await aio::sendfile(*t, 987654), aio::OSError);  // not an open descriptor
        t->close();
        EXPECT_THROW(co_await aio::sendfile(*t, file.fd), aio::RuntimeError);
        co_await close_both(s, *t, *p);
    };
    run(body());
    EXPECT_EQ(s.accepted->got, "");
}

TEST_F(SendfileTest, SockSendfileSendsOnARawSocketAndRejectsDatagramSockets) {
    const std::string content = pattern(1'500'000);
    TempFile file(content);
    SinkServer s;
    auto body = [&]() -> aio::Coro<void> {
        auto factory = [&s] {
            s.accepted = make_sink();
            s.made.set();
            return s.accepted;
        };
        aio::ServerOptions sopts;
        s.server = co_await aio::create_server(factory, "127.0.0.1", 0, sopts);
        int sock = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        auto addr = aio::SocketAddress::ip("127.0.0.1", s.port());
        co_await aio::sock_connect(sock, addr);
        EXPECT_EQ(co_await aio::sock_sendfile(sock, file.fd, 10), content.size() - 10);
        EXPECT_EQ(file.position(), static_cast<off_t>(content.size()));
        ::close(sock);
        co_await s.made.wait();
        co_await s.accepted->lost.wait();
        int udp = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        EXPECT_THROW(co_await aio::sock_sendfile(udp, file.fd), aio::ValueError);
        ::close(udp);
        s.server->close();
        co_await s.server->wait_closed();
    };
    run(body());
    EXPECT_TRUE(s.accepted->got == content.substr(10));
}

TEST_F(SendfileTest, CancellingASendStopsItWhereItIsAndTheTransportWritesAgain) {
    const std::string content = pattern(16'000'000);  // far more than the socket buffers hold
    TempFile file(content);
    SinkServer s;
    auto body = [&]() -> aio::Coro<void> {
        auto [t, p] = co_await aio_test::serve_and_connect<Client>(s, make_sink);
        co_await s.made.wait();
        s.accepted->transport->pause_reading();  // the receiver stops reading: the send stalls
        aio::Task<std::size_t> sending = aio::create_task(aio::sendfile(*t, file.fd));
        co_await aio::sleep(0s);
        EXPECT_FALSE(sending.done());
        sending.cancel();
        EXPECT_THROW(co_await sending, aio::CancelledError);
        co_await aio::sleep(0s);  // the transport drops the send on the next turn
        const off_t sent = file.position();
        EXPECT_GT(sent, 0);
        EXPECT_LT(sent, static_cast<off_t>(content.size()));
        t->write("after");  // no RuntimeError: the send is over
        s.accepted->transport->resume_reading();
        co_await close_both(s, *t, *p);
        EXPECT_EQ(s.accepted->got.size(), static_cast<std::size_t>(sent) + 5);
        EXPECT_TRUE(s.accepted->got == content.substr(0, static_cast<std::size_t>(sent)) + "after");
    };
    run(body());
}
