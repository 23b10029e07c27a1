// subprocess_exec / subprocess_shell with a SubprocessProtocol (asyncio's loop.subprocess_exec).

#include <gtest/gtest.h>

#include <signal.h>

#include <algorithm>

#include <string>
#include <vector>

#include "aio/process/subprocess_protocol.hpp"
#include "aio/sync/event.hpp"
#include "aio/time/wait_for.hpp"
#include "subprocess_support.hpp"

using namespace std::chrono_literals;
using aio_process_test::SubprocessTest;

namespace {

struct Recorder : aio::SubprocessProtocol {
    std::vector<std::string> events;
    std::string out, err;
    aio::SubprocessTransport* transport = nullptr;
    aio::Event lost;
    void connection_made(aio::SubprocessTransport& t) override {
        transport = &t;
        events.push_back("connection_made");
    }
    void pipe_data_received(int fd, std::string_view data) override { (fd == 1 ? out : err).append(data); }
    void pipe_connection_lost(int fd, std::exception_ptr) override {
        events.push_back("pipe_connection_lost " + std::to_string(fd));
    }
    void process_exited() override { events.push_back("process_exited"); }
    void connection_lost(std::exception_ptr) override {
        events.push_back("connection_lost");
        lost.set();
    }
};

}  // namespace

TEST_F(SubprocessTest, AProtocolSeesTheOutputThenTheExitThenConnectionLost) {
    auto body = []() -> aio::Coro<void> {
        aio::SubprocessOptions opts{.stdout = aio::PIPE, .stderr = aio::PIPE};
        auto [transport, protocol] = co_await aio::subprocess_shell(
            [] { return std::make_shared<Recorder>(); }, "echo out; echo err >&2; exit 4", opts);
        EXPECT_GT(transport->get_pid(), 0);
        EXPECT_TRUE(transport->get_pipe_transport(1));
        EXPECT_FALSE(transport->get_pipe_transport(0));
        co_await aio::wait_for(protocol->lost.wait(), 10s);
        EXPECT_EQ(protocol->out, "out\n");
        EXPECT_EQ(protocol->err, "err\n");
        EXPECT_EQ(transport->get_returncode(), 4);
        EXPECT_GE(protocol->events.size(), 5u);
        if (protocol->events.empty()) co_return;
        EXPECT_EQ(protocol->events.front(), "connection_made");
        EXPECT_EQ(protocol->events.back(), "connection_lost");
        EXPECT_EQ(std::count(protocol->events.begin(), protocol->events.end(), "process_exited"), 1);
        EXPECT_EQ(std::count(protocol->events.begin(), protocol->events.end(), "pipe_connection_lost 1"), 1);
        EXPECT_EQ(std::count(protocol->events.begin(), protocol->events.end(), "pipe_connection_lost 2"), 1);
    };
    run(body());
}

TEST_F(SubprocessTest, AProtocolWritesStdinThroughItsPipeTransport) {
    auto body = []() -> aio::Coro<void> {
        aio::SubprocessOptions opts{.stdin = aio::PIPE, .stdout = aio::PIPE};
        auto [transport, protocol] =
            co_await aio::subprocess_exec([] { return std::make_shared<Recorder>(); }, "cat", {}, opts);
        auto in = std::dynamic_pointer_cast<aio::WriteTransport>(transport->get_pipe_transport(0));
        EXPECT_TRUE(in);
        if (in) {
            in->write("through cat\n");
            in->close();
        }
        co_await aio::wait_for(protocol->lost.wait(), 10s);
        EXPECT_EQ(protocol->out, "through cat\n");
        EXPECT_EQ(transport->get_returncode(), 0);
    };
    run(body());
}

TEST_F(SubprocessTest, ClosingASubprocessTransportKillsTheChild) {
    auto body = []() -> aio::Coro<void> {
        aio::SubprocessOptions opts{.stdin = aio::PIPE, .stdout = aio::PIPE};
        auto [transport, protocol] =
            co_await aio::subprocess_exec([] { return std::make_shared<Recorder>(); }, "cat", {}, opts);
        transport->close();
        EXPECT_TRUE(transport->is_closing());
        co_await aio::wait_for(protocol->lost.wait(), 10s);
        EXPECT_EQ(transport->get_returncode(), -SIGKILL);
    };
    run(body());
}
