#pragma once
/// The shapes of aio::web's handlers and middlewares, and aiohttp's response names.
///
/// A handler takes the request and answers with a response; a middleware (aiohttp's new-style
/// middleware) takes the request and the next handler of the chain, and may answer itself
/// (short-circuit), call `next` and rewrite what it returns, or catch what it throws:
///
/// ```
/// aio::web::Middleware timing = [](aio::web::Request& req, const aio::web::Handler& next)
///         -> aio::Coro<aio::web::Response> {
///     auto start = aio::Clock::now();
///     aio::web::Response resp = co_await next(req);
///     resp.headers.set("X-Elapsed-Us", std::to_string(
///         std::chrono::duration_cast<std::chrono::microseconds>(aio::Clock::now() - start).count()));
///     co_return resp;
/// };
/// app.middlewares.push_back(timing);
/// ```
///
/// `next` stays valid for as long as the application: a middleware may keep the reference
/// across its awaits.

#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "aio/core/coro.hpp"
#include "aio/http/headers.hpp"
#include "aio/http/response.hpp"

namespace aio::web {

class Request;

/// aiohttp's `web.Response`: a status, headers and the whole body.
using Response = http::Response;
/// aiohttp's `web.StreamResponse`: prepare(request), write(), write_eof(), then `co_return` it.
using StreamResponse = http::StreamResponse;

/// A request handler: what a route calls.
using Handler = std::function<Coro<Response>(Request&)>;
/// A middleware: the request and the rest of the chain.
using Middleware = std::function<Coro<Response>(Request&, const Handler& next)>;

/// aiohttp's `web.json_response`: `data` serialised, Content-Type `application/json;
/// charset=utf-8`. Throws nlohmann::json's type_error for a string that is not UTF-8.
Response json_response(const nlohmann::json& data, int status = 200, http::Headers headers = {});

}  // namespace aio::web
