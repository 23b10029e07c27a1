// examples/gather_wait (seed 001, "Run coroutines in parallel"): gather() and wait() over
// long_task print every input with its result, in input order, and the long_tasks run at once.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "example_runner.hpp"

namespace aio_examples_test {
namespace {

using Lines = std::vector<std::string>;

TEST(GatherWaitExample, GatherAndWaitPrintTheSeedsInputsWithTheirLengthsInOrder) {
    ExampleRun r = run_example("gather_wait", {"--delay-ms", "10"});
    ASSERT_FALSE(r.timed_out);
    ASSERT_EQ(r.exit_code, 0);
    EXPECT_EQ(r.lines, (Lines{"gather:", "a 1", "aa 2", "gather: 2 long_tasks ran at once", "wait:",
                              "a 1", "aa 2", "wait: 2 done, 0 pending, 2 long_tasks ran at once"}));
}

TEST(GatherWaitExample, ResultsFollowTheInputsOrderNotTheirLength) {
    ExampleRun r =
        run_example("gather_wait", {"--style", "gather", "--delay-ms", "5", "ccc", "", "a", "bb"});
    ASSERT_EQ(r.exit_code, 0);
    EXPECT_EQ(r.lines,
              (Lines{"gather:", "ccc 3", " 0", "a 1", "bb 2", "gather: 4 long_tasks ran at once"}));
}

TEST(GatherWaitExample, WaitRunsEveryTaskAtOnceAndLeavesNonePending) {
    std::vector<std::string> args = {"--style", "wait", "--delay-ms", "20"};
    Lines expected = {"wait:"};
    for (int n = 1; n <= 50; ++n) {
        args.push_back(std::string(static_cast<std::size_t>(n), 'x'));
        expected.push_back(args.back() + " " + std::to_string(n));
    }
    expected.push_back("wait: 50 done, 0 pending, 50 long_tasks ran at once");
    ExampleRun r = run_example("gather_wait", args);
    ASSERT_EQ(r.exit_code, 0);
    EXPECT_EQ(r.lines, expected);
}

TEST(GatherWaitExample, AnUnknownFlagIsAUsageError) {
    ExampleRun r = run_example("gather_wait", {"--style", "sideways"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_TRUE(r.lines.empty());
}

}  // namespace
}  // namespace aio_examples_test
