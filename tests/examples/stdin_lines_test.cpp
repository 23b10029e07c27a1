// examples/stdin_lines, run as a child of an aio program.

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "run_with_aio.hpp"

using namespace std::chrono_literals;
using aio_examples_test::ExampleOutput;
using aio_examples_test::run_example_with_input;

TEST(StdinLinesExample, NumbersEveryLineIncludingALastLineWithoutNewline) {
    ExampleOutput r = run_example_with_input("stdin_lines", {}, "alpha\nbeta gamma\n\nlast");
    EXPECT_EQ(r.code, 0);
    EXPECT_EQ(r.out,
              "1: alpha (5)\n"
              "2: beta gamma (10)\n"
              "3:  (0)\n"
              "4: last (4)\n"
              "lines: 4, bytes: 19\n");
}

TEST(StdinLinesExample, EmptyInputGivesNoLines) {
    ExampleOutput r = run_example_with_input("stdin_lines", {}, "");
    EXPECT_EQ(r.code, 0);
    EXPECT_EQ(r.out, "lines: 0, bytes: 0\n");
}

TEST(StdinLinesExample, ALargeInputArrivesWhole) {
    std::string input;
    for (int i = 0; i < 50000; ++i) input += "line number " + std::to_string(i) + "\n";
    ExampleOutput r = run_example_with_input("stdin_lines", {}, input);
    EXPECT_EQ(r.code, 0);
    EXPECT_NE(r.out.find("50000: line number 49999 (17)\n"), std::string::npos);
    EXPECT_NE(r.out.find("lines: 50000, bytes: "), std::string::npos);
}

TEST(StdinLinesExample, ARegularFileAsStdinWorks) {
    auto body = []() -> aio::Coro<std::string> {
        // sh opens the file as the example's stdin: a regular file, which epoll refuses.
        std::string cmd = "f=\"$TMPDIR_AIO/stdin_lines_input.$$\"; printf 'x\\ny\\n' > \"$f\" && \"$EXE\" < \"$f\"; rc=$?; rm -f \"$f\"; exit $rc";
        aio::SubprocessOptions options{
            .stdout = aio::PIPE,
            .env = std::map<std::string, std::string>{{"PATH", "/usr/bin:/bin"},
                                                      {"TMPDIR_AIO", AIO_BINARY_DIR},
                                                      {"EXE", std::string(AIO_BIN_DIR) + "/example_stdin_lines"}}};
        auto proc = co_await aio::create_subprocess_shell(cmd, options);
        auto [out, err] = co_await aio::wait_for(proc.communicate(), 60s);
        EXPECT_EQ(proc.returncode(), 0);
        co_return out;
    };
    EXPECT_EQ(aio::run(body()), "1: x (1)\n2: y (1)\nlines: 2, bytes: 2\n");
}
