// Typed state keys, MultiDict, FrozenList and the HTTPException family on their own.

#include <gtest/gtest.h>

#include <memory>

#include "aio/web/web.hpp"

namespace web = aio::web;

TEST(WebState, KeysOfDifferentTypesAndSameNamesNeverCollide) {
    const web::AppKey<int> a{"x"};
    const web::AppKey<std::string> b{"x"};
    const web::AppKey<int> c{"x"};
    web::Application app;
    app[a] = 1;
    app[b] = std::string("one");
    EXPECT_EQ(app[a].get(), 1);
    EXPECT_EQ(app[b].get(), "one");
    EXPECT_FALSE(app.state().contains(c));
    EXPECT_THROW(app[c].get(), web::KeyError);
    int& ref = app[a];
    ref = 5;
    EXPECT_EQ(app[a].get(), 5);
    app[a] = 6;  // assigns in place: `ref` still refers to the value
    EXPECT_EQ(ref, 6);
    EXPECT_EQ(*app.state().get(a), 6);
    const web::Application& capp = app;
    EXPECT_EQ(capp[b], "one");
    EXPECT_THROW((void)capp[c], web::KeyError);
}

TEST(WebState, AMissingKeysErrorNamesTheKey) {
    const web::AppKey<int> db{"database"};
    web::Application app;
    try {
        (void)app[db].get();
        FAIL() << "no KeyError";
    } catch (const web::KeyError& e) {
        EXPECT_NE(std::string(e.what()).find("database"), std::string::npos);
    }
}

TEST(WebState, MoveOnlyValuesAreHeldAndDestroyedWithTheMap) {
    const web::AppKey<std::unique_ptr<int>> key{"p"};
    auto counter = std::make_shared<int>(0);
    const web::AppKey<std::shared_ptr<int>> shared{"s"};
    {
        web::StateMap m;
        m[key] = std::make_unique<int>(3);
        m[shared] = counter;
        EXPECT_EQ(*m[key].get(), 3);
        EXPECT_EQ(counter.use_count(), 2);
        EXPECT_EQ(m.emplace(key, std::make_unique<int>(4)) == nullptr, false);
        EXPECT_EQ(*m[key].get(), 4);
        EXPECT_TRUE(m.erase(key));
        EXPECT_FALSE(m.erase(key));
    }
    EXPECT_EQ(counter.use_count(), 1);
}

TEST(WebState, MultiDictKeepsOrderAndRepeats) {
    web::MultiDict q = web::MultiDict::from_query("a=1&b=x+y&a=2&c&&d=%C3%A9");
    EXPECT_EQ(q.size(), 5u);
    EXPECT_EQ(q.get("a"), "1");
    EXPECT_EQ(q.get_all("a"), (std::vector<std::string_view>{"1", "2"}));
    EXPECT_EQ(q["b"], "x y");
    EXPECT_EQ(q["c"], "");
    EXPECT_EQ(q["d"], "\xC3\xA9");
    EXPECT_EQ(q.get("z", "none"), "none");
    EXPECT_FALSE(q.get("A"));  // case-sensitive
    EXPECT_THROW((void)q["z"], web::KeyError);
    EXPECT_TRUE(web::MultiDict::from_query("").empty());
}

TEST(WebState, FrozenListRefusesChangesOnceFrozen) {
    web::FrozenList<int> l;
    l.push_back(1);
    l.insert(0, 0);
    l += 2;
    EXPECT_EQ(l.size(), 3u);
    EXPECT_EQ(l[0], 0);
    l.freeze();
    EXPECT_THROW(l.push_back(3), aio::RuntimeError);
    EXPECT_THROW(l.clear(), aio::RuntimeError);
    EXPECT_EQ(l.size(), 3u);
}

TEST(WebHttpExceptions, DefaultTextAndContentTypeAreAiohttps) {
    web::HTTPNotFound e;
    EXPECT_EQ(e.status(), 404);
    EXPECT_EQ(e.reason(), "Not Found");
    EXPECT_EQ(e.text(), "404: Not Found");
    aio::http::Response r = e.to_response();
    EXPECT_EQ(r.status, 404);
    EXPECT_EQ(r.body, "404: Not Found");
    EXPECT_EQ(r.content_type, "text/plain; charset=utf-8");
}

TEST(WebHttpExceptions, RedirectsCarryTheirLocation) {
    web::HTTPFound f("/there");
    EXPECT_EQ(f.status(), 302);
    EXPECT_EQ(f.location(), "/there");
    EXPECT_EQ(f.to_response().headers.get("Location", ""), "/there");
    EXPECT_EQ(web::HTTPMovedPermanently("/a").status(), 301);
    EXPECT_EQ(web::HTTPSeeOther("/a").status(), 303);
    EXPECT_EQ(web::HTTPTemporaryRedirect("/a").status(), 307);
    EXPECT_EQ(web::HTTPPermanentRedirect("/a").status(), 308);
    EXPECT_THROW(web::HTTPFound(""), aio::ValueError);
}

TEST(WebHttpExceptions, TheHierarchyLetsAMiddlewareCatchAClass) {
    auto thrown = [](auto e) -> int {
        try {
            throw e;
        } catch (const web::HTTPClientError&) {
            return 4;
        } catch (const web::HTTPServerError&) {
            return 5;
        } catch (const web::HTTPRedirection&) {
            return 3;
        }
    };
    EXPECT_EQ(thrown(web::HTTPBadRequest()), 4);
    EXPECT_EQ(thrown(web::HTTPTooManyRequests()), 4);
    EXPECT_EQ(thrown(web::HTTPServiceUnavailable()), 5);
    EXPECT_EQ(thrown(web::HTTPNotModified()), 3);
    try {
        throw web::HTTPUnprocessableEntity("bad field");
    } catch (const aio::http::HTTPException& e) {  // what the HTTP layer's server knows
        EXPECT_EQ(e.status(), 422);
        EXPECT_STREQ(e.what(), "bad field");
    }
}

TEST(WebHttpExceptions, NotModifiedHasNoBody) {
    web::HTTPNotModified e({{"ETag", "\"x\""}});
    aio::http::Response r = e.to_response();
    EXPECT_EQ(r.status, 304);
    EXPECT_TRUE(r.body.empty());
    EXPECT_TRUE(r.content_type.empty());
    EXPECT_EQ(r.headers.get("ETag", ""), "\"x\"");
}

TEST(WebHttpExceptions, CustomTextHeadersAndContentType) {
    web::HTTPException e(418, "<b>teapot</b>", {{"X-A", "1"}}, "I'm a teapot", "text/html");
    aio::http::Response r = e.to_response();
    EXPECT_EQ(r.status, 418);
    EXPECT_EQ(r.reason, "I'm a teapot");
    EXPECT_EQ(r.body, "<b>teapot</b>");
    EXPECT_EQ(r.content_type, "text/html");
    EXPECT_EQ(r.headers.get("X-A", ""), "1");
}

TEST(WebJsonResponse, SerialisesWithJsonContentType) {
    web::Response r = web::json_response({{"a", 1}}, 201, {{"X-B", "2"}});
    EXPECT_EQ(r.status, 201);
    EXPECT_EQ(r.body, "{\"a\":1}");
    EXPECT_EQ(r.content_type, "application/json; charset=utf-8");
    EXPECT_EQ(r.headers.get("X-B", ""), "2");
}
