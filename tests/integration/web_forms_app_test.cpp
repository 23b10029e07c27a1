// The web-files pieces through web-core's Application: web::Request::post() (read once, the same
// FormData on the second call), web::Request::cookies(), and router.add_static's serve_static.

#include "aio/web/form.hpp"
#include "web_files_fixture.hpp"
#include "web_test_app.hpp"

namespace {

namespace web = aio::web;
using web_files_test::TempDir;

class WebFilesApp : public web_files_test::WebFilesTest {
protected:
    http_test::RawResponse send(web::Application& app, std::string bytes) {
        http_test::RawResponse out;
        auto body = [&](std::uint16_t port) -> aio::Coro<void> { out = co_await request(port, bytes); };
        serve(app.make_handler(), body);
        return out;
    }
};

}  // namespace

TEST_F(WebFilesApp, PostReadsTheFormOnceAndReturnsTheSameObjectAgain) {
    web::Application app;
    auto handler = [](web::Request& req) -> aio::Coro<web::Response> {
        const web::FormData& first = co_await req.post();
        const web::FormData& again = co_await req.post();
        std::string same = &first == &again ? "same" : "different";
        co_return web::Response(std::string(first.get("a").value_or("?")) + "," + same + "," +
                                std::string(req.cookies().get("sid", "none")));
    };
    app.router().add_post("/form", handler);
    std::string body = "a=x+y&b=2";
    auto r = send(app, "POST /form HTTP/1.1\r\nHost: t\r\nCookie: sid=\"s1\"; junk\r\n"
                       "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: " +
                           std::to_string(body.size()) + "\r\n\r\n" + body);
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "x y,same,s1");
}

TEST_F(WebFilesApp, AddStaticServesFilesAndRefusesTraversal) {
    TempDir dir;
    std::string root = dir.mkdir("www");
    dir.write("www/app.js", "console.log(1)");
    dir.write("secret.txt", "outside");
    web::Application app;
    app.router().add_static("/static", root);
    auto r = send(app, http_test::get("/static/app.js"));
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "console.log(1)");
    EXPECT_EQ(r.field("content-type"), "text/javascript; charset=utf-8");
    web::Application app2;
    app2.router().add_static("/static", root);
    EXPECT_EQ(send(app2, http_test::get("/static/%2e%2e/secret.txt")).status, 404);
}
