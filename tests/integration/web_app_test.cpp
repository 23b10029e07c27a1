// aio::web::Application over real sockets: routes and methods, HEAD, path parameters, the
// query, JSON in and out, 404/405, the HTTPException family, 500s, state, views, the request's
// attributes.

#include "web_test_app.hpp"

using namespace web_test;

namespace {

aio::Coro<web::Response> method_name(web::Request& req) {
    co_return web::Response(std::string(req.method()) + " " + std::string(req.path()));
}

}  // namespace

TEST_F(WebTest, RoutesAnswerByMethod) {
    web::Application app;
    auto& r = app.router();
    r.add_get("/", method_name);
    r.add_post("/", method_name);
    r.add_put("/item", method_name);
    r.add_patch("/item", method_name);
    r.add_delete("/item", method_name);
    r.add_route("*", "/any", method_name);
    serve(app, [](std::uint16_t port) -> aio::Coro<void> {
        EXPECT_EQ((co_await fetch(port, "GET", "/")).body, "GET /");
        EXPECT_EQ((co_await fetch(port, "POST", "/")).body, "POST /");
        EXPECT_EQ((co_await fetch(port, "PUT", "/item")).body, "PUT /item");
        EXPECT_EQ((co_await fetch(port, "PATCH", "/item")).body, "PATCH /item");
        EXPECT_EQ((co_await fetch(port, "DELETE", "/item")).body, "DELETE /item");
        EXPECT_EQ((co_await fetch(port, "OPTIONS", "/any")).body, "OPTIONS /any");
    });
}

TEST_F(WebTest, HeadOfAGetRouteHasTheHeadAndNoBody) {
    web::Application app;
    app.router().add_get("/hello", [](web::Request&) -> aio::Coro<web::Response> { co_return web::Response("hello"); });
    serve(app, [](std::uint16_t port) -> aio::Coro<void> {
        auto client = co_await http_test::RawClient::connect(port);
        co_await client.send("HEAD /hello HTTP/1.1\r\nHost: t\r\n\r\nGET /hello HTTP/1.1\r\nHost: t\r\n\r\n");
        http_test::RawResponse head = co_await client.response(true);
        EXPECT_EQ(head.status, 200);
        EXPECT_EQ(head.field("content-length"), "5");
        http_test::RawResponse get = co_await client.response();  // the HEAD sent no body bytes
        EXPECT_EQ(get.body, "hello");
        co_await client.close();
    });
}

TEST_F(WebTest, UnknownPathIs404AndAWrongMethodIs405WithAllow) {
    web::Application app;
    app.router().add_get("/a", method_name);
    app.router().add_put("/a", method_name);
    serve(app, [](std::uint16_t port) -> aio::Coro<void> {
        http_test::RawResponse nf = co_await raw(port, http_test::get("/nope"));
        EXPECT_EQ(nf.status, 404);
        EXPECT_EQ(nf.body, "404: Not Found");
        EXPECT_EQ(nf.field("content-type"), "text/plain; charset=utf-8");
        http_test::RawResponse na = co_await raw(port, "DELETE /a HTTP/1.1\r\nHost: t\r\n\r\n");
        EXPECT_EQ(na.status, 405);
        EXPECT_EQ(na.field("allow"), "GET,HEAD,PUT");
        EXPECT_EQ(na.body, "405: Method Not Allowed");
        EXPECT_EQ((co_await fetch(port, "GET", "/a/")).status, 404);  // no trailing-slash redirect
    });
}

TEST_F(WebTest, PathParametersAreDecodedAndAnEncodedSlashStaysInOneSegment) {
    web::Application app;
    app.router().add_get("/users/{id}", [](web::Request& req) -> aio::Coro<web::Response> {
        co_return web::Response(std::string(req.match_info()["id"]) + "|" + std::string(req.path()) + "|" +
                                std::string(req.raw_path()));
    });
    app.router().add_get("/n/{id:\\d+}/{tail:.*}", [](web::Request& req) -> aio::Coro<web::Response> {
        co_return web::Response(std::string(req.match_info()["id"]) + "|" + std::string(req.match_info()["tail"]));
    });
    serve(app, [](std::uint16_t port) -> aio::Coro<void> {
        EXPECT_EQ((co_await raw(port, http_test::get("/users/42"))).body, "42|/users/42|/users/42");
        EXPECT_EQ((co_await raw(port, http_test::get("/users/a%20b"))).body, "a b|/users/a b|/users/a%20b");
        EXPECT_EQ((co_await raw(port, http_test::get("/users/a%2Fb"))).body, "a/b|/users/a/b|/users/a%2Fb");
        EXPECT_EQ((co_await raw(port, http_test::get("/users/caf%C3%A9"))).body,
                  "caf\xC3\xA9|/users/caf\xC3\xA9|/users/caf%C3%A9");
        EXPECT_EQ((co_await raw(port, http_test::get("/users/a/b"))).status, 404);
        EXPECT_EQ((co_await raw(port, http_test::get("/n/7/x/y%20z"))).body, "7|x/y z");
        EXPECT_EQ((co_await raw(port, http_test::get("/n/x/y"))).status, 404);
    });
}

TEST_F(WebTest, TheQueryIsADecodedMultidict) {
    web::Application app;
    app.router().add_get("/q", [](web::Request& req) -> aio::Coro<web::Response> {
        std::string out;
        for (auto v : req.query().get_all("a")) out += std::string(v) + ",";
        out += std::string(req.query().get("b", "-")) + "|" + std::string(req.query().get("c", "none"));
        out += "|" + std::string(req.query_string());
        co_return web::Response(out);
    });
    serve(app, [](std::uint16_t port) -> aio::Coro<void> {
        EXPECT_EQ((co_await raw(port, http_test::get("/q?a=1&b=x+y%21&a=2"))).body, "1,2,x y!|none|a=1&b=x+y%21&a=2");
        EXPECT_EQ((co_await raw(port, http_test::get("/q"))).body, "-|none|");
    });
}

TEST_F(WebTest, JsonInAndOut) {
    web::Application app;
    app.router().add_post("/sum", [](web::Request& req) -> aio::Coro<web::Response> {
        nlohmann::json in = co_await req.json();
        int sum = 0;
        for (int v : in.at("values")) sum += v;
        co_return web::json_response({{"sum", sum}}, 201);
    });
    serve(app, [](std::uint16_t port) -> aio::Coro<void> {
        aio::http::RequestOptions opts;
        opts.json = {{"values", {1, 2, 3}}};
        Reply r = co_await fetch(port, "POST", "/sum", opts);
        EXPECT_EQ(r.status, 201);
        EXPECT_EQ(r.headers.get("Content-Type", ""), "application/json; charset=utf-8");
        EXPECT_EQ(nlohmann::json::parse(r.body), (nlohmann::json{{"sum", 6}}));
        aio::http::RequestOptions bad;
        bad.data = std::string("{not json");
        EXPECT_EQ((co_await fetch(port, "POST", "/sum", bad)).status, 400);
    });
}

TEST_F(WebTest, ThrownHttpExceptionsAnswerWithTheirStatusHeadersAndText) {
    web::Application app;
    auto& r = app.router();
    r.add_get("/found", [](web::Request&) -> aio::Coro<web::Response> { throw web::HTTPFound("/elsewhere?x=1"); });
    r.add_get("/moved", [](web::Request&) -> aio::Coro<web::Response> { throw web::HTTPMovedPermanently("/new"); });
    r.add_get("/bad", [](web::Request&) -> aio::Coro<web::Response> { throw web::HTTPBadRequest("missing field 'x'"); });
    r.add_get("/auth", [](web::Request&) -> aio::Coro<web::Response> {
        throw web::HTTPUnauthorized({}, {{"WWW-Authenticate", "Basic realm=\"x\""}});
    });
    r.add_get("/same", [](web::Request&) -> aio::Coro<web::Response> { throw web::HTTPNotModified({{"ETag", "\"v1\""}}); });
    r.add_get("/busy", [](web::Request&) -> aio::Coro<web::Response> { throw web::HTTPTooManyRequests({}, {{"Retry-After", "3"}}); });
    r.add_get("/down", [](web::Request&) -> aio::Coro<web::Response> { throw web::HTTPServiceUnavailable(); });
    serve(app, [](std::uint16_t port) -> aio::Coro<void> {
        Reply found = co_await fetch(port, "GET", "/found");
        EXPECT_EQ(found.status, 302);
        EXPECT_EQ(found.headers.get("Location", ""), "/elsewhere?x=1");
        EXPECT_EQ(found.body, "302: Found");
        EXPECT_EQ((co_await fetch(port, "GET", "/moved")).headers.get("Location", ""), "/new");
        Reply bad = co_await fetch(port, "GET", "/bad");
        EXPECT_EQ(bad.status, 400);
        EXPECT_EQ(bad.body, "missing field 'x'");
        Reply auth = co_await fetch(port, "GET", "/auth");
        EXPECT_EQ(auth.status, 401);
        EXPECT_EQ(auth.headers.get("WWW-Authenticate", ""), "Basic realm=\"x\"");
        http_test::RawResponse same = co_await raw(port, http_test::get("/same"));
        EXPECT_EQ(same.status, 304);
        EXPECT_EQ(same.field("etag"), "\"v1\"");
        EXPECT_EQ(same.field("content-length"), "");
        Reply busy = co_await fetch(port, "GET", "/busy");
        EXPECT_EQ(busy.status, 429);
        EXPECT_EQ(busy.headers.get("Retry-After", ""), "3");
        EXPECT_EQ((co_await fetch(port, "GET", "/down")).body, "503: Service Unavailable");
    });
}

TEST_F(WebTest, AnyOtherExceptionIsA500ThatSaysNothingAndIsReported) {
    web::Application app;
    app.router().add_get("/boom", [](web::Request&) -> aio::Coro<web::Response> {
        throw std::runtime_error("secret detail");
    });
    serve(app, [](std::uint16_t port) -> aio::Coro<void> {
        Reply r = co_await fetch(port, "GET", "/boom");
        EXPECT_EQ(r.status, 500);
        EXPECT_EQ(r.body.find("secret"), std::string::npos);
    });
    EXPECT_EQ(reports.size(), 1u);
    reports.clear();
}

namespace {
const web::AppKey<std::string> greeting{"greeting"};
const web::AppKey<int> counter{"counter"};
}  // namespace

TEST_F(WebTest, AppStateReachesHandlersAndSubAppsReachTheirParentsState) {
    web::Application app;
    app[greeting] = std::string("hello");
    app[counter] = 0;
    app.router().add_get("/count", [](web::Request& req) -> aio::Coro<web::Response> {
        int& n = req.app()[counter];
        ++n;
        co_return web::Response(req.app()[greeting].get() + " " + std::to_string(n));
    });
    web::Application sub;
    sub[greeting] = std::string("inner");
    sub.router().add_get("/who", [](web::Request& req) -> aio::Coro<web::Response> {
        // request.app() is the sub-app; config() looks outwards for what it has not.
        co_return web::Response(req.app()[greeting].get() + "/" + req.config(greeting) + "/" +
                                std::to_string(req.config(counter)));
    });
    app.add_subapp("/sub", sub);
    serve(app, [](std::uint16_t port) -> aio::Coro<void> {
        EXPECT_EQ((co_await fetch(port, "GET", "/count")).body, "hello 1");
        EXPECT_EQ((co_await fetch(port, "GET", "/count")).body, "hello 2");
        EXPECT_EQ((co_await fetch(port, "GET", "/sub/who")).body, "inner/inner/2");
    });
}

TEST_F(WebTest, SubAppRoutesLiveUnderThePrefixWithTheirOwn404And405) {
    web::Application app;
    app.router().add_get("/", method_name);
    auto admin = std::make_shared<web::Application>();
    admin->router().add_get("/", method_name);
    admin->router().add_get("/users/{id}", [](web::Request& req) -> aio::Coro<web::Response> {
        co_return web::Response(std::string(req.match_info()["id"]) + " " +
                                std::to_string(req.match_info().apps().size()));
    });
    app.add_subapp("/admin", admin);  // owned by the parent
    admin.reset();
    serve(app, [](std::uint16_t port) -> aio::Coro<void> {
        EXPECT_EQ((co_await fetch(port, "GET", "/")).body, "GET /");
        EXPECT_EQ((co_await fetch(port, "GET", "/admin/")).body, "GET /admin/");
        EXPECT_EQ((co_await fetch(port, "GET", "/admin/users/9")).body, "9 2");
        EXPECT_EQ((co_await fetch(port, "GET", "/admin")).status, 404);
        EXPECT_EQ((co_await fetch(port, "GET", "/admin/nope")).status, 404);
        Reply na = co_await fetch(port, "POST", "/admin/users/9");
        EXPECT_EQ(na.status, 405);
        EXPECT_EQ(na.headers.get("Allow", ""), "GET,HEAD");
    });
}

namespace {

struct ItemView : web::View {
    using View::View;
    aio::Coro<web::Response> get() { co_return web::Response("get " + std::string(request().match_info()["id"])); }
    aio::Coro<web::Response> post() {
        std::string body = co_await request().text();
        co_return web::Response("post " + body, 201);
    }
    aio::Coro<web::Response> del() { co_return web::Response("", 204); }
};

}  // namespace

TEST_F(WebTest, ClassBasedViewsAnswerTheirMethodsAnd405TheOthers) {
    web::Application app;
    app.router().add_view<ItemView>("/items/{id}");
    serve(app, [](std::uint16_t port) -> aio::Coro<void> {
        EXPECT_EQ((co_await fetch(port, "GET", "/items/3")).body, "get 3");
        aio::http::RequestOptions body;
        body.data = std::string("x");
        Reply posted = co_await fetch(port, "POST", "/items/3", body);
        EXPECT_EQ(posted.status, 201);
        EXPECT_EQ(posted.body, "post x");
        EXPECT_EQ((co_await fetch(port, "DELETE", "/items/3")).status, 204);
        Reply put = co_await fetch(port, "PUT", "/items/3");
        EXPECT_EQ(put.status, 405);
        EXPECT_EQ(put.headers.get("Allow", ""), "DELETE,GET,POST");
    });
}

TEST_F(WebTest, TheRequestKnowsItsRemoteHostSchemeAndContentType) {
    web::Application app;
    app.router().add_post("/info", [](web::Request& req) -> aio::Coro<web::Response> {
        nlohmann::json j = {{"remote", req.remote()},       {"host", req.host()},
                            {"scheme", req.scheme()},       {"ct", req.content_type()},
                            {"charset", req.charset()},     {"url", req.url().str()},
                            {"rel", req.rel_url().str()},   {"path_qs", req.path_qs()},
                            {"secure", req.secure()}};
        co_return web::json_response(j);
    });
    serve(app, [](std::uint16_t port) -> aio::Coro<void> {
        http_test::RawResponse r = co_await raw(
            port, "POST /info?x=1 HTTP/1.1\r\nHost: example.test:81\r\nContent-Type: Text/HTML; Charset=\"UTF-8\"\r\n"
                  "Content-Length: 0\r\n\r\n");
        nlohmann::json j = nlohmann::json::parse(r.body);
        EXPECT_EQ(j["remote"], "127.0.0.1");
        EXPECT_EQ(j["host"], "example.test:81");
        EXPECT_EQ(j["scheme"], "http");
        EXPECT_EQ(j["secure"], false);
        EXPECT_EQ(j["ct"], "text/html");
        EXPECT_EQ(j["charset"], "utf-8");
        EXPECT_EQ(j["url"], "http://example.test:81/info?x=1");
        EXPECT_EQ(j["rel"], "/info?x=1");
        EXPECT_EQ(j["path_qs"], "/info?x=1");
        http_test::RawResponse bare = co_await raw(port, "POST /info HTTP/1.0\r\nContent-Length: 0\r\n\r\n");
        nlohmann::json b = nlohmann::json::parse(bare.body);
        EXPECT_EQ(b["ct"], "application/octet-stream");
        EXPECT_EQ(b["charset"], "");
        EXPECT_EQ(b["host"], "127.0.0.1:" + std::to_string(port));  // no Host: the local address
    });
}

TEST_F(WebTest, AStreamResponseWorksThroughTheApp) {
    web::Application app;
    app.router().add_get("/stream", [](web::Request& req) -> aio::Coro<web::Response> {
        web::StreamResponse resp;
        co_await resp.prepare(req);
        for (int i = 0; i < 3; ++i) co_await resp.write(std::to_string(i));
        co_await resp.write_eof();
        co_return resp;
    });
    serve(app, [](std::uint16_t port) -> aio::Coro<void> {
        http_test::RawResponse r = co_await raw(port, http_test::get("/stream"));
        EXPECT_TRUE(r.chunked);
        EXPECT_EQ(r.body, "012");
    });
}

TEST_F(WebTest, UrlForBuildsLinksToNamedRoutesInHandlers) {
    web::Application app;
    app.router().add_get("/users/{id}", method_name, {.name = "user"});
    app.router().add_get("/link", [](web::Request& req) -> aio::Coro<web::Response> {
        co_return web::Response(req.app().router()["user"].url_for({{"id", "a b"}}, {{"tab", "1"}}).str());
    });
    serve(app, [](std::uint16_t port) -> aio::Coro<void> {
        EXPECT_EQ((co_await fetch(port, "GET", "/link")).body, "/users/a%20b?tab=1");
    });
}
