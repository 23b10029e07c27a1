// examples/feed_updater (seed 000): the seed's JSON for the two fixture feeds in each mode, a
// failed feed (500, dropped connection, timeout, refused) reported while the next round still
// runs, bad flags; and the aiohttp twin (bench/peers/seeds/feed_updater.py) printing the same
// documents on the same fixture (example_fixtures, a process) once the nonces are masked.

#include <gtest/gtest.h>

#include <signal.h>

#include <algorithm>
#include <cstdlib>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "aio/core/run.hpp"
#include "aio/process/subprocess.hpp"
#include "aio/time/wait_for.hpp"
#include "example_runner.hpp"

using namespace std::chrono_literals;
using aio_examples_test::run_example;

namespace {

// One printed document: json.dumps(feeds, indent=4, sort_keys=True).
using Document = std::vector<std::string>;

std::vector<Document> documents(const std::vector<std::string>& lines) {
    std::vector<Document> docs;
    for (const auto& l : lines) {
        if (l == "{" || l == "{}") docs.emplace_back();
        if (docs.empty()) return {};  // text before the first document: no match
        docs.back().push_back(l);
    }
    return docs;
}

const std::regex kTop(R"re(^    "http://127\.0\.0\.1:\d+/feeds/abcnews/topstories": "40697\.[0-9a-f]{8}",$)re");
const std::regex kSample(R"re(^    "http://127\.0\.0\.1:\d+/feeds/sample\.xml": "8631\.[0-9a-f]{8}"$)re");

void expect_seed_document(const Document& d) {
    ASSERT_EQ(d.size(), 4u);
    EXPECT_EQ(d[0], "{");
    EXPECT_TRUE(std::regex_match(d[1], kTop)) << d[1];
    EXPECT_TRUE(std::regex_match(d[2], kSample)) << d[2];
    EXPECT_EQ(d[3], "}");
}

std::string nonce_of(const std::string& line) { return line.substr(line.rfind('.') + 1, 8); }

std::size_t count_containing(const std::vector<std::string>& lines, const std::string& part) {
    return static_cast<std::size_t>(
        std::count_if(lines.begin(), lines.end(), [&](const std::string& l) { return l.find(part) != std::string::npos; }));
}

// "40697.7be0ad86" -> "40697.NONCE"
std::vector<std::string> mask_nonces(const std::vector<std::string>& lines) {
    static const std::regex nonce(R"re("(\d+)\.[0-9a-f]{8}")re");
    std::vector<std::string> out;
    for (const auto& l : lines) out.push_back(std::regex_replace(l, nonce, "\"$1.NONCE\""));
    return out;
}

}  // namespace

TEST(FeedUpdaterExample, OncePrintsTheSeedsDocumentForTheFixtureFeeds) {
    auto r = run_example("feed_updater", {"--once"}, 20s);
    ASSERT_FALSE(r.timed_out);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.err, "");
    auto docs = documents(r.lines);
    ASSERT_EQ(docs.size(), 1u) << r.out;
    expect_seed_document(docs[0]);
}

TEST(FeedUpdaterExample, ForeverUpdatesEveryIntervalWithFreshNonces) {
    auto r = run_example("feed_updater", {"--forever", "--interval", "0.05", "--rounds", "3"}, 20s);
    ASSERT_FALSE(r.timed_out);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    auto docs = documents(r.lines);
    ASSERT_EQ(docs.size(), 3u) << r.out;
    std::set<std::string> nonces;
    for (const auto& d : docs) {
        expect_seed_document(d);
        if (d.size() == 4u) nonces.insert({nonce_of(d[1]), nonce_of(d[2])});
    }
    EXPECT_EQ(nonces.size(), 6u) << r.out;  // a new nonce per feed per round (2^-32 odds of a clash)
}

TEST(FeedUpdaterExample, ScheduledRunsThroughAioSchedule) {
    auto r = run_example("feed_updater", {"--scheduled", "--interval", "0.05", "--rounds", "2"}, 20s);
    ASSERT_FALSE(r.timed_out);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    auto docs = documents(r.lines);
    ASSERT_EQ(docs.size(), 2u) << r.out;
    for (const auto& d : docs) expect_seed_document(d);
}

namespace {

// Runs `body(base_url)` while example_fixtures (with `knobs`) serves on a free port, then stops
// it. The fixture's knobs act on its API routes (/v0/...), never on the feeds, so a test that
// wants a failing feed uses an API URL as its second feed.
template <class F>
void with_fixture(std::vector<std::string> knobs, F body) {
    auto run = [](std::vector<std::string> knobs, F body) -> aio::Coro<void> {
        aio::SubprocessOptions options{.stdout = aio::PIPE};
        auto server =
            co_await aio::create_subprocess_exec(std::string(AIO_BIN_DIR) + "/example_fixtures", knobs, options);
        std::string line = co_await aio::wait_for(server.stdout->readline(), 30s);
        const std::string prefix = "listening on ";
        bool up = line.rfind(prefix, 0) == 0;
        EXPECT_TRUE(up) << line;
        if (up) body(line.substr(prefix.size(), line.size() - prefix.size() - 1));  // blocks: the server is a process
        server.send_signal(SIGTERM);
        auto [out, err] = co_await aio::wait_for(server.communicate(), 30s);
        EXPECT_EQ(*server.returncode(), 0) << err;
    };
    aio::run(run(std::move(knobs), std::move(body)));
}

std::vector<std::string> with_feeds(std::vector<std::string> args, const std::string& base,
                                    const std::vector<std::string>& paths) {
    for (const auto& p : paths) {
        args.push_back("--feed");
        args.push_back(base + p);
    }
    return args;
}

const std::vector<std::string> kFeedAndApi = {"/feeds/sample.xml", "/v0/topstories.json"};

std::string value_of(const Document& d, const std::string& path) {
    for (const auto& l : d)
        if (l.find(path + "\": ") != std::string::npos) return l.substr(l.find("\": ") + 3);
    return "(missing)";
}

}  // namespace

TEST(FeedUpdaterExample, AServerErrorIsReportedAndTheFeedKeepsItsValueForTheNextRound) {
    // API requests 2, 4, ... are 500s: round 1 gets the API feed, round 2 does not.
    with_fixture({"--fail-every", "2"}, [](const std::string& base) {
        auto args = with_feeds({"--forever", "--interval", "0.05", "--rounds", "3"}, base, kFeedAndApi);
        auto r = run_example("feed_updater", args, 20s);
        ASSERT_FALSE(r.timed_out);
        EXPECT_EQ(r.exit_code, 1);
        auto docs = documents(r.lines);
        ASSERT_EQ(docs.size(), 3u) << r.out;
        ASSERT_EQ(r.err_lines.size(), 1u) << r.err;
        EXPECT_EQ(r.err_lines[0], "feed_updater: " + base + "/v0/topstories.json: status 500, expected 200");
        EXPECT_NE(value_of(docs[0], "/v0/topstories.json"), "null");
        EXPECT_EQ(value_of(docs[1], "/v0/topstories.json"), value_of(docs[0], "/v0/topstories.json"));  // kept
        EXPECT_NE(value_of(docs[2], "/v0/topstories.json"), value_of(docs[1], "/v0/topstories.json"));  // round 3 ran
        EXPECT_NE(value_of(docs[1], "/feeds/sample.xml"), value_of(docs[0], "/feeds/sample.xml"));  // not held up
    });
}

TEST(FeedUpdaterExample, ADroppedConnectionIsReportedAndTheNextRoundStillRuns) {
    with_fixture({"--drop-every", "1"}, [](const std::string& base) {
        auto args = with_feeds({"--forever", "--interval", "0.05", "--rounds", "2"}, base, kFeedAndApi);
        auto r = run_example("feed_updater", args, 20s);
        ASSERT_FALSE(r.timed_out);
        EXPECT_EQ(r.exit_code, 1);
        auto docs = documents(r.lines);
        ASSERT_EQ(docs.size(), 2u) << r.out;
        for (const auto& d : docs) {
            EXPECT_EQ(value_of(d, "/v0/topstories.json"), "null") << r.out;
            EXPECT_EQ(value_of(d, "/feeds/sample.xml").rfind("\"8631.", 0), 0u) << r.out;
        }
        EXPECT_EQ(r.err_lines.size(), 2u) << r.err;
        EXPECT_EQ(count_containing(r.err_lines, "feed_updater: " + base + "/v0/topstories.json: "), 2u) << r.err;
    });
}

TEST(FeedUpdaterExample, ATimeoutIsReportedAndTheNextRoundStillRuns) {
    // The fixture answers API requests after 800 ms; the program gives each GET 100 ms.
    with_fixture({"--latency-ms", "800"}, [](const std::string& base) {
        auto args = with_feeds({"--forever", "--interval", "0.05", "--rounds", "2", "--timeout", "0.1"}, base, kFeedAndApi);
        auto r = run_example("feed_updater", args, 20s);
        ASSERT_FALSE(r.timed_out);
        EXPECT_EQ(r.exit_code, 1);
        auto docs = documents(r.lines);
        ASSERT_EQ(docs.size(), 2u) << r.out;
        for (const auto& d : docs) EXPECT_EQ(value_of(d, "/feeds/sample.xml").rfind("\"8631.", 0), 0u) << r.out;
        EXPECT_EQ(r.err_lines.size(), 2u) << r.err;
        EXPECT_EQ(count_containing(r.err_lines, "/v0/topstories.json: TimeoutError"), 2u) << r.err;
    });
}

TEST(FeedUpdaterExample, FeedFlagsReplaceTheFixtureFeeds) {
    auto r = run_example("feed_updater", {"--once", "--feed", "http://127.0.0.1:1/refused"}, 20s);
    ASSERT_FALSE(r.timed_out);
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.lines, (std::vector<std::string>{"{", "    \"http://127.0.0.1:1/refused\": null", "}"}));
    ASSERT_EQ(r.err_lines.size(), 1u) << r.err;
    EXPECT_EQ(r.err_lines[0].rfind("feed_updater: http://127.0.0.1:1/refused: ", 0), 0u) << r.err;
}

TEST(FeedUpdaterExample, BadFlagsAreUsageErrors) {
    for (std::vector<std::string> args :
         {std::vector<std::string>{"--interval", "0"}, {"--rounds", "0"}, {"--timeout", "soon"}, {"--feed", "ftp://x"},
          {"--once", "--forever"}, {"--scheduled", "--rounds", "x"}, {"--nope"}, {"--feed"}}) {
        auto r = run_example("feed_updater", args, 10s);
        EXPECT_EQ(r.exit_code, 2) << args[0];
        EXPECT_EQ(r.out, "");
        ASSERT_EQ(r.err_lines.size(), 1u) << r.err;
        EXPECT_EQ(r.err_lines[0].rfind("example_feed_updater: ", 0), 0u) << r.err;
    }
}

namespace {

struct TwinRuns {
    aio_examples_test::ExampleRun ours;
    int twin_code = -1;
    std::vector<std::string> twin_lines;
    std::string twin_err;
};

// aio's program and the twin with the same arguments, one after the other.
TwinRuns run_both(const std::vector<std::string>& args) {
    TwinRuns runs;
    runs.ours = run_example("feed_updater", args, 20s);
    std::string command = "/usr/bin/python3 " + std::string(AIO_SOURCE_DIR) + "/bench/peers/seeds/feed_updater.py";
    for (const auto& a : args) command += " '" + a + "'";
    command += " 2>&1";
    FILE* p = ::popen(command.c_str(), "r");
    if (!p) return runs;
    std::string out;
    char buf[4096];
    for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
    int status = ::pclose(p);
    runs.twin_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    for (const auto& l : aio_examples_test::detail::split_lines(out)) {
        if (l.rfind("feed_updater: ", 0) == 0) runs.twin_err += l + "\n";
        else runs.twin_lines.push_back(l);
    }
    return runs;
}

bool twin_available() { return std::system("/usr/bin/python3 -c 'import aiohttp' 2>/dev/null") == 0; }

const std::vector<std::string> kSeedFeeds = {"/feeds/abcnews/topstories", "/feeds/sample.xml"};

}  // namespace

// Each twin test starts Python with aiohttp once: about 1 s on a loaded machine. --forever is
// compared in the failure test below.
TEST(FeedUpdaterTwin, AiohttpTwinPrintsTheSameDocumentsOnTheSameFixture) {
    if (!twin_available()) GTEST_SKIP() << "/usr/bin/python3 lacks aiohttp (Debian: apt-get install python3-aiohttp)";
    with_fixture({}, [](const std::string& base) {
        TwinRuns r = run_both(with_feeds({"--scheduled", "--interval", "0.05", "--rounds", "2"}, base, kSeedFeeds));
        EXPECT_EQ(r.ours.exit_code, 0) << r.ours.err;
        EXPECT_EQ(r.twin_code, 0) << r.twin_err;
        auto docs = documents(r.ours.lines);
        ASSERT_EQ(docs.size(), 2u) << r.ours.out;
        for (const auto& d : docs) expect_seed_document(d);
        EXPECT_EQ(mask_nonces(r.ours.lines), mask_nonces(r.twin_lines));
    });
}

TEST(FeedUpdaterTwin, BothReportTheSameFailedFeedAndKeepItsValue) {
    if (!twin_available()) GTEST_SKIP() << "/usr/bin/python3 lacks aiohttp (Debian: apt-get install python3-aiohttp)";
    with_fixture({"--fail-every", "2"}, [](const std::string& base) {
        // The API feed's requests: ours 1 (ok) and 2 (500), the twin's 3 (ok) and 4 (500).
        TwinRuns r = run_both(with_feeds({"--forever", "--interval", "0.05", "--rounds", "2"}, base, kFeedAndApi));
        EXPECT_EQ(r.ours.exit_code, 1);
        EXPECT_EQ(r.twin_code, 1);
        EXPECT_EQ(mask_nonces(r.ours.lines), mask_nonces(r.twin_lines));
        auto docs = documents(r.ours.lines);
        ASSERT_EQ(docs.size(), 2u) << r.ours.out;
        EXPECT_EQ(value_of(docs[1], "/v0/topstories.json"), value_of(docs[0], "/v0/topstories.json"));
        ASSERT_EQ(r.ours.err_lines.size(), 1u) << r.ours.err;
        EXPECT_EQ(r.ours.err_lines[0], "feed_updater: " + base + "/v0/topstories.json: status 500, expected 200");
        EXPECT_EQ(r.twin_err, "feed_updater: " + base + "/v0/topstories.json: AssertionError: status 500, expected 200\n");
    });
}
