// serve_static over real sockets: files beneath the directory, every way out of it refused as
// aiohttp refuses it (403 or 404), symlinks, and the directory index.

#include <unistd.h>

#include "aio/web/static_files.hpp"
#include "web_files_fixture.hpp"

using namespace web_files_test;

namespace {

class WebStatic : public WebFilesTest {
protected:
    WebStatic() {
        root = dir.mkdir("www");
        dir.write("www/index.html", "<h1>hi</h1>");
        dir.write("www/css/site.css", "body{}");
        dir.write("www/a b.txt", "spaced");
        dir.write("secret.txt", "outside the root");
        outside = dir.mkdir("elsewhere");
        dir.write("elsewhere/linked.txt", "through a link");
    }
    /// GET `target` against a handler serving `root` under /static/.
    RawResponse get(std::string target, aio::web::StaticOptions options = {}) {
        aio::web::StaticDirectory statics(root, options);
        auto handler = [&statics](aio::http::Request& req) -> aio::Coro<aio::http::Response> {
            std::string_view path = req.path();
            if (!path.starts_with("/static/")) co_return aio::http::Response("no route", 404);
            co_return co_await aio::web::serve_static(req, statics, path.substr(8));
        };
        RawResponse out;
        auto body = [&](std::uint16_t port) -> aio::Coro<void> {
            out = co_await request(port, http_test::get(target));
        };
        serve(handler, body);
        return out;
    }
    TempDir dir;
    std::string root;
    std::string outside;
};

}  // namespace

TEST_F(WebStatic, FilesBeneathTheDirectoryAreServedWithTheirType) {
    RawResponse r = get("/static/css/site.css");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "body{}");
    EXPECT_EQ(r.field("content-type"), "text/css; charset=utf-8");
    EXPECT_EQ(get("/static/a%20b.txt").body, "spaced");
    EXPECT_EQ(get("/static/css/../index.html").body, "<h1>hi</h1>");
    EXPECT_EQ(get("/static/missing.css").status, 404);
}

TEST_F(WebStatic, DotDotSegmentsPlainOrEncodedAreNotFound) {
    for (const char* t : {"/static/../secret.txt", "/static/%2e%2e/secret.txt", "/static/%2E%2e/secret.txt",
                          "/static/css/../../secret.txt", "/static/.%2e/secret.txt"}) {
        RawResponse r = get(t);
        EXPECT_EQ(r.status, 404) << t;
        EXPECT_EQ(r.body.find("outside"), std::string::npos) << t;
    }
}

TEST_F(WebStatic, EncodedSlashesBackslashesAndNulAreNotFound) {
    for (const char* t : {"/static/..%2fsecret.txt", "/static/css%2fsite.css", "/static/%5c..%5csecret.txt",
                          "/static/index.html%00.png"})
        EXPECT_EQ(get(t).status, 404) << t;
    // A raw backslash never reaches the handler: the request parser refuses the target (the
    // unit test StaticPath.EncodedSeparatorsBackslashesAndNulAreNotFound covers serve_static's 404).
    EXPECT_EQ(get("/static/..\\secret.txt").status, 400);
}

TEST_F(WebStatic, AnAbsolutePathIsForbidden) {
    EXPECT_EQ(get("/static//etc/passwd").status, 403);
    EXPECT_EQ(get("/static/%2fetc%2fpasswd").status, 404);
}

TEST_F(WebStatic, SymlinksAreRefusedUnlessFollowSymlinks) {
    ASSERT_EQ(::symlink((outside + "/linked.txt").c_str(), (root + "/out.txt").c_str()), 0);
    ASSERT_EQ(::symlink(outside.c_str(), (root + "/outdir").c_str()), 0);
    ASSERT_EQ(::symlink("index.html", (root + "/inside.html").c_str()), 0);
    EXPECT_EQ(get("/static/out.txt").status, 404);
    EXPECT_EQ(get("/static/outdir/linked.txt").status, 404);
    EXPECT_EQ(get("/static/inside.html").status, 404);  // stricter than aiohttp: no link at all
    aio::web::StaticOptions follow{.follow_symlinks = true};
    EXPECT_EQ(get("/static/out.txt", follow).body, "through a link");
    EXPECT_EQ(get("/static/outdir/linked.txt", follow).body, "through a link");
    EXPECT_EQ(get("/static/inside.html", follow).body, "<h1>hi</h1>");
    EXPECT_EQ(get("/static/../secret.txt", follow).status, 404);  // `..` still cannot climb out
}

TEST_F(WebStatic, ADirectoryIsForbiddenWithoutShowIndex) {
    EXPECT_EQ(get("/static/css").status, 403);
    EXPECT_EQ(get("/static/").status, 403);
}

TEST_F(WebStatic, ShowIndexListsEntriesEscapedAndLinked) {
    dir.write("www/<b>&x.txt", "odd");
    aio::web::StaticOptions index{.show_index = true};
    RawResponse r = get("/static/", index);
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.field("content-type"), "text/html; charset=utf-8");
    EXPECT_NE(r.body.find("<title>Index of /</title>"), std::string::npos) << r.body;
    EXPECT_NE(r.body.find("<li><a href=\"/static/%3Cb%3E%26x.txt\">&lt;b&gt;&amp;x.txt</a></li>"), std::string::npos)
        << r.body;
    EXPECT_NE(r.body.find("<li><a href=\"/static/css/\">css/</a></li>"), std::string::npos) << r.body;
    EXPECT_NE(r.body.find("<li><a href=\"/static/a%20b.txt\">a b.txt</a></li>"), std::string::npos) << r.body;
    EXPECT_EQ(r.body.find("<b>"), std::string::npos);
    r = get("/static/css", index);
    EXPECT_NE(r.body.find("Index of /css"), std::string::npos);
    EXPECT_NE(r.body.find("href=\"/static/css/site.css\""), std::string::npos) << r.body;
}

TEST_F(WebStatic, AMissingRootIsAnOSError) {
    EXPECT_THROW(aio::web::StaticDirectory(dir / "nope"), aio::FileNotFoundError);
    EXPECT_THROW(aio::web::StaticDirectory(dir / "secret.txt"), aio::OSError);
}
