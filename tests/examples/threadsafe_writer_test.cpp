// examples/threadsafe_writer (seed 004's thread-pool task with a thread-safe writer): run the
// program and check what it prints.

#include <gtest/gtest.h>

#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

namespace {

struct Result {
    int status = -1;
    std::vector<std::string> lines;
};

Result run_example(const std::string& args) {
    Result r;
    std::string cmd = std::string(AIO_BIN_DIR) + "/example_threadsafe_writer " + args;
    FILE* p = popen(cmd.c_str(), "r");
    if (!p) return r;
    std::string out;
    char buf[4096];
    while (std::size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
    r.status = pclose(p);
    std::istringstream in(out);
    for (std::string line; std::getline(in, line);) r.lines.push_back(line);
    return r;
}

}  // namespace

TEST(ThreadsafeWriterExample, TheWorkerReportsEveryStepToTheLoopInOrder) {
    Result r = run_example("--total 5 --delay-ms 1");
    ASSERT_EQ(r.status, 0);
    EXPECT_EQ(r.lines, (std::vector<std::string>{"progress 1/5", "progress 2/5", "progress 3/5",
                                                 "progress 4/5", "progress 5/5", "task finished"}));
}

TEST(ThreadsafeWriterExample, TheStopFlagEndsTheWorkerEarly) {
    // 1000 steps of 20 ms would take 20 s; the stop flag set at step 3 ends it within a step or
    // two.
    Result r = run_example("--total 1000 --delay-ms 20 --stop-at 3");
    ASSERT_EQ(r.status, 0);
    ASSERT_GE(r.lines.size(), 5u);
    EXPECT_EQ(r.lines[0], "progress 1/1000");
    EXPECT_EQ(r.lines[1], "progress 2/1000");
    EXPECT_EQ(r.lines[2], "progress 3/1000");
    EXPECT_EQ(r.lines[3], "stop requested");
    EXPECT_EQ(r.lines.back(), "task finished");
    EXPECT_LT(r.lines.size(), 50u);
}
