// Seed 003's aiohttp patterns in one aio::web app: a Redis pub/sub listener started on start-up
// that forwards the channel `news` to every websocket, the websockets kept in the app and closed
// on shutdown, and a data updater running beside the server.
//
//   example_news_relay [--host 127.0.0.1] [--port 8080] [--redis redis://127.0.0.1:6379/0]
//                      [--update-interval SECONDS] [--shutdown-timeout MS]
//
// GET / is the `userfeed` as JSON, `{"updates": N, "userfeed": [0, 1, ...]}`: the data updater
// replaces it every --update-interval seconds (default 3) with 1 to 20 numbers, as the seed's
// `data_updater`, and counts the rounds so a client can tell a new feed from an equal one.
// GET /ws is a websocket that gets `news: <msg>` for each message PUBLISHed on `news`; GET /page
// is a small page that shows them in a browser.
//
// Redis down at start-up: a line on stderr and retries with backoff, the server serving meanwhile.
// Redis lost later: aio::redis reconnects and resubscribes, and says so (logged here).
// SIGINT, SIGTERM or SIGHUP end it gracefully through web::run_app: stop accepting, on_shutdown
// closes every websocket with 1001 "Server shutdown", on_cleanup cancels and awaits the two
// background tasks (the listener unsubscribes and closes its client), exit 0.
// The Python twin is bench/peers/seeds/news_relay.py (aiohttp + redis.asyncio), same flags, lines.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "aio/core/exceptions.hpp"
#include "aio/core/os_errors.hpp"
#include "aio/core/task.hpp"
#include "aio/gen/async_generator.hpp"
#include "aio/redis/client.hpp"
#include "aio/time/sleep.hpp"
#include "aio/web/application.hpp"
#include "aio/web/request.hpp"
#include "aio/web/run_app.hpp"
#include "aio/web/websocket_response.hpp"
#include "common/args.hpp"

namespace {

using Socket = std::shared_ptr<aio::web::WebSocketResponse>;
using Clock = std::chrono::steady_clock;

struct Options {
    std::string redis_url = "redis://127.0.0.1:6379/0";
    std::chrono::duration<double> update_interval{3.0};
};

// Shared pointers: the listener or on_shutdown may still be sending to a socket whose handler has
// just returned (and removed it).
const aio::web::AppKey<std::set<Socket>> kWebsockets{"websockets"};
const aio::web::AppKey<std::string> kUserfeed{"userfeed"};
const aio::web::AppKey<Options> kOptions{"options"};
const aio::web::AppKey<aio::Task<void>> kRedisListener{"redis_listener"};
const aio::web::AppKey<aio::Task<void>> kDataUpdater{"data_updater"};

// Log lines go to stderr, one write each, as Python's logging does.
void log(const std::string& what) {
    const std::string line = "news_relay: " + what + "\n";
    std::fwrite(line.data(), 1, line.size(), stderr);
    std::fflush(stderr);
}

std::string seconds_text(std::chrono::duration<double> d) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", d.count());
    return buf;
}

constexpr const char* kPage = R"(<!doctype html>
<meta charset="utf-8"><title>aio news relay</title>
<pre id="log"></pre>
<script>
const log = (t) => { document.getElementById('log').textContent += t + '\n'; };
const ws = new WebSocket(`ws://${location.host}/ws`);
ws.onmessage = (e) => log(e.data);
ws.onclose = (e) => log(`closed: ${e.code} ${e.reason}`);
</script>
)";

aio::Coro<aio::web::Response> page(aio::web::Request&) {
    co_return aio::web::Response(kPage, 200, "text/html");
}

aio::Coro<aio::web::Response> userfeed(aio::web::Request& request) {
    co_return aio::web::Response(request.app()[kUserfeed].get(), 200, "application/json");
}

// The seed's handler: the socket is in the app's set while it is open; what the client sends is
// not used (the feed goes one way).
aio::Coro<aio::web::Response> websocket(aio::web::Request& request) {
    auto ws = std::make_shared<aio::web::WebSocketResponse>();
    co_await ws->prepare(request);
    std::set<Socket>& sockets = request.app()[kWebsockets].get();
    sockets.insert(ws);
    try {
        while (co_await ws->next()) {
        }
    } catch (...) {
        sockets.erase(ws);
        throw;
    }
    sockets.erase(ws);
    co_return *ws;
}

// Sends `text` to every socket open now; one that closes meanwhile is skipped (its handler
// removes it from the set).
aio::Coro<void> forward(std::set<Socket>& sockets, const std::string& text) {
    const std::vector<Socket> open(sockets.begin(), sockets.end());
    for (const Socket& ws : open) {
        if (ws->closed()) continue;
        try {
            co_await ws->send_str(text);
        } catch (const aio::ConnectionError&) {
            // the peer left while we were sending
        }
    }
}

std::string feed_json(std::uint64_t updates, int length) {
    std::string out = "{\"updates\": " + std::to_string(updates) + ", \"userfeed\": [";
    for (int i = 0; i < length; ++i) {
        if (i) out += ", ";
        out += std::to_string(i);
    }
    return out + "]}";
}

// The seed's data_updater: every interval, app["userfeed"] = list(range(randint(1, 20))).
aio::Coro<void> data_updater(aio::web::Application& app, std::chrono::duration<double> interval) {
    std::mt19937 random(std::random_device{}());
    std::uniform_int_distribution<int> length(1, 20);
    for (std::uint64_t updates = 1;; ++updates) {
        co_await aio::sleep(interval);
        app[kUserfeed] = feed_json(updates, length(random));
    }
}

// One subscription: connects, subscribes to `news` and forwards until cancelled or until the
// client gives up reconnecting. The generator and the client are closed on every way out (the
// seed's `finally: unsubscribe, quit`); close errors are not worth more than the reason we left.
aio::Coro<void> relay_news(aio::web::Application& app, const std::string& url, bool& subscribed) {
    std::optional<aio::redis::Redis> redis;
    std::optional<aio::AsyncGenerator<aio::redis::Message>> news;
    std::exception_ptr ended;
    try {
        redis.emplace(co_await aio::redis::connect(url));
        redis->set_reconnect_callback([](const std::string& what) { log("redis: " + what); });
        news.emplace(co_await redis->subscribe("news"));
        subscribed = true;
        log("subscribed to 'news' at " + redis->config().describe());
        std::set<Socket>& sockets = app[kWebsockets].get();
        while (auto msg = co_await news->next()) {
            const std::string line = "news: " + msg->data;
            co_await forward(sockets, line);
        }
    } catch (...) {
        ended = std::current_exception();
    }
    if (news) {
        try {
            co_await news->aclose();
        } catch (...) {
        }
    }
    if (redis) {
        try {
            co_await redis->aclose();
        } catch (...) {
        }
    }
    if (ended) std::rethrow_exception(ended);
}

// The seed's listen_to_redis, kept alive: Redis down (at start-up, or for longer than the
// client's own reconnects last) is a line and a retry after a doubling delay, never the end.
aio::Coro<void> listen_to_redis(aio::web::Application& app, std::string url) {
    constexpr std::chrono::duration<double> kFirstDelay{0.1};
    constexpr std::chrono::duration<double> kMaxDelay{5.0};
    std::chrono::duration<double> delay = kFirstDelay;
    for (;;) {
        bool subscribed = false;
        try {
            co_await relay_news(app, url, subscribed);
            log("redis: the subscription ended");
        } catch (const std::exception& e) {
            if (subscribed) delay = kFirstDelay;
            log("redis: " + std::string(e.what()) + "; retrying in " + seconds_text(delay) + " s");
        }
        co_await aio::sleep(delay);
        delay = std::min(delay * 2, kMaxDelay);
    }
}

aio::Coro<void> start_background_tasks(aio::web::Application& app) {
    const Options& options = app[kOptions].get();
    app[kRedisListener] = aio::create_task(listen_to_redis(app, options.redis_url), "redis_listener");
    app[kDataUpdater] = aio::create_task(data_updater(app, options.update_interval), "data_updater");
    co_return;
}

aio::Coro<void> stop(aio::Task<void>& task) {
    task.cancel();
    try {
        co_await task;
    } catch (const aio::CancelledError&) {
    }
}

aio::Coro<void> cleanup_background_tasks(aio::web::Application& app) {
    log("cancelling the redis listener and the data updater");
    co_await stop(app[kRedisListener].get());
    co_await stop(app[kDataUpdater].get());
    log("background tasks stopped");
}

aio::Coro<void> close_websockets(aio::web::Application& app) {
    const std::vector<Socket> open(app[kWebsockets].get().begin(), app[kWebsockets].get().end());
    log("shutting down: closing " + std::to_string(open.size()) + " websocket(s)");
    for (const Socket& ws : open) co_await ws->close(aio::ws::WSCloseCode::going_away, "Server shutdown");
}

constexpr const char* kUsage =
    "[--host HOST] [--port PORT] [--redis URL] [--update-interval SECONDS] [--shutdown-timeout MS]";

}  // namespace

int main(int argc, char** argv) {
    aio::web::RunAppOptions run_options;
    run_options.access_log = false;
    std::string host = "127.0.0.1";
    Options options;
    try {
        example::Args args(argc, argv);
        while (!args.done()) {
            std::string a = args.next();
            if (a == "--port")
                run_options.port = static_cast<std::uint16_t>(args.number(0, 65535));
            else if (a == "--host")
                host = args.value();
            else if (a == "--redis")
                options.redis_url = args.value();
            else if (a == "--update-interval")
                options.update_interval = std::chrono::duration<double>(args.positive(86400, "seconds"));
            else if (a == "--shutdown-timeout")
                run_options.shutdown_timeout = args.milliseconds();
            else
                args.unknown(kUsage);
        }
        (void)aio::redis::ConnectionConfig::from_url(options.redis_url);  // a bad URL is a usage error
    } catch (const example::UsageError& e) {
        return example::usage_error(argv[0], e);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s: --redis: %s\n", argv[0], e.what());
        return 2;
    }
    run_options.host = host;

    aio::web::Application app;
    app[kWebsockets] = std::set<Socket>{};
    app[kUserfeed] = feed_json(0, 0);
    app[kOptions] = options;
    app.router().add_get("/", userfeed);
    app.router().add_get("/ws", websocket);
    app.router().add_get("/page", page);
    app.on_startup.push_back(start_background_tasks);
    app.on_shutdown.push_back(close_websockets);
    app.on_cleanup.push_back(cleanup_background_tasks);
    try {
        aio::web::run_app(app, run_options);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s: %s\n", argv[0], e.what());
        return 1;
    }
    return 0;
}
