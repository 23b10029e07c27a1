// The multipart parser over whole bodies and over every two-way split of them: the same parts
// and the same bytes, or the same error, wherever the reads happen to cut the body.

#include <gtest/gtest.h>

#include "aio/web/multipart.hpp"
#include "web/multipart_parser.hpp"

namespace {

using aio::web::detail::MultipartParser;
using Event = MultipartParser::Event;

struct Parsed {
    std::vector<std::vector<std::pair<std::string, std::string>>> heads;
    std::vector<std::string> bodies;
    bool done = false;
    int error_status = 0;
    friend bool operator==(const Parsed&, const Parsed&) = default;
};

constexpr MultipartParser::Limits kLimits{100, 8192, 32};

Parsed parse_pieces(std::string_view boundary, const std::vector<std::string_view>& pieces,
                    MultipartParser::Limits limits = kLimits, std::size_t max_data = std::string_view::npos) {
    MultipartParser p(boundary, limits);
    Parsed out;
    std::size_t next_piece = 0;
    for (;;) {
        std::string_view data;
        switch (p.next(data, max_data)) {
        case Event::need_more:
            if (next_piece == pieces.size()) p.finish();
            else p.feed(pieces[next_piece++]);
            break;
        case Event::headers:
            out.heads.push_back(p.part_headers());
            out.bodies.emplace_back();
            break;
        case Event::data:
            EXPECT_FALSE(out.bodies.empty());
            EXPECT_LE(data.size(), max_data);
            if (!out.bodies.empty()) out.bodies.back().append(data);
            break;
        case Event::part_end: break;
        case Event::done: out.done = true; return out;
        case Event::error: out.error_status = p.error_status(); return out;
        }
    }
}

Parsed parse_whole(std::string_view boundary, std::string_view body) { return parse_pieces(boundary, {body}); }

// Every split in two, and every byte on its own.
void expect_same_at_every_split(std::string_view boundary, std::string_view body) {
    Parsed whole = parse_whole(boundary, body);
    for (std::size_t i = 0; i <= body.size(); ++i)
        ASSERT_EQ(parse_pieces(boundary, {body.substr(0, i), body.substr(i)}), whole) << "split at " << i;
    std::vector<std::string_view> bytes;
    for (std::size_t i = 0; i < body.size(); ++i) bytes.push_back(body.substr(i, 1));
    ASSERT_EQ(parse_pieces(boundary, bytes), whole) << "byte by byte";
    ASSERT_EQ(parse_pieces(boundary, {body}, kLimits, 1), whole) << "one byte per data event";
}

const std::string kForm =
    "--XyZ\r\n"
    "Content-Disposition: form-data; name=\"title\"\r\n"
    "\r\n"
    "Hello\r\n"
    "--XyZ\r\n"
    "Content-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n"
    "Content-Type: text/plain\r\n"
    "\r\n"
    "line1\r\n--XyNot a boundary\r\n\r\n--X\r\n"
    "--XyZ--\r\n"
    "epilogue";

}  // namespace

TEST(MultipartParser, ReadsPartsHeadsAndBodies) {
    Parsed p = parse_whole("XyZ", kForm);
    ASSERT_TRUE(p.done);
    ASSERT_EQ(p.heads.size(), 2u);
    EXPECT_EQ(p.heads[0][0].first, "Content-Disposition");
    EXPECT_EQ(p.heads[0][0].second, "form-data; name=\"title\"");
    EXPECT_EQ(p.bodies[0], "Hello");
    EXPECT_EQ(p.heads[1].size(), 2u);
    EXPECT_EQ(p.bodies[1], "line1\r\n--XyNot a boundary\r\n\r\n--X");
}

TEST(MultipartParser, GivesTheSameResultAtEverySplit) {
    expect_same_at_every_split("XyZ", kForm);
    expect_same_at_every_split("XyZ", "preamble\r\n--XyZ  \t\r\n\r\n\r\n--XyZ\r\nA: b\r\n\r\nx\r\n--XyZ--");
    expect_same_at_every_split("XyZ", "--XyZ\r\nA: b\r\n\r\nbody cut");
}

TEST(MultipartParser, APreambleAndTransportPaddingAreSkipped) {
    Parsed p = parse_whole("b", "This is the preamble.\r\n--b \t\r\n\r\nempty head\r\n--b--");
    ASSERT_TRUE(p.done);
    ASSERT_EQ(p.bodies.size(), 1u);
    EXPECT_TRUE(p.heads[0].empty());
    EXPECT_EQ(p.bodies[0], "empty head");
}

TEST(MultipartParser, AnEmptyPartBodyIsAPart) {
    Parsed p = parse_whole("b", "--b\r\nA: 1\r\n\r\n\r\n--b--\r\n");
    ASSERT_TRUE(p.done);
    ASSERT_EQ(p.bodies.size(), 1u);
    EXPECT_EQ(p.bodies[0], "");
}

TEST(MultipartParser, AMissingFinalBoundaryIsA400) {
    EXPECT_EQ(parse_whole("b", "--b\r\nA: 1\r\n\r\ndata").error_status, 400);
    EXPECT_EQ(parse_whole("b", "--b\r\nA: 1\r\n\r\ndata\r\n--b").error_status, 400);
    EXPECT_EQ(parse_whole("b", "--b\r\nA: 1\r\n").error_status, 400);
    EXPECT_EQ(parse_whole("b", "no boundary at all").error_status, 400);
    EXPECT_EQ(parse_whole("b", "").error_status, 400);
}

TEST(MultipartParser, MalformedBoundaryLinesAndHeadsAreA400) {
    EXPECT_EQ(parse_whole("b", "--bX\r\n\r\n\r\n--b--").error_status, 400);
    EXPECT_EQ(parse_whole("b", "--b\r\nno colon\r\n\r\nx\r\n--b--").error_status, 400);
    EXPECT_EQ(parse_whole("b", "--b\r\n: nameless\r\n\r\nx\r\n--b--").error_status, 400);
    EXPECT_EQ(parse_whole("b", "--b\r\nA: 1\r\n folded\r\n\r\nx\r\n--b--").error_status, 400);
    EXPECT_EQ(parse_whole("b", "--b\r\nBad Name: 1\r\n\r\nx\r\n--b--").error_status, 400);
    EXPECT_EQ(parse_whole("b", "--b\r\nA: 1\x01\r\n\r\nx\r\n--b--").error_status, 400);
}

TEST(MultipartParser, TooManyPartsHeadersOrTooLargeAHeadIsA413) {
    std::string many;
    for (int i = 0; i < 5; ++i) many += "--b\r\n\r\nx\r\n";
    many += "--b--";
    EXPECT_EQ(parse_pieces("b", {many}, {4, 8192, 32}).error_status, 413);
    EXPECT_TRUE(parse_pieces("b", {many}, {5, 8192, 32}).done);
    EXPECT_EQ(parse_pieces("b", {"--b\r\nA: 1\r\nB: 2\r\n\r\nx\r\n--b--"}, {5, 8192, 1}).error_status, 413);
    std::string big = "--b\r\nA: " + std::string(10000, 'a') + "\r\n\r\nx\r\n--b--";
    EXPECT_EQ(parse_whole("b", big).error_status, 413);
    // A head that never ends is refused once it is over the limit, not buffered without bound.
    std::string endless = "--b\r\nA: " + std::string(9000, 'a');
    MultipartParser p("b", kLimits);
    p.feed(endless);
    std::string_view data;
    EXPECT_EQ(p.next(data), Event::error);
    EXPECT_EQ(p.error_status(), 413);
}

TEST(MultipartParser, ABodyIsStreamedWithABoundedHoldBack) {
    MultipartParser p("boundary", kLimits);
    p.feed("--boundary\r\n\r\n");
    std::string_view data;
    ASSERT_EQ(p.next(data), Event::headers);
    std::size_t got = 0;
    for (int i = 0; i < 100; ++i) {
        p.feed(std::string(1000, 'z'));
        while (p.next(data) == Event::data) got += data.size();
    }
    EXPECT_GE(got, 100000u - std::string("\r\n--boundary").size());
}

TEST(ContentDisposition, NamesFilenamesAndRfc5987) {
    auto cd = aio::web::parse_content_disposition("form-data; name=\"f\"; filename=\"a \\\"b\\\".txt\"");
    EXPECT_EQ(cd.type, "form-data");
    EXPECT_EQ(cd.name, "f");
    EXPECT_EQ(cd.filename, "a \"b\".txt");
    cd = aio::web::parse_content_disposition("Form-Data; name=up; filename=\"x.txt\"; filename*=UTF-8''%e2%82%ac%20rates.txt");
    EXPECT_EQ(cd.type, "form-data");
    EXPECT_EQ(cd.name, "up");
    EXPECT_EQ(cd.filename, "\xe2\x82\xac rates.txt");
    cd = aio::web::parse_content_disposition("attachment; filename*=iso-8859-1'en'%A3%20rates");
    EXPECT_EQ(cd.filename, "\xc2\xa3 rates");
    cd = aio::web::parse_content_disposition("form-data; name=\"x\"; filename*=UTF-8''%zz");
    EXPECT_FALSE(cd.filename);  // an undecodable filename* is skipped
    cd = aio::web::parse_content_disposition("form-data; name=\"unterminated");
    EXPECT_FALSE(cd.name);
}

TEST(MultipartBoundary, FromTheContentTypeQuotedOrNot) {
    EXPECT_EQ(aio::web::multipart_boundary("multipart/form-data; boundary=abc"), "abc");
    EXPECT_EQ(aio::web::multipart_boundary("Multipart/Form-Data; charset=utf-8; BOUNDARY=\"a b:c\""), "a b:c");
    for (const char* bad : {"text/plain; boundary=abc", "multipart/form-data", "multipart/form-data; boundary=",
                            "multipart/form-data; boundary=\"trailing \"", "multipart/form-data; boundary=a{b}"})
        EXPECT_THROW(aio::web::multipart_boundary(bad), aio::http::HTTPException) << bad;
    EXPECT_THROW(aio::web::multipart_boundary("multipart/mixed; boundary=" + std::string(71, 'a')),
                 aio::http::HTTPException);
}
