// router.add_static: the prefix resource hands the rest of the path to web-files' serve_static,
// in the main app and under a sub-app's prefix; url_for builds its links.

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "web_test_app.hpp"

using namespace web_test;

namespace {

struct StaticRoot {
    StaticRoot() {
        std::string tmpl = (std::filesystem::temp_directory_path() / "aio_web_static_XXXXXX").string();
        path = mkdtemp(tmpl.data());
        std::filesystem::create_directory(path / "css");
        std::ofstream(path / "a b.txt") << "spaced";
        std::ofstream(path / "css" / "site.css") << "body{}";
    }
    ~StaticRoot() { std::filesystem::remove_all(path); }
    std::filesystem::path path;
};

}  // namespace

TEST_F(WebTest, AddStaticServesTheDirectoryUnderItsPrefix) {
    StaticRoot dir;
    web::Application app;
    app.router().add_static("/static/", dir.path, {}, "static");
    serve(app, [](std::uint16_t port) -> aio::Coro<void> {
        http_test::RawResponse css = co_await raw(port, http_test::get("/static/css/site.css"));
        EXPECT_EQ(css.status, 200);
        EXPECT_EQ(css.body, "body{}");
        EXPECT_EQ((co_await raw(port, http_test::get("/static/a%20b.txt"))).body, "spaced");
        http_test::RawResponse head = co_await raw(port, "HEAD /static/css/site.css HTTP/1.1\r\nHost: t\r\n\r\n", true);
        EXPECT_EQ(head.status, 200);
        EXPECT_EQ(head.field("content-length"), "6");
        EXPECT_EQ((co_await raw(port, http_test::get("/static/missing.txt"))).status, 404);
        int up = (co_await raw(port, http_test::get("/static/%2e%2e/%2e%2e/etc/passwd"))).status;
        EXPECT_TRUE(up == 403 || up == 404) << up;
        EXPECT_EQ((co_await raw(port, http_test::get("/static/css"))).status, 403);  // no listing
        EXPECT_EQ((co_await raw(port, "POST /static/css/site.css HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n")).status, 405);
        EXPECT_EQ((co_await raw(port, http_test::get("/static"))).status, 404);
    });
    EXPECT_EQ(app.router()["static"].url_for({{"filename", "css/a b.css"}}).str(), "/static/css/a%20b.css");
}

TEST_F(WebTest, AddStaticInASubAppIsUnderBothPrefixes) {
    StaticRoot dir;
    web::Application app;
    web::Application sub;
    sub.router().add_static("/files", dir.path, {}, "files");
    app.add_subapp("/sub", sub);
    serve(app, [](std::uint16_t port) -> aio::Coro<void> {
        EXPECT_EQ((co_await raw(port, http_test::get("/sub/files/css/site.css"))).body, "body{}");
        EXPECT_EQ((co_await raw(port, http_test::get("/files/css/site.css"))).status, 404);
    });
    EXPECT_EQ(sub.router()["files"].url_for({{"filename", "a b.txt"}}).str(), "/sub/files/a%20b.txt");
}

TEST_F(WebTest, AddStaticRefusesWhatIsNotADirectory) {
    StaticRoot dir;
    web::Application app;
    EXPECT_THROW(app.router().add_static("/s", dir.path / "a b.txt"), aio::ValueError);
    EXPECT_THROW(app.router().add_static("/s", dir.path / "nope"), aio::ValueError);
    EXPECT_THROW(app.router().add_static("/", dir.path), aio::ValueError);
}
