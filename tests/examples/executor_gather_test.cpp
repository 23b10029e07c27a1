// examples/executor_gather (seed 001, "Run blocking code in parallel"): blocking long_tasks on a
// thread pool through run_in_executor + gather. The parallelism is checked by counting what the
// program observed (the most jobs running at once, and the waves: how many jobs had to wait for
// a worker one after the other), not by timing.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "example_runner.hpp"

namespace aio_examples_test {
namespace {

using Lines = std::vector<std::string>;

Lines seed_results() {
    Lines out;
    for (std::size_t n = 1; n <= 8; ++n)
        out.push_back(std::string(n, 'a') + " " + std::to_string(n));
    return out;
}

TEST(ExecutorGatherExample, FourWorkersRunEightJobsFourAtATimeInTwoWaves) {
    ExampleRun r = run_example("executor_gather", {"--workers", "4", "--duration-ms", "300"});
    ASSERT_FALSE(r.timed_out);
    ASSERT_EQ(r.exit_code, 0);
    Lines expected = seed_results();
    expected.push_back("8 jobs on 4 workers: at most 4 at once, in 2 waves");
    EXPECT_EQ(r.lines, expected);
}

TEST(ExecutorGatherExample, TwoWorkersNeedFourWaves) {
    ExampleRun r = run_example("executor_gather", {"--workers", "2", "--duration-ms", "150"});
    ASSERT_EQ(r.exit_code, 0);
    Lines expected = seed_results();
    expected.push_back("8 jobs on 2 workers: at most 2 at once, in 4 waves");
    EXPECT_EQ(r.lines, expected);
}

TEST(ExecutorGatherExample, EightWorkersRunEveryJobInOneWave) {
    ExampleRun r = run_example("executor_gather", {"--workers", "8", "--duration-ms", "300"});
    ASSERT_EQ(r.exit_code, 0);
    Lines expected = seed_results();
    expected.push_back("8 jobs on 8 workers: at most 8 at once, in 1 wave");
    EXPECT_EQ(r.lines, expected);
}

TEST(ExecutorGatherExample, ResultsComeInInputOrder) {
    ExampleRun r = run_example("executor_gather",
                               {"--workers", "3", "--duration-ms", "1", "zzzzz", "y", "", "xxx"});
    ASSERT_EQ(r.exit_code, 0);
    ASSERT_EQ(r.lines.size(), 5u);
    EXPECT_EQ(r.lines[0], "zzzzz 5");
    EXPECT_EQ(r.lines[1], "y 1");
    EXPECT_EQ(r.lines[2], " 0");
    EXPECT_EQ(r.lines[3], "xxx 3");
}

}  // namespace
}  // namespace aio_examples_test
