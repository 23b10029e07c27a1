// The router on its own: which route a method and path resolve to, the 404/405 rules, path
// templates and url_for. No sockets: UrlDispatcher::resolve runs the request's resolution.

#include <gtest/gtest.h>

#include "aio/web/web.hpp"

namespace web = aio::web;

namespace {

// Handlers are told apart by the route they are on, so one body serves them all.
aio::Coro<web::Response> ok(web::Request&) { co_return web::Response("ok"); }

int status_of(const web::UrlDispatcher& r, std::string_view method, std::string_view path) {
    int status = 0;
    r.resolve(method, path, &status);
    return status;
}

}  // namespace

TEST(WebRouter, PlainPathsResolveByMethod) {
    web::Application app;
    auto& r = app.router();
    web::Route& get = r.add_get("/a", ok);
    web::Route& post = r.add_post("/a", ok);
    EXPECT_EQ(r.resolve("GET", "/a"), &get);
    EXPECT_EQ(r.resolve("POST", "/a"), &post);
    EXPECT_EQ(r.resolve("HEAD", "/a")->method(), "HEAD");  // add_get adds HEAD too
    EXPECT_EQ(&r.resolve("HEAD", "/a")->resource(), &get.resource());
    EXPECT_EQ(r.resources().size(), 1u);  // one resource holds all three
}

TEST(WebRouter, AddGetWithoutHeadLeavesHeadUnanswered) {
    web::Application app;
    app.router().add_get("/a", ok, {.allow_head = false});
    EXPECT_EQ(status_of(app.router(), "HEAD", "/a"), 405);
}

TEST(WebRouter, UnknownPathIs404AndWrongMethodIs405WithTheAllowedMethods) {
    web::Application app;
    auto& r = app.router();
    r.add_get("/a", ok);
    r.add_put("/a", ok);
    EXPECT_EQ(status_of(r, "GET", "/nope"), 404);
    EXPECT_EQ(status_of(r, "DELETE", "/a"), 405);
    EXPECT_EQ(status_of(r, "GET", "/a/"), 404);  // trailing slash: another path, no redirect
}

TEST(WebRouter, MethodNotAllowedListsTheMethodsOfEveryMatchingResourceSorted) {
    web::HTTPMethodNotAllowed e("DELETE", {"PUT", "GET", "HEAD", "GET"});
    EXPECT_EQ(e.status(), 405);
    EXPECT_EQ(e.headers().get("Allow", ""), "GET,HEAD,PUT");
    EXPECT_EQ(e.method(), "DELETE");
}

TEST(WebRouter, FirstAddedMatchingResourceWins) {
    web::Application app;
    auto& r = app.router();
    web::Route& dynamic = r.add_get("/users/{name}", ok);
    web::Route& plain = r.add_get("/users/me", ok);
    EXPECT_EQ(r.resolve("GET", "/users/me"), &dynamic);  // added first, as aiohttp
    web::Application app2;
    web::Route& plain2 = app2.router().add_get("/users/me", ok);
    app2.router().add_get("/users/{name}", ok);
    EXPECT_EQ(app2.router().resolve("GET", "/users/me"), &plain2);
    (void)plain;
}

TEST(WebRouter, AMethodMissOnTheFirstResourceFallsThroughToALaterOne) {
    web::Application app;
    auto& r = app.router();
    r.add_post("/items/{id}", ok);
    web::Route& get = r.add_get("/items/{key}", ok);
    EXPECT_EQ(r.resolve("GET", "/items/3"), &get);
}

TEST(WebRouter, AnyMethodRouteAnswersEveryMethod) {
    web::Application app;
    web::Route& any = app.router().add_route("*", "/any", ok);
    EXPECT_EQ(app.router().resolve("PATCH", "/any"), &any);
    EXPECT_EQ(app.router().resolve("BREW", "/any"), &any);
}

TEST(WebRouter, ADuplicateMethodOnAResourceIsRefused) {
    web::Application app;
    app.router().add_post("/a", ok);
    EXPECT_THROW(app.router().add_post("/a", ok), aio::RuntimeError);
}

TEST(WebRouter, BadTemplatesAreRefusedWhenAdded) {
    web::Application app;
    auto& r = app.router();
    EXPECT_THROW(r.add_get("no-slash", ok), aio::ValueError);
    EXPECT_THROW(r.add_get("/{unclosed", ok), aio::ValueError);
    EXPECT_THROW(r.add_get("/a}", ok), aio::ValueError);
    EXPECT_THROW(r.add_get("/{1bad}", ok), aio::ValueError);
    EXPECT_THROW(r.add_get("/{x}/{x}", ok), aio::ValueError);
    EXPECT_THROW(r.add_get("/{x:(}", ok), aio::ValueError);
    EXPECT_THROW(r.add_get("/{x:}", ok), aio::ValueError);
    EXPECT_THROW(r.add_route("GE T", "/m", ok), aio::ValueError);
}

TEST(WebRouter, ParametersMatchOneSegmentAndRegexesWhatTheySay) {
    web::Application app;
    auto& r = app.router();
    web::Route& num = r.add_get("/n/{id:\\d+}", ok);
    web::Route& seg = r.add_get("/s/{a}/x/{b}", ok);
    web::Route& tail = r.add_get("/t/{tail:.*}", ok);
    web::Route& ext = r.add_get("/f/{name}.json", ok);
    web::Route& braces = r.add_get("/y/{year:\\d{4}}", ok);
    EXPECT_EQ(r.resolve("GET", "/n/42"), &num);
    EXPECT_EQ(status_of(r, "GET", "/n/4x"), 404);
    EXPECT_EQ(r.resolve("GET", "/s/1/x/2"), &seg);
    EXPECT_EQ(status_of(r, "GET", "/s/1/2/x/3"), 404);  // {a} takes no '/'
    EXPECT_EQ(status_of(r, "GET", "/s//x/2"), 404);     // nor nothing
    EXPECT_EQ(r.resolve("GET", "/t/a/b/c"), &tail);
    EXPECT_EQ(r.resolve("GET", "/t/"), &tail);
    EXPECT_EQ(r.resolve("GET", "/f/a.b.json"), &ext);
    EXPECT_EQ(r.resolve("GET", "/y/2026"), &braces);
    EXPECT_EQ(status_of(r, "GET", "/y/226"), 404);
}

TEST(WebRouter, PathsAreMatchedDecodedButAnEncodedSlashStaysInItsSegment) {
    web::Application app;
    auto& r = app.router();
    web::Route& spaced = r.add_get("/a b", ok);
    web::Route& seg = r.add_get("/s/{name}", ok);
    EXPECT_EQ(r.resolve("GET", "/a b"), &spaced);
    EXPECT_EQ(r.resolve("GET", "/s/x"), &seg);
    EXPECT_EQ(r.resolve("GET", "/s/x/y"), nullptr);  // a decoded '/' is a separator here
}

TEST(WebRouter, UrlForFillsAndEncodesParameters) {
    web::Application app;
    auto& r = app.router();
    r.add_get("/users/{id}", ok, {.name = "user"});
    r.add_get("/files/{path:.+}", ok, {.name = "file"});
    r.add_get("/", ok, {.name = "index"});
    EXPECT_EQ(r["user"].url_for({{"id", "42"}}).str(), "/users/42");
    EXPECT_EQ(r["user"].url_for({{"id", "a b/c"}}).str(), "/users/a%20b%2Fc");
    EXPECT_EQ(r["file"].url_for({{"path", "a/b c.txt"}}).str(), "/files/a/b%20c.txt");
    EXPECT_EQ(r["index"].url_for({}, {{"q", "x y"}, {"p", "2"}}).str(), "/?q=x+y&p=2");
    EXPECT_THROW(r["user"].url_for({}), web::KeyError);
    EXPECT_THROW(r["user"].url_for({{"id", ""}}), aio::ValueError);
    EXPECT_THROW(r["nope"], web::KeyError);
    EXPECT_TRUE(r.contains("user"));
}

TEST(WebRouter, UrlForChecksValuesAgainstTheParametersRegex) {
    web::Application app;
    app.router().add_get("/n/{id:\\d+}", ok, {.name = "n"});
    EXPECT_EQ(app.router()["n"].url_for({{"id", "7"}}).str(), "/n/7");
    EXPECT_THROW(app.router()["n"].url_for({{"id", "x"}}), aio::ValueError);
}

TEST(WebRouter, RouteNamesAreUniqueAndWellFormed) {
    web::Application app;
    app.router().add_get("/a", ok, {.name = "a"});
    EXPECT_THROW(app.router().add_get("/b", ok, {.name = "a"}), aio::ValueError);
    EXPECT_THROW(app.router().add_get("/c", ok, {.name = "has space"}), aio::ValueError);
}

TEST(WebRouter, SubAppPathsResolveInTheSubAppWithItsUrlsUnderThePrefix) {
    web::Application app;
    web::Application admin;
    web::Route& users = admin.router().add_get("/users/{id}", ok, {.name = "user"});
    app.router().add_get("/admin-like", ok);
    app.add_subapp("/admin/", admin);
    EXPECT_EQ(admin.prefix(), "/admin");
    EXPECT_EQ(admin.parent(), &app);
    EXPECT_EQ(app.router().resolve("GET", "/admin/users/1"), &users);
    EXPECT_EQ(status_of(app.router(), "GET", "/admin"), 404);
    EXPECT_EQ(status_of(app.router(), "POST", "/admin/users/1"), 405);
    EXPECT_EQ(status_of(app.router(), "GET", "/adminx/users/1"), 404);
    EXPECT_NE(app.router().resolve("GET", "/admin-like"), nullptr);
    EXPECT_EQ(admin.router()["user"].url_for({{"id", "3"}}).str(), "/admin/users/3");
}

TEST(WebRouter, SubAppsNestAndCannotLoop) {
    web::Application a, b, c;
    c.router().add_get("/x", ok, {.name = "x"});
    b.add_subapp("/c", c);
    a.add_subapp("/b", b);
    EXPECT_EQ(c.router()["x"].url_for().str(), "/b/c/x");
    EXPECT_NE(a.router().resolve("GET", "/b/c/x"), nullptr);
    EXPECT_THROW(c.add_subapp("/a", a), aio::ValueError);
    EXPECT_THROW(a.add_subapp("/again", c), aio::ValueError);
    EXPECT_THROW(a.add_subapp("/", b), aio::ValueError);
    EXPECT_THROW(a.add_subapp("/self", a), aio::ValueError);
}

TEST(WebRouter, AFrozenAppRefusesRoutesMiddlewaresHooksAndSubApps) {
    web::Application app;
    app.router().add_get("/", ok);
    auto handler = app.make_handler();
    EXPECT_TRUE(app.frozen());
    EXPECT_THROW(app.router().add_get("/late", ok), aio::RuntimeError);
    EXPECT_THROW(app.router().resources().front()->add_route("POST", ok), aio::RuntimeError);
    web::Middleware mw = [](web::Request& r, const web::Handler& next) { return next(r); };
    EXPECT_THROW(app.middlewares.push_back(mw), aio::RuntimeError);
    web::Application::Hook hook = [](web::Application&) -> aio::Coro<void> { co_return; };
    EXPECT_THROW(app.on_startup.push_back(hook), aio::RuntimeError);
    web::Application sub;
    EXPECT_THROW(app.add_subapp("/sub", sub), aio::RuntimeError);
    web::Application frozen;
    frozen.freeze();
    web::Application other;
    EXPECT_THROW(other.add_subapp("/f", frozen), aio::RuntimeError);
}

TEST(WebRouter, NormalizePathRefusesContradictoryOptions) {
    EXPECT_THROW(web::normalize_path_middleware({.append_slash = true, .remove_slash = true}), aio::ValueError);
    EXPECT_NO_THROW(web::normalize_path_middleware({.append_slash = false, .remove_slash = true}));
}
