// Seed 000, "Periodic Execution With Asyncio": a FeedUpdater that GETs every RSS feed at once on
// one ClientSession (aio::wait, ALL_COMPLETED), stores each body's length and a random nonce as
// "40697.7be0ad86", and prints the feeds as the seed's json.dumps(feeds, indent=4,
// sort_keys=True) does. Three ways to run it, as the seed's three scripts:
//
//   example_feed_updater [--once]                  run_once.py: one update
//   example_feed_updater --forever [--interval S]  run_forever.py: update, sleep S (3), again
//   example_feed_updater --scheduled [--interval S]  run_scheduled.py: aio::schedule(update, S)
//   options: [--rounds N] (stop after N updates) [--timeout S] (per GET, 10) [--feed URL]...
//
// With no --feed, the feeds are the two of the seed served by an in-process fixture
// (fixtures::FixtureServer on a free loopback port); each --feed URL replaces them (real feeds).
// A feed that fails (a status other than 200, a dropped connection, a timeout) is reported on
// stderr, keeps its last value, and the next round still runs; --once exits 1 if one failed.
//
// bench/peers/seeds/feed_updater.py is the same program on aiohttp.

#include <aio/aio.hpp>
#include <aio/http/client.hpp>
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "common/args.hpp"
#include "fixtures/fixture_server.hpp"

namespace {

constexpr const char* kUsage =
    "example_feed_updater [--once | --forever | --scheduled] [--interval S] [--rounds N] [--timeout S] "
    "[--feed URL]...";

enum class Mode { once, forever, scheduled };

struct Options {
    Mode mode = Mode::once;
    double interval = 3;
    long rounds = -1;  // -1: no limit (once: 1)
    double timeout = 10;
    std::vector<std::string> feeds;
};

aio::Duration seconds(double s) {
    return std::chrono::duration_cast<aio::Duration>(std::chrono::duration<double>(s));
}

// secrets.token_hex(4)
std::string token_hex4() {
    static std::random_device device;
    char out[9];
    std::snprintf(out, sizeof out, "%08x", static_cast<unsigned>(device()));
    return out;
}

// len() of Python's str: code points, not bytes.
std::size_t python_len(const std::string& text) {
    std::size_t n = 0;
    for (unsigned char c : text) n += (c & 0xC0) != 0x80;
    return n;
}

class FeedUpdater {
public:
    FeedUpdater(const std::vector<std::string>& urls, double timeout) : timeout_(timeout) {
        for (const auto& url : urls) feeds_[url] = nullptr;
    }

    /// One round: every feed fetched at once; false if one failed (it keeps its last value).
    aio::Coro<bool> operator()() {
        std::vector<std::string> urls;
        std::vector<aio::Task<std::string>> tasks;
        for (const auto& [url, value] : feeds_.items()) {
            urls.push_back(url);
            tasks.push_back(aio::create_task(fetch(url), "fetch " + url));
        }
        auto [done, pending] = co_await aio::wait(tasks, aio::ALL_COMPLETED);
        bool ok = true;
        for (std::size_t i = 0; i < tasks.size(); ++i) {  // done holds them all; in the feeds' order
            const std::string& url = urls[i];
            try {
                std::string data = co_await tasks[i];
                feeds_[url] = std::to_string(python_len(data)) + "." + token_hex4();
            } catch (const aio::CancelledError&) {
                throw;
            } catch (...) {
                ok = false;
                std::fprintf(stderr, "feed_updater: %s: %s\n", url.c_str(),
                             aio::describe_exception(std::current_exception()).c_str());
            }
        }
        std::string text = feeds_.dump(4, ' ', true);
        std::printf("%s\n", text.c_str());
        std::fflush(stdout);
        ++rounds_;
        co_return ok;
    }

    long rounds() const { return rounds_; }

private:
    aio::Coro<std::string> fetch(std::string url) {
        aio::http::RequestOptions request;
        request.timeout = aio::http::ClientTimeout{.total = seconds(timeout_)};
        aio::http::ClientResponse response = co_await session_.get(url, request);
        if (response.status != 200)  // the seed's `assert status == 200`
            throw std::runtime_error("status " + std::to_string(response.status) + ", expected 200");
        co_return co_await response.text();
    }

    double timeout_;
    aio::http::ClientSession session_;
    nlohmann::json feeds_ = nlohmann::json::object();  // sorted by key, as sort_keys=True
    long rounds_ = 0;
};

aio::Coro<int> run(Options opt) {
    std::optional<fixtures::FixtureServer> fixture;
    if (opt.feeds.empty()) {
        fixtures::FixtureOptions fixture_options;  // named, as the host: g++ 12 and temporaries in co_await
        std::string host = "127.0.0.1";
        fixture.emplace(co_await fixtures::FixtureServer::start(fixture_options, host, 0));
        opt.feeds = {fixture->base_url() + "/feeds/abcnews/topstories", fixture->base_url() + "/feeds/sample.xml"};
    }
    FeedUpdater update(opt.feeds, opt.timeout);
    bool all_ok = true;
    if (opt.mode == Mode::once) {
        all_ok = co_await update();
    } else if (opt.mode == Mode::forever) {
        // run_forever.py's constant_update()
        for (long round = 0; opt.rounds < 0 || round < opt.rounds; ++round) {
            if (round > 0) co_await aio::sleep(seconds(opt.interval));
            all_ok = co_await update() && all_ok;
        }
    } else {
        // run_scheduled.py: schedule(update, interval=3), stopped after --rounds
        aio::Event finished;
        auto job = [&]() -> aio::Coro<void> {
            bool ok = co_await update();
            all_ok = ok && all_ok;
            if (opt.rounds >= 0 && update.rounds() >= opt.rounds) finished.set();
        };
        auto refresh_task = aio::schedule(job, seconds(opt.interval));
        co_await finished.wait();
        refresh_task.cancel();
        try {
            co_await refresh_task;
        } catch (const aio::CancelledError&) {
        }
    }
    if (fixture) co_await fixture->stop();
    co_return all_ok ? 0 : 1;
}

Options parse(int argc, char** argv) {
    Options o;
    example::Args args(argc, argv);
    int modes = 0;
    while (!args.done()) {
        std::string a = args.next();
        if (a == "--once") o.mode = Mode::once, ++modes;
        else if (a == "--forever") o.mode = Mode::forever, ++modes;
        else if (a == "--scheduled") o.mode = Mode::scheduled, ++modes;
        else if (a == "--interval") o.interval = args.positive(86400, "seconds");
        else if (a == "--timeout") o.timeout = args.positive(86400, "seconds");
        else if (a == "--rounds") o.rounds = args.number<long>(1);
        else if (a == "--feed") {
            std::string url = args.value();
            if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0)
                throw example::UsageError("--feed: expected an http:// or https:// URL, got '" + url + "'");
            o.feeds.push_back(url);
        } else args.unknown(kUsage);
    }
    if (modes > 1) throw example::UsageError("--once, --forever and --scheduled exclude each other");
    return o;
}

}  // namespace

int main(int argc, char** argv) {
    Options opt;
    try {
        opt = parse(argc, argv);
    } catch (const example::UsageError& e) {
        return example::usage_error(argv[0], e);
    }
    return aio::run_main(argv[0], run(std::move(opt)));
}
