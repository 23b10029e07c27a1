// examples/mayhem (seed 003's queue service): each exit signal gives the seed's shutdown lines in
// order and exit 0; --stop-after stops it by itself; an unawaited task's exception goes through
// the loop's exception handler; the same --seed gives the same messages, and the asyncio twin
// (bench/peers/seeds/mayhem.py) logs the same lines once timestamps are masked.

#include <gtest/gtest.h>

#include <signal.h>

#include <algorithm>
#include <cstdlib>
#include <regex>
#include <string>
#include <vector>

#include "aio/core/run.hpp"
#include "aio/process/subprocess.hpp"
#include "aio/time/wait_for.hpp"
#include "example_runner.hpp"

using namespace std::chrono_literals;

namespace {

struct LogRun {
    int code = -1;
    std::vector<std::string> lines;  // stderr (the log), timestamps masked
};

// "12:40:01,123 INFO: Consumed ..." -> "INFO: Consumed ..."
std::string mask(const std::string& line) {
    static const std::regex stamp(R"(^\d\d:\d\d:\d\d,\d{1,3} )");
    return std::regex_replace(line, stamp, "");
}

std::vector<std::string> without_log_stamps(const std::vector<std::string>& lines) {
    std::vector<std::string> out;
    for (const auto& l : lines) out.push_back(mask(l));
    return out;
}

std::size_t lines_containing(const std::vector<std::string>& lines, const std::string& part) {
    return static_cast<std::size_t>(
        std::count_if(lines.begin(), lines.end(), [&](const std::string& l) { return l.find(part) != std::string::npos; }));
}

std::string mayhem_program() { return std::string(AIO_BIN_DIR) + "/example_mayhem"; }
std::string twin_script() { return std::string(AIO_SOURCE_DIR) + "/bench/peers/seeds/mayhem.py"; }

// Starts `program args`, reads its log until `acked` messages are done (0: until the first
// message is consumed), sends `sig`, and collects the rest. Every wait is bounded.
LogRun signal_after(std::string program, std::vector<std::string> args, int sig, std::size_t acked) {
    auto body = [](std::string program, std::vector<std::string> args, int sig, std::size_t acked) -> aio::Coro<LogRun> {
        aio::SubprocessOptions options{.stderr = aio::PIPE};
        auto proc = co_await aio::create_subprocess_exec(program, args, options);
        LogRun r;
        std::size_t done = 0;
        for (;;) {
            std::string line = co_await aio::wait_for(proc.stderr->readline(), 30s);
            if (line.empty()) break;  // it exited on its own: the checks below say so
            line.pop_back();
            r.lines.push_back(mask(line));
            if (acked == 0 && line.find("Consumed ") != std::string::npos) break;
            if (acked > 0 && line.find("Done. Acked ") != std::string::npos && ++done == acked) break;
        }
        proc.send_signal(sig);
        auto [out, err] = co_await aio::wait_for(proc.communicate(), 30s);
        for (const auto& l : aio_examples_test::detail::split_lines(err)) r.lines.push_back(mask(l));
        r.code = *proc.returncode();
        co_return r;
    };
    return aio::run(body(std::move(program), std::move(args), sig, acked));
}

// The lines from "Received exit signal" on.
std::vector<std::string> from_signal(const std::vector<std::string>& lines) {
    auto it = std::find_if(lines.begin(), lines.end(),
                           [](const std::string& l) { return l.rfind("INFO: Received exit signal", 0) == 0; });
    return std::vector<std::string>(it, lines.end());
}

// The exception handler's and the shutdown's lines, in their order. Ready callbacks (a periodic
// tick, a message's step) may run between the handler and the shutdown task it creates, in both
// asyncio and aio, so the other lines are left out.
std::vector<std::string> handler_lines(const std::vector<std::string>& lines) {
    std::vector<std::string> out;
    for (const auto& l : lines)
        if (l.rfind("ERROR: Caught exception", 0) == 0 || l == "INFO: Shutting down..." ||
            l.rfind("INFO: Closing", 0) == 0 || l.rfind("INFO: Nacking", 0) == 0 ||
            l.rfind("INFO: Cancelling", 0) == 0 || l == "INFO: Flushing metrics" || l.rfind("INFO: Successfully", 0) == 0)
            out.push_back(l);
    return out;
}

// The seed's shutdown, with its task count replaced by N.
std::vector<std::string> shutdown_lines(const std::vector<std::string>& tail) {
    std::vector<std::string> out;
    static const std::regex count(R"(Cancelling \d+ outstanding tasks)");
    for (const auto& l : tail) out.push_back(std::regex_replace(l, count, "Cancelling N outstanding tasks"));
    return out;
}

const std::vector<std::string> kShutdown = {
    "INFO: Closing database connections", "INFO: Nacking outstanding messages",
    "INFO: Cancelling N outstanding tasks", "INFO: Flushing metrics",
    "INFO: Successfully shutdown the Mayhem service."};

std::vector<std::string> after_signal(const char* name) {
    std::vector<std::string> v = {std::string("INFO: Received exit signal ") + name + "..."};
    v.insert(v.end(), kShutdown.begin(), kShutdown.end());
    return v;
}

void expect_signal_shutdown(int sig, const char* name) {
    LogRun r = signal_after(mayhem_program(), {"--seed", "7", "--speed", "50"}, sig, 0);
    EXPECT_EQ(r.code, 0);
    ASSERT_GE(lines_containing(r.lines, "INFO: Consumed PubSubMessage(instance_name='cattle-"), 1u);
    EXPECT_EQ(shutdown_lines(from_signal(r.lines)), after_signal(name));
}

// The messages' own lines, sorted: what happens to each does not depend on the interleaving.
std::vector<std::string> message_lines(const std::vector<std::string>& lines) {
    std::vector<std::string> out;
    for (const auto& l : lines)
        if (l.find("PubSubMessage(") != std::string::npos || l.find(".example.net") != std::string::npos)
            out.push_back(l);
    std::sort(out.begin(), out.end());
    return out;
}

bool python_asyncio_available() { return std::system("/usr/bin/python3 -c 'import asyncio' 2>/dev/null") == 0; }

}  // namespace

TEST(MayhemExample, SigtermGivesTheSeedsShutdownLinesInOrderAndExitsZero) { expect_signal_shutdown(SIGTERM, "SIGTERM"); }

TEST(MayhemExample, SigintGivesTheSeedsShutdownLinesInOrderAndExitsZero) { expect_signal_shutdown(SIGINT, "SIGINT"); }

TEST(MayhemExample, SighupGivesTheSeedsShutdownLinesInOrderAndExitsZero) { expect_signal_shutdown(SIGHUP, "SIGHUP"); }

TEST(MayhemExample, StopAfterStopsItByItself) {
    auto r = aio_examples_test::run_example("mayhem", {"--seed", "3", "--speed", "50", "--stop-after", "0.3"}, 20s);
    ASSERT_FALSE(r.timed_out);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    auto lines = without_log_stamps(r.err_lines);
    EXPECT_GE(lines_containing(lines, "INFO: periodic"), 1u);
    EXPECT_EQ(lines_containing(lines, "Received exit signal"), 0u);  // call_later's stop, no signal
    ASSERT_GE(lines.size(), kShutdown.size());
    std::vector<std::string> tail(lines.end() - static_cast<long>(kShutdown.size()), lines.end());
    EXPECT_EQ(shutdown_lines(tail), kShutdown) << r.err;
}

TEST(MayhemExample, AnExceptionNobodyAwaitedGoesThroughTheExceptionHandlerAndShutsDown) {
    auto r = aio_examples_test::run_example("mayhem", {"--seed", "5", "--speed", "50", "--fail-after", "2"}, 20s);
    ASSERT_FALSE(r.timed_out);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    auto lines = without_log_stamps(r.err_lines);
    EXPECT_EQ(lines_containing(lines, "INFO: Published message "), 2u);
    auto caught = std::find(lines.begin(), lines.end(), "ERROR: Caught exception: Publisher failed after 2 messages");
    ASSERT_NE(caught, lines.end()) << r.err;
    std::vector<std::string> expected = {"INFO: Shutting down..."};
    expected.insert(expected.end(), kShutdown.begin(), kShutdown.end());
    EXPECT_EQ(shutdown_lines(handler_lines(std::vector<std::string>(caught + 1, lines.end()))), expected) << r.err;
}

TEST(MayhemExample, TheSameSeedGivesTheSameMessagesAndFailures) {
    std::vector<std::string> args = {"--seed", "11", "--speed", "50", "--messages", "6"};
    LogRun a = signal_after(mayhem_program(), args, SIGTERM, 6);
    LogRun b = signal_after(mayhem_program(), args, SIGTERM, 6);
    EXPECT_EQ(a.code, 0);
    EXPECT_EQ(b.code, 0);
    auto ma = message_lines(a.lines);
    EXPECT_EQ(lines_containing(ma, "INFO: Done. Acked "), 6u);
    EXPECT_EQ(lines_containing(ma, "INFO: Published message "), 6u);
    EXPECT_EQ(ma, message_lines(b.lines));
    // Seed 11's six messages include both kinds of failure, so both handlers' lines are compared.
    EXPECT_GE(lines_containing(ma, "ERROR: Retrying for failure to restart: cattle-"), 1u);
    EXPECT_GE(lines_containing(ma, "ERROR: Handling general error: Could not save PubSubMessage("), 1u);
}

TEST(MayhemExample, BadFlagsAreUsageErrors) {
    for (std::vector<std::string> args : {std::vector<std::string>{"--speed", "0"}, {"--speed", "fast"},
                                          {"--stop-after", "-1"}, {"--seed", "x"}, {"--messages"}, {"--nope"}}) {
        auto r = aio_examples_test::run_example("mayhem", args, 10s);
        EXPECT_EQ(r.exit_code, 2) << args[0];
        ASSERT_EQ(r.err_lines.size(), 1u) << r.err;
        EXPECT_EQ(r.err_lines[0].rfind("example_mayhem: " + args[0], 0) == 0 ||
                      r.err_lines[0].rfind("example_mayhem: unknown argument", 0) == 0,
                  true)
            << r.err;
    }
}

// The twin: the same seed gives the same log, message by message, and the same shutdown.
TEST(MayhemTwin, AsyncioTwinLogsTheSameLinesForTheSameSeed) {
    if (!python_asyncio_available()) GTEST_SKIP() << "/usr/bin/python3 is missing";
    std::vector<std::string> args = {"--seed", "11", "--speed", "50", "--messages", "6"};
    LogRun ours = signal_after(mayhem_program(), args, SIGTERM, 6);
    std::vector<std::string> twin_args = {twin_script()};
    twin_args.insert(twin_args.end(), args.begin(), args.end());
    LogRun twin = signal_after("/usr/bin/python3", twin_args, SIGTERM, 6);
    EXPECT_EQ(ours.code, 0);
    EXPECT_EQ(twin.code, 0);
    EXPECT_EQ(message_lines(ours.lines), message_lines(twin.lines));
    EXPECT_EQ(shutdown_lines(from_signal(ours.lines)), after_signal("SIGTERM"));
    EXPECT_EQ(shutdown_lines(from_signal(twin.lines)), after_signal("SIGTERM"));
}

namespace {

// The handler's and the shutdown's lines of aio's program and of the twin, for the same flags.
void expect_same_ending(const std::vector<std::string>& args) {
    auto ours = aio_examples_test::run_example("mayhem", args, 20s);
    std::string command = "/usr/bin/python3 " + twin_script();
    for (const auto& a : args) command += " " + a;
    command += " 2>&1";
    FILE* p = ::popen(command.c_str(), "r");
    ASSERT_NE(p, nullptr);
    std::string out;
    char buf[4096];
    for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
    EXPECT_EQ(::pclose(p), 0) << out;
    EXPECT_EQ(ours.exit_code, 0) << ours.err;
    auto twin = without_log_stamps(aio_examples_test::detail::split_lines(out));
    auto mine = without_log_stamps(ours.err_lines);
    EXPECT_EQ(shutdown_lines(handler_lines(mine)), shutdown_lines(handler_lines(twin))) << ours.err << "\n---\n" << out;
    EXPECT_GE(handler_lines(mine).size(), kShutdown.size());
}

}  // namespace

TEST(MayhemTwin, BothStopAfterSecondsTheSameWay) {
    if (!python_asyncio_available()) GTEST_SKIP() << "/usr/bin/python3 is missing";
    expect_same_ending({"--seed", "3", "--speed", "50", "--stop-after", "0.3"});
}

TEST(MayhemTwin, BothShutDownFromTheExceptionHandlerTheSameWay) {
    if (!python_asyncio_available()) GTEST_SKIP() << "/usr/bin/python3 is missing";
    expect_same_ending({"--seed", "5", "--speed", "50", "--fail-after", "2"});
}
