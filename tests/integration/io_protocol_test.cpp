// create_connection / create_server with Protocols: the callback-level API, on real loopback sockets.

#include <netinet/in.h>
#include <unistd.h>

#include <algorithm>
#include <type_traits>
#include <sys/socket.h>

#include "support/io_fixture.hpp"

using namespace aio_io_test;

namespace {

/// Records every callback, in order.
struct Recorder : aio::Protocol {
    aio::Transport* transport = nullptr;
    std::vector<std::string> events;
    std::string data;
    bool keep_open_on_eof = false;
    bool echo = false;
    std::exception_ptr lost_with;
    aio::Event lost;

    void connection_made(aio::Transport& t) override {
        transport = &t;
        events.push_back("made");
    }
    void data_received(std::string_view d) override {
        data.append(d);
        if (echo) transport->write(d);
    }
    bool eof_received() override {
        events.push_back("eof");
        return keep_open_on_eof;
    }
    void connection_lost(std::exception_ptr e) override {
        events.push_back("lost");
        lost_with = e;
        transport = nullptr;  // valid only until connection_lost() returns
        lost.set();
    }
    void pause_writing() override { events.push_back("pause"); }
    void resume_writing() override { events.push_back("resume"); }
};

std::uint16_t port_of(const aio::Server& s) { return s.sockets().at(0).port(); }

/// A server on 127.0.0.1 and a client connected to it.
struct Connected {
    std::shared_ptr<aio::Server> server;
    std::shared_ptr<aio::Transport> t;  // the client's transport
    std::shared_ptr<Recorder> p;        // and its protocol
};

}  // namespace

class ProtocolTest : public IoTest {
protected:
    /// Starts a server on 127.0.0.1 that gives each connection a new `P`, set up by `configure`
    /// (if given) and kept in `accepted`, and connects a client with a Recorder to it.
    template <class P>
    static aio::Coro<Connected> serve_and_connect(
        std::shared_ptr<P>& accepted, std::type_identity_t<void (*)(P&)> configure = nullptr) {
        auto factory = [&accepted, configure] {
            accepted = std::make_shared<P>();
            if (configure) configure(*accepted);
            return accepted;
        };
        auto server = co_await aio::create_server(factory, "127.0.0.1", 0);
        auto client = [] { return std::make_shared<Recorder>(); };
        auto [t, p] = co_await aio::create_connection(client, "127.0.0.1", port_of(*server));
        Connected c{std::move(server), std::move(t), std::move(p)};
        co_return c;
    }
};

TEST_F(ProtocolTest, EchoServerAndClientSeeTheCallbacksInAsyncioOrder) {
    std::shared_ptr<Recorder> server_side;
    auto echo = [](Recorder& r) { r.echo = true; };
    auto body = [&]() -> aio::Coro<void> {
        auto [server, t, p] = co_await serve_and_connect(server_side, echo);
        EXPECT_TRUE(server->is_serving());
        EXPECT_EQ(p->events, std::vector<std::string>{"made"});  // connection_made ran before the await returned
        auto peer = std::any_cast<aio::SocketAddress>(t->get_extra_info("peername"));
        EXPECT_EQ(peer.port(), port_of(*server));
        EXPECT_TRUE(std::any_cast<aio::SocketAddress>(t->get_extra_info("sockname")).is_ipv4());
        EXPECT_FALSE(t->get_extra_info("no such thing").has_value());
        t->write("hello ");
        std::string_view parts[] = {"wor", "ld"};
        t->writelines(parts);
        while (p->data.size() < 11) co_await aio::sleep(1ms);
        EXPECT_EQ(p->data, "hello world");
        t->close();
        EXPECT_TRUE(t->is_closing());
        co_await p->lost.wait();
        EXPECT_EQ(p->events, (std::vector<std::string>{"made", "lost"}));
        EXPECT_EQ(p->lost_with, nullptr);
        co_await server_side->lost.wait();
        EXPECT_EQ(server_side->events, (std::vector<std::string>{"made", "eof", "lost"}));
        server->close();
        co_await server->wait_closed();
    };
    run(body());
}

TEST_F(ProtocolTest, ConnectingToAClosedPortIsConnectionRefusedErrorSayingSoOnce) {
    // Bind a port and close it without listening: nothing accepts there.
    int s = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    socklen_t len = sizeof a;
    ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
    std::uint16_t port = ntohs(a.sin_port);
    ::close(s);
    auto body = [&]() -> aio::Coro<void> {
        co_await aio::create_connection([] { return std::make_shared<Recorder>(); }, "127.0.0.1", port);
    };
    try {
        run(body());
        ADD_FAILURE() << "connected";
    } catch (const aio::ConnectionRefusedError& e) {
        EXPECT_EQ(std::string(e.what()), "connect(127.0.0.1:" + std::to_string(port) + "): Connection refused");
        EXPECT_EQ(e.errno_code(), ECONNREFUSED);
    }
}

TEST_F(ProtocolTest, HalfCloseKeepsTheWritingSideOpenWhenEofReceivedSaysSo) {
    std::shared_ptr<Recorder> server_side;
    auto keep_open = [](Recorder& r) { r.keep_open_on_eof = true; };
    auto body = [&]() -> aio::Coro<void> {
        auto [server, t, p] = co_await serve_and_connect(server_side, keep_open);
        EXPECT_TRUE(t->can_write_eof());
        t->write("request");
        t->write_eof();
        EXPECT_THROW(t->write("more"), aio::RuntimeError);
        while (!server_side || server_side->events.size() < 2) co_await aio::sleep(1ms);
        EXPECT_EQ(server_side->events, (std::vector<std::string>{"made", "eof"}));
        EXPECT_EQ(server_side->data, "request");
        server_side->transport->write("reply after your EOF");
        server_side->transport->close();
        co_await p->lost.wait();
        EXPECT_EQ(p->data, "reply after your EOF");
        EXPECT_EQ(p->events, (std::vector<std::string>{"made", "eof", "lost"}));
        co_await server_side->lost.wait();
        server->close();
        co_await server->wait_closed();
    };
    run(body());
}

TEST_F(ProtocolTest, APeerThatNeverReadsPausesTheWriterAndTheBufferStaysBounded) {
    std::shared_ptr<Recorder> server_side;
    auto body = [&]() -> aio::Coro<void> {
        auto [server, t, p] = co_await serve_and_connect(server_side);
        while (!server_side || !server_side->transport) co_await aio::sleep(1ms);
        server_side->transport->pause_reading();  // the peer stops reading
        EXPECT_FALSE(server_side->transport->is_reading());
        t->set_write_buffer_limits(64 * 1024);
        EXPECT_EQ(t->get_write_buffer_limits(), (std::pair<std::size_t, std::size_t>{64 * 1024, 16 * 1024}));
        EXPECT_THROW(t->set_write_buffer_limits(10, 20), aio::ValueError);
        const std::string chunk(16 * 1024, 'x');
        std::size_t written = 0;
        // A well-behaved writer stops at pause_writing: the kernel buffers fill, then ours.
        for (int i = 0; i < 100000 && p->events.back() != "pause"; ++i) {
            t->write(chunk);
            written += chunk.size();
            if (i % 64 == 63) co_await aio::sleep(0ms);  // let writability be polled
        }
        EXPECT_EQ(p->events.back(), "pause");
        EXPECT_LE(t->get_write_buffer_size(), 64 * 1024 + chunk.size());
        // The reader comes back: everything arrives and the writer is resumed.
        server_side->transport->resume_reading();
        while (server_side->data.size() < written) co_await aio::sleep(1ms);
        EXPECT_EQ(server_side->data.size(), written);
        EXPECT_EQ(p->events.back(), "resume");
        t->close();
        co_await server_side->lost.wait();
        server->close();
        co_await server->wait_closed();
    };
    run(body());
}

TEST_F(ProtocolTest, APeerResetMidWriteEndsTheConnectionWithConnectionResetOrBrokenPipe) {
    std::shared_ptr<Recorder> server_side;
    auto body = [&]() -> aio::Coro<void> {
        auto [server, t, p] = co_await serve_and_connect(server_side);
        while (!server_side || !server_side->transport) co_await aio::sleep(1ms);
        // The client resets: SO_LINGER 0 then close sends RST.
        int fd = std::any_cast<int>(t->get_extra_info("socket"));
        linger lg{1, 0};
        ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
        t->abort();
        co_await p->lost.wait();
        const std::string chunk(64 * 1024, 'y');
        for (int i = 0; i < 1000 && server_side->transport && !server_side->transport->is_closing(); ++i) {
            server_side->transport->write(chunk);
            co_await aio::sleep(0ms);
        }
        co_await server_side->lost.wait();
        EXPECT_TRUE(server_side->lost_with);
        EXPECT_THROW(std::rethrow_exception(server_side->lost_with), aio::ConnectionError);
        server_side->transport = nullptr;
        server->close();
        co_await server->wait_closed();
    };
    run(body());
}

TEST_F(ProtocolTest, AnExceptionInDataReceivedIsReportedAndAbortsTheConnection) {
    struct Throws : Recorder {
        void data_received(std::string_view) override { throw std::runtime_error("bad protocol"); }
    };
    std::shared_ptr<Throws> server_side;
    auto body = [&]() -> aio::Coro<void> {
        auto [server, t, p] = co_await serve_and_connect(server_side);
        t->write("boom");
        co_await server_side->lost.wait();
        co_await p->lost.wait();
        server->close();
        co_await server->wait_closed();
    };
    run(body());
    ASSERT_EQ(reports.count_containing("data_received"), 1u) << reports.describe();
    reports.clear();
}

TEST_F(ProtocolTest, ServeForeverEndsWithCancelledErrorWhenCancelledAndClosesTheServer) {
    auto body = [&]() -> aio::Coro<void> {
        auto server = co_await aio::create_server([] { return std::make_shared<Recorder>(); }, "127.0.0.1", 0,
                                                  {.start_serving = false});
        EXPECT_FALSE(server->is_serving());
        auto task = aio::create_task(server->serve_forever());
        co_await aio::sleep(0ms);
        EXPECT_TRUE(server->is_serving());
        task.cancel();
        EXPECT_THROW(co_await task, aio::CancelledError);
        EXPECT_FALSE(server->is_serving());
        EXPECT_TRUE(server->sockets().empty());
        co_await server->wait_closed();
    };
    run(body());
}

TEST_F(ProtocolTest, WaitClosedWaitsForTheAcceptedConnectionsAndCloseClientsEndsThem) {
    std::vector<std::shared_ptr<Recorder>> accepted;
    auto body = [&]() -> aio::Coro<void> {
        auto server = co_await aio::create_server(
            [&] {
                accepted.push_back(std::make_shared<Recorder>());
                return accepted.back();
            },
            "127.0.0.1", 0);
        auto [t1, p1] = co_await aio::create_connection([] { return std::make_shared<Recorder>(); }, "127.0.0.1",
                                                        port_of(*server));
        auto [t2, p2] = co_await aio::create_connection([] { return std::make_shared<Recorder>(); }, "127.0.0.1",
                                                        port_of(*server));
        while (server->active_connections() < 2) co_await aio::sleep(1ms);
        server->close();
        auto waiting = aio::create_task(server->wait_closed());
        co_await aio::sleep(1ms);
        EXPECT_FALSE(waiting.done());  // two connections are still up
        server->close_clients();
        co_await waiting;
        co_await p1->lost.wait();
        co_await p2->lost.wait();
        EXPECT_EQ(server->active_connections(), 0u);
    };
    run(body());
}

TEST_F(ProtocolTest, BindingAPortInUseIsAnOSErrorNamingTheAddress) {
    auto body = [&]() -> aio::Coro<void> {
        auto a = co_await aio::create_server([] { return std::make_shared<Recorder>(); }, "127.0.0.1", 0);
        std::exception_ptr failure;
        try {
            co_await aio::create_server([] { return std::make_shared<Recorder>(); }, "127.0.0.1", port_of(*a),
                                        {.reuse_address = false});
        } catch (const aio::OSError& e) {
            EXPECT_EQ(e.errno_code(), EADDRINUSE);
            EXPECT_EQ(std::string(e.what()), "error while attempting to bind on address 127.0.0.1:" +
                                                 std::to_string(port_of(*a)) + ": Address already in use");
            failure = std::current_exception();
        }
        EXPECT_TRUE(failure);
        a->close();
    };
    run(body());
}

TEST_F(ProtocolTest, CancellingAConnectLeavesNoRegistrationAndNoSocket) {
    auto body = [&]() -> aio::Coro<void> {
        auto listener = co_await aio::create_server([] { return std::make_shared<Recorder>(); }, "127.0.0.1", 0,
                                                    {.backlog = 0, .start_serving = false});
        // A listener that never accepts, with a full backlog, keeps a loopback connect pending.
        std::vector<int> fillers;
        for (int i = 0; i < 8; ++i) {
            int s = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
            auto addr = listener->sockets()[0];
            ::connect(s, addr.data(), addr.size());
            fillers.push_back(s);
        }
        auto task = aio::create_task(aio::create_connection([] { return std::make_shared<Recorder>(); },
                                                            "127.0.0.1", port_of(*listener)));
        co_await aio::sleep(5ms);
        EXPECT_FALSE(task.done()) << "the connect was not left pending: the test proves nothing";
        EXPECT_EQ(watched(), 1u);  // the pending connect's socket, and nothing else
        if (!task.done()) {
            task.cancel();
            try {
                co_await task;
            } catch (const aio::CancelledError&) {
            }
        } else {
            try {  // the kernel took it after all: close it
                auto [t, p] = co_await task;
                t->abort();
                co_await p->lost.wait();
            } catch (const aio::OSError&) {
            }
        }
        for (int s : fillers) ::close(s);
        listener->close();
    };
    run(body());
}

TEST_F(ProtocolTest, ANameConnectsToWhicheverOfItsAddressesHasTheServer) {
    // Where "localhost" resolves to both ::1 and 127.0.0.1, a server on only one of them is
    // reached whichever comes first: a refused address makes the next one be tried.
    int probe = ::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
    auto v6 = aio::SocketAddress::ip("::1", 0);
    bool have_v6 = probe >= 0 && ::bind(probe, v6.data(), v6.size()) == 0;
    if (probe >= 0) ::close(probe);
    auto body = [&]() -> aio::Coro<void> {
        auto names = co_await aio::getaddrinfo("localhost", 1, AF_UNSPEC, SOCK_STREAM);
        std::vector<std::string> hosts;
        for (const auto& ai : names) hosts.push_back(ai.addr.host());
        std::vector<std::string> try_hosts = {"127.0.0.1"};
        if (have_v6) try_hosts.push_back("::1");
        for (const auto& host : try_hosts) {
            if (std::find(hosts.begin(), hosts.end(), host) == hosts.end()) continue;
            auto server = co_await aio::create_server([] { return std::make_shared<Recorder>(); }, host, 0);
            auto [t, p] = co_await aio::create_connection([] { return std::make_shared<Recorder>(); }, "localhost",
                                                          port_of(*server));
            EXPECT_EQ(std::any_cast<aio::SocketAddress>(t->get_extra_info("peername")).host(), host);
            t->close();
            co_await p->lost.wait();
            server->close();
            server->close_clients();
            co_await server->wait_closed();
        }
    };
    run(body());
}
