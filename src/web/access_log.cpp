// aio::web::AccessLogger: the format compiled into parts, a line built from them, and the handler
// wrapper that measures each request.

#include "aio/web/access_log.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>

#include "aio/core/event_loop.hpp"
#include "aio/core/exceptions.hpp"

namespace aio::web {

namespace {

using Kind = AccessLogger::Part::Kind;

bool is_name_char(char c) noexcept {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

void add_text(std::vector<AccessLogger::Part>& parts, std::string_view text) {
    if (text.empty()) return;
    if (!parts.empty() && parts.back().kind == Kind::text) {
        parts.back().text.append(text);
        return;
    }
    parts.push_back({Kind::text, std::string(text)});
}

// aiohttp's FORMAT_RE: `%{name}i|o|e`, `%a %t %P %r %s %b %O %D`, `%T`, `%Tf`; `%%` is a percent
// sign; any other `%x` stays as it is.
std::vector<AccessLogger::Part> compile(std::string_view f) {
    std::vector<AccessLogger::Part> parts;
    std::size_t i = 0;
    while (i < f.size()) {
        std::size_t pct = f.find('%', i);
        if (pct == std::string_view::npos || pct + 1 >= f.size()) {
            add_text(parts, f.substr(i));
            break;
        }
        add_text(parts, f.substr(i, pct - i));
        char d = f[pct + 1];
        i = pct + 2;
        switch (d) {
        case '%': add_text(parts, "%"); continue;
        case 'a': parts.push_back({Kind::remote, {}}); continue;
        case 't': parts.push_back({Kind::start_time, {}}); continue;
        case 'P': parts.push_back({Kind::pid, {}}); continue;
        case 'r': parts.push_back({Kind::request_line, {}}); continue;
        case 's': parts.push_back({Kind::status, {}}); continue;
        case 'b':
        case 'O': parts.push_back({Kind::body_size, {}}); continue;
        case 'D': parts.push_back({Kind::microseconds, {}}); continue;
        case 'T':
            if (i < f.size() && f[i] == 'f') {
                ++i;
                parts.push_back({Kind::seconds_fraction, {}});
            } else {
                parts.push_back({Kind::seconds, {}});
            }
            continue;
        case '{': {
            std::size_t close = f.find('}', i);
            if (close != std::string_view::npos && close > i && close + 1 < f.size()) {
                std::string_view name = f.substr(i, close - i);
                char which = f[close + 1];
                bool ok = which == 'i' || which == 'o' || which == 'e';
                for (char c : name) ok = ok && is_name_char(c);
                if (ok) {
                    Kind k = which == 'i' ? Kind::request_header : which == 'o' ? Kind::response_header : Kind::environment;
                    parts.push_back({k, std::string(name)});
                    i = close + 2;
                    continue;
                }
            }
            break;
        }
        default: break;
        }
        add_text(parts, f.substr(pct, 2));
    }
    return parts;
}

void append_time(std::string& out, std::chrono::system_clock::time_point t) {
    std::time_t secs = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[40];
    std::size_t n = std::strftime(buf, sizeof buf, "[%d/%b/%Y:%H:%M:%S +0000]", &tm);
    out.append(buf, n);
}

void append_number(std::string& out, std::uint64_t v) {
    char buf[24];
    int n = std::snprintf(buf, sizeof buf, "%llu", static_cast<unsigned long long>(v));
    out.append(buf, static_cast<std::size_t>(n));
}

void append_remote(std::string& out, const http::Request& req) {
    SocketAddress peer = req.remote();
    std::string host = peer.empty() || peer.is_unix() ? std::string() : peer.host();
    out.append(host.empty() ? std::string_view("-") : std::string_view(host));
}

// A status the server answers with when the handler throws (see http::Server).
int status_of(const std::exception_ptr& e) {
    try {
        std::rethrow_exception(e);
    } catch (const http::HTTPException& h) {
        return h.status();
    } catch (...) {
        return 500;
    }
}

std::uint64_t sent_body_size(const http::Request& req, const http::Response& resp) {
    if (resp.sent()) return resp.body_length();
    if (req.method() == "HEAD" || resp.status == 204 || resp.status == 304 || resp.status < 200) return 0;
    return resp.body.size();
}

// The sink failing must not fail the request it reports.
void log_quietly(const AccessLogger& logger, const AccessLogRecord& r) noexcept {
    try {
        logger.log(r);
    } catch (...) {
        get_running_loop().call_exception_handler({"access log sink failed", std::current_exception(), {}, {}});
    }
}

Coro<http::Response> logged(const http::Handler& inner, const AccessLogger& logger, http::Request& req) {
    EventLoop& loop = get_running_loop();
    auto wall = std::chrono::system_clock::now();
    TimePoint t0 = loop.time();
    std::exception_ptr failure;
    try {
        http::Response resp = co_await inner(req);
        log_quietly(logger, {.request = req,
                             .status = resp.status,
                             .body_size = sent_body_size(req, resp),
                             .response_headers = resp.sent() ? nullptr : &resp.headers,
                             .start = wall,
                             .elapsed = loop.time() - t0});
        co_return resp;
    } catch (...) {
        failure = std::current_exception();
    }
    // A cancelled handler (a client gone, the shutdown's grace over) answers nothing: no line.
    if (!is_cancelled_error(failure)) {
        log_quietly(logger, {.request = req,
                             .status = status_of(failure),
                             .body_size = 0,
                             .response_headers = nullptr,
                             .start = wall,
                             .elapsed = loop.time() - t0});
    }
    std::rethrow_exception(failure);
}

}  // namespace

void stderr_access_log_sink(std::string_view line) {
    std::string out;
    out.reserve(line.size() + 1);
    out.append(line);
    out.push_back('\n');
    std::fwrite(out.data(), 1, out.size(), stderr);
}

AccessLogger::AccessLogger(std::string_view format, AccessLogSink sink)
    : parts_(compile(format)), sink_(sink ? std::move(sink) : AccessLogSink(stderr_access_log_sink)) {}

std::string AccessLogger::format(const AccessLogRecord& r) const {
    std::string out;
    out.reserve(160);
    auto secs = std::chrono::duration<double>(r.elapsed).count();
    for (const Part& p : parts_) {
        switch (p.kind) {
        case Kind::text: out.append(p.text); break;
        case Kind::remote: append_remote(out, r.request); break;
        case Kind::start_time: append_time(out, r.start); break;
        case Kind::pid:
            out.push_back('<');
            append_number(out, static_cast<std::uint64_t>(::getpid()));
            out.push_back('>');
            break;
        case Kind::request_line: {
            out.append(r.request.method());
            out.push_back(' ');
            out.append(r.request.target());
            char v[16];
            int n = std::snprintf(v, sizeof v, " HTTP/%d.%d", r.request.version_major(), r.request.version_minor());
            out.append(v, static_cast<std::size_t>(n));
            break;
        }
        case Kind::status: append_number(out, static_cast<std::uint64_t>(r.status)); break;
        case Kind::body_size: append_number(out, r.body_size); break;
        case Kind::seconds: append_number(out, static_cast<std::uint64_t>(secs + 0.5)); break;
        case Kind::seconds_fraction: {
            char v[32];
            int n = std::snprintf(v, sizeof v, "%06f", secs);
            out.append(v, static_cast<std::size_t>(n));
            break;
        }
        case Kind::microseconds:
            append_number(out, static_cast<std::uint64_t>(
                                   std::chrono::duration_cast<std::chrono::microseconds>(r.elapsed).count()));
            break;
        case Kind::request_header: {
            std::string_view v = r.request.header(p.text);
            out.append(v.empty() && !r.request.has_header(p.text) ? std::string_view("-") : v);
            break;
        }
        case Kind::response_header: {
            std::optional<std::string_view> v;
            if (r.response_headers) v = r.response_headers->get(p.text);
            out.append(v ? *v : std::string_view("-"));
            break;
        }
        case Kind::environment: {
            const char* v = std::getenv(p.text.c_str());
            out.append(v ? v : "-");
            break;
        }
        }
    }
    return out;
}

void AccessLogger::log(const AccessLogRecord& record) const { sink_(format(record)); }

http::Handler AccessLogger::wrap(http::Handler handler, std::shared_ptr<const AccessLogger> logger) {
    // Not a coroutine itself: the captures live in the Handler, which outlives every request.
    return [handler = std::move(handler), logger = std::move(logger)](http::Request& req) {
        return logged(handler, *logger, req);
    };
}

}  // namespace aio::web
