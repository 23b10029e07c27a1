#pragma once
/// aio::web::AccessLogger — one line per answered request, in the Apache-style format of aiohttp's
/// `AccessLogger`; AppRunner and run_app() write it for every request when `access_log` is on.
///
/// ```
/// aio::web::AccessLogger log;                       // aiohttp's default format, to stderr
/// // 127.0.0.1 [07/Dec/2026:06:10:00 +0000] "GET /hello HTTP/1.1" 200 5 "-" "curl/8.5.0"
/// std::vector<std::string> lines;
/// aio::web::AccessLogger mine("%a %s %Tf", [&](std::string_view l) { lines.emplace_back(l); });
/// ```
///
/// The directives (aiohttp's): `%%` a percent sign; `%a` the remote address (`-` if unknown);
/// `%t` when the request started, `[07/Dec/2026:06:10:00 +0000]` (UTC); `%P` the process id as
/// `<1234>`; `%r` the request line `GET /path?q HTTP/1.1`; `%s` the status; `%b` (and `%O`) the
/// body bytes sent; `%T` the time taken in whole seconds, `%Tf` in seconds with 6 decimals, `%D`
/// in microseconds; `%{Name}i` a request field and `%{Name}o` a response field (`-` if absent);
/// `%{NAME}e` an environment variable. Anything else is copied as it is.
///
/// The format is compiled once, in the constructor: a line costs one string and no parsing. With
/// the log off, the runner does not wrap the handler at all, so nothing is measured or formatted.
///
/// A request that switched protocols (a websocket, status 101) is logged when its handler
/// returns, that is when the websocket is over, with the time it was open.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "aio/core/clock.hpp"
#include "aio/http/headers.hpp"
#include "aio/http/request.hpp"
#include "aio/http/server.hpp"

namespace aio::web {

/// aiohttp's default access log format.
inline constexpr std::string_view kDefaultAccessLogFormat = R"(%a %t "%r" %s %b "%{Referer}i" "%{User-Agent}i")";

/// Where the lines go: called with one line, without its newline, on the loop's thread.
using AccessLogSink = std::function<void(std::string_view line)>;

/// Writes `line` and a newline to stderr in one write (the default sink).
void stderr_access_log_sink(std::string_view line);

/// What the logger knows of one answered request.
struct AccessLogRecord {
    const http::Request& request;
    int status = 0;
    /// The body bytes sent (0 for HEAD, 204, 304).
    std::uint64_t body_size = 0;
    /// The response's own fields, for `%{Name}o`; null when not known (a streamed response).
    const http::Headers* response_headers = nullptr;
    /// When the request started (wall clock, for `%t`).
    std::chrono::system_clock::time_point start{};
    /// How long it took.
    Duration elapsed{};
};

class AccessLogger {
public:
    /// Compiles `format`; an empty sink means stderr_access_log_sink.
    explicit AccessLogger(std::string_view format = kDefaultAccessLogFormat, AccessLogSink sink = {});

    /// The line for `record`, without a newline.
    std::string format(const AccessLogRecord& record) const;
    /// Formats `record` and hands the line to the sink. An exception from the sink propagates.
    void log(const AccessLogRecord& record) const;

    /// `handler` wrapped so that each request it answers is logged by `logger` once its response
    /// is made (or, for an exception, with the status the server answers: the HTTPException's,
    /// else 500; the exception goes on to the server).
    static http::Handler wrap(http::Handler handler, std::shared_ptr<const AccessLogger> logger);

    struct Part;

private:
    std::vector<Part> parts_;
    AccessLogSink sink_;
};

/// One piece of a compiled format.
struct AccessLogger::Part {
    enum class Kind : std::uint8_t {
        text,
        remote,
        start_time,
        pid,
        request_line,
        status,
        body_size,
        seconds,
        seconds_fraction,
        microseconds,
        request_header,
        response_header,
        environment,
    };
    Kind kind = Kind::text;
    /// The literal text, or the field or variable name.
    std::string text;
};

}  // namespace aio::web
