// Runs every vector of the parser corpus (tests/conformance/http/*.txt) whole, split at every
// offset (a prefix, then the rest) and byte by byte, through the same reader http_parse uses:
// each run must give the same messages, and the whole run the vector's expectation.

#include <gtest/gtest.h>

#include <set>

#include "../../examples/http_parse/message_reader.hpp"
#include "http_corpus.hpp"

namespace {

const std::vector<http_corpus::Vector>& corpus() {
    static const std::vector<http_corpus::Vector> all =
        http_corpus::read_corpus(std::filesystem::path(AIO_SOURCE_DIR) / "tests/conformance/http");
    return all;
}

http_parse::ReaderOptions options_of(const http_corpus::Vector& v) {
    http_parse::ReaderOptions o;
    o.response = v.response;
    o.request_method = v.method;
    o.limits.max_start_line = v.max_start_line;
    o.limits.max_header_bytes = v.max_header_bytes;
    o.limits.max_headers = v.max_headers;
    o.limits.max_chunk_extension = v.max_chunk_extension;
    o.max_body_size = v.max_body;
    return o;
}

std::vector<nlohmann::json> run(const http_corpus::Vector& v,
                                const std::vector<std::size_t>& cuts) {
    http_parse::MessageReader reader(options_of(v));
    std::size_t from = 0;
    for (std::size_t cut : cuts) {
        reader.feed(std::string_view(v.input).substr(from, cut - from));
        from = cut;
    }
    reader.feed(std::string_view(v.input).substr(from));
    reader.finish();
    return reader.messages();
}

// The expected object's keys must be in the actual one, with equal values; keys left out are
// not checked, so a vector states only what it is about.
bool matches(const nlohmann::json& expected, const nlohmann::json& actual) {
    if (!expected.is_object() || !actual.is_object()) return expected == actual;
    for (const auto& [key, value] : expected.items()) {
        if (!actual.contains(key) || actual.at(key) != value) return false;
    }
    return true;
}

TEST(HttpParserCorpus, HasTwoHundredVectorsAndNamesEveryParseError) {
    EXPECT_GE(corpus().size(), 200u);
    std::set<std::string> named;
    for (const auto& v : corpus()) named.insert(v.expected_error());
    for (int e = 1; e <= static_cast<int>(aio::http::ParseError::truncated_body); ++e) {
        const auto error = static_cast<aio::http::ParseError>(e);
        EXPECT_TRUE(named.count(std::string(aio::http::name(error))))
            << "no vector expects " << aio::http::name(error);
    }
}

TEST(HttpParserCorpus, EveryVectorGivesItsExpectedMessages) {
    for (const auto& v : corpus()) {
        const std::vector<nlohmann::json> got = run(v, {});
        std::string shown;
        for (const auto& m : got) shown += "\n    " + m.dump();
        ASSERT_EQ(got.size(), v.expected.size()) << v.where() << ": got" << shown;
        for (std::size_t i = 0; i < got.size(); ++i) {
            nlohmann::json expected;
            ASSERT_NO_THROW(expected = nlohmann::json::parse(v.expected[i]))
                << v.where() << ": bad JSON";
            EXPECT_TRUE(matches(expected, got[i]))
                << v.where() << ": message " << i << "\n  expected " << v.expected[i]
                << "\n  got      " << got[i].dump();
        }
    }
}

TEST(HttpParserCorpus, EveryVectorGivesTheSameMessagesSplitAnywhereOrByteByByte) {
    for (const auto& v : corpus()) {
        const std::vector<nlohmann::json> whole = run(v, {});
        for (std::size_t cut = 1; cut < v.input.size(); ++cut) {
            ASSERT_EQ(run(v, {cut}), whole) << v.where() << ": split at " << cut;
        }
        std::vector<std::size_t> bytes;
        for (std::size_t i = 1; i < v.input.size(); ++i) bytes.push_back(i);
        ASSERT_EQ(run(v, bytes), whole) << v.where() << ": byte by byte";
    }
}

}  // namespace
