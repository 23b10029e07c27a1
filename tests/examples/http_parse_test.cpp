// example_http_parse: prints one JSON line per message, {"error": NAME} and exit 1 at the first
// refusal; driven here over files written by the test and over the whole parser corpus.

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "../conformance/http_corpus.hpp"
#include "example_runner.hpp"

namespace aio_examples_test {
namespace {

// A file holding `bytes`, removed with the object.
class TempInput {
public:
    explicit TempInput(const std::string& bytes) {
        char name[] = "/tmp/aio_http_parse_XXXXXX";
        const int fd = ::mkstemp(name);
        EXPECT_GE(fd, 0);
        path_ = name;
        EXPECT_EQ(::write(fd, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
        ::close(fd);
    }
    ~TempInput() { ::unlink(path_.c_str()); }
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

TEST(HttpParseExample, PrintsPipelinedRequestsAsOneJsonLineEach) {
    TempInput in(
        "GET /a HTTP/1.1\r\nHost: h\r\nX: 1\r\n\r\nPOST /b HTTP/1.1\r\nHost: h\r\nContent-Length: "
        "2\r\n\r\nok");
    ExampleRun r = run_example("http_parse", {in.path()});
    ASSERT_FALSE(r.timed_out);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    ASSERT_EQ(r.lines.size(), 2u) << r.out;
    const auto first = nlohmann::json::parse(r.lines[0]);
    EXPECT_EQ(first["method"], "GET");
    EXPECT_EQ(first["target"], "/a");
    EXPECT_EQ(first["version"], "1.1");
    EXPECT_EQ(first["headers"], nlohmann::json::parse(R"([["Host","h"],["X","1"]])"));
    EXPECT_EQ(first["keep_alive"], true);
    EXPECT_EQ(first["upgrade"], false);
    EXPECT_EQ(nlohmann::json::parse(r.lines[1])["body"], "ok");
}

TEST(HttpParseExample, PrintsTheErrorNameAndExitsOneAtTheFirstRefusal) {
    TempInput in(
        "GET / HTTP/1.1\r\nHost: h\r\n\r\nPOST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\n"
        "Transfer-Encoding: chunked\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n");
    ExampleRun r = run_example("http_parse", {in.path()});
    EXPECT_EQ(r.exit_code, 1);
    ASSERT_EQ(r.lines.size(), 2u) << r.out;
    EXPECT_EQ(r.lines[1], R"({"error":"content_length_and_chunked"})");
}

TEST(HttpParseExample, ParsesResponsesToTheGivenMethod) {
    TempInput in("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n");
    ExampleRun r = run_example("http_parse", {"--response", "--method", "HEAD", in.path()});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    ASSERT_EQ(r.lines.size(), 1u) << r.out;
    const auto head = nlohmann::json::parse(r.lines[0]);
    EXPECT_EQ(head["status"], 200);
    EXPECT_EQ(head["reason"], "OK");
    EXPECT_EQ(head["framing"], "none");
}

TEST(HttpParseExample, RefusesAnUnknownFlagWithOneLineAndExitTwo) {
    ExampleRun r = run_example("http_parse", {"--bogus"});
    EXPECT_EQ(r.exit_code, 2);
    ASSERT_EQ(r.err_lines.size(), 1u) << r.err;
    EXPECT_NE(r.err_lines[0].find("unknown argument '--bogus'"), std::string::npos) << r.err;
}

TEST(HttpParseExample, SaysSoWhenStdinIsClosed) {
    RunSetup setup;
    setup.input = RunSetup::Stdin::closed;
    ExampleRun r = run_example("http_parse", {}, setup);
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.err_lines,
              std::vector<std::string>{"example_http_parse: stdin: Bad file descriptor"});
}

// The program agrees with the corpus: what the corpus test checks in-process holds for the
// program users run. One vector in eight (and none with a limit it has no flag for), so the test
// stays well under a second; the corpus test runs them all in-process.
TEST(HttpParseExample, PrintsWhatTheCorpusExpects) {
    const auto corpus =
        http_corpus::read_corpus(std::filesystem::path(AIO_SOURCE_DIR) / "tests/conformance/http");
    int run = 0;
    for (std::size_t n = 0; n < corpus.size(); ++n) {
        const http_corpus::Vector& v = corpus[n];
        if (n % 8 != 0 || v.max_start_line != 8 * 1024 || v.max_header_bytes != 8 * 1024 ||
            v.max_headers != 100 || v.max_chunk_extension != 1024)
            continue;
        TempInput in(v.input);
        std::vector<std::string> args;
        if (v.response) args = {"--response", "--method", v.method};
        if (v.max_body != 0) {
            args.push_back("--max-body");
            args.push_back(std::to_string(v.max_body));
        }
        args.push_back(in.path());
        ExampleRun r = run_example("http_parse", args);
        ++run;
        ASSERT_EQ(r.lines.size(), v.expected.size()) << v.where() << "\n" << r.out;
        for (std::size_t i = 0; i < r.lines.size(); ++i) {
            const auto got = nlohmann::json::parse(r.lines[i]);
            const auto expected =
                nlohmann::json::parse(v.expected[i]);  // named: items() does not own it
            for (const auto& [key, value] : expected.items()) {
                EXPECT_EQ(got[key], value) << v.where() << ": " << key;
            }
        }
        EXPECT_EQ(r.exit_code, v.expected_error().empty() ? 0 : 1) << v.where();
    }
    EXPECT_GT(run, 30);
}

}  // namespace
}  // namespace aio_examples_test
