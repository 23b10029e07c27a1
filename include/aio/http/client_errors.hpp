#pragma once
/// The client's errors, named as aiohttp names them. Every one is a ClientError and carries the
/// URL of the request that failed (empty when none applies).
///
/// ```
/// try {
///     auto r = co_await session.get(url);
///     r.raise_for_status();
/// } catch (const aio::http::ClientResponseError& e) {   // e.status() == 404
/// } catch (const aio::http::ClientConnectorError& e) {  // e.host(), e.port(), e.os_error()
/// } catch (const aio::http::ClientError& e) {           // any other client failure
/// }
/// ```
///
/// Timeouts are not ClientErrors: a request that runs out of time raises aio::TimeoutError (an
/// OSError, as Python's builtin TimeoutError), whichever of ClientTimeout's deadlines passed.
///
/// aiohttp's ClientOSError is both a ClientConnectionError and an OSError. A C++ class cannot be
/// both without two `std::exception` bases (then `catch (const std::exception&)` would no longer
/// match), so ClientOSError is a ClientConnectionError that holds the OSError: `os_error()`
/// rethrows or inspects it, `errno_code()` is its errno.

#include <cstdint>
#include <exception>
#include <stdexcept>
#include <string>

#include "aio/http/headers.hpp"

namespace aio::http {

/// The root of the client's errors (aiohttp.ClientError).
class ClientError : public std::runtime_error {
public:
    ClientError(const std::string& message, std::string url = {});
    /// The URL of the request, without credentials.
    const std::string& url() const noexcept { return url_; }

private:
    std::string url_;
};

/// The connection failed or was lost (aiohttp.ClientConnectionError). Also raised for a request
/// that MockResponses has no answer for.
class ClientConnectionError : public ClientError {
public:
    using ClientError::ClientError;
};

/// An OS-level error on the connection (aiohttp.ClientOSError): holds the aio::OSError.
class ClientOSError : public ClientConnectionError {
public:
    ClientOSError(const std::string& message, std::string url, std::exception_ptr os_error, int errno_code);
    /// The OSError that caused this one (null if none).
    const std::exception_ptr& os_error() const noexcept { return os_error_; }
    int errno_code() const noexcept { return errno_; }

private:
    std::exception_ptr os_error_;
    int errno_;
};

/// Connecting to the server failed: name resolution, refusal, TLS (aiohttp.ClientConnectorError).
/// what() reads "Cannot connect to host 127.0.0.1:1 ssl:default [connect(127.0.0.1:1): Connection
/// refused]".
class ClientConnectorError : public ClientOSError {
public:
    ClientConnectorError(std::string host, std::uint16_t port, bool ssl, std::string url, std::exception_ptr os_error);
    const std::string& host() const noexcept { return host_; }
    std::uint16_t port() const noexcept { return port_; }

private:
    std::string host_;
    std::uint16_t port_;
};

/// The server closed the connection before the response was complete
/// (aiohttp.ServerDisconnectedError).
class ServerDisconnectedError : public ClientConnectionError {
public:
    explicit ServerDisconnectedError(std::string url, const std::string& message = "Server disconnected");
};

/// The response's body is truncated or malformed, or could not be decoded
/// (aiohttp.ClientPayloadError).
class ClientPayloadError : public ClientError {
public:
    using ClientError::ClientError;
};

/// The response itself is malformed: a bad status line or header (aiohttp.ClientResponseError
/// with status 0 is what aiohttp raises; aio names it).
class ClientResponseError : public ClientError {
public:
    ClientResponseError(std::string url, int status, std::string message, Headers headers = {});
    /// The HTTP status (0 when the response could not be parsed).
    int status() const noexcept { return status_; }
    /// The reason phrase, or what was wrong.
    const std::string& message() const noexcept { return message_; }
    const Headers& headers() const noexcept { return headers_; }

private:
    int status_;
    std::string message_;
    Headers headers_;
};

/// More redirects than `max_redirects` (aiohttp.TooManyRedirects).
class TooManyRedirects : public ClientResponseError {
public:
    TooManyRedirects(std::string url, int status, Headers headers);
};

/// json() on a response whose Content-Type is not JSON (aiohttp.ContentTypeError).
class ContentTypeError : public ClientResponseError {
public:
    using ClientResponseError::ClientResponseError;
};

}  // namespace aio::http
