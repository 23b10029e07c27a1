#pragma once
/// aio::web::Application — aiohttp's `web.Application`: the router, the middlewares, typed
/// state, sub-applications and the lifecycle hooks of one web app.
///
/// ```
/// const aio::web::AppKey<std::vector<std::string>> visitors{"visitors"};
///
/// aio::web::Application app;
/// app[visitors] = std::vector<std::string>{};
/// app.router().add_get("/", index);
/// app.middlewares.push_back(error_pages);
/// aio::web::Application admin;
/// admin.router().add_get("/users", list_users);
/// app.add_subapp("/admin", admin);                        // GET /admin/users
/// auto server = co_await aio::http::serve(app.make_handler(), "127.0.0.1", 8080);
/// ```
///
/// The app freezes when make_handler() is called (the runner does it before startup): adding
/// routes, middlewares, hooks or sub-apps afterwards throws RuntimeError, as aiohttp. State
/// (`app[key]`) may still change, so on_startup hooks can store what they create.
///
/// An Application is neither copyable nor movable (its router and routes point to it); it
/// must outlive every server running its handler.
///
/// Lifecycle (run by AppRunner / run_app, see app_runner.hpp): startup() runs the on_startup
/// hooks, then the set-up half of each cleanup_ctx entry; shutdown() runs on_shutdown (close
/// websockets there); cleanup() runs the tear-down halves of cleanup_ctx in reverse order and
/// on_cleanup. Sub-applications' hooks run with their parent's.
///
/// `cleanup_ctx` is aiohttp's: a function of the app returning an async generator that sets a
/// resource up, yields once while the app runs, then tears it down; what aiohttp writes
///
/// ```python
/// async def pg_engine(app):
///     app[pg] = await create_engine(...)
///     yield
///     await app[pg].dispose()
/// app.cleanup_ctx.append(pg_engine)
/// ```
///
/// reads in C++ as
///
/// ```
/// app.cleanup_ctx.push_back([](aio::web::Application& app) -> aio::web::CleanupContext {
///     app[pg] = co_await create_engine();
///     co_yield {};                        // the app serves here
///     co_await app[pg].get().dispose();
/// });
/// ```
///
/// The tear-down runs only when the set-up reached its co_yield; a generator that yields a
/// second time is an error (RuntimeError at cleanup). The same shape suits seed 003's background
/// task: start the task before the co_yield, cancel and await it after.

#include <functional>
#include <memory>
#include <string_view>
#include <variant>
#include <vector>

#include "aio/core/coro.hpp"
#include "aio/gen/async_generator.hpp"
#include "aio/http/server.hpp"
#include "aio/web/frozen_list.hpp"
#include "aio/web/handler.hpp"
#include "aio/web/router.hpp"
#include "aio/web/state.hpp"

namespace aio::web {

/// What a cleanup_ctx entry returns: an async generator yielding once (`co_yield {};`).
using CleanupContext = AsyncGenerator<std::monostate>;

class Application {
public:
    /// A lifecycle hook (aiohttp's on_startup/on_shutdown/on_cleanup signal receivers).
    using Hook = std::function<Coro<void>(Application&)>;
    /// A cleanup_ctx entry.
    using CleanupContextFactory = std::function<CleanupContext(Application&)>;

    Application();
    Application(const Application&) = delete;
    Application& operator=(const Application&) = delete;
    ~Application();

    /// Typed state: `app[key] = value` sets, `T& v = app[key]` (or `app[key].get()`) reads and
    /// throws KeyError for a key never set (see state.hpp).
    template <class T>
    StateRef<T> operator[](const AppKey<T>& key) noexcept { return state_[key]; }
    template <class T>
    const T& operator[](const AppKey<T>& key) const { return state_[key]; }
    StateMap& state() noexcept { return state_; }
    const StateMap& state() const noexcept { return state_; }

    /// The router (aiohttp's `app.router`).
    UrlDispatcher& router() noexcept { return router_; }
    const UrlDispatcher& router() const noexcept { return router_; }

    /// The middlewares, outermost first (the first one pushed sees the request first and the
    /// response last). A sub-app's run inside its parent's.
    FrozenList<Middleware> middlewares;
    /// Run by startup(), in order.
    FrozenList<Hook> on_startup;
    /// Run by shutdown(), in order.
    FrozenList<Hook> on_shutdown;
    /// Run by cleanup(), in order, after the cleanup_ctx tear-downs.
    FrozenList<Hook> on_cleanup;
    /// Set-up then tear-down pairs (see the top of this header).
    FrozenList<CleanupContextFactory> cleanup_ctx;

    /// Mounts `subapp` at `prefix` (`/admin`: a trailing `/` is dropped): requests under the
    /// prefix are resolved by its router, its middlewares run after this app's, and
    /// `request.app()` is the sub-app. It is not owned: it must outlive this app. ValueError for
    /// an empty or `/` prefix, one not starting with `/`, or a sub-app mounted already (or this
    /// app itself); RuntimeError when either app is frozen.
    Resource& add_subapp(std::string_view prefix, Application& subapp);
    /// The same, owning the sub-app.
    Resource& add_subapp(std::string_view prefix, std::shared_ptr<Application> subapp);
    /// The sub-apps mounted here, in order (not theirs).
    const std::vector<Application*>& subapps() const noexcept { return subapps_; }
    /// The app this one is mounted in, nullptr for a top-level app.
    Application* parent() const noexcept { return parent_; }
    /// The prefix this app is mounted at in its parent, empty for a top-level app.
    const std::string& prefix() const noexcept { return prefix_; }

    /// Freezes the app and its sub-apps (routes, middlewares, hooks) and builds each route's
    /// middleware chain. Idempotent; make_handler() calls it.
    void freeze();
    bool frozen() const noexcept { return frozen_; }

    /// The entry to give http::Server (`http::serve(app.make_handler(), host, port)`): for each
    /// request it makes the web::Request, resolves the route, runs the middlewares and the
    /// handler, and answers a web::HTTPException with its response (404 and 405 when no route
    /// answers, through the middlewares too). Other exceptions go to the server, which answers
    /// 500 and reports them to the loop's exception handler. Freezes the app. The handler holds
    /// a reference to this app.
    http::Handler make_handler();
    /// What make_handler's handler runs, for a server written by hand.
    Coro<http::Response> handle(http::Request& request);

    /// Runs on_startup, then the cleanup_ctx set-ups, for this app and its sub-apps (defined
    /// by the runner, src/web/application_lifecycle.cpp).
    Coro<void> startup();
    /// Runs on_shutdown for this app and its sub-apps.
    Coro<void> shutdown();
    /// Runs the cleanup_ctx tear-downs in reverse order and on_cleanup, for this app and its
    /// sub-apps; every one runs even when one throws, and the failures are raised together
    /// afterwards.
    Coro<void> cleanup();

private:
    friend class UrlDispatcher;
    void freeze_chains(const std::vector<const Middleware*>& outer);
    Resource& mount(std::string_view prefix, Application& subapp, std::shared_ptr<Application> owner);

    StateMap state_;
    UrlDispatcher router_;
    std::vector<Application*> subapps_;
    Application* parent_ = nullptr;
    std::string prefix_;
    bool frozen_ = false;
    // The cleanup_ctx generators whose set-up ran, in order, waiting for their tear-down (the
    // runner's lifecycle code drives them).
    std::vector<CleanupContext> cleanup_ctx_running_;
    // The 404/405 answer wrapped in this app's middleware chain (built by freeze()).
    std::vector<std::unique_ptr<Handler>> not_found_chain_;
};

}  // namespace aio::web
