// Every example, given a bad command line or meeting a fault (a closed stdin, a program not in
// PATH, a refused connection, a port in use), prints one clear line on stderr and exits non-zero:
// 2 for a usage error, naming the flag, 1 for a failure at run time (aio::run_main). None ends in
// std::terminate ("terminate called after throwing ...", SIGABRT).

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <string>
#include <vector>

#include "example_runner.hpp"

namespace aio_examples_test {
namespace {

using Lines = std::vector<std::string>;

void expect_one_clear_line(const ExampleRun& r, int exit_code, const std::string& line) {
    ASSERT_FALSE(r.timed_out);
    EXPECT_EQ(r.signal, 0) << "killed by a signal; stderr: " << r.err;
    EXPECT_EQ(r.err.find("terminate called"), std::string::npos) << r.err;
    EXPECT_EQ(r.exit_code, exit_code);
    EXPECT_EQ(r.err_lines, Lines{line});
    EXPECT_EQ(r.out, "");
}

// A loopback TCP socket bound to a free port; listening or not.
class LoopbackPort {
public:
    explicit LoopbackPort(bool listening) {
        fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
        if (listening) {
            EXPECT_EQ(::listen(fd_, 1), 0);
        }
        socklen_t len = sizeof a;
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
        port_ = ntohs(a.sin_port);
    }
    ~LoopbackPort() { ::close(fd_); }
    std::string port() const { return std::to_string(port_); }

private:
    int fd_ = -1;
    std::uint16_t port_ = 0;
};

TEST(ExamplesOnBadInput, BatchConsumerRefusesANegativeTimeoutNamingTheFlag) {
    expect_one_clear_line(run_example("batch_consumer", {"--wait-timeout-ms", "-5"}), 2,
                          "example_batch_consumer: --wait-timeout-ms: expected a whole number >= 0, got '-5'");
}

TEST(ExamplesOnBadInput, BatchConsumerRefusesAFlagWithoutItsValue) {
    expect_one_clear_line(run_example("batch_consumer", {"--items"}), 2,
                          "example_batch_consumer: --items: missing value");
}

TEST(ExamplesOnBadInput, DemoRefusesAnArgument) {
    expect_one_clear_line(run_example("demo", {"extra"}), 2,
                          "example_demo: unknown argument 'extra' (usage: example_demo)");
}

TEST(ExamplesOnBadInput, ExecutorGatherRefusesANegativeDuration) {
    expect_one_clear_line(run_example("executor_gather", {"--duration-ms", "-1"}), 2,
                          "example_executor_gather: --duration-ms: expected a whole number >= 0, got '-1'");
}

TEST(ExamplesOnBadInput, ExecutorGatherRefusesZeroWorkers) {
    expect_one_clear_line(run_example("executor_gather", {"--workers", "0"}), 2,
                          "example_executor_gather: --workers: expected a whole number >= 1, got '0'");
}

TEST(ExamplesOnBadInput, GatherWaitRefusesANegativeDelayAndAWordForANumber) {
    expect_one_clear_line(run_example("gather_wait", {"--delay-ms", "-10"}), 2,
                          "example_gather_wait: --delay-ms: expected a whole number >= 0, got '-10'");
    expect_one_clear_line(run_example("gather_wait", {"--delay-ms", "ten"}), 2,
                          "example_gather_wait: --delay-ms: expected a whole number >= 0, got 'ten'");
}

TEST(ExamplesOnBadInput, GatherWaitNamesTheStylesItKnows) {
    expect_one_clear_line(run_example("gather_wait", {"--style", "sideways"}), 2,
                          "example_gather_wait: --style: expected gather, wait or both, got 'sideways'");
}

TEST(ExamplesOnBadInput, GatherWaitShowsTheUsageForAnUnknownFlag) {
    expect_one_clear_line(
        run_example("gather_wait", {"--fast"}), 2,
        "example_gather_wait: unknown argument '--fast' (usage: example_gather_wait [--style gather|wait|both] "
        "[--delay-ms D] [INPUT...])");
}

TEST(ExamplesOnBadInput, GracefulShutdownRefusesAnArgument) {
    expect_one_clear_line(run_example("graceful_shutdown", {"now"}), 2,
                          "example_graceful_shutdown: unknown argument 'now' (usage: example_graceful_shutdown)");
}

TEST(ExamplesOnBadInput, SplitLinesRefusesANegativeDelayAndAnEmptyChunkSize) {
    expect_one_clear_line(run_example("split_lines", {"--delay-ms", "-3", "a"}), 2,
                          "example_split_lines: --delay-ms: expected a whole number >= 0, got '-3'");
    expect_one_clear_line(run_example("split_lines", {"--chunk-size", "0", "a"}), 2,
                          "example_split_lines: --chunk-size: expected a whole number >= 1, got '0'");
}

TEST(ExamplesOnBadInput, StdinLinesWithStdinClosedSaysSoAndExitsOne) {
    RunSetup setup;
    setup.input = RunSetup::Stdin::closed;
    expect_one_clear_line(run_example("stdin_lines", {}, setup), 1,
                          "example_stdin_lines: stdin is closed: Bad file descriptor");
}

TEST(ExamplesOnBadInput, StdinLinesWithADirectoryAsStdinSaysSoAndExitsOne) {
    RunSetup setup;
    setup.input = RunSetup::Stdin::directory;
    expect_one_clear_line(run_example("stdin_lines", {}, setup), 1, "example_stdin_lines: stdin: Is a directory");
}

TEST(ExamplesOnBadInput, SubprocessPipelineWithoutSeqInPathSaysWhichProgramAndExitsOne) {
    RunSetup setup;
    setup.env = {"PATH=/nonexistent"};
    expect_one_clear_line(run_example("subprocess_pipeline", {}, setup), 1,
                          "example_subprocess_pipeline: cannot run 'seq': No such file or directory");
}

TEST(ExamplesOnBadInput, SubprocessPipelineRefusesACountThatIsNotANumber) {
    expect_one_clear_line(run_example("subprocess_pipeline", {"abc"}), 2,
                          "example_subprocess_pipeline: N: expected a whole number >= 1, got 'abc'");
}

TEST(ExamplesOnBadInput, TcpEchoClientToAPortNobodyListensOnSaysConnectionRefusedAndExitsOne) {
    LoopbackPort bound(false);  // bound, not listening: a connect is refused at once
    expect_one_clear_line(run_example("tcp_echo", {"client", "--port", bound.port(), "hello"}), 1,
                          "example_tcp_echo: connect(127.0.0.1:" + bound.port() + "): Connection refused");
}

TEST(ExamplesOnBadInput, TcpEchoServerOnAPortInUseSaysSoAndExitsOne) {
    LoopbackPort taken(true);
    expect_one_clear_line(run_example("tcp_echo", {"server", "--port", taken.port()}), 1,
                          "example_tcp_echo: error while attempting to bind on address 127.0.0.1:" +
                              taken.port() + ": Address already in use");
}

TEST(ExamplesOnBadInput, TcpEchoRefusesABadPortModeOrRole) {
    expect_one_clear_line(run_example("tcp_echo", {"client", "--port", "99999", "x"}), 2,
                          "example_tcp_echo: --port: expected a whole number from 0 to 65535, got '99999'");
    expect_one_clear_line(run_example("tcp_echo", {"server", "--mode", "carrier-pigeon"}), 2,
                          "example_tcp_echo: --mode: expected streams or protocol, got 'carrier-pigeon'");
    expect_one_clear_line(run_example("tcp_echo", {"client", "x"}), 2,
                          "example_tcp_echo: client: --port P is required (the server's port)");
    ExampleRun r = run_example("tcp_echo", {"proxy"});
    EXPECT_EQ(r.exit_code, 2);
    ASSERT_EQ(r.err_lines.size(), 1u);
    EXPECT_EQ(r.err_lines[0].rfind("example_tcp_echo: unknown argument 'proxy' (usage: ", 0), 0u) << r.err;
}

TEST(ExamplesOnBadInput, ThreadsafeWriterRefusesANegativeDelay) {
    expect_one_clear_line(run_example("threadsafe_writer", {"--delay-ms", "-1"}), 2,
                          "example_threadsafe_writer: --delay-ms: expected a whole number >= 0, got '-1'");
}

}  // namespace
}  // namespace aio_examples_test
