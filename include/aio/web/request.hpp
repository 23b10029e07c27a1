#pragma once
/// aio::web::Request — the request a web handler gets (aiohttp's `web.Request`): the HTTP
/// layer's request (so it goes wherever an `http::Request&` is expected: StreamResponse,
/// FileResponse, WebSocketResponse) plus what the application knows about it: the app, the
/// route's parameters, the decoded path and query, per-request state.
///
/// ```
/// aio::Coro<aio::web::Response> search(aio::web::Request& req) {
///     std::string_view q = req.query().get("q", "");          // ?q=caf%C3%A9 -> "café"
///     auto& db = req.app()[database].get();
///     nlohmann::json body = co_await req.json();              // inherited from http::Request
///     co_return aio::web::json_response(db.search(q, body));
/// }
/// ```
///
/// A Request lives as long as its handler chain runs; the views it returns (path, headers,
/// match_info values) are valid until then.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "aio/http/request.hpp"
#include "aio/http/url.hpp"
#include "aio/web/match_info.hpp"
#include "aio/web/multidict.hpp"
#include "aio/web/state.hpp"

namespace aio::web {

class Application;
/// The parsed form of a request body (defined in form.hpp, by `read_form`).
class FormData;

class Request : public http::Request {
public:
    /// Wraps the HTTP layer's request for `app` (the application the server runs). `raw` must
    /// outlive this Request.
    Request(http::Request& raw, Application& app);
    Request(const Request&) = delete;
    Request& operator=(const Request&) = delete;
    ~Request();

    /// The application whose route answers: a sub-application for its routes (aiohttp's
    /// `request.app`). Before routing (in an outer middleware of the main app): the main app.
    Application& app() const noexcept { return *app_; }
    /// Looks `key` up in `app()`, then in the applications around it, innermost first
    /// (aiohttp's `request.config_dict[key]`): how a sub-app's handler reaches the main app's
    /// state. KeyError when none has it.
    template <class T>
    T& config(const AppKey<T>& key) const;
    /// The router's result: path parameters, route, apps.
    const MatchInfo& match_info() const noexcept { return match_; }
    MatchInfo& match_info() noexcept { return match_; }

    /// The path, percent-decoded (aiohttp's `request.path`): `/a%20b` -> `/a b`.
    std::string_view path() const noexcept { return path_; }
    /// The path as sent, still encoded, without the query (aiohttp's `raw_path` has the query:
    /// see `target()` for that).
    std::string_view raw_path() const noexcept { return http::Request::path(); }
    /// The path and query as sent (aiohttp's `path_qs`, not decoded).
    std::string_view path_qs() const noexcept { return target(); }
    /// The query, decoded (aiohttp's `request.query`). Parsed on first use.
    const MultiDict& query() const;
    /// The client's IP address as text (aiohttp's `request.remote`), empty when unknown; a
    /// Unix socket's peer gives its path (often empty).
    std::string remote() const;
    /// The peer's address with its port.
    SocketAddress peername() const { return http::Request::remote(); }
    /// The Host header, else the local address the connection came in on (aiohttp's `host`).
    std::string host() const;
    /// "https" over TLS, else "http".
    std::string_view scheme() const;
    bool secure() const { return scheme() == "https"; }
    /// The whole URL: scheme, host, path and query (aiohttp's `request.url`).
    http::URL url() const;
    /// The path and query as a relative URL (aiohttp's `rel_url`).
    http::URL rel_url() const;
    /// The media type of Content-Type, lower-cased, without parameters;
    /// `application/octet-stream` when there is none (aiohttp's `content_type`).
    std::string content_type() const;
    /// The charset parameter of Content-Type, lower-cased; empty when none.
    std::string charset() const;
    /// The request's method is one that may have a body (POST, PUT, PATCH, ...).
    bool has_body() const noexcept { return can_read_body(); }

    /// The form in the body (aiohttp's `await request.post()`): urlencoded or multipart (file
    /// uploads streamed to temporary files), read once and kept: a second call returns the same
    /// FormData. HTTPException(413) over client_max_size, HTTPException(400) for a malformed
    /// body; an empty FormData for any other Content-Type. Write
    /// `const aio::web::FormData& form = co_await req.post();`.
    Coro<std::reference_wrapper<const FormData>> post();
    /// The cookies of the Cookie header, name -> value (aiohttp's `request.cookies`), parsed
    /// on first use; pairs that are not valid cookies are skipped.
    const MultiDict& cookies() const;

    /// Per-request state (aiohttp's `request[key]`): what a middleware hands on to the handler.
    template <class T>
    StateRef<T> operator[](const RequestKey<T>& key) noexcept { return state_[key]; }
    template <class T>
    const T& operator[](const RequestKey<T>& key) const { return state_[key]; }
    StateMap& state() noexcept { return state_; }
    const StateMap& state() const noexcept { return state_; }

private:
    friend class Application;
    friend class UrlDispatcher;

    Application* app_;
    MatchInfo match_;
    std::string_view path_;
    std::string decoded_path_;  // path_ views it when the raw path has escapes
    mutable std::optional<MultiDict> query_;
    mutable std::optional<MultiDict> cookies_;
    std::shared_ptr<FormData> form_;  // shared_ptr: it can be destroyed where FormData is incomplete
    StateMap state_;
};

}  // namespace aio::web

#include "aio/web/application.hpp"

namespace aio::web {

template <class T>
T& Request::config(const AppKey<T>& key) const {
    for (auto it = match_.apps().rbegin(); it != match_.apps().rend(); ++it)
        if (T* v = (*it)->state().get(key)) return *v;
    if (match_.apps().empty())
        if (T* v = app_->state().get(key)) return *v;
    detail::throw_missing_key("state key", key.name());
}

}  // namespace aio::web
