// Seed 002's periodic programs on aio: every --period seconds, the comments of the top --limit
// Hacker News stories, in the three shapes the seed walks through:
//   --mode await-sleep  await the round, then sleep (the period runs from the round's end);
//   --mode create-task  start the round as a task, sleep, start the next: the time and fetch
//                       count come from the task's done callback;
//   --mode call-later   a plain function starts the round's task and reschedules itself with
//                       loop.call_later(period).
// Against the in-process fixture server by default (see hn_comments); --base-url for another.
//
//   example_hn_poll [--mode await-sleep|create-task|call-later] [--period 5] [--limit 5]
//                   [--rounds N] [--base-url URL] [--verbose] [--boom-after N] [--fetch-timeout MS]
//
// --rounds N stops after N rounds (the seed polls forever: 0, the default) once every round's
// task has finished. --boom-after N: each round's fetch N + 1 raises the seed's BOOM!; in the
// task modes it reaches the done callback, which hands it to the loop's exception handler with
// the task's name and creation site, and the next round still runs; awaited (await-sleep), it
// ends the program with exit 1, as the seed's.

#include <cstdlib>
#include <optional>
#include <string>

#include "aio/aio.hpp"
#include "common/args.hpp"
#include "fixtures/fixture_server.hpp"
#include "hn_comments/hn_crawl.hpp"

namespace {

const char* const kUsage =
    "example_hn_poll [--mode await-sleep|create-task|call-later] [--period 5] [--limit 5] [--rounds N] "
    "[--base-url URL] [--verbose] [--boom-after N] [--fetch-timeout MS]";

enum class Mode { await_sleep, create_task, call_later };

struct Options {
    Mode mode = Mode::await_sleep;
    std::string period_text = "5";
    std::chrono::milliseconds period{5000};
    std::size_t limit = 5;
    std::uint64_t rounds = 0;
    std::string base_url;
    std::uint64_t boom_after = 0;
    std::chrono::milliseconds fetch_timeout = hn::kFetchTimeout;
};

struct Poller {
    explicit Poller(Options o) : opt(std::move(o)), base(opt.base_url) {}
    Options opt;
    std::string base;
    aio::http::ClientSession session;
    std::vector<aio::Task<std::uint64_t>> started;  // every round's task, awaited at the end
    aio::Event last_round_started;
};

// The seed's get_comments_of_top_stories: one round with a fetcher of its own; returns its fetches.
aio::Coro<std::uint64_t> get_comments_of_top_stories(Poller& p, std::uint64_t iteration) {
    hn::URLFetcher fetcher(p.session, p.base, p.opt.fetch_timeout, p.opt.boom_after);
    nlohmann::json response = co_await fetcher.fetch(fetcher.top_stories_url());
    if (!response.is_array()) throw hn::FetchError(fetcher.top_stories_url() + ": not a list of ids");
    std::vector<std::int64_t> ids;
    for (std::size_t i = 0; i < response.size() && i < p.opt.limit; ++i) ids.push_back(response[i].get<std::int64_t>());
    std::vector<aio::Coro<std::size_t>> tasks;
    for (std::int64_t id : ids) tasks.push_back(hn::post_number_of_comments(fetcher, id));
    std::vector<std::size_t> results = co_await hn::gather_scoped(std::move(tasks));
    for (std::size_t i = 0; i < ids.size(); ++i)
        hn::log("Post " + std::to_string(ids[i]) + " has " + std::to_string(results[i]) + " comments (" +
                std::to_string(iteration) + ")");
    co_return fetcher.fetch_counter;
}

std::string took(std::chrono::steady_clock::time_point start, std::uint64_t fetches) {
    return "> Calculating comments took " + hn::fixed_seconds(std::chrono::steady_clock::now() - start) + " seconds and " +
           std::to_string(fetches) + " fetches";
}

// The task modes' round: the task, and the done callback that reports it. An exception from the
// round goes to the loop's exception handler, named after the task, as asyncio reports an
// exception escaping a callback.
void start_round(Poller& p, std::uint64_t iteration) {
    aio::Task<std::uint64_t> task =
        aio::create_task(get_comments_of_top_stories(p, iteration), "get_comments_of_top_stories");
    auto start = std::chrono::steady_clock::now();
    task.add_done_callback([start](aio::Task<std::uint64_t> done) {
        try {
            hn::log(took(start, done.result()));
        } catch (const std::exception&) {
            aio::ExceptionContext ctx;
            ctx.message = "Exception in callback poll_top_stories_for_comments.<locals>.callback";
            ctx.exception = std::current_exception();
            ctx.task = done.get_name();
            ctx.source = done.creation_site();
            aio::get_running_loop().call_exception_handler(ctx);
        } catch (const aio::CancelledError&) {
        }
    });
    p.started.push_back(std::move(task));
}

// The call_later variant: a plain function that starts a round and schedules the next.
void poll_with_call_later(Poller& p, std::uint64_t iteration) {
    hn::log("Calculating comments for top " + std::to_string(p.opt.limit) + " stories (" + std::to_string(iteration) + ")");
    start_round(p, iteration);
    hn::log("Waiting for " + p.opt.period_text + " seconds...");
    if (p.opt.rounds != 0 && iteration >= p.opt.rounds) {
        p.last_round_started.set();
        return;
    }
    aio::get_running_loop().call_later(p.opt.period, [&p, iteration] { poll_with_call_later(p, iteration + 1); });
}

aio::Coro<int> poll(Options opt) {
    std::optional<fixtures::FixtureServer> fixture;
    Poller p(opt);
    if (p.base.empty()) {
        fixture.emplace(co_await fixtures::FixtureServer::start());
        p.base = fixture->base_url();
    }
    int rc = 0;
    if (opt.mode == Mode::call_later) {
        poll_with_call_later(p, 1);
        co_await p.last_round_started.wait();
    } else {
        for (std::uint64_t iteration = 1; opt.rounds == 0 || iteration <= opt.rounds; ++iteration) {
            hn::log("Calculating comments for top " + std::to_string(opt.limit) + " stories. (" + std::to_string(iteration) + ")");
            if (opt.mode == Mode::await_sleep) {
                auto start = std::chrono::steady_clock::now();
                try {
                    std::uint64_t fetches = co_await get_comments_of_top_stories(p, iteration);
                    hn::log(took(start, fetches));
                } catch (const std::exception& e) {
                    hn::log("Error: " + std::string(e.what()));
                    rc = 1;
                    break;
                }
            } else {
                start_round(p, iteration);
            }
            hn::log("Waiting for " + opt.period_text + " seconds...");
            if (opt.rounds != 0 && iteration == opt.rounds) break;
            co_await aio::sleep(opt.period);
        }
    }
    for (aio::Task<std::uint64_t>& t : p.started) {
        try {
            co_await t;
        } catch (const std::exception&) {
            // already reported by its done callback
        }
    }
    co_await aio::sleep(std::chrono::seconds(0));  // the last done callback runs in the loop turn after its task's end
    p.session.close();
    if (fixture) co_await fixture->stop();
    co_return rc;
}

std::chrono::milliseconds parse_period(const std::string& text) {
    char* end = nullptr;
    double s = std::strtod(text.c_str(), &end);
    if (text.empty() || end != text.c_str() + text.size() || !(s >= 0) || s > 86'400)
        throw example::UsageError("--period: expected seconds from 0 to 86400 (5, 0.5), got '" + text + "'");
    return std::chrono::milliseconds(static_cast<long>(s * 1000 + 0.5));
}

}  // namespace

int main(int argc, char** argv) {
    Options opt;
    try {
        example::Args args(argc, argv);
        while (!args.done()) {
            std::string a = args.next();
            if (a == "--mode") {
                std::string m = args.value();
                if (m == "await-sleep")
                    opt.mode = Mode::await_sleep;
                else if (m == "create-task")
                    opt.mode = Mode::create_task;
                else if (m == "call-later")
                    opt.mode = Mode::call_later;
                else
                    throw example::UsageError("--mode: expected await-sleep, create-task or call-later, got '" + m + "'");
            } else if (a == "--period") {
                opt.period_text = args.value();
                opt.period = parse_period(opt.period_text);
            } else if (a == "--limit") {
                opt.limit = args.number<std::size_t>(1, 500);
            } else if (a == "--rounds") {
                opt.rounds = args.number<std::uint64_t>(0);
            } else if (a == "--base-url") {
                opt.base_url = args.value();
            } else if (a == "--verbose") {
                hn::verbose = true;
            } else if (a == "--boom-after") {
                opt.boom_after = args.number<std::uint64_t>(1);
            } else if (a == "--fetch-timeout") {
                opt.fetch_timeout = args.milliseconds();
            } else {
                args.unknown(kUsage);
            }
        }
        while (!opt.base_url.empty() && opt.base_url.back() == '/') opt.base_url.pop_back();
    } catch (const example::UsageError& e) {
        return example::usage_error(argv[0], e);
    }
    return aio::run_main(argv[0], poll(opt));
}
