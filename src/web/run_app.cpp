// aio::web::run_app / serve_app: an AppRunner with its sites, the "Running on" lines, and the
// signals that start the graceful end.

#include "aio/web/run_app.hpp"

#include <signal.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "aio/core/run.hpp"
#include "aio/io/signals.hpp"
#include "aio/sync/event.hpp"
#include "aio/web/app_runner.hpp"

namespace aio::web {

namespace {

constexpr int kSignals[] = {SIGINT, SIGTERM, SIGHUP};

// The handlers live as long as the serving: the first signal sets `stop`; later ones find it
// set and do nothing, so a second Ctrl-C does not interrupt the graceful end.
class SignalHandlers {
public:
    SignalHandlers(bool on, Event& stop) {
        if (!on) return;
        try {
            for (int s : kSignals) {
                add_signal_handler(s, [&stop] { stop.set(); });
                installed_.push_back(s);
            }
        } catch (...) {  // a signal owned by another loop: give back the ones taken
            remove_all();
            throw;
        }
    }
    SignalHandlers(const SignalHandlers&) = delete;
    SignalHandlers& operator=(const SignalHandlers&) = delete;
    ~SignalHandlers() { remove_all(); }

private:
    void remove_all() noexcept {
        for (int s : installed_) {
            try {
                remove_signal_handler(s);
            } catch (...) {
            }
        }
        installed_.clear();
    }

    std::vector<int> installed_;
};

void print_running(const std::vector<std::unique_ptr<BaseSite>>& sites) {
    std::string names;
    for (const auto& s : sites) {
        if (!names.empty()) names += ", ";
        names += s->name();
    }
    std::string out = "======== Running on " + names + " ========\n(Press CTRL+C to quit)\n";
    std::fwrite(out.data(), 1, out.size(), stdout);
    std::fflush(stdout);
}

Coro<void> start_sites(AppRunner& runner, const RunAppOptions& o, std::vector<std::unique_ptr<BaseSite>>& sites) {
    if (o.host || o.port || o.path.empty()) {
        TCPSiteOptions so;
        so.backlog = o.backlog;
        so.reuse_address = o.reuse_address;
        so.reuse_port = o.reuse_port;
        so.ssl_context = o.ssl_context;
        std::string host(o.host.value_or("0.0.0.0"));
        sites.push_back(std::make_unique<TCPSite>(runner, std::move(host), o.port.value_or(8080), so));
    }
    if (!o.path.empty()) sites.push_back(std::make_unique<UnixSite>(runner, std::string(o.path)));
    for (auto& s : sites) co_await s->start();
}

}  // namespace

Coro<void> serve_app(Application& app, RunAppOptions o, AccessLogSink access_log_sink) {
    AppRunnerOptions ro;
    ro.access_log = o.access_log;
    ro.access_log_format = o.access_log_format;
    ro.shutdown_timeout = o.shutdown_timeout;
    ro.handler = o.handler;
    AppRunner runner(app, ro, std::move(access_log_sink));
    Event stop;
    SignalHandlers signals(o.handle_signals, stop);
    co_await runner.setup();  // a failed start-up cleans up after itself

    std::vector<std::unique_ptr<BaseSite>> sites;
    std::exception_ptr failure;
    bool cancelled = false;
    try {
        co_await start_sites(runner, o, sites);
        if (o.print) print_running(sites);
        co_await stop.wait();
    } catch (const CancelledError&) {
        cancelled = true;
    } catch (...) {
        failure = std::current_exception();
    }
    co_await runner.cleanup();
    if (failure) std::rethrow_exception(failure);
    if (cancelled) throw CancelledError();
}

void run_app(Application& app, RunAppOptions options, AccessLogSink access_log_sink) {
    aio::run(serve_app(app, options, std::move(access_log_sink)));
}

}  // namespace aio::web
