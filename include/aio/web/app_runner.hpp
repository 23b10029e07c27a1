#pragma once
/// aio::web::AppRunner and its sites — aiohttp's `web.AppRunner`, `web.TCPSite` and
/// `web.UnixSite`: serving an Application from a program that runs its own loop (run_app() is
/// these plus the signals).
///
/// ```
/// aio::web::AppRunner runner(app);
/// co_await runner.setup();                               // freezes the app, runs on_startup
/// aio::web::TCPSite site(runner, "127.0.0.1", 8080);
/// co_await site.start();
/// co_await stop.wait();
/// co_await runner.cleanup();                             // the graceful end
/// ```
///
/// The graceful end, cleanup(), in aiohttp's order:
/// 1. every site stops accepting (its listening sockets close);
/// 2. idle keep-alive connections close, and each request in progress becomes the last of its
///    connection (`Connection: close`) — http::Server::pre_shutdown();
/// 3. the app's `on_shutdown` hooks run (where an app closes its websockets with 1001
///    GOING_AWAY, "Server shutdown");
/// 4. the requests in progress (websocket handlers too) get `shutdown_timeout` to finish; what
///    is left then is cancelled and its connection aborted;
/// 5. the app's `on_cleanup` hooks and `cleanup_ctx` tear-downs run (Application::cleanup());
/// 6. the listening sockets are waited for: nothing of the server is left.
/// A hook that throws does not stop the sequence: the errors are collected and cleanup()
/// throws them at the end (one as it is, several as a CleanupError).
///
/// Lifetimes: the runner refers to the Application (which must outlive it), and sites to their
/// runner. A runner destroyed without cleanup() aborts its connections at once (no hooks run).

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aio/core/clock.hpp"
#include "aio/core/coro.hpp"
#include "aio/http/server.hpp"
#include "aio/io/address.hpp"
#include "aio/web/access_log.hpp"

namespace aio {
class Server;
class SSLContext;
}  // namespace aio

namespace aio::web {

class Application;
class BaseSite;

/// The runner's settings. Every member is trivially destructible, so a braced temporary is safe
/// anywhere, inside `co_await` too, with g++ 12.
struct AppRunnerOptions {
    /// Log every request (see access_log.hpp). aiohttp's AppRunner logs by default too.
    bool access_log = true;
    /// The log's format; a view: the text must outlive the runner (a literal does).
    std::string_view access_log_format = kDefaultAccessLogFormat;
    /// How long cleanup() lets the requests in progress finish (aiohttp: 60 s).
    Duration shutdown_timeout = std::chrono::seconds(60);
    /// The HTTP server's settings (timeouts, limits, keep-alive).
    http::ServerOptions handler = {};
};

class AppRunner {
public:
    /// `sink` receives the access log lines (stderr when empty); unused with `access_log` off.
    explicit AppRunner(Application& app, AppRunnerOptions options = {}, AccessLogSink sink = {});
    AppRunner(const AppRunner&) = delete;
    AppRunner& operator=(const AppRunner&) = delete;
    /// Without cleanup(): aborts what is still open (no hooks run).
    ~AppRunner();

    /// Freezes the app (no more routes, middlewares or hooks), runs its start-up
    /// (Application::startup(): `cleanup_ctx` set-ups and `on_startup`), and makes the server.
    /// If the start-up throws, what of it succeeded is cleaned up (Application::cleanup()) and
    /// the error propagates. RuntimeError if called twice.
    Coro<void> setup();

    /// The graceful end (see above). Idempotent; a no-op before setup().
    ///
    /// Cancel safety: cancelling it cancels the step it is in (a hook, the wait for requests);
    /// the remaining steps do not run, and the runner aborts what is open when destroyed.
    Coro<void> cleanup();

    /// Runs the app's `on_shutdown` hooks (aiohttp's AppRunner.shutdown()); cleanup() calls it.
    Coro<void> shutdown();

    Application& app() const noexcept { return *app_; }
    /// The HTTP server, null before setup() and after cleanup().
    http::Server* server() const noexcept { return server_.get(); }
    /// The sites started and not yet stopped.
    const std::vector<BaseSite*>& sites() const noexcept { return sites_; }
    /// The addresses every started site listens on (with the real ports).
    std::vector<SocketAddress> addresses() const;
    const AppRunnerOptions& options() const noexcept { return options_; }

private:
    friend class BaseSite;
    void add_site(BaseSite* s);
    void remove_site(BaseSite* s) noexcept;
    std::shared_ptr<Protocol> make_protocol();

    Application* app_;
    AppRunnerOptions options_;
    AccessLogSink sink_;
    std::unique_ptr<http::Server> server_;
    std::vector<BaseSite*> sites_;
    std::vector<std::shared_ptr<aio::Server>> stopped_;  // closed listeners not yet waited for
    bool set_up_ = false;
    bool cleaned_up_ = false;
};

/// A place the runner serves on: a listening socket (or several, for a host with several
/// addresses).
class BaseSite {
public:
    BaseSite(const BaseSite&) = delete;
    BaseSite& operator=(const BaseSite&) = delete;
    /// Stops listening if still started.
    virtual ~BaseSite();

    /// Starts listening. RuntimeError before the runner's setup() or if already started;
    /// OSError (EADDRINUSE...) from the socket.
    Coro<void> start();
    /// Stops accepting (the listening sockets close); the connections already accepted go on
    /// until the runner's cleanup(). Idempotent.
    void stop() noexcept;

    /// The URL the site serves, as aiohttp prints it: `http://127.0.0.1:8080`,
    /// `https://[::1]:8443`, `http://unix:/run/app.sock:`. With port 0, the real port once
    /// started.
    virtual std::string name() const = 0;
    /// The addresses listened on (empty before start()).
    std::vector<SocketAddress> sockets() const;
    bool started() const noexcept { return listener_ != nullptr && !stopped_; }

protected:
    explicit BaseSite(AppRunner& runner);
    /// Makes the listener; `factory` makes one connection's protocol.
    virtual Coro<std::shared_ptr<aio::Server>> listen() = 0;
    std::shared_ptr<Protocol> make_protocol() { return runner_->make_protocol(); }
    AppRunner& runner() const noexcept { return *runner_; }

private:
    friend class AppRunner;
    AppRunner* runner_;
    std::shared_ptr<aio::Server> listener_;
    bool stopped_ = false;
};

/// TCPSite's settings. `ssl_context` is a plain pointer so that the struct stays trivially
/// destructible; the context must outlive the site.
struct TCPSiteOptions {
    /// listen() backlog (aiohttp: 128).
    int backlog = 128;
    /// SO_REUSEADDR (on, as asyncio on Unix).
    bool reuse_address = true;
    /// SO_REUSEPORT: several processes serve one port.
    bool reuse_port = false;
    /// Serve TLS with this server-side context (the name then says `https`). Null: plain TCP.
    SSLContext* ssl_context = nullptr;
};

/// Serves on `host`:`port` over TCP (aiohttp's TCPSite). An empty host or "0.0.0.0" listens on
/// every IPv4 address ("::" every IPv6 one); port 0 takes a free port.
class TCPSite final : public BaseSite {
public:
    TCPSite(AppRunner& runner, std::string host = "0.0.0.0", std::uint16_t port = 8080, TCPSiteOptions options = {});
    std::string name() const override;
    /// The real port once started (the first socket's), else the one asked for.
    std::uint16_t port() const;

private:
    Coro<std::shared_ptr<aio::Server>> listen() override;
    std::string host_;
    std::uint16_t port_;
    TCPSiteOptions options_;
};

/// Serves on a Unix socket at `path` (aiohttp's UnixSite): a stale socket file there is
/// replaced, and the file is removed when the site stops.
class UnixSite final : public BaseSite {
public:
    UnixSite(AppRunner& runner, std::string path);
    std::string name() const override;
    const std::string& path() const noexcept { return path_; }

private:
    Coro<std::shared_ptr<aio::Server>> listen() override;
    std::string path_;
};

}  // namespace aio::web
