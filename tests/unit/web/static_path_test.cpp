// The lexical half of serve_static: every way a relative path can try to leave the directory.

#include <gtest/gtest.h>

#include "aio/web/static_files.hpp"

namespace {

using Segments = std::vector<std::string>;

int status_of(std::string_view path) {
    try {
        (void)aio::web::static_path_segments(path);
        return 200;
    } catch (const aio::http::HTTPException& e) {
        return e.status();
    }
}

}  // namespace

TEST(StaticPath, PlainPathsSplitIntoDecodedSegments) {
    EXPECT_EQ(aio::web::static_path_segments("css/site.css"), (Segments{"css", "site.css"}));
    EXPECT_EQ(aio::web::static_path_segments("a%20b/c%41"), (Segments{"a b", "cA"}));
    EXPECT_EQ(aio::web::static_path_segments("a//./b/"), (Segments{"a", "b"}));
    EXPECT_EQ(aio::web::static_path_segments(""), Segments{});
    EXPECT_EQ(aio::web::static_path_segments("100%"), Segments{"100%"});
}

TEST(StaticPath, DotDotInsideTheDirectoryIsResolved) {
    EXPECT_EQ(aio::web::static_path_segments("a/../b"), Segments{"b"});
    EXPECT_EQ(aio::web::static_path_segments("a/%2e%2e/b"), Segments{"b"});
}

TEST(StaticPath, ClimbingAboveTheDirectoryIsNotFound) {
    EXPECT_EQ(status_of(".."), 404);
    EXPECT_EQ(status_of("../etc/passwd"), 404);
    EXPECT_EQ(status_of("a/../../etc/passwd"), 404);
    EXPECT_EQ(status_of("%2e%2e/etc/passwd"), 404);
    EXPECT_EQ(status_of("%2E%2e/etc/passwd"), 404);
    EXPECT_EQ(status_of(".%2E/x"), 404);
}

TEST(StaticPath, EncodedSeparatorsBackslashesAndNulAreNotFound) {
    EXPECT_EQ(status_of("..%2fetc%2fpasswd"), 404);
    EXPECT_EQ(status_of("a%2Fb"), 404);
    EXPECT_EQ(status_of("..\\..\\etc\\passwd"), 404);
    EXPECT_EQ(status_of("a%5cb"), 404);
    EXPECT_EQ(status_of("file.txt%00.png"), 404);
}

TEST(StaticPath, AnAbsolutePathIsForbidden) {
    EXPECT_EQ(status_of("/etc/passwd"), 403);
    EXPECT_EQ(status_of("\\etc\\passwd"), 403);
}
