#pragma once
// What the web tests share: an Application served by aio::http::serve on 127.0.0.1:0 for the
// length of a test body, a real ClientSession for requests, and the raw client of the http
// tests for what must be seen byte for byte (HEAD, Allow, no redirect following).

#include <nlohmann/json.hpp>

#include "aio/http/client.hpp"
#include "aio/web/web.hpp"
#include "http_server_client.hpp"

namespace web_test {

namespace web = aio::web;
using namespace std::chrono_literals;

struct Reply {
    int status = 0;
    aio::http::Headers headers;
    std::string body;
};

inline std::string url(std::uint16_t port, std::string_view path) {
    return "http://127.0.0.1:" + std::to_string(port) + std::string(path);
}

/// One request on a session of its own (closed before it returns), redirects not followed.
inline aio::Coro<Reply> fetch(std::uint16_t port, std::string method, std::string path,
                              const aio::http::RequestOptions& options) {
    aio::http::ClientSession session;
    aio::http::RequestOptions opts = options;
    opts.allow_redirects = false;
    std::exception_ptr failed;
    Reply out;
    try {
        aio::http::ClientResponse r = co_await session.request(std::move(method), url(port, path), opts);
        out.status = r.status;
        out.headers = r.headers;
        out.body = co_await r.text();
    } catch (...) {
        failed = std::current_exception();
    }
    session.close();
    if (failed) std::rethrow_exception(failed);
    co_return out;
}

inline aio::Coro<Reply> fetch(std::uint16_t port, std::string method, std::string path) {
    aio::http::RequestOptions none;
    co_return co_await fetch(port, std::move(method), std::move(path), none);
}

/// Sends `request` as bytes and reads one response.
inline aio::Coro<http_test::RawResponse> raw(std::uint16_t port, std::string request, bool head = false) {
    auto client = co_await http_test::RawClient::connect(port);
    co_await client.send(std::move(request));
    http_test::RawResponse resp = co_await client.response(head);
    co_await client.close();
    co_return resp;
}

class WebTest : public http_test::HttpServerTest {
protected:
    /// Serves `app` while `body(port)` runs, then shuts the server down.
    template <class Body>
    void serve(web::Application& app, Body body) {
        run(serve_then(app, std::move(body)));
    }

    template <class Body>
    static aio::Coro<void> serve_then(web::Application& app, Body body) {
        aio::http::Handler handler = app.make_handler();
        auto server = co_await aio::http::serve(handler, "127.0.0.1", 0);
        std::exception_ptr failed;
        try {
            co_await body(server->port());
        } catch (...) {
            failed = std::current_exception();
        }
        co_await server->shutdown(std::chrono::seconds(2));
        if (failed) std::rethrow_exception(failed);
    }
};

}  // namespace web_test
