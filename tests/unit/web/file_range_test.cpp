// Range parsing, Content-Type by extension and the ETag form of FileResponse.

#include <gtest/gtest.h>

#include "aio/web/file_response.hpp"

using aio::web::ByteRange;
using aio::web::parse_range;
using Kind = aio::web::RangeRequest::Kind;

TEST(RangeHeader, TheThreeFormsOfASingleRange) {
    auto r = parse_range("bytes=0-99", 1000);
    EXPECT_EQ(r.kind, Kind::partial);
    EXPECT_EQ(r.range, (ByteRange{0, 99}));
    r = parse_range("bytes=900-", 1000);
    EXPECT_EQ(r.range, (ByteRange{900, 999}));
    r = parse_range("bytes=-100", 1000);
    EXPECT_EQ(r.range, (ByteRange{900, 999}));
    r = parse_range(" Bytes = 5 - 9 ", 1000);
    EXPECT_EQ(r.kind, Kind::partial);
    EXPECT_EQ(r.range, (ByteRange{5, 9}));
}

TEST(RangeHeader, TheEndIsClampedAndALongSuffixMeansTheWholeFile) {
    EXPECT_EQ(parse_range("bytes=10-5000", 1000).range, (ByteRange{10, 999}));
    EXPECT_EQ(parse_range("bytes=-5000", 1000).range, (ByteRange{0, 999}));
}

TEST(RangeHeader, PastTheEndOrAnEmptySuffixIsUnsatisfiable) {
    EXPECT_EQ(parse_range("bytes=1000-", 1000).kind, Kind::unsatisfiable);
    EXPECT_EQ(parse_range("bytes=1000-2000", 1000).kind, Kind::unsatisfiable);
    EXPECT_EQ(parse_range("bytes=-0", 1000).kind, Kind::unsatisfiable);
    EXPECT_EQ(parse_range("bytes=0-", 0).kind, Kind::unsatisfiable);
}

TEST(RangeHeader, InvalidFieldsAndSeveralRangesMeanTheWholeFile) {
    for (const char* h : {"", "bytes", "bytes=", "bytes=-", "items=0-1", "bytes=5-1", "bytes=a-b", "bytes=+1-2",
                          "bytes=0-1,5-6", "bytes=99999999999999999999-", "bytes=1-2-3"})
        EXPECT_EQ(parse_range(h, 1000).kind, Kind::whole) << h;
}

TEST(RangeHeader, OffsetsPastFourGibibytesWork) {
    const std::uint64_t size = 6ull << 30;
    auto r = parse_range("bytes=5368709120-", size);
    EXPECT_EQ(r.range, (ByteRange{5ull << 30, size - 1}));
    EXPECT_EQ(r.range.length(), 1ull << 30);
}

TEST(ContentTypeFor, KnownExtensionsInAnyCaseAndOctetStreamOtherwise) {
    EXPECT_EQ(aio::web::content_type_for("index.html"), "text/html; charset=utf-8");
    EXPECT_EQ(aio::web::content_type_for("/a/b/APP.JS"), "text/javascript; charset=utf-8");
    EXPECT_EQ(aio::web::content_type_for("mod.mjs"), "text/javascript; charset=utf-8");
    EXPECT_EQ(aio::web::content_type_for("x.wasm"), "application/wasm");
    EXPECT_EQ(aio::web::content_type_for("font.woff2"), "font/woff2");
    EXPECT_EQ(aio::web::content_type_for("a.png"), "image/png");
    EXPECT_EQ(aio::web::content_type_for("a.svg"), "image/svg+xml");
    EXPECT_EQ(aio::web::content_type_for("app.js.map"), "application/json");
    EXPECT_EQ(aio::web::content_type_for("README"), "application/octet-stream");
    EXPECT_EQ(aio::web::content_type_for(".bashrc"), "application/octet-stream");
    EXPECT_EQ(aio::web::content_type_for("dir.html/file"), "application/octet-stream");
    EXPECT_EQ(aio::web::content_type_for("x.exe"), "application/octet-stream");
}

TEST(FileEtag, IsAiohttpsHexMtimeNanosecondsDashHexSize) {
    EXPECT_EQ(aio::web::file_etag(0x17a2b3c4d5e6f708, 0x1000), "\"17a2b3c4d5e6f708-1000\"");
}
