// The HTTPException family and json_response: how an exception becomes the answer.

#include "aio/web/http_exceptions.hpp"

#include <algorithm>

#include "aio/core/exceptions.hpp"
#include "aio/web/handler.hpp"

namespace aio::web {

namespace {

std::string default_text(int status, const std::string& reason) {
    return std::to_string(status) + ": " + reason;
}

}  // namespace

HTTPException::HTTPException(int status, std::string text, http::Headers headers, std::string reason,
                             std::string content_type)
    : http::HTTPException(status, text.empty() ? default_text(status, reason.empty()
                                                                       ? std::string(http::reason_phrase(status))
                                                                       : reason)
                                                : text),
      text_(what()),
      reason_(reason.empty() ? std::string(http::reason_phrase(status)) : std::move(reason)),
      content_type_(content_type.empty() ? std::string("text/plain; charset=utf-8") : std::move(content_type)),
      headers_(std::move(headers)) {
    // 204 and 304 have no body (RFC 9110 15.3.5, 15.4.5).
    if (status == 204 || status == 304) text_.clear();
}

http::Response HTTPException::to_response() const {
    http::Response resp(text_, status(), content_type_);
    if (status() == 204 || status() == 304) resp.content_type.clear();
    resp.reason = reason_;
    resp.headers = headers_;
    return resp;
}

HTTPMove::HTTPMove(int status, std::string location, std::string text, http::Headers headers)
    : HTTPRedirection(status, std::move(text), std::move(headers)), location_(std::move(location)) {
    if (location_.empty()) throw ValueError("HTTP redirects need a location to redirect to");
    this->headers().set("Location", location_);
}

HTTPMethodNotAllowed::HTTPMethodNotAllowed(std::string method, std::vector<std::string> allowed_methods,
                                           std::string text, http::Headers headers)
    : HTTPClientError(405, std::move(text), std::move(headers)),
      method_(std::move(method)),
      allowed_(std::move(allowed_methods)) {
    std::sort(allowed_.begin(), allowed_.end());
    allowed_.erase(std::unique(allowed_.begin(), allowed_.end()), allowed_.end());
    std::string allow;
    for (const auto& m : allowed_) {
        if (!allow.empty()) allow += ',';
        allow += m;
    }
    this->headers().set("Allow", allow);
}

Response json_response(const nlohmann::json& data, int status, http::Headers headers) {
    Response resp(data.dump(), status, "application/json; charset=utf-8");
    resp.headers = std::move(headers);
    return resp;
}

}  // namespace aio::web
