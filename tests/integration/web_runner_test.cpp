// aio::web::AppRunner with its sites on real sockets: start-up, several sites, the graceful end
// in aiohttp's order (stop accepting, on_shutdown, the requests in progress finish, on_cleanup),
// the grace running out, the access log, and serve_app() ended by cancellation.

#include <unistd.h>

#include <filesystem>

#include "aio/web/app_runner.hpp"
#include "aio/web/application.hpp"
#include "aio/web/request.hpp"
#include "aio/web/run_app.hpp"
#include "http_server_client.hpp"

using namespace http_test;

namespace {

class WebRunner : public HttpServerTest {
protected:
    WebRunner() {
        app.router().add_get("/hello", [](aio::web::Request&) -> aio::Coro<aio::web::Response> {
            co_return aio::web::Response("hello");
        });
        app.router().add_get("/slow", [this](aio::web::Request&) -> aio::Coro<aio::web::Response> {
            log.push_back("slow started");
            slow_started.set();
            try {
                co_await aio::sleep(slow_for);
            } catch (const aio::CancelledError&) {
                log.push_back("slow cancelled");
                throw;
            }
            log.push_back("slow finished");
            co_return aio::web::Response(std::string(100'000, 'x'));
        });
        app.on_startup.push_back(note("startup"));
        app.on_shutdown.push_back(note("shutdown"));
        app.on_cleanup.push_back(note("cleanup"));
    }
    aio::web::Application::Hook note(std::string what) {
        return [this, what](aio::web::Application&) -> aio::Coro<void> {
            log.push_back(what);
            co_return;
        };
    }
    aio::web::AppRunnerOptions quiet() {
        aio::web::AppRunnerOptions o;
        o.access_log = false;
        return o;
    }

    aio::web::Application app;
    std::vector<std::string> log;
    aio::Event slow_started;
    aio::Duration slow_for = 200ms;
};

using Log = std::vector<std::string>;

}  // namespace

TEST_F(WebRunner, ASiteServesTheAppBetweenSetupAndCleanup) {
    auto body = [&]() -> aio::Coro<void> {
        aio::web::AppRunner runner(app, quiet());
        co_await runner.setup();
        EXPECT_TRUE(app.frozen());
        EXPECT_EQ(log, Log{"startup"});
        aio::web::TCPSite site(runner, "127.0.0.1", 0);
        co_await site.start();
        EXPECT_EQ(site.name(), "http://127.0.0.1:" + std::to_string(site.port()));
        EXPECT_EQ(runner.addresses().size(), 1u);
        auto c = co_await RawClient::connect(site.port());
        co_await c.send(get("/hello"));
        EXPECT_EQ((co_await c.response()).body, "hello");
        co_await c.send(get("/nowhere"));
        EXPECT_EQ((co_await c.response()).status, 404);
        co_await runner.cleanup();
        EXPECT_TRUE(co_await c.closed_by_server());
        co_await c.close();
        EXPECT_EQ(runner.server(), nullptr);
        EXPECT_TRUE(runner.sites().empty());
    };
    run(body());
    EXPECT_EQ(log, (Log{"startup", "shutdown", "cleanup"}));
}

TEST_F(WebRunner, OneRunnerServesOnATcpAndAUnixSite) {
    std::string path = "/tmp/aio_web_runner_" + std::to_string(::getpid()) + ".sock";
    auto body = [&]() -> aio::Coro<void> {
        aio::web::AppRunner runner(app, quiet());
        co_await runner.setup();
        aio::web::TCPSite tcp(runner, "127.0.0.1", 0);
        aio::web::UnixSite unix_site(runner, path);
        co_await tcp.start();
        co_await unix_site.start();
        EXPECT_EQ(unix_site.name(), "http://unix:" + path + ":");
        EXPECT_EQ(runner.sites().size(), 2u);
        EXPECT_EQ(runner.addresses().size(), 2u);
        auto c = co_await RawClient::connect(tcp.port());
        co_await c.send(get("/hello"));
        EXPECT_EQ((co_await c.response()).body, "hello");
        co_await c.close();
        auto [r, w] = co_await aio::open_unix_connection(path);
        RawClient u(std::move(r), std::move(w));
        co_await u.send(get("/hello"));
        EXPECT_EQ((co_await u.response()).body, "hello");
        co_await u.close();
        co_await runner.cleanup();
    };
    run(body());
    EXPECT_FALSE(std::filesystem::exists(path));  // the socket file goes with the site
}

TEST_F(WebRunner, TheGracefulEndStopsAcceptingRunsOnShutdownAndLetsTheRequestInProgressFinish) {
    auto body = [&]() -> aio::Coro<void> {
        aio::web::AppRunner runner(app, quiet());
        co_await runner.setup();
        aio::web::TCPSite site(runner, "127.0.0.1", 0);
        co_await site.start();
        std::uint16_t port = site.port();
        auto idle = co_await RawClient::connect(port);
        co_await idle.send(get("/hello"));
        co_await idle.response();
        auto busy = co_await RawClient::connect(port);
        co_await busy.send(get("/slow"));
        co_await aio::wait_for(slow_started.wait(), 2s);

        auto ending = aio::create_task(runner.cleanup());
        EXPECT_TRUE(co_await idle.closed_by_server());
        bool refused = false;
        try {
            auto late = co_await RawClient::connect(port);
            co_await late.close();
        } catch (const aio::ConnectionRefusedError&) {
            refused = true;
        }
        EXPECT_TRUE(refused);
        RawResponse r = co_await busy.response();
        EXPECT_EQ(r.status, 200);
        EXPECT_EQ(r.body.size(), 100'000u);
        EXPECT_EQ(r.field("connection"), "close");
        co_await aio::wait_for(ending, 2s);
        co_await idle.close();
        co_await busy.close();
    };
    run(body());
    EXPECT_EQ(log, (Log{"startup", "slow started", "shutdown", "slow finished", "cleanup"}));
}

TEST_F(WebRunner, AHandlerSlowerThanTheShutdownTimeoutIsCancelledAndCleanupStillRuns) {
    slow_for = 30s;
    auto body = [&]() -> aio::Coro<void> {
        aio::web::AppRunnerOptions o = quiet();
        o.shutdown_timeout = 100ms;
        aio::web::AppRunner runner(app, o);
        co_await runner.setup();
        aio::web::TCPSite site(runner, "127.0.0.1", 0);
        co_await site.start();
        auto c = co_await RawClient::connect(site.port());
        co_await c.send(get("/slow"));
        co_await aio::wait_for(slow_started.wait(), 2s);
        auto t0 = std::chrono::steady_clock::now();
        co_await aio::wait_for(runner.cleanup(), 2s);
        EXPECT_LT(std::chrono::steady_clock::now() - t0, 1s);
        EXPECT_TRUE(co_await c.closed_by_server());
        co_await c.close();
    };
    run(body());
    EXPECT_EQ(log, (Log{"startup", "slow started", "shutdown", "slow cancelled", "cleanup"}));
}

TEST_F(WebRunner, TheAccessLogGetsALinePerRequestAndNothingWhenOff) {
    std::vector<std::string> lines;
    auto sink = [&](std::string_view l) { lines.emplace_back(l); };
    auto serve_two = [&](aio::web::AppRunnerOptions o) -> aio::Coro<void> {
        aio::web::AppRunner runner(app, o, sink);
        co_await runner.setup();
        aio::web::TCPSite site(runner, "127.0.0.1", 0);
        co_await site.start();
        auto c = co_await RawClient::connect(site.port());
        co_await c.send(get("/hello"));
        co_await c.response();
        co_await c.send(get("/nowhere"));
        co_await c.response();
        co_await c.close();
        co_await runner.cleanup();
    };
    aio::web::AppRunnerOptions on;
    on.access_log_format = "%r %s %b";
    run(serve_two(on));
    EXPECT_EQ(lines, (Log{"GET /hello HTTP/1.1 200 5", "GET /nowhere HTTP/1.1 404 14"}));
}

TEST_F(WebRunner, TheAccessLogIsOffWhenAskedSo) {
    std::vector<std::string> lines;
    auto sink = [&](std::string_view l) { lines.emplace_back(l); };
    auto body = [&]() -> aio::Coro<void> {
        aio::web::AppRunner runner(app, quiet(), sink);
        co_await runner.setup();
        aio::web::TCPSite site(runner, "127.0.0.1", 0);
        co_await site.start();
        auto c = co_await RawClient::connect(site.port());
        co_await c.send(get("/hello"));
        co_await c.response();
        co_await c.close();
        co_await runner.cleanup();
    };
    run(body());
    EXPECT_TRUE(lines.empty());
}

TEST_F(WebRunner, AFailedStartupCleansUpAndPropagates) {
    app.on_startup.push_back([](aio::web::Application&) -> aio::Coro<void> {
        throw aio::RuntimeError("no database");
        co_return;
    });
    auto body = [&]() -> aio::Coro<void> {
        aio::web::AppRunner runner(app, quiet());
        bool thrown = false;
        try {
            co_await runner.setup();
        } catch (const aio::RuntimeError&) {
            thrown = true;
        }
        EXPECT_TRUE(thrown);
        EXPECT_EQ(runner.server(), nullptr);
        co_await runner.cleanup();  // nothing more to do
    };
    run(body());
    EXPECT_EQ(log, (Log{"startup", "cleanup"}));
}

TEST_F(WebRunner, MisuseIsAClearError) {
    auto body = [&]() -> aio::Coro<void> {
        aio::web::AppRunner runner(app, quiet());
        aio::web::TCPSite early(runner, "127.0.0.1", 0);
        bool before_setup = false;
        try {
            co_await early.start();
        } catch (const aio::RuntimeError&) {
            before_setup = true;
        }
        EXPECT_TRUE(before_setup);
        co_await runner.setup();
        bool twice = false;
        try {
            co_await runner.setup();
        } catch (const aio::RuntimeError&) {
            twice = true;
        }
        EXPECT_TRUE(twice);
        aio::web::TCPSite site(runner, "127.0.0.1", 0);
        co_await site.start();
        aio::web::TCPSite taken(runner, "127.0.0.1", site.port());
        bool in_use = false;
        try {
            co_await taken.start();
        } catch (const aio::OSError&) {
            in_use = true;
        }
        EXPECT_TRUE(in_use);
        co_await runner.cleanup();
        co_await runner.cleanup();  // idempotent
    };
    run(body());
}

TEST_F(WebRunner, ServeAppEndsGracefullyWhenCancelled) {
    aio::Event listening;
    std::uint16_t port = 0;
    app.on_startup.push_back([&](aio::web::Application&) -> aio::Coro<void> {
        listening.set();
        co_return;
    });
    auto body = [&]() -> aio::Coro<void> {
        aio::web::RunAppOptions o;
        o.host = "127.0.0.1";
        o.port = 0;
        o.handle_signals = false;
        o.print = false;
        o.access_log = false;
        auto serving = aio::create_task(aio::web::serve_app(app, o));
        co_await aio::wait_for(listening.wait(), 2s);
        co_await aio::sleep(0s);  // the site starts after the start-up
        (void)port;
        serving.cancel();
        bool cancelled = false;
        try {
            co_await aio::wait_for(serving, 2s);
        } catch (const aio::CancelledError&) {
            cancelled = true;
        }
        EXPECT_TRUE(cancelled);
    };
    run(body());
    EXPECT_EQ(log, (Log{"startup", "shutdown", "cleanup"}));
}
