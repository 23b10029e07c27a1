#pragma once
/// The HTTPException family (aiohttp's `web.HTTPException` and its named subclasses): a handler
/// or middleware throws one and the application answers with it, once the middlewares had a
/// chance to catch it.
///
/// ```
/// aio::Coro<aio::web::Response> user(aio::web::Request& req) {
///     auto it = users.find(std::string(req.match_info()["id"]));
///     if (it == users.end()) throw aio::web::HTTPNotFound();          // 404 "404: Not Found"
///     if (!it->second.active) throw aio::web::HTTPFound("/users");    // 302 Location: /users
///     co_return aio::web::json_response(it->second.to_json());
/// }
/// ```
///
/// The answer has the exception's status, reason, headers, and its text as the body with its
/// content type (by default `text/plain; charset=utf-8` and the text `"<status>: <reason>"`, as
/// aiohttp). The hierarchy is aiohttp's: HTTPError (HTTPClientError for 4xx, HTTPServerError
/// for 5xx), HTTPRedirection (HTTPMove for those with a Location), so a middleware can catch a
/// whole class. Any other exception escaping the middlewares becomes a 500 whose body says
/// nothing, reported to the loop's exception handler.

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "aio/http/headers.hpp"
#include "aio/http/request.hpp"
#include "aio/http/response.hpp"

namespace aio::web {

/// The base of the family. Deriving from http::HTTPException, it is also what the HTTP layer's
/// body readers throw (413, 400), so `catch (const http::HTTPException&)` catches both.
class HTTPException : public http::HTTPException {
public:
    /// `text` empty: `"<status>: <reason>"`. `content_type` empty: `text/plain; charset=utf-8`.
    explicit HTTPException(int status, std::string text = {}, http::Headers headers = {},
                           std::string reason = {}, std::string content_type = {});

    /// The reason phrase ("Not Found").
    const std::string& reason() const noexcept { return reason_; }
    /// The body.
    const std::string& text() const noexcept { return text_; }
    const std::string& content_type() const noexcept { return content_type_; }
    const http::Headers& headers() const noexcept { return headers_; }
    http::Headers& headers() noexcept { return headers_; }

    /// The response the application answers with.
    http::Response to_response() const;

private:
    std::string text_;
    std::string reason_;
    std::string content_type_;
    http::Headers headers_;
};

/// 4xx and 5xx.
class HTTPError : public HTTPException {
public:
    using HTTPException::HTTPException;
};
/// 4xx.
class HTTPClientError : public HTTPError {
public:
    using HTTPError::HTTPError;
};
/// 5xx.
class HTTPServerError : public HTTPError {
public:
    using HTTPError::HTTPError;
};
/// 3xx.
class HTTPRedirection : public HTTPException {
public:
    using HTTPException::HTTPException;
};

/// A redirection with a Location (301, 302, 303, 307, 308). ValueError for an empty location.
class HTTPMove : public HTTPRedirection {
public:
    HTTPMove(int status, std::string location, std::string text = {}, http::Headers headers = {});
    const std::string& location() const noexcept { return location_; }

private:
    std::string location_;
};

#define AIO_WEB_HTTP_MOVE(Name, code)                                                           \
    class Name : public HTTPMove {                                                              \
    public:                                                                                     \
        explicit Name(std::string location, std::string text = {}, http::Headers headers = {}) \
            : HTTPMove(code, std::move(location), std::move(text), std::move(headers)) {}       \
    };
#define AIO_WEB_HTTP_ERROR(Name, Base, code)                                      \
    class Name : public Base {                                                    \
    public:                                                                       \
        explicit Name(std::string text = {}, http::Headers headers = {})          \
            : Base(code, std::move(text), std::move(headers)) {}                  \
    };

/// 301 Moved Permanently.
AIO_WEB_HTTP_MOVE(HTTPMovedPermanently, 301)
/// 302 Found.
AIO_WEB_HTTP_MOVE(HTTPFound, 302)
/// 303 See Other.
AIO_WEB_HTTP_MOVE(HTTPSeeOther, 303)
/// 307 Temporary Redirect.
AIO_WEB_HTTP_MOVE(HTTPTemporaryRedirect, 307)
/// 308 Permanent Redirect.
AIO_WEB_HTTP_MOVE(HTTPPermanentRedirect, 308)

/// 304 Not Modified (no body).
class HTTPNotModified : public HTTPRedirection {
public:
    explicit HTTPNotModified(http::Headers headers = {}) : HTTPRedirection(304, {}, std::move(headers)) {}
};

/// 400 Bad Request.
AIO_WEB_HTTP_ERROR(HTTPBadRequest, HTTPClientError, 400)
/// 401 Unauthorized.
AIO_WEB_HTTP_ERROR(HTTPUnauthorized, HTTPClientError, 401)
/// 402 Payment Required.
AIO_WEB_HTTP_ERROR(HTTPPaymentRequired, HTTPClientError, 402)
/// 403 Forbidden.
AIO_WEB_HTTP_ERROR(HTTPForbidden, HTTPClientError, 403)
/// 404 Not Found.
AIO_WEB_HTTP_ERROR(HTTPNotFound, HTTPClientError, 404)
/// 406 Not Acceptable.
AIO_WEB_HTTP_ERROR(HTTPNotAcceptable, HTTPClientError, 406)
/// 408 Request Timeout.
AIO_WEB_HTTP_ERROR(HTTPRequestTimeout, HTTPClientError, 408)
/// 409 Conflict.
AIO_WEB_HTTP_ERROR(HTTPConflict, HTTPClientError, 409)
/// 410 Gone.
AIO_WEB_HTTP_ERROR(HTTPGone, HTTPClientError, 410)
/// 411 Length Required.
AIO_WEB_HTTP_ERROR(HTTPLengthRequired, HTTPClientError, 411)
/// 412 Precondition Failed.
AIO_WEB_HTTP_ERROR(HTTPPreconditionFailed, HTTPClientError, 412)
/// 413 Request Entity Too Large.
AIO_WEB_HTTP_ERROR(HTTPRequestEntityTooLarge, HTTPClientError, 413)
/// 414 Request-URI Too Long.
AIO_WEB_HTTP_ERROR(HTTPRequestURITooLong, HTTPClientError, 414)
/// 415 Unsupported Media Type.
AIO_WEB_HTTP_ERROR(HTTPUnsupportedMediaType, HTTPClientError, 415)
/// 416 Range Not Satisfiable.
AIO_WEB_HTTP_ERROR(HTTPRequestRangeNotSatisfiable, HTTPClientError, 416)
/// 417 Expectation Failed.
AIO_WEB_HTTP_ERROR(HTTPExpectationFailed, HTTPClientError, 417)
/// 422 Unprocessable Entity.
AIO_WEB_HTTP_ERROR(HTTPUnprocessableEntity, HTTPClientError, 422)
/// 428 Precondition Required.
AIO_WEB_HTTP_ERROR(HTTPPreconditionRequired, HTTPClientError, 428)
/// 429 Too Many Requests.
AIO_WEB_HTTP_ERROR(HTTPTooManyRequests, HTTPClientError, 429)
/// 431 Request Header Fields Too Large.
AIO_WEB_HTTP_ERROR(HTTPRequestHeaderFieldsTooLarge, HTTPClientError, 431)
/// 500 Internal Server Error.
AIO_WEB_HTTP_ERROR(HTTPInternalServerError, HTTPServerError, 500)
/// 501 Not Implemented.
AIO_WEB_HTTP_ERROR(HTTPNotImplemented, HTTPServerError, 501)
/// 502 Bad Gateway.
AIO_WEB_HTTP_ERROR(HTTPBadGateway, HTTPServerError, 502)
/// 503 Service Unavailable.
AIO_WEB_HTTP_ERROR(HTTPServiceUnavailable, HTTPServerError, 503)
/// 504 Gateway Timeout.
AIO_WEB_HTTP_ERROR(HTTPGatewayTimeout, HTTPServerError, 504)

#undef AIO_WEB_HTTP_MOVE
#undef AIO_WEB_HTTP_ERROR

/// 405 Method Not Allowed, with `Allow:` listing `allowed_methods` (sorted, as aiohttp).
class HTTPMethodNotAllowed : public HTTPClientError {
public:
    HTTPMethodNotAllowed(std::string method, std::vector<std::string> allowed_methods, std::string text = {},
                         http::Headers headers = {});
    const std::string& method() const noexcept { return method_; }
    const std::vector<std::string>& allowed_methods() const noexcept { return allowed_; }

private:
    std::string method_;
    std::vector<std::string> allowed_;
};

}  // namespace aio::web
