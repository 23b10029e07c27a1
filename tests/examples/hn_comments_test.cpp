// examples/hn_comments: seed 002's recursive counter prints the seed's lines for story 8863 (72
// comments, 73 fetches) against its in-process fixture and against a fixture program given by
// --base-url, takes the id from --url, logs per fetch with --verbose, awaits its fire-and-forget
// log_post tasks, and ends every broken fetch (a 500, invalid JSON, a truncated body, a dropped
// connection, a stalled item, BOOM!) with one clear line and exit 1, never a hang.

#include <gtest/gtest.h>

#include <regex>

#include "example_runner.hpp"
#include "web_process.hpp"

using aio_examples_test::run_example;
using web_examples_test::WebProcess;

namespace {

// example_fixtures with `knobs`, and its base URL.
struct FixtureProgram {
    explicit FixtureProgram(std::vector<std::string> knobs) : process("fixtures", with_port(std::move(knobs))) {
        std::string line = process.line();
        std::string prefix = "listening on ";
        if (line.rfind(prefix, 0) == 0) base_url = line.substr(prefix.size());
    }
    ~FixtureProgram() { process.signal(SIGTERM); }
    static std::vector<std::string> with_port(std::vector<std::string> args) {
        args.insert(args.begin(), {"--host", "127.0.0.1", "--port", "0"});
        return args;
    }
    WebProcess process;
    std::string base_url;
};

// The line without its "[HH:MM:SS] " stamp; "<no stamp>" + line if it has none.
std::string unstamped(const std::string& line) {
    static const std::regex stamp(R"(^\[\d\d:\d\d:\d\d\] )");
    if (!std::regex_search(line, stamp)) return "<no stamp>" + line;
    return line.substr(11);
}

std::string masked_duration(std::string line) {
    static const std::regex secs(R"(took [0-9.]+ seconds)");
    return std::regex_replace(line, secs, "took X seconds");
}

TEST(HnCommentsExample, CountsStory8863AsTheSeedDoesAgainstItsOwnFixture) {
    auto r = run_example("hn_comments", {}, std::chrono::seconds(20));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    ASSERT_EQ(r.err_lines.size(), 2u) << r.err;
    EXPECT_EQ(masked_duration(unstamped(r.err_lines[0])), "> Calculating comments took X seconds and 73 fetches");
    EXPECT_TRUE(std::regex_match(r.err_lines[0], std::regex(R"(\[\d\d:\d\d:\d\d\] > Calculating comments took \d+\.\d\d seconds and 73 fetches)")))
        << r.err_lines[0];
    EXPECT_EQ(unstamped(r.err_lines[1]), "-- Post 8863 has 72 comments");
    EXPECT_EQ(r.out, "");
}

TEST(HnCommentsExample, TakesTheIdFromAnHnUrlsQuery) {
    auto r = run_example("hn_comments", {"--url", "https://news.ycombinator.com/item?id=13848196&p=2"}, std::chrono::seconds(20));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    ASSERT_EQ(r.err_lines.size(), 2u) << r.err;
    EXPECT_EQ(unstamped(r.err_lines[1]), "-- Post 13848196 has 44 comments");
}

TEST(HnCommentsExample, AnUnknownIdHasNoComments) {
    auto r = run_example("hn_comments", {"--id", "1"}, std::chrono::seconds(20));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    ASSERT_EQ(r.err_lines.size(), 2u) << r.err;
    EXPECT_EQ(masked_duration(unstamped(r.err_lines[0])), "> Calculating comments took X seconds and 1 fetches");
    EXPECT_EQ(unstamped(r.err_lines[1]), "-- Post 1 has 0 comments");
}

TEST(HnCommentsExample, VerboseLogsEachFetchAndEachPostsCount) {
    auto r = run_example("hn_comments", {"--verbose"}, std::chrono::seconds(20));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::size_t fetched = 0, counted = 0;
    for (const auto& l : r.err_lines) {
        std::string u = unstamped(l);
        if (u.find(" > Fetching of http://127.0.0.1:") != std::string::npos) ++fetched;
        if (std::regex_match(u, std::regex(R"(.{6,} > \d+ comments)"))) ++counted;
    }
    EXPECT_EQ(fetched, 73u);
    EXPECT_GT(counted, 0u);
    EXPECT_EQ(unstamped(r.err_lines[0]).substr(0, 27), " 8863  > Fetching of http:/");  // '{:^6}'
    EXPECT_EQ(unstamped(r.err_lines.back()), "-- Post 8863 has 72 comments");
}

TEST(HnCommentsExample, MinCommentsLogsPostsFromTasksThatAreAwaitedAfterTheCount) {
    auto r = run_example("hn_comments", {"--min-comments", "10", "--log-delay-ms", "50"}, std::chrono::seconds(20));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::size_t logged = 0;
    for (const auto& l : r.err_lines) logged += unstamped(l) == "Post logged";
    // Story 8863's tree (fixed): the posts with more than 10 comments under them.
    EXPECT_GT(logged, 0u) << r.err;
    EXPECT_EQ(r.err_lines.size(), logged + 2) << r.err;
    EXPECT_EQ(r.err.find("destroyed"), std::string::npos) << r.err;
}

TEST(HnCommentsExample, UsesAFixtureGivenByBaseUrl) {
    FixtureProgram fixture({"--items", "500"});
    ASSERT_FALSE(fixture.base_url.empty());
    auto r = run_example("hn_comments", {"--base-url", fixture.base_url + "/"}, std::chrono::seconds(20));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    ASSERT_EQ(r.err_lines.size(), 2u) << r.err;
    EXPECT_EQ(masked_duration(unstamped(r.err_lines[0])), "> Calculating comments took X seconds and 500 fetches");
    EXPECT_EQ(unstamped(r.err_lines[1]), "-- Post 8863 has 499 comments");
}

// Each broken fetch: one "Error: fetching URL failed: why" line, exit 1, well within the deadline.
void expect_fetch_error(std::vector<std::string> knobs, const std::string& why) {
    FixtureProgram fixture(std::move(knobs));
    ASSERT_FALSE(fixture.base_url.empty());
    auto r = run_example("hn_comments", {"--base-url", fixture.base_url, "--fetch-timeout", "300"}, std::chrono::seconds(10));
    EXPECT_FALSE(r.timed_out);
    EXPECT_EQ(r.exit_code, 1) << r.err;
    ASSERT_EQ(r.err_lines.size(), 1u) << r.err;
    std::string u = unstamped(r.err_lines[0]);
    EXPECT_EQ(u.rfind("Error: fetching " + fixture.base_url + "/v0/item/", 0), 0u) << u;
    EXPECT_NE(u.find(why), std::string::npos) << u;
}

TEST(HnCommentsExample, AFixture500IsAClearError) {
    expect_fetch_error({"--fail-every", "5"}, "500, message='Attempt to decode JSON with unexpected mimetype: text/plain'");
}

TEST(HnCommentsExample, InvalidJsonIsAClearError) { expect_fetch_error({"--invalid-json-item", "9000003"}, "parse error"); }

TEST(HnCommentsExample, ATruncatedBodyIsAClearError) {
    expect_fetch_error({"--truncated-item", "9000003"}, "Response payload is not completed");
}

TEST(HnCommentsExample, ADroppedConnectionIsAClearError) { expect_fetch_error({"--drop-every", "5"}, "Server disconnected"); }

TEST(HnCommentsExample, AStalledItemHitsTheFetchTimeout) {
    expect_fetch_error({"--slow-item", "9000003"}, "no answer within FETCH_TIMEOUT (300 ms)");
}

TEST(HnCommentsExample, BoomAfterRaisesTheSeedsExceptionAfterThatManyFetches) {
    auto r = run_example("hn_comments", {"--boom-after", "5"}, std::chrono::seconds(20));
    EXPECT_EQ(r.exit_code, 1) << r.err;
    ASSERT_EQ(r.err_lines.size(), 1u) << r.err;
    EXPECT_EQ(unstamped(r.err_lines[0]), "Error: BOOM!");
}

TEST(HnCommentsExample, BadFlagsAreUsageErrors) {
    for (std::vector<std::string> args : {std::vector<std::string>{"--url", "https://news.ycombinator.com/item"},
                                          {"--url", "https://x/?id=abc"}, {"--id", "0"}, {"--base-url", "ftp://x"},
                                          {"--fetch-timeout", "-1"}, {"--what"}}) {
        auto r = run_example("hn_comments", args, std::chrono::seconds(10));
        EXPECT_EQ(r.exit_code, 2) << args[0];
        ASSERT_EQ(r.err_lines.size(), 1u) << r.err;
        EXPECT_EQ(r.err_lines[0].rfind("example_hn_comments: ", 0), 0u) << r.err_lines[0];
        EXPECT_NE(r.err_lines[0].find(args[0]), std::string::npos) << r.err_lines[0];
    }
}

}  // namespace
