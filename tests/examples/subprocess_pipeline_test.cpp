// examples/subprocess_pipeline, run as a child of an aio program.

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "run_with_aio.hpp"

using namespace std::chrono_literals;
using aio_examples_test::ExampleOutput;
using aio_examples_test::run_example_with_input;

TEST(SubprocessPipelineExample, ReadsLinesPipesChildrenAndReportsAMissingProgram) {
    ExampleOutput r = run_example_with_input("subprocess_pipeline", {"3"});
    EXPECT_EQ(r.code, 0);
    EXPECT_EQ(r.out,
              "seq: 1\n"
              "seq: 2\n"
              "seq: 3\n"
              "seq exited with 0\n"
              "seq 1 30 | grep -c 1: 12\n"
              "sort -r:\n"
              "c\n"
              "b\n"
              "a\n"
              "no-such-program-for-aio: FileNotFoundError\n");
}

TEST(SubprocessPipelineExample, AThousandLinesComeInOrder) {
    ExampleOutput r = run_example_with_input("subprocess_pipeline", {"1000"});
    EXPECT_EQ(r.code, 0);
    std::string expected;
    for (int i = 1; i <= 1000; ++i) expected += "seq: " + std::to_string(i) + "\n";
    EXPECT_EQ(r.out.substr(0, expected.size()), expected);
}

