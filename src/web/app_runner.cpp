// aio::web::AppRunner and its sites: the Application's handler served by one http::Server, each
// site a listener that hands its connections to that server, and the graceful end in aiohttp's
// order.

#include "aio/web/app_runner.hpp"

#include <algorithm>

#include "aio/io/server.hpp"
#include "aio/io/tls.hpp"
#include "aio/time/sleep.hpp"
#include "aio/web/application.hpp"
#include "aio/web/cleanup_error.hpp"

namespace aio::web {

namespace detail {
void throw_cleanup_errors(std::vector<std::exception_ptr> errors) {
    if (errors.empty()) return;
    if (errors.size() == 1) std::rethrow_exception(errors.front());
    throw CleanupError("Multiple errors on cleanup stage", std::move(errors));
}
}  // namespace detail

// ---- AppRunner ----------------------------------------------------------------------------

AppRunner::AppRunner(Application& app, AppRunnerOptions options, AccessLogSink sink)
    : app_(&app), options_(options), sink_(std::move(sink)) {}

AppRunner::~AppRunner() {
    for (BaseSite* s : sites_) {
        if (s->listener_) s->listener_->close();
        s->runner_ = nullptr;
    }
    for (auto& l : stopped_) l->close();
    server_.reset();  // aborts the connections still open
}

Coro<void> AppRunner::setup() {
    if (set_up_) throw RuntimeError("AppRunner.setup() called twice");
    set_up_ = true;
    // make_handler() freezes the app: on_startup hooks may still set state, not add routes.
    http::Handler handler = app_->make_handler();
    if (options_.access_log) {
        auto logger = std::make_shared<const AccessLogger>(options_.access_log_format, sink_);
        handler = AccessLogger::wrap(std::move(handler), std::move(logger));
    }
    std::exception_ptr failure;
    try {
        co_await app_->startup();
    } catch (...) {
        failure = std::current_exception();
    }
    if (failure) {
        // What started before the failure is cleaned up: the cleanup_ctx entered so far, the
        // on_cleanup hooks (aiohttp's run_app does the same through runner.cleanup()).
        cleaned_up_ = true;
        try {
            co_await app_->cleanup();
        } catch (...) {
        }
        std::rethrow_exception(failure);
    }
    server_ = std::make_unique<http::Server>(std::move(handler), options_.handler);
}

Coro<void> AppRunner::shutdown() { co_await app_->shutdown(); }

Coro<void> AppRunner::cleanup() {
    if (!set_up_ || cleaned_up_) co_return;
    cleaned_up_ = true;
    std::vector<std::exception_ptr> errors;
    std::vector<BaseSite*> started = sites_;
    for (BaseSite* s : started) s->stop();
    if (server_) {
        // What arrived just before the listeners closed gets one turn of the loop to be read and
        // parsed, so that pre_shutdown() sees it as a request in progress (aiohttp's sleep(0)).
        co_await aio::sleep(std::chrono::seconds(0));
        server_->pre_shutdown();
        try {
            co_await app_->shutdown();
        } catch (...) {
            errors.push_back(std::current_exception());
        }
        co_await server_->shutdown(options_.shutdown_timeout);
    }
    try {
        co_await app_->cleanup();
    } catch (const CleanupError& e) {
        errors.insert(errors.end(), e.exceptions().begin(), e.exceptions().end());
    } catch (...) {
        errors.push_back(std::current_exception());
    }
    std::vector<std::shared_ptr<aio::Server>> listeners = std::move(stopped_);
    stopped_.clear();
    for (auto& l : listeners) co_await l->wait_closed();
    server_.reset();
    detail::throw_cleanup_errors(std::move(errors));
}

std::vector<SocketAddress> AppRunner::addresses() const {
    std::vector<SocketAddress> out;
    for (BaseSite* s : sites_) {
        auto a = s->sockets();
        out.insert(out.end(), a.begin(), a.end());
    }
    return out;
}

void AppRunner::add_site(BaseSite* s) { sites_.push_back(s); }

void AppRunner::remove_site(BaseSite* s) noexcept {
    auto it = std::find(sites_.begin(), sites_.end(), s);
    if (it != sites_.end()) sites_.erase(it);
}

std::shared_ptr<Protocol> AppRunner::make_protocol() { return server_->make_protocol(); }

// ---- BaseSite -----------------------------------------------------------------------------

BaseSite::BaseSite(AppRunner& runner) : runner_(&runner) {}

BaseSite::~BaseSite() { stop(); }

Coro<void> BaseSite::start() {
    if (!runner_ || !runner_->server()) throw RuntimeError("Call runner.setup() before starting a site");
    if (listener_) throw RuntimeError("the site was already started");
    listener_ = co_await listen();
    runner_->add_site(this);
}

void BaseSite::stop() noexcept {
    if (!listener_ || stopped_) return;
    stopped_ = true;
    listener_->close();
    if (runner_) {
        runner_->remove_site(this);
        try {
            // The runner's cleanup() waits for it once the connections are gone.
            runner_->stopped_.push_back(listener_);
        } catch (...) {
        }
    }
}

std::vector<SocketAddress> BaseSite::sockets() const {
    return listener_ ? listener_->sockets() : std::vector<SocketAddress>{};
}

// ---- TCPSite / UnixSite -------------------------------------------------------------------

namespace {
// The protocol factory of a listener: a connection of the runner's server. The listener is
// closed before the server goes, so the pointer never dangles when called.
struct ConnectionFactory {
    http::Server* server;
    std::shared_ptr<Protocol> operator()() const { return server->make_protocol(); }
};
}  // namespace

TCPSite::TCPSite(AppRunner& runner, std::string host, std::uint16_t port, TCPSiteOptions options)
    : BaseSite(runner), host_(std::move(host)), port_(port), options_(options) {}

std::uint16_t TCPSite::port() const {
    auto s = sockets();
    return s.empty() ? port_ : s.front().port();
}

std::string TCPSite::name() const {
    std::string out = options_.ssl_context ? "https://" : "http://";
    std::string_view host = host_.empty() ? std::string_view("0.0.0.0") : std::string_view(host_);
    bool v6 = host.find(':') != std::string_view::npos;
    if (v6) out.push_back('[');
    out.append(host);
    if (v6) out.push_back(']');
    out.push_back(':');
    out.append(std::to_string(port()));
    return out;
}

Coro<std::shared_ptr<aio::Server>> TCPSite::listen() {
    aio::ServerOptions lo;
    lo.backlog = options_.backlog;
    lo.reuse_address = options_.reuse_address;
    lo.reuse_port = options_.reuse_port;
    if (options_.ssl_context) lo.ssl = options_.ssl_context->shared_from_this();
    ConnectionFactory factory{runner().server()};
    co_return co_await aio::create_server(factory, host_, port_, lo);
}

UnixSite::UnixSite(AppRunner& runner, std::string path) : BaseSite(runner), path_(std::move(path)) {}

std::string UnixSite::name() const { return "http://unix:" + path_ + ":"; }

Coro<std::shared_ptr<aio::Server>> UnixSite::listen() {
    ConnectionFactory factory{runner().server()};
    co_return co_await aio::create_unix_server(factory, path_);
}

}  // namespace aio::web
