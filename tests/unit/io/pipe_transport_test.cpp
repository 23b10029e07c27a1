// connect_read_pipe / connect_write_pipe with protocols: real pipes, regular files, /dev/null.

#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <thread>

#include "aio/core/os_errors.hpp"
#include "aio/core/run.hpp"
#include "aio/io/pipes.hpp"
#include "aio/sync/event.hpp"
#include "aio/time/sleep.hpp"
#include "aio/time/wait_for.hpp"
#include "pipe_test_support.hpp"

using namespace std::chrono_literals;
using aio_pipe_test::PipeTest;

namespace {

struct Collect : aio::Protocol {
    std::string data;
    int eofs = 0;
    int losts = 0;
    bool made = false;
    std::exception_ptr lost_with;
    aio::Event done;
    void connection_made(aio::Transport&) override { made = true; }
    void data_received(std::string_view d) override { data.append(d); }
    bool eof_received() override {
        ++eofs;
        return false;
    }
    void connection_lost(std::exception_ptr e) override {
        ++losts;
        lost_with = e;
        done.set();
    }
};

struct WriteSide : aio::BaseProtocol {
    void deliver_connection_made(aio::BaseTransport&) override { made = true; }
    void connection_lost(std::exception_ptr e) override {
        lost_with = e;
        ++losts;
        done.set();
    }
    bool made = false;
    int losts = 0;
    std::exception_ptr lost_with;
    aio::Event done;
};

}  // namespace

TEST_F(PipeTest, AReadPipeDeliversTheBytesThenEofThenConnectionLost) {
    auto [r, w] = aio_pipe_test::make_pipe();
    auto body = [&, r = r, w = w]() -> aio::Coro<void> {
        auto [transport, protocol] = co_await aio::connect_read_pipe([] { return std::make_shared<Collect>(); }, r);
        EXPECT_TRUE(protocol->made);
        EXPECT_EQ(std::any_cast<int>(transport->get_extra_info("pipe")), r);
        EXPECT_TRUE(transport->is_reading());
        EXPECT_EQ(::write(w, "hello ", 6), 6);
        EXPECT_EQ(::write(w, "pipe", 4), 4);
        ::close(w);
        co_await aio::wait_for(protocol->done.wait(), 10s);
        EXPECT_EQ(protocol->data, "hello pipe");
        EXPECT_EQ(protocol->eofs, 1);
        EXPECT_EQ(protocol->losts, 1);
        EXPECT_FALSE(protocol->lost_with);
        EXPECT_FALSE(aio_pipe_test::fd_is_open(r)) << "the transport closes the descriptor it owns";
    };
    run(body());
}

TEST_F(PipeTest, ClosingAReadPipeTransportClosesItsDescriptor) {
    auto [r, w] = aio_pipe_test::make_pipe();
    auto body = [&, r = r]() -> aio::Coro<void> {
        auto [transport, protocol] = co_await aio::connect_read_pipe([] { return std::make_shared<Collect>(); }, r);
        EXPECT_NE(::fcntl(r, F_GETFL) & O_NONBLOCK, 0) << "the descriptor is made non-blocking";
        transport->close();
        EXPECT_TRUE(transport->is_closing());
        co_await aio::wait_for(protocol->done.wait(), 10s);
        EXPECT_FALSE(protocol->lost_with);
        EXPECT_EQ(protocol->eofs, 0);
    };
    run(body());
    ::close(w);
}

TEST_F(PipeTest, PauseReadingHoldsTheDataBackUntilResumeReading) {
    auto [r, w] = aio_pipe_test::make_pipe();
    auto body = [&, r = r, w = w]() -> aio::Coro<void> {
        auto [transport, protocol] = co_await aio::connect_read_pipe([] { return std::make_shared<Collect>(); }, r);
        transport->pause_reading();
        EXPECT_FALSE(transport->is_reading());
        EXPECT_EQ(::write(w, "x", 1), 1);
        for (int i = 0; i < 10; ++i) co_await aio::sleep(0s);
        EXPECT_EQ(protocol->data, "");
        transport->resume_reading();
        ::close(w);
        co_await aio::wait_for(protocol->done.wait(), 10s);
        EXPECT_EQ(protocol->data, "x");
    };
    run(body());
}

TEST_F(PipeTest, AReadPipeOverARegularFileReadsItInTheExecutor) {
    std::string content;
    for (int i = 0; i < 20000; ++i) content += "line " + std::to_string(i) + "\n";  // > 64 KiB
    int fd = aio_pipe_test::temp_file_with(content);
    auto body = [&]() -> aio::Coro<void> {
        auto [transport, protocol] = co_await aio::connect_read_pipe([] { return std::make_shared<Collect>(); }, fd);
        co_await aio::wait_for(protocol->done.wait(), 10s);
        EXPECT_EQ(protocol->data, content);
        EXPECT_EQ(protocol->eofs, 1);
        EXPECT_FALSE(protocol->lost_with);
    };
    run(body());
    EXPECT_FALSE(aio_pipe_test::fd_is_open(fd));
}

TEST_F(PipeTest, AReadPipeOverDevNullEndsAtOnce) {
    int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    auto body = [&]() -> aio::Coro<void> {
        auto [transport, protocol] = co_await aio::connect_read_pipe([] { return std::make_shared<Collect>(); }, fd);
        co_await aio::wait_for(protocol->done.wait(), 10s);
        EXPECT_EQ(protocol->data, "");
        EXPECT_EQ(protocol->eofs, 1);
    };
    run(body());
}

TEST_F(PipeTest, ABadDescriptorIsAnOSError) {
    auto body = [&]() -> aio::Coro<void> {
        EXPECT_THROW(co_await aio::connect_read_pipe([] { return std::make_shared<Collect>(); }, 9999),
                     aio::OSError);
        EXPECT_THROW(co_await aio::connect_read_pipe([] { return std::make_shared<Collect>(); }, -1), aio::OSError);
    };
    run(body());
}

TEST_F(PipeTest, ADirectoryIsAnIsADirectoryErrorAtConnectAndIsClosed) {
    int dir = ::open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    ASSERT_GE(dir, 0);
    auto body = [&]() -> aio::Coro<std::string> {
        try {
            co_await aio::connect_read_pipe([] { return std::make_shared<Collect>(); }, dir);
        } catch (const aio::IsADirectoryError& e) {
            co_return e.what();
        }
        co_return "connected";
    };
    EXPECT_EQ(run(body()), "connect_read_pipe: Is a directory");
    EXPECT_FALSE(aio_pipe_test::fd_is_open(dir));  // the transport owned it, even failing
}

TEST_F(PipeTest, AWritePipeSendsEverythingAndWriteEofClosesIt) {
    auto [r, w] = aio_pipe_test::make_pipe();
    std::string big(1 << 20, 'z');
    std::string got;
    std::thread reader([&, r = r] {
        char buf[65536];
        for (;;) {
            ssize_t n = ::read(r, buf, sizeof buf);
            if (n <= 0) break;
            got.append(buf, static_cast<std::size_t>(n));
        }
        ::close(r);
    });
    auto body = [&, w = w]() -> aio::Coro<void> {
        auto [transport, protocol] = co_await aio::connect_write_pipe([] { return std::make_shared<WriteSide>(); }, w);
        EXPECT_TRUE(protocol->made);
        transport->write(big);
        EXPECT_TRUE(transport->can_write_eof());
        transport->write_eof();
        co_await aio::wait_for(protocol->done.wait(), 10s);
        EXPECT_FALSE(protocol->lost_with);
    };
    run(body());
    reader.join();
    EXPECT_EQ(got.size(), big.size());
}

TEST_F(PipeTest, AWritePipeWhoseReaderLeavesWithBytesBufferedLosesTheConnectionWithBrokenPipe) {
    auto [r, w] = aio_pipe_test::make_pipe();
    auto body = [&, r = r, w = w]() -> aio::Coro<void> {
        auto [transport, protocol] = co_await aio::connect_write_pipe([] { return std::make_shared<WriteSide>(); }, w);
        transport->write(std::string(1 << 20, 'z'));  // more than the pipe holds
        EXPECT_GT(transport->get_write_buffer_size(), 0u);
        ::close(r);
        co_await aio::wait_for(protocol->done.wait(), 10s);
        EXPECT_TRUE(protocol->lost_with);
        if (protocol->lost_with) {
            EXPECT_THROW(std::rethrow_exception(protocol->lost_with), aio::BrokenPipeError);
        }
    };
    run(body());
}

TEST_F(PipeTest, AWritePipeOverARegularFileWritesThrough) {
    char path[] = "/tmp/aio_pipe_out_XXXXXX";
    int fd = ::mkstemp(path);
    int check = ::open(path, O_RDONLY | O_CLOEXEC);
    ::unlink(path);
    auto body = [&]() -> aio::Coro<void> {
        auto [transport, protocol] = co_await aio::connect_write_pipe([] { return std::make_shared<WriteSide>(); }, fd);
        transport->write("to a file\n");
        EXPECT_EQ(transport->get_write_buffer_size(), 0u);
        transport->close();
        co_await aio::wait_for(protocol->done.wait(), 10s);
    };
    run(body());
    char buf[64] = {};
    EXPECT_EQ(::read(check, buf, sizeof buf), 10);
    EXPECT_EQ(std::string(buf), "to a file\n");
    ::close(check);
}

TEST(PipeRun, AioRunClosesAFileTransportThatIsStillReading) {
    int before = aio_test::count_open_fds();
    auto body = []() -> aio::Coro<std::size_t> {
        int fd = ::open("/dev/zero", O_RDONLY | O_CLOEXEC);  // endless, and epoll refuses it
        auto reader = co_await aio::open_read_pipe(fd);
        co_return (co_await reader.read(10)).size();
    };
    EXPECT_EQ(aio::run(body()), 10u);
    EXPECT_EQ(aio_test::count_open_fds(), before);
}
