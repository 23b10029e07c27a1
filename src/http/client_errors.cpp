#include "aio/http/client_errors.hpp"

#include <utility>

#include "aio/core/exceptions.hpp"

namespace aio::http {

namespace {

std::string with_url(const std::string& message, const std::string& url) {
    return url.empty() ? message : message + " (" + url + ")";
}

std::string describe(const std::exception_ptr& e) {
    if (!e) return "unknown error";
    try {
        std::rethrow_exception(e);
    } catch (const std::exception& x) {
        return x.what();
    } catch (...) {
        return "unknown error";
    }
}

}  // namespace

ClientError::ClientError(const std::string& message, std::string url)
    : std::runtime_error(with_url(message, url)), url_(std::move(url)) {}

ClientOSError::ClientOSError(const std::string& message, std::string url, std::exception_ptr os_error,
                             int errno_code)
    : ClientConnectionError(message, std::move(url)), os_error_(std::move(os_error)), errno_(errno_code) {}

namespace {
int errno_of(const std::exception_ptr& e) {
    if (!e) return 0;
    try {
        std::rethrow_exception(e);
    } catch (const OSError& x) {
        return x.errno_code();
    } catch (...) {
        return 0;
    }
}
}  // namespace

ClientConnectorError::ClientConnectorError(std::string host, std::uint16_t port, bool ssl, std::string url,
                                           std::exception_ptr os_error)
    : ClientOSError("Cannot connect to host " + host + ":" + std::to_string(port) +
                        (ssl ? " ssl:default [" : " ssl:False [") + describe(os_error) + "]",
                    std::move(url), os_error, errno_of(os_error)),
      host_(std::move(host)),
      port_(port) {}

ServerDisconnectedError::ServerDisconnectedError(std::string url, const std::string& message)
    : ClientConnectionError(message, std::move(url)) {}

ClientResponseError::ClientResponseError(std::string url, int status, std::string message, Headers headers)
    : ClientError(std::to_string(status) + ", message='" + message + "'", std::move(url)),
      status_(status),
      message_(std::move(message)),
      headers_(std::move(headers)) {}

TooManyRedirects::TooManyRedirects(std::string url, int status, Headers headers)
    : ClientResponseError(std::move(url), status, "Too many redirects", std::move(headers)) {}

}  // namespace aio::http
