// Application::startup / shutdown / cleanup: the lifecycle hooks in aiohttp's order.
//
// aiohttp registers the cleanup_ctx runner as the first on_startup and the first on_cleanup
// receiver (in Application.__init__), so its set-ups run before the app's on_startup hooks and
// its tear-downs (in reverse order) before the on_cleanup hooks. A sub-app's hooks run after
// its parent's own, sub-apps in the order they were added (aiohttp runs them where add_subapp
// was called among the parent's hooks; apps that add their hooks first get the same order).
//
// Where aiohttp's signals stop at the first receiver that throws, every shutdown and clean-up
// step here runs whatever the others did, and the failures are thrown together at the end: a
// failed hook must not leave a database open or a background task running. Cancellation is not
// a failure: it stops the sequence at once.

#include <exception>
#include <vector>

#include "aio/core/exceptions.hpp"
#include "aio/web/application.hpp"
#include "aio/web/cleanup_error.hpp"

namespace aio::web {

namespace {

// Records the exception being handled, unless it is a cancellation (rethrown).
void collect(std::vector<std::exception_ptr>& errors) {
    std::exception_ptr e = std::current_exception();
    if (is_cancelled_error(e)) std::rethrow_exception(e);
    try {
        std::rethrow_exception(e);
    } catch (const CleanupError& group) {
        errors.insert(errors.end(), group.exceptions().begin(), group.exceptions().end());
    } catch (...) {
        errors.push_back(e);
    }
}

// Runs every hook, collecting failures (a cancellation still stops at once).
Coro<void> run_each(const FrozenList<Application::Hook>& hooks, Application& app,
                    std::vector<std::exception_ptr>& errors) {
    for (const Application::Hook& hook : hooks) {
        try {
            co_await hook(app);
        } catch (...) {
            collect(errors);
        }
    }
}

}  // namespace

Coro<void> Application::startup() {
    for (const CleanupContextFactory& factory : cleanup_ctx) {
        CleanupContext gen = factory(*this);
        auto yielded = co_await gen.next();
        if (!yielded) throw RuntimeError("a cleanup_ctx generator returned without yielding");
        cleanup_ctx_running_.push_back(std::move(gen));
    }
    for (const Hook& hook : on_startup) co_await hook(*this);
    for (Application* sub : subapps_) co_await sub->startup();
}

Coro<void> Application::shutdown() {
    std::vector<std::exception_ptr> errors;
    co_await run_each(on_shutdown, *this, errors);
    for (Application* sub : subapps_) {
        try {
            co_await sub->shutdown();
        } catch (...) {
            collect(errors);
        }
    }
    detail::throw_cleanup_errors(std::move(errors));
}

Coro<void> Application::cleanup() {
    std::vector<std::exception_ptr> errors;
    while (!cleanup_ctx_running_.empty()) {
        CleanupContext gen = std::move(cleanup_ctx_running_.back());
        cleanup_ctx_running_.pop_back();
        try {
            if (co_await gen.next()) {
                errors.push_back(std::make_exception_ptr(RuntimeError("a cleanup_ctx generator yielded more than once")));
                co_await gen.aclose();
            }
        } catch (...) {
            collect(errors);
        }
    }
    co_await run_each(on_cleanup, *this, errors);
    for (Application* sub : subapps_) {
        try {
            co_await sub->cleanup();
        } catch (...) {
            collect(errors);
        }
    }
    detail::throw_cleanup_errors(std::move(errors));
}

}  // namespace aio::web
