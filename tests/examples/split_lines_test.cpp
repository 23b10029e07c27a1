// examples/split_lines (seed 001, "Process data stream by chunk asynchronously"): the
// chunks -> lines pipeline of async generators gives the same lines however the stream is cut
// into chunks: across chunk boundaries, with empty chunks, chunks of only "\n", "\r\n" split
// between two chunks, and a last line without "\n".

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "example_runner.hpp"

namespace aio_examples_test {
namespace {

using Lines = std::vector<std::string>;

// The printed lines (quoted by the program), without the summary line; checks the summary.
Lines lines_of(std::vector<std::string> args, std::size_t chunks) {
    ExampleRun r = run_example("split_lines", std::move(args));
    EXPECT_FALSE(r.timed_out);
    EXPECT_EQ(r.exit_code, 0);
    if (r.lines.empty()) {
        ADD_FAILURE() << "no output";
        return {};
    }
    Lines out(r.lines.begin(), r.lines.end() - 1);
    EXPECT_EQ(r.lines.back(),
              std::to_string(out.size()) + " lines from " + std::to_string(chunks) + " chunks");
    return out;
}

// Every way of cutting `text` into chunks of a fixed size gives `expected`.
void expect_any_chunk_size_gives(const std::string& text, const Lines& expected) {
    for (std::size_t size = 1; size <= text.size() + 1; ++size) {
        std::size_t chunks = (text.size() + size - 1) / size;
        EXPECT_EQ(lines_of({"--chunk-size", std::to_string(size), "--", text}, chunks), expected)
            << "chunk size " << size;
    }
}

TEST(SplitLinesExample, LinesSpanChunkBoundariesAndEmptyLinesAreKept) {
    expect_any_chunk_size_gives("one\ntwo\n\nthree\n",
                                Lines{"\"one\"", "\"two\"", "\"\"", "\"three\""});
}

TEST(SplitLinesExample, ALastLineWithoutANewlineIsYieldedAtTheEnd) {
    expect_any_chunk_size_gives("alpha\nbeta", Lines{"\"alpha\"", "\"beta\""});
    EXPECT_EQ(lines_of({"no newline at all"}, 1), Lines{"\"no newline at all\""});
}

TEST(SplitLinesExample, LeadingAndRepeatedNewlinesGiveEmptyLines) {
    expect_any_chunk_size_gives("\n\na\n\n", Lines{"\"\"", "\"\"", "\"a\"", "\"\""});
}

TEST(SplitLinesExample, EmptyChunksChangeNothing) {
    EXPECT_EQ(lines_of({"", "on", "", "", "e\n", "", "tw", "o", ""}, 9),
              (Lines{"\"one\"", "\"two\""}));
    EXPECT_EQ(lines_of({"", ""}, 2), Lines{});
    EXPECT_EQ(lines_of({}, 0), Lines{});
}

TEST(SplitLinesExample, AChunkOfOnlyANewlineEndsTheLineBeforeIt) {
    EXPECT_EQ(lines_of({"\n"}, 1), Lines{"\"\""});
    EXPECT_EQ(lines_of({"\n", "\n"}, 2), (Lines{"\"\"", "\"\""}));
    EXPECT_EQ(lines_of({"abc", "\n", "def", "\n"}, 4), (Lines{"\"abc\"", "\"def\""}));
}

TEST(SplitLinesExample, CrlfEndsALineEvenWhenSplitBetweenChunks) {
    EXPECT_EQ(lines_of({"a\r\nb\r\n"}, 1), (Lines{"\"a\"", "\"b\""}));
    EXPECT_EQ(lines_of({"a\r", "\nb\r", "\n", "\r\n"}, 4), (Lines{"\"a\"", "\"b\"", "\"\""}));
    expect_any_chunk_size_gives("GET / HTTP/1.1\r\nHost: x\r\n\r\n",
                                Lines{"\"GET / HTTP/1.1\"", "\"Host: x\"", "\"\""});
}

TEST(SplitLinesExample, ALoneCarriageReturnIsData) {
    EXPECT_EQ(lines_of({"a\rb\n", "c\r"}, 2), (Lines{"\"a\\rb\"", "\"c\\r\""}));
}

TEST(SplitLinesExample, ChunksThatArriveOverTimeGiveTheSameLines) {
    EXPECT_EQ(lines_of({"--delay-ms", "2", "--chunk-size", "3", "--", "slow\nnetwork\n"}, 5),
              (Lines{"\"slow\"", "\"network\""}));
}

}  // namespace
}  // namespace aio_examples_test
