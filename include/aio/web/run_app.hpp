#pragma once
/// aio::web::run_app — aiohttp's `web.run_app(app)`: serves an Application until SIGINT, SIGTERM
/// or SIGHUP, then ends it gracefully and returns. The whole program:
///
/// ```
/// int main() {
///     aio::web::Application app;
///     app.router().add_get("/", hello);
///     aio::web::run_app(app, {.host = "127.0.0.1", .port = 8080});
/// }   // exit 0 after Ctrl-C, `kill`, or `kill -HUP`
/// ```
///
/// It prints `======== Running on http://127.0.0.1:8080 ========` and `(Press CTRL+C to quit)`
/// to stdout once listening, as aiohttp does (with the real port when 0 was asked for). On the
/// first signal it runs AppRunner::cleanup(): stop accepting, `on_shutdown` (close websockets
/// with 1001 GOING_AWAY), the requests in progress get `shutdown_timeout`, then `on_cleanup`.
/// Further signals during that are ignored. Then aio::run cancels what tasks are left (as
/// aiohttp's run_app does) and closes the loop.
///
/// Where it serves, as aiohttp: on TCP at `host`:`port` when either is set or no `path` is;
/// on the Unix socket `path` when set. So `{.path = "/run/app.sock"}` serves only there, and
/// `{.port = 8080, .path = "/run/app.sock"}` both.

#include <cstdint>
#include <optional>
#include <string_view>

#include "aio/core/clock.hpp"
#include "aio/core/coro.hpp"
#include "aio/http/server.hpp"
#include "aio/web/access_log.hpp"

namespace aio {
class SSLContext;
}

namespace aio::web {

class Application;

/// run_app()'s settings. Every member is trivially destructible, so `run_app(app, {...})` and
/// `co_await serve_app(app, {...})` are safe with g++ 12. The views must outlive the call (a
/// literal does; so does a temporary std::string passed to run_app(), which returns before it
/// dies).
struct RunAppOptions {
    /// TCP host; unset: every IPv4 address ("0.0.0.0", aiohttp's), unless only `path` is set.
    std::optional<std::string_view> host = std::nullopt;
    /// TCP port; unset: 8080. 0: a free port (printed).
    std::optional<std::uint16_t> port = std::nullopt;
    /// A Unix socket to serve on; empty: none.
    std::string_view path = {};
    /// How long the requests in progress get after the signal (aiohttp: 60 s).
    Duration shutdown_timeout = std::chrono::seconds(60);
    /// Log every request to stderr (or to run_app's sink), in `access_log_format`.
    bool access_log = true;
    std::string_view access_log_format = kDefaultAccessLogFormat;
    /// End gracefully on SIGINT, SIGTERM and SIGHUP. Off: serve_app() serves until cancelled
    /// (then ends gracefully as well), run_app() until the process is killed.
    bool handle_signals = true;
    /// Print the "Running on" lines.
    bool print = true;
    /// TCP listen() backlog (aiohttp: 128), SO_REUSEADDR, SO_REUSEPORT.
    int backlog = 128;
    bool reuse_address = true;
    bool reuse_port = false;
    /// Serve TLS on the TCP site (the line then says https). Must outlive the call.
    SSLContext* ssl_context = nullptr;
    /// The HTTP server's settings.
    http::ServerOptions handler = {};
};

/// Runs a loop (aio::run) serving `app` until a signal, then ends gracefully and returns.
/// Throws what the start-up throws (a hook, EADDRINUSE...), after cleaning up what started, and
/// what the clean-up hooks throw (CleanupError for several); RuntimeError inside a running loop.
void run_app(Application& app, RunAppOptions options = {}, AccessLogSink access_log_sink = {});

/// The same inside a running loop, for a program that does more than serve: returns after the
/// graceful end that a signal (with `handle_signals`) or cancelling it starts. A cancelled
/// serve_app() ends gracefully too, then rethrows CancelledError.
///
/// Cancel safety: cancelling it starts the graceful end instead of dropping the connections;
/// cancelling it again during that end cancels the end itself.
Coro<void> serve_app(Application& app, RunAppOptions options = {}, AccessLogSink access_log_sink = {});

}  // namespace aio::web
