// examples/hn_comments and its Python twin (bench/peers/seeds/hn_comments.py, on Debian's
// python3-aiohttp) print the same lines against the same fixture program, once the timestamps
// and durations are masked: the default run, --url, and --verbose (whose per-fetch lines come in
// an order that depends on scheduling in both, so compared as sets). Slow: each test runs
// python3 with aiohttp, whose start-up alone takes about 2 s on a loaded machine.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <regex>

#include "aio/core/run.hpp"
#include "aio/process/subprocess.hpp"
#include "aio/time/wait_for.hpp"
#include "example_runner.hpp"
#include "web_process.hpp"

using aio_examples_test::run_example;
using web_examples_test::WebProcess;

namespace {

const char* const kPython = "/usr/bin/python3";  // Debian's, which has python3-aiohttp

bool python_has_aiohttp() {
    if (!std::filesystem::exists(kPython)) return false;
    std::string cmd = std::string(kPython) + " -c 'import aiohttp' >/dev/null 2>&1";
    return std::system(cmd.c_str()) == 0;
}

struct PyRun {
    int code = -1;
    std::vector<std::string> err_lines;
};

PyRun run_twin(std::vector<std::string> args) {
    auto body = [](std::vector<std::string> args) -> aio::Coro<PyRun> {
        args.insert(args.begin(), std::string(AIO_SOURCE_DIR) + "/bench/peers/seeds/hn_comments.py");
        aio::ProgramArgs argv(std::move(args));
        aio::SubprocessOptions options{.stdout = aio::PIPE, .stderr = aio::PIPE};
        auto proc = co_await aio::create_subprocess_exec(kPython, std::move(argv), options);
        auto talk = proc.communicate();
        auto [out, err] = co_await aio::wait_for(std::move(talk), std::chrono::seconds(30));
        PyRun r;
        r.code = *proc.returncode();
        r.err_lines = aio_examples_test::detail::split_lines(err);
        co_return r;
    };
    return aio::run(body(std::move(args)));
}

std::vector<std::string> without_stamps_and_durations(const std::vector<std::string>& lines) {
    static const std::regex stamp(R"(^\[\d\d:\d\d:\d\d\] )");
    static const std::regex secs(R"(took [0-9.]+ seconds)");
    std::vector<std::string> out;
    for (const auto& l : lines) {
        if (l.find("Using selector: ") != std::string::npos) continue;  // asyncio's own debug line
        out.push_back(std::regex_replace(std::regex_replace(l, stamp, ""), secs, "took X seconds"));
    }
    return out;
}

class HnCommentsTwin : public ::testing::Test {
protected:
    void SetUp() override {
        if (!python_has_aiohttp()) GTEST_SKIP() << kPython << " cannot import aiohttp (apt-get install python3-aiohttp)";
        std::string line = fixture.line();
        std::string prefix = "listening on ";
        ASSERT_EQ(line.rfind(prefix, 0), 0u) << line;
        base_url = line.substr(prefix.size());
    }
    void TearDown() override { fixture.signal(SIGTERM); }

    void expect_same_lines(std::vector<std::string> args, bool as_sets = false) {
        args.insert(args.end(), {"--base-url", base_url});
        auto aio_run = run_example("hn_comments", args, std::chrono::seconds(30));
        PyRun py = run_twin(args);
        ASSERT_EQ(aio_run.exit_code, 0) << aio_run.err;
        ASSERT_EQ(py.code, 0);
        auto a = without_stamps_and_durations(aio_run.err_lines), p = without_stamps_and_durations(py.err_lines);
        if (as_sets) {
            std::sort(a.begin(), a.end());
            std::sort(p.begin(), p.end());
        }
        EXPECT_EQ(a, p);
        EXPECT_FALSE(a.empty());
    }

    WebProcess fixture{"fixtures", {"--host", "127.0.0.1", "--port", "0"}};
    std::string base_url;
};

TEST_F(HnCommentsTwin, TheDefaultRunPrintsTheSameLines) { expect_same_lines({}); }

TEST_F(HnCommentsTwin, UrlPrintsTheSameLines) {
    expect_same_lines({"--url", "https://news.ycombinator.com/item?id=13848196"});
}

TEST_F(HnCommentsTwin, VerbosePrintsTheSameLines) { expect_same_lines({"--verbose"}, true); }

TEST_F(HnCommentsTwin, MinCommentsLogsTheSamePosts) {
    expect_same_lines({"--min-comments", "5", "--log-delay-ms", "20"}, true);
}

}  // namespace
