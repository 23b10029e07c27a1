// examples/hn_poll: seed 002's three periodic patterns each run their rounds against the
// in-process fixture and print the seed's lines in the seed's order for their shape; a BOOM! in
// the task modes goes through the loop's exception handler with the task's name and creation
// site and the next round still runs, while the awaited mode ends with exit 1.

#include <gtest/gtest.h>

#include <algorithm>
#include <regex>

#include "example_runner.hpp"

using aio_examples_test::run_example;

namespace {

// The lines without their "[HH:MM:SS] " stamps and with durations masked; unstamped lines (the
// exception handler's report) as they are.
std::vector<std::string> unstamped(const std::vector<std::string>& lines) {
    static const std::regex stamp(R"(^\[\d\d:\d\d:\d\d\] )");
    static const std::regex secs(R"(took [0-9.]+ seconds)");
    std::vector<std::string> out;
    for (const auto& l : lines) out.push_back(std::regex_replace(std::regex_replace(l, stamp, ""), secs, "took X seconds"));
    return out;
}

const std::vector<std::string> kRound1 = {"Post 13848196 has 44 comments (1)", "Post 13848203 has 23 comments (1)"};
const std::vector<std::string> kRound2 = {"Post 13848196 has 44 comments (2)", "Post 13848203 has 23 comments (2)"};
const std::string kTook = "> Calculating comments took X seconds and 70 fetches";

TEST(HnPollExample, AwaitSleepAwaitsEachRoundThenWaits) {
    auto r = run_example("hn_poll", {"--mode", "await-sleep", "--period", "0.05", "--limit", "2", "--rounds", "2"},
                         std::chrono::seconds(20));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::vector<std::string> want = {"Calculating comments for top 2 stories. (1)", kRound1[0], kRound1[1], kTook,
                                     "Waiting for 0.05 seconds...", "Calculating comments for top 2 stories. (2)",
                                     kRound2[0], kRound2[1], kTook, "Waiting for 0.05 seconds..."};
    EXPECT_EQ(unstamped(r.err_lines), want);
}

// A task mode's lines: each round's two lines come at once, its report after them; how the
// rounds interleave depends on how long a round takes, so only that is compared in order.
void expect_task_mode_lines(const std::vector<std::string>& got, std::vector<std::string> want) {
    ASSERT_EQ(got.size(), want.size());
    EXPECT_EQ(got[0], want[0]);
    EXPECT_EQ(got[1], want[1]);
    for (const std::string& header : {want[5]}) {
        auto at = std::find(got.begin(), got.end(), header);
        ASSERT_NE(at, got.end()) << header;
        ASSERT_NE(at + 1, got.end());
        EXPECT_EQ(*(at + 1), want[6]);
    }
    auto before = [&](const std::string& a, const std::string& b) {
        return std::find(got.begin(), got.end(), a) < std::find(got.begin(), got.end(), b);
    };
    EXPECT_TRUE(before(want[1], kRound1[0]));
    EXPECT_TRUE(before(want[6], kRound2[0]));
    std::vector<std::string> sorted_got = got;
    std::sort(sorted_got.begin(), sorted_got.end());
    std::sort(want.begin(), want.end());
    EXPECT_EQ(sorted_got, want);
}

TEST(HnPollExample, CreateTaskReportsEachRoundFromItsDoneCallback) {
    auto r = run_example("hn_poll", {"--mode", "create-task", "--period", "0.5", "--limit", "2", "--rounds", "2"},
                         std::chrono::seconds(20));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    // The round's report comes after "Waiting": the loop did not wait for it.
    std::vector<std::string> want = {"Calculating comments for top 2 stories. (1)", "Waiting for 0.5 seconds...",
                                     kRound1[0], kRound1[1], kTook,
                                     "Calculating comments for top 2 stories. (2)", "Waiting for 0.5 seconds...",
                                     kRound2[0], kRound2[1], kTook};
    expect_task_mode_lines(unstamped(r.err_lines), want);
}

TEST(HnPollExample, CallLaterReschedulesItself) {
    auto r = run_example("hn_poll", {"--mode", "call-later", "--period", "0.5", "--limit", "2", "--rounds", "2"},
                         std::chrono::seconds(20));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::vector<std::string> want = {"Calculating comments for top 2 stories (1)", "Waiting for 0.5 seconds...",
                                     kRound1[0], kRound1[1], kTook,
                                     "Calculating comments for top 2 stories (2)", "Waiting for 0.5 seconds...",
                                     kRound2[0], kRound2[1], kTook};
    expect_task_mode_lines(unstamped(r.err_lines), want);
}

void expect_boom_reported_and_next_round_runs(const char* mode) {
    auto r = run_example("hn_poll", {"--mode", mode, "--period", "0.05", "--rounds", "2", "--boom-after", "5"},
                         std::chrono::seconds(20));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto lines = unstamped(r.err_lines);
    std::size_t booms = 0, rounds = 0;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        if (lines[i].rfind("Calculating comments for top 5 stories", 0) == 0) ++rounds;
        if (lines[i] != "aio: Exception in callback poll_top_stories_for_comments.<locals>.callback") continue;
        ++booms;
        ASSERT_LT(i + 3, lines.size() + 0) << r.err;
        EXPECT_EQ(lines[i + 1], "  task: get_comments_of_top_stories");
        EXPECT_TRUE(std::regex_match(lines[i + 2], std::regex(R"(  created at: .*examples/hn_poll/main\.cpp:\d+)"))) << lines[i + 2];
        EXPECT_EQ(lines[i + 3], "  exception: BOOM!");
    }
    EXPECT_EQ(booms, 2u) << r.err;
    EXPECT_EQ(rounds, 2u) << r.err;
}

TEST(HnPollExample, CreateTaskBoomGoesToTheLoopsExceptionHandlerAndTheNextRoundRuns) {
    expect_boom_reported_and_next_round_runs("create-task");
}

TEST(HnPollExample, CallLaterBoomGoesToTheLoopsExceptionHandlerAndTheNextRoundRuns) {
    expect_boom_reported_and_next_round_runs("call-later");
}

TEST(HnPollExample, AwaitSleepBoomEndsTheProgramAsTheSeeds) {
    auto r = run_example("hn_poll", {"--mode", "await-sleep", "--period", "0.05", "--rounds", "2", "--boom-after", "5"},
                         std::chrono::seconds(20));
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_EQ(unstamped(r.err_lines), (std::vector<std::string>{"Calculating comments for top 5 stories. (1)", "Error: BOOM!"}));
}

TEST(HnPollExample, BadFlagsAreUsageErrors) {
    for (std::vector<std::string> args : {std::vector<std::string>{"--mode", "sometimes"}, {"--period", "-1"},
                                          {"--period", "5s"}, {"--limit", "0"}, {"--rounds", "x"}}) {
        auto r = run_example("hn_poll", args, std::chrono::seconds(10));
        EXPECT_EQ(r.exit_code, 2) << args[0] << " " << args[1];
        ASSERT_EQ(r.err_lines.size(), 1u) << r.err;
        EXPECT_NE(r.err_lines[0].find(args[0]), std::string::npos) << r.err_lines[0];
    }
}

}  // namespace
