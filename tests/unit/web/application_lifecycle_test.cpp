// Application::startup / shutdown / cleanup: aiohttp's order (cleanup_ctx set-ups before the
// on_startup hooks, tear-downs in reverse before on_cleanup, sub-apps after their parent),
// every clean-up step run when one fails, and seed 003's background task.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "aio/aio.hpp"
#include "aio/web/application.hpp"
#include "aio/web/cleanup_error.hpp"
#include "support/loop_fixture.hpp"

using namespace std::chrono_literals;

namespace {

class ApplicationLifecycle : public aio_test::VirtualLoopTest {
protected:
    using Log = std::vector<std::string>;
    aio::web::Application::Hook hook(std::string name) {
        return [this, name](aio::web::Application&) -> aio::Coro<void> {
            log.push_back(name);
            co_return;
        };
    }
    aio::web::Application::Hook failing(std::string name) {
        return [this, name](aio::web::Application&) -> aio::Coro<void> {
            log.push_back(name);
            throw aio::RuntimeError(name + " failed");
            co_return;
        };
    }
    aio::web::Application::CleanupContextFactory ctx(std::string name) {
        return [this, name](aio::web::Application&) -> aio::web::CleanupContext {
            log.push_back(name + " set-up");
            co_yield {};
            log.push_back(name + " tear-down");
        };
    }
    Log log;
};

}  // namespace

TEST_F(ApplicationLifecycle, TheHooksRunInAiohttpsOrder) {
    // What aiohttp 3.8 prints for the same app: cleanup_ctx is its first on_startup and
    // on_cleanup receiver (tests/peers would show it: see the comment in application_lifecycle.cpp).
    aio::web::Application app, sub;
    app.on_startup.push_back(hook("start 1"));
    app.cleanup_ctx.push_back(ctx("ctx 1"));
    app.on_shutdown.push_back(hook("shutdown 1"));
    app.on_cleanup.push_back(hook("cleanup 1"));
    app.on_startup.push_back(hook("start 2"));
    app.cleanup_ctx.push_back(ctx("ctx 2"));
    app.on_cleanup.push_back(hook("cleanup 2"));
    sub.on_startup.push_back(hook("sub start"));
    sub.cleanup_ctx.push_back(ctx("sub ctx"));
    sub.on_shutdown.push_back(hook("sub shutdown"));
    sub.on_cleanup.push_back(hook("sub cleanup"));
    app.add_subapp("/sub", sub);
    app.freeze();
    run(app.startup());
    log.push_back("|");
    run(app.shutdown());
    log.push_back("|");
    run(app.cleanup());
    EXPECT_EQ(log, (Log{"ctx 1 set-up", "ctx 2 set-up", "start 1", "start 2", "sub ctx set-up", "sub start", "|",
                        "shutdown 1", "sub shutdown", "|", "ctx 2 tear-down", "ctx 1 tear-down", "cleanup 1",
                        "cleanup 2", "sub ctx tear-down", "sub cleanup"}));
}

TEST_F(ApplicationLifecycle, EveryCleanupStepRunsWhenOthersFailAndTheFailuresAreRaisedTogether) {
    aio::web::Application app, sub;
    app.cleanup_ctx.push_back(ctx("ctx 1"));
    app.cleanup_ctx.push_back([this](aio::web::Application&) -> aio::web::CleanupContext {
        co_yield {};
        log.push_back("bad ctx tear-down");
        throw aio::ValueError("bad ctx");
    });
    app.on_cleanup.push_back(failing("cleanup 1"));
    app.on_cleanup.push_back(hook("cleanup 2"));
    sub.on_cleanup.push_back(failing("sub cleanup"));
    app.add_subapp("/sub", sub);
    app.freeze();
    run(app.startup());
    std::vector<std::string> messages;
    try {
        run(app.cleanup());
        ADD_FAILURE() << "cleanup() did not throw";
    } catch (const aio::web::CleanupError& e) {
        for (const auto& x : e.exceptions()) messages.push_back(aio::describe_exception(x));
    }
    EXPECT_EQ(log, (Log{"ctx 1 set-up", "bad ctx tear-down", "ctx 1 tear-down", "cleanup 1", "cleanup 2", "sub cleanup"}));
    ASSERT_EQ(messages.size(), 3u);  // flat: the sub-app's failure is not nested
    EXPECT_NE(messages[0].find("bad ctx"), std::string::npos);
    EXPECT_NE(messages[1].find("cleanup 1 failed"), std::string::npos);
    EXPECT_NE(messages[2].find("sub cleanup failed"), std::string::npos);
}

TEST_F(ApplicationLifecycle, OneCleanupFailureIsRaisedAsItIs) {
    aio::web::Application app;
    app.on_cleanup.push_back(failing("only"));
    app.on_cleanup.push_back(hook("after"));
    app.freeze();
    run(app.startup());
    EXPECT_THROW(run(app.cleanup()), aio::RuntimeError);
    EXPECT_EQ(log, (Log{"only", "after"}));
}

TEST_F(ApplicationLifecycle, EveryShutdownHookRunsWhenOneFails) {
    aio::web::Application app;
    app.on_shutdown.push_back(failing("first"));
    app.on_shutdown.push_back(hook("second"));
    app.freeze();
    EXPECT_THROW(run(app.shutdown()), aio::RuntimeError);
    EXPECT_EQ(log, (Log{"first", "second"}));
}

TEST_F(ApplicationLifecycle, AFailedStartupTearsDownOnlyTheContextsThatWereSetUp) {
    aio::web::Application app;
    app.cleanup_ctx.push_back(ctx("ctx 1"));
    app.cleanup_ctx.push_back([this](aio::web::Application&) -> aio::web::CleanupContext {
        log.push_back("ctx 2 fails");
        throw aio::RuntimeError("no database");
        co_yield {};
    });
    app.cleanup_ctx.push_back(ctx("ctx 3"));
    app.on_startup.push_back(hook("never"));
    app.freeze();
    EXPECT_THROW(run(app.startup()), aio::RuntimeError);
    run(app.cleanup());
    EXPECT_EQ(log, (Log{"ctx 1 set-up", "ctx 2 fails", "ctx 1 tear-down"}));
}

TEST_F(ApplicationLifecycle, ACleanupContextThatNeverYieldsFailsTheStartup) {
    aio::web::Application app;
    app.cleanup_ctx.push_back([](aio::web::Application&) -> aio::web::CleanupContext { co_return; });
    app.freeze();
    EXPECT_THROW(run(app.startup()), aio::RuntimeError);
    run(app.cleanup());
}

TEST_F(ApplicationLifecycle, ACleanupContextThatYieldsTwiceIsAnErrorAtCleanup) {
    aio::web::Application app;
    app.cleanup_ctx.push_back([this](aio::web::Application&) -> aio::web::CleanupContext {
        co_yield {};
        co_yield {};
        log.push_back("never");
    });
    app.freeze();
    run(app.startup());
    EXPECT_THROW(run(app.cleanup()), aio::RuntimeError);
    EXPECT_TRUE(log.empty());
}

namespace {
const aio::web::AppKey<aio::Task<void>> kTicker{"ticker"};
const aio::web::AppKey<int> kTicks{"ticks"};

aio::Coro<void> tick(aio::web::Application& app) {
    for (;;) {
        co_await aio::sleep(1s);
        ++app[kTicks].get();
    }
}
}  // namespace

TEST_F(ApplicationLifecycle, ABackgroundTaskStartedOnStartupIsCancelledAndAwaitedOnCleanup) {
    // Seed 003: `app[key] = asyncio.create_task(listen(app))` on startup; on cleanup
    // `app[key].cancel(); await app[key]`.
    aio::web::Application app;
    app[kTicks] = 0;
    bool cancelled_seen = false;
    app.on_startup.push_back([](aio::web::Application& a) -> aio::Coro<void> {
        a[kTicker] = aio::create_task(tick(a));
        co_return;
    });
    app.on_cleanup.push_back([&](aio::web::Application& a) -> aio::Coro<void> {
        aio::Task<void>& t = a[kTicker];
        t.cancel();
        try {
            co_await t;
        } catch (const aio::CancelledError&) {
            cancelled_seen = true;
        }
    });
    app.freeze();
    auto body = [&]() -> aio::Coro<void> {
        co_await app.startup();
        co_await aio::sleep(3500ms);  // the app serves: the task runs
        co_await app.shutdown();
        co_await app.cleanup();
    };
    run(body());
    EXPECT_EQ(app[kTicks].get(), 3);
    EXPECT_TRUE(cancelled_seen);
    EXPECT_TRUE(loop.all_tasks().empty());
}

TEST_F(ApplicationLifecycle, CancellingTheCleanupStopsItAtOnce) {
    aio::web::Application app;
    aio::Event entered;
    app.on_cleanup.push_back([&](aio::web::Application&) -> aio::Coro<void> {
        entered.set();
        co_await aio::sleep(1h);
    });
    app.on_cleanup.push_back(hook("not reached"));
    app.freeze();
    auto body = [&]() -> aio::Coro<void> {
        auto t = aio::create_task(app.cleanup());
        co_await entered.wait();
        t.cancel();
        bool cancelled = false;
        try {
            co_await t;
        } catch (const aio::CancelledError&) {
            cancelled = true;
        }
        EXPECT_TRUE(cancelled);
    };
    run(body());
    EXPECT_TRUE(log.empty());
}
