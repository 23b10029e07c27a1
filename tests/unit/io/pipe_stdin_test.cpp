// stdin_reader / stdin_lines / lines_of: this process's descriptor 0 is replaced for the test
// (a pipe, a regular file, /dev/null) and put back afterwards.

#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <thread>
#include <vector>

#include "aio/core/os_errors.hpp"
#include "aio/io/pipes.hpp"
#include "aio/time/wait_for.hpp"
#include "pipe_test_support.hpp"

using namespace std::chrono_literals;
using aio_pipe_test::PipeTest;

namespace {

// Puts `fd` in place of stdin for its lifetime (and closes `fd`).
class StdinSwap {
public:
    explicit StdinSwap(int fd) : saved_(::dup(STDIN_FILENO)) {
        ::dup2(fd, STDIN_FILENO);
        ::close(fd);
    }
    ~StdinSwap() {
        ::dup2(saved_, STDIN_FILENO);
        ::close(saved_);
    }

private:
    int saved_;
};

// Closes stdin for its lifetime.
class StdinClosed {
public:
    StdinClosed() : saved_(::dup(STDIN_FILENO)) { ::close(STDIN_FILENO); }
    ~StdinClosed() {
        ::dup2(saved_, STDIN_FILENO);
        ::close(saved_);
    }

private:
    int saved_;
};

aio::Coro<std::vector<std::string>> collect(aio::AsyncGenerator<std::string> lines) {
    std::vector<std::string> out;
    while (auto line = co_await lines.next()) out.push_back(*line);
    co_return out;
}

}  // namespace

TEST_F(PipeTest, StdinLinesReadsAPipeLineByLineWithTheLastLineWithoutNewline) {
    auto [r, w] = aio_pipe_test::make_pipe();
    std::vector<std::string> got;
    {
        StdinSwap swap(r);
        std::thread writer([w = w] {
            const char text[] = "first\nsecond line\n\nlast without newline";
            [[maybe_unused]] auto n = ::write(w, text, sizeof text - 1);
            ::close(w);
        });
        got = run(aio::wait_for(collect(aio::stdin_lines()), 10s));
        writer.join();
        EXPECT_EQ(::fcntl(STDIN_FILENO, F_GETFL) & O_NONBLOCK, 0) << "stdin itself stays blocking";
    }
    EXPECT_EQ(got, (std::vector<std::string>{"first", "second line", "", "last without newline"}));
}

TEST_F(PipeTest, StdinLinesWorksWhenStdinIsARegularFile) {
    std::string content;
    for (int i = 0; i < 10000; ++i) content += std::to_string(i) + "\n";
    std::vector<std::string> got;
    {
        StdinSwap swap(aio_pipe_test::temp_file_with(content));
        got = run(aio::wait_for(collect(aio::stdin_lines()), 10s));
    }
    ASSERT_EQ(got.size(), 10000u);
    EXPECT_EQ(got.front(), "0");
    EXPECT_EQ(got.back(), "9999");
}

TEST_F(PipeTest, StdinLinesEndsAtOnceWhenStdinIsDevNull) {
    std::vector<std::string> got{"x"};
    {
        StdinSwap swap(::open("/dev/null", O_RDONLY | O_CLOEXEC));
        got = run(aio::wait_for(collect(aio::stdin_lines()), 10s));
    }
    EXPECT_TRUE(got.empty());
}

TEST_F(PipeTest, LinesOfCanKeepTheLineEnds) {
    auto [r, w] = aio_pipe_test::make_pipe();
    const char text[] = "a\nb\nc";
    EXPECT_EQ(::write(w, text, sizeof text - 1), 5);
    ::close(w);
    auto body = [&, r = r]() -> aio::Coro<std::vector<std::string>> {
        auto reader = co_await aio::open_read_pipe(r);
        co_return co_await collect(aio::lines_of(reader, true));
    };
    EXPECT_EQ(run(aio::wait_for(body(), 10s)), (std::vector<std::string>{"a\n", "b\n", "c"}));
}

TEST_F(PipeTest, OpenWritePipeAndOpenReadPipeTalkThroughAPipe) {
    auto [r, w] = aio_pipe_test::make_pipe();
    auto body = [&, r = r, w = w]() -> aio::Coro<std::string> {
        auto reader = co_await aio::open_read_pipe(r);
        auto writer = co_await aio::open_write_pipe(w);
        auto produce = [](aio::StreamWriter out) -> aio::Coro<void> {
            for (int i = 0; i < 1000; ++i) {
                out.write(std::string(1000, static_cast<char>('a' + i % 26)));
                co_await out.drain();
            }
            out.close();
            co_await out.wait_closed();
        };
        auto task = aio::create_task(produce(writer));
        std::string all = co_await reader.read(-1);
        co_await task;
        co_return all;
    };
    std::string all = run(aio::wait_for(body(), 10s));
    EXPECT_EQ(all.size(), 1000000u);
}


TEST_F(PipeTest, AClosedStdinIsAnOSErrorSayingStdinIsClosed) {
    StdinClosed closed;
    try {
        run(aio::wait_for(collect(aio::stdin_lines()), 10s));
        ADD_FAILURE() << "read a closed stdin";
    } catch (const aio::OSError& e) {
        EXPECT_STREQ(e.what(), "stdin is closed: Bad file descriptor");
        EXPECT_EQ(e.errno_code(), EBADF);
    }
}

TEST_F(PipeTest, AStdinOpenForWritingOnlyIsAnOSErrorSayingSo) {
    StdinSwap swap(::open("/dev/null", O_WRONLY | O_CLOEXEC));
    try {
        run(aio::wait_for(collect(aio::stdin_lines()), 10s));
        ADD_FAILURE() << "read a write-only stdin";
    } catch (const aio::OSError& e) {
        EXPECT_STREQ(e.what(), "stdin is open for writing only: Bad file descriptor");
        EXPECT_EQ(e.errno_code(), EBADF);
    }
}

TEST_F(PipeTest, AStdinThatIsADirectoryIsAnIsADirectoryErrorBeforeAnyRead) {
    StdinSwap swap(::open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    try {
        run(aio::wait_for(collect(aio::stdin_lines()), 10s));
        ADD_FAILURE() << "read a directory";
    } catch (const aio::IsADirectoryError& e) {
        EXPECT_STREQ(e.what(), "stdin: Is a directory");
        EXPECT_EQ(e.errno_code(), EISDIR);
    }
}
