// Middlewares over real sockets: aiohttp's onion (order before and after the handler),
// short-circuits, rewritten responses, HTTPException caught and rendered, per-request state,
// sub-app middlewares inside their parent's, normalize_path_middleware.

#include <chrono>

#include "web_test_app.hpp"

using namespace web_test;

namespace {

using Log = std::vector<std::string>;

// A middleware that writes "<name>>" on the way in and "<<name>" on the way out.
web::Middleware tracing(Log& log, std::string name) {
    web::Middleware mw = [&log, name](web::Request& req, const web::Handler& next) -> aio::Coro<web::Response> {
        log.push_back(name + ">");
        web::Response resp = co_await next(req);
        log.push_back("<" + name);
        co_return resp;
    };
    return mw;
}

// The docs' error-page middleware: 404s and 500s become an HTML page; other statuses pass.
aio::Coro<web::Response> error_pages(web::Request& req, const web::Handler& next) {
    int status = 0;
    try {
        co_return co_await next(req);
    } catch (const web::HTTPException& e) {
        if (e.status() != 404) throw;
        status = 404;
    } catch (const std::exception&) {
        status = 500;
    }
    web::Response page("<h1>" + std::to_string(status) + "</h1><p>" + std::string(req.path()) + "</p>", status,
                       "text/html");
    co_return page;
}

// The docs' timing middleware: how long the rest of the chain took, as a header.
aio::Coro<web::Response> timing(web::Request& req, const web::Handler& next) {
    auto start = std::chrono::steady_clock::now();
    web::Response resp = co_await next(req);
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start);
    resp.headers.set("X-Elapsed-Us", std::to_string(us.count()));
    co_return resp;
}

}  // namespace

TEST_F(WebTest, MiddlewaresWrapTheHandlerLikeAnOnion) {
    Log log;
    web::Application app;
    app.middlewares.push_back(tracing(log, "outer"));
    app.middlewares.push_back(tracing(log, "inner"));
    app.router().add_get("/", [&log](web::Request&) -> aio::Coro<web::Response> {
        log.push_back("handler");
        co_return web::Response("ok");
    });
    serve(app, [](std::uint16_t port) -> aio::Coro<void> { EXPECT_EQ((co_await fetch(port, "GET", "/")).body, "ok"); });
    EXPECT_EQ(log, (Log{"outer>", "inner>", "handler", "<inner", "<outer"}));
}

TEST_F(WebTest, AMiddlewareCanAnswerWithoutCallingTheHandler) {
    bool handler_ran = false;
    web::Application app;
    web::Middleware auth = [](web::Request& req, const web::Handler& next) -> aio::Coro<web::Response> {
        if (req.header("Authorization") != "Bearer good") co_return web::Response("go away", 401);
        co_return co_await next(req);
    };
    app.middlewares.push_back(auth);
    app.router().add_get("/secret", [&handler_ran](web::Request&) -> aio::Coro<web::Response> {
        handler_ran = true;
        co_return web::Response("the secret");
    });
    serve(app, [&handler_ran](std::uint16_t port) -> aio::Coro<void> {
        Reply denied = co_await fetch(port, "GET", "/secret");
        EXPECT_EQ(denied.status, 401);
        EXPECT_FALSE(handler_ran);
        aio::http::RequestOptions with_token;
        with_token.headers = {{"Authorization", "Bearer good"}};
        EXPECT_EQ((co_await fetch(port, "GET", "/secret", with_token)).body, "the secret");
        EXPECT_TRUE(handler_ran);
    });
}

TEST_F(WebTest, AMiddlewareCanRewriteTheResponse) {
    web::Application app;
    web::Middleware upper = [](web::Request& req, const web::Handler& next) -> aio::Coro<web::Response> {
        web::Response resp = co_await next(req);
        for (char& c : resp.body) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        resp.headers.add("X-Rewritten", "yes");
        resp.status = 203;
        co_return resp;
    };
    app.middlewares.push_back(upper);
    app.middlewares.push_back(timing);
    app.router().add_get("/", [](web::Request&) -> aio::Coro<web::Response> { co_return web::Response("quiet"); });
    serve(app, [](std::uint16_t port) -> aio::Coro<void> {
        Reply r = co_await fetch(port, "GET", "/");
        EXPECT_EQ(r.status, 203);
        EXPECT_EQ(r.body, "QUIET");
        EXPECT_EQ(r.headers.get("X-Rewritten", ""), "yes");
        EXPECT_FALSE(r.headers.get("X-Elapsed-Us", "").empty());
    });
}

TEST_F(WebTest, AnErrorPageMiddlewareCatchesNotFoundAndFailuresButNotOtherStatuses) {
    web::Application app;
    app.middlewares.push_back(error_pages);
    app.router().add_get("/fail", [](web::Request&) -> aio::Coro<web::Response> { throw std::runtime_error("x"); });
    app.router().add_get("/gone", [](web::Request&) -> aio::Coro<web::Response> { throw web::HTTPNotFound(); });
    app.router().add_get("/forbidden", [](web::Request&) -> aio::Coro<web::Response> { throw web::HTTPForbidden(); });
    app.router().add_get("/ok", [](web::Request&) -> aio::Coro<web::Response> { co_return web::Response("fine"); });
    serve(app, [](std::uint16_t port) -> aio::Coro<void> {
        Reply missing = co_await fetch(port, "GET", "/no/such/page");  // no route: the router's 404
        EXPECT_EQ(missing.status, 404);
        EXPECT_EQ(missing.body, "<h1>404</h1><p>/no/such/page</p>");
        EXPECT_EQ(missing.headers.get("Content-Type", ""), "text/html");
        EXPECT_EQ((co_await fetch(port, "GET", "/gone")).body, "<h1>404</h1><p>/gone</p>");
        Reply failed = co_await fetch(port, "GET", "/fail");
        EXPECT_EQ(failed.status, 500);
        EXPECT_EQ(failed.body, "<h1>500</h1><p>/fail</p>");
        Reply forbidden = co_await fetch(port, "GET", "/forbidden");
        EXPECT_EQ(forbidden.status, 403);
        EXPECT_EQ(forbidden.body, "403: Forbidden");
        EXPECT_EQ((co_await fetch(port, "GET", "/ok")).body, "fine");
        Reply na = co_await fetch(port, "POST", "/ok");  // 405 passes through, with its Allow
        EXPECT_EQ(na.status, 405);
        EXPECT_EQ(na.headers.get("Allow", ""), "GET,HEAD");
    });
}

TEST_F(WebTest, AMiddlewareCanTurnAResponseIntoAnHttpExceptionForTheOneOutside) {
    Log log;
    web::Application app;
    web::Middleware outer = [&log](web::Request& req, const web::Handler& next) -> aio::Coro<web::Response> {
        try {
            co_return co_await next(req);
        } catch (const web::HTTPRedirection& e) {
            log.push_back("saw " + std::to_string(e.status()));
            throw;
        }
    };
    web::Middleware inner = [](web::Request& req, const web::Handler& next) -> aio::Coro<web::Response> {
        web::Response resp = co_await next(req);
        if (resp.body == "old") throw web::HTTPSeeOther("/new");
        co_return resp;
    };
    app.middlewares.push_back(outer);
    app.middlewares.push_back(inner);
    app.router().add_get("/old", [](web::Request&) -> aio::Coro<web::Response> { co_return web::Response("old"); });
    serve(app, [](std::uint16_t port) -> aio::Coro<void> {
        Reply r = co_await fetch(port, "GET", "/old");
        EXPECT_EQ(r.status, 303);
        EXPECT_EQ(r.headers.get("Location", ""), "/new");
    });
    EXPECT_EQ(log, (Log{"saw 303"}));
}

namespace {
const web::RequestKey<std::string> user_key{"user"};
}

TEST_F(WebTest, AMiddlewareHandsPerRequestStateToTheHandler) {
    web::Application app;
    web::Middleware who = [](web::Request& req, const web::Handler& next) -> aio::Coro<web::Response> {
        req[user_key] = std::string(req.header("X-User"));
        co_return co_await next(req);
    };
    app.middlewares.push_back(who);
    app.router().add_get("/me", [](web::Request& req) -> aio::Coro<web::Response> {
        co_return web::Response("you are " + req[user_key].get());
    });
    serve(app, [](std::uint16_t port) -> aio::Coro<void> {
        aio::http::RequestOptions alice;
        alice.headers = {{"X-User", "alice"}};
        EXPECT_EQ((co_await fetch(port, "GET", "/me", alice)).body, "you are alice");
        aio::http::RequestOptions bob;
        bob.headers = {{"X-User", "bob"}};
        EXPECT_EQ((co_await fetch(port, "GET", "/me", bob)).body, "you are bob");  // nothing kept
    });
}

TEST_F(WebTest, SubAppMiddlewaresRunInsideTheParentsAndSeeTheSubApp) {
    Log log;
    web::Application app;
    web::Application sub;
    const web::AppKey<std::string> name{"name"};
    app[name] = std::string("main");
    sub[name] = std::string("sub");
    app.middlewares.push_back(tracing(log, "parent"));
    web::Middleware sub_mw = [&log, &name](web::Request& req, const web::Handler& next) -> aio::Coro<web::Response> {
        log.push_back("sub> app=" + req.app()[name].get());
        co_return co_await next(req);
    };
    sub.middlewares.push_back(sub_mw);
    app.router().add_get("/top", [&log](web::Request&) -> aio::Coro<web::Response> {
        log.push_back("top");
        co_return web::Response("top");
    });
    sub.router().add_get("/x", [&log, &name](web::Request& req) -> aio::Coro<web::Response> {
        log.push_back("x app=" + req.app()[name].get());
        co_return web::Response("x");
    });
    app.add_subapp("/sub", sub);
    serve(app, [&log](std::uint16_t port) -> aio::Coro<void> {
        EXPECT_EQ((co_await fetch(port, "GET", "/sub/x")).body, "x");
        EXPECT_EQ(log, (Log{"parent>", "sub> app=sub", "x app=sub", "<parent"}));
        log.clear();
        EXPECT_EQ((co_await fetch(port, "GET", "/top")).body, "top");
        EXPECT_EQ(log, (Log{"parent>", "top", "<parent"}));  // the sub-app's stays out
        log.clear();
        EXPECT_EQ((co_await fetch(port, "GET", "/sub/none")).status, 404);
        // A sub-app's 404 is its own (its middlewares see it); it is thrown, so the tracing
        // middleware's way out is not taken.
        EXPECT_EQ(log, (Log{"parent>", "sub> app=sub"}));
    });
}

TEST_F(WebTest, NormalizePathRedirectsToTheSlashedPathThatExists) {
    web::Application app;
    app.middlewares.push_back(web::normalize_path_middleware());
    app.router().add_get("/docs/", [](web::Request&) -> aio::Coro<web::Response> { co_return web::Response("docs"); });
    app.router().add_get("/a/b", [](web::Request&) -> aio::Coro<web::Response> { co_return web::Response("ab"); });
    serve(app, [](std::uint16_t port) -> aio::Coro<void> {
        Reply slash = co_await fetch(port, "GET", "/docs?x=1");
        EXPECT_EQ(slash.status, 308);
        EXPECT_EQ(slash.headers.get("Location", ""), "/docs/?x=1");
        Reply merged = co_await fetch(port, "GET", "/a//b");
        EXPECT_EQ(merged.status, 308);
        EXPECT_EQ(merged.headers.get("Location", ""), "/a/b");
        EXPECT_EQ((co_await fetch(port, "GET", "/docs/")).body, "docs");
        EXPECT_EQ((co_await fetch(port, "GET", "/nothing")).status, 404);
        // Never a redirect to another host.
        http_test::RawResponse open = co_await raw(port, http_test::get("//docs"));
        EXPECT_EQ(open.status, 308);
        EXPECT_EQ(open.field("location"), "/docs/");
    });
}
