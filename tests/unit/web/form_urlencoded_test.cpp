// application/x-www-form-urlencoded bodies, and FormData's lookups and temporary files.

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "aio/web/form.hpp"

TEST(Urlencoded, PairsArePercentDecodedWithPlusAsSpace) {
    auto f = aio::web::parse_urlencoded("name=J%C3%BCrgen+M&x=1%2B1%3D2&empty=&flag&&a=1&a=2");
    EXPECT_EQ(f.get("name"), "J\xc3\xbcrgen M");
    EXPECT_EQ(f.get("x"), "1+1=2");
    EXPECT_EQ(f.get("empty"), "");
    EXPECT_EQ(f.get("flag"), "");
    ASSERT_EQ(f.get_all("a").size(), 2u);
    EXPECT_EQ(f.get_all("a")[1]->text(), "2");
    EXPECT_EQ(f.size(), 6u);
    EXPECT_FALSE(f.get("missing"));
}

TEST(Urlencoded, BadEscapesAreKeptAsTheyAre) {
    auto f = aio::web::parse_urlencoded("a=100%&b=%zz&c=%4");
    EXPECT_EQ(f.get("a"), "100%");
    EXPECT_EQ(f.get("b"), "%zz");
    EXPECT_EQ(f.get("c"), "%4");
}

TEST(Urlencoded, TooManyFieldsIsA413) {
    try {
        (void)aio::web::parse_urlencoded("a=1&b=2&c=3", 2);
        FAIL() << "no exception";
    } catch (const aio::http::HTTPException& e) {
        EXPECT_EQ(e.status(), 413);
    }
    EXPECT_EQ(aio::web::parse_urlencoded("a=1&b=2", 2).size(), 2u);
}

TEST(FormData, RemovesItsTemporaryFilesWhenDestroyedAndNotWhenMoved) {
    char path[] = "/tmp/aio-formdata-test-XXXXXX";
    int fd = ::mkstemp(path);
    ASSERT_GE(fd, 0);
    ::close(fd);
    {
        aio::web::FormData outer;
        {
            aio::web::FormData form;
            aio::web::FileField f;
            f.filename = "x.bin";
            f.path = path;
            form.add("up", std::move(f));
            form.add("t", "text");
            EXPECT_EQ(form.file("up")->filename, "x.bin");
            EXPECT_EQ(form.get("up"), std::nullopt);
            EXPECT_EQ(form.file("t"), nullptr);
            outer = std::move(form);
        }
        EXPECT_EQ(::access(path, F_OK), 0) << "the moved-from FormData removed the file";
    }
    EXPECT_NE(::access(path, F_OK), 0) << "the temporary file is still there";
}
