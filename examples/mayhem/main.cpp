// Seed 003, "mayhem": a service that consumes messages from a queue and, on SIGHUP, SIGTERM or
// SIGINT, shuts down gracefully: it cancels every outstanding task, gathers them with their errors
// collected, flushes its metrics and stops the loop. A publisher puts messages with random ids on
// an aio::Queue; the consumer handles each in its own task (save and restart concurrently, then
// cleanup once both are done), with random delays and random failures. A periodic task runs
// beside them; `--stop-after S` stops it with `call_later(S, stop)`, as the seed's snippet does,
// and the service shuts down by itself. An exception that escapes a task reaches the loop's
// exception handler, which logs it and shuts the service down.
//
//   example_mayhem [--seed N] [--speed X] [--stop-after S] [--messages N] [--fail-after N]
//
// --seed N         the randomness (names, ids, delays, failures); each message draws its own
//                  from (seed, index), so what happens to it does not depend on the interleaving
// --speed X        divides every delay (publish gap, save/restart/cleanup, the 1 s period) by X
// --stop-after S   seconds (real, not scaled) until call_later's stop() shuts the service down
// --messages N     publish N messages, then no more
// --fail-after N   the publisher raises after N messages (for the exception handler)
//
// It logs on stderr as the seed's `logging.basicConfig(format="%(asctime)s,%(msecs)d
// %(levelname)s: %(message)s", datefmt="%H:%M:%S")` does. bench/peers/seeds/mayhem.py is the
// same program on asyncio, with the same random generator.
//
// Python, for comparison (the seed's):
//   async def shutdown(signal, loop):
//       logging.info(f"Received exit signal {signal.name}...")
//       logging.info("Closing database connections")
//       logging.info("Nacking outstanding messages")
//       tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
//       [task.cancel() for task in tasks]
//       logging.info(f"Cancelling {len(tasks)} outstanding tasks")
//       await asyncio.gather(*tasks, return_exceptions=True)
//       logging.info(f"Flushing metrics")
//       loop.stop()

#include <signal.h>

#include <aio/aio.hpp>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <memory>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>

#include "common/args.hpp"

namespace {

constexpr const char* kUsage =
    "example_mayhem [--seed N] [--speed X] [--stop-after S] [--messages N] [--fail-after N]";

struct Options {
    std::uint64_t seed = std::random_device{}();
    double speed = 1.0;
    std::optional<double> stop_after;
    long messages = -1;    // -1: no limit
    long fail_after = -1;  // -1: never
};

// One line on stderr in the seed's logging format: "12:40:01,123 INFO: message".
void log(const char* level, const std::string& message) {
    auto now = std::chrono::system_clock::now();
    std::time_t t = std::chrono::system_clock::to_time_t(now);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
    std::tm local{};
    ::localtime_r(&t, &local);
    char stamp[16];
    std::strftime(stamp, sizeof stamp, "%H:%M:%S", &local);
    std::fprintf(stderr, "%s,%d %s: %s\n", stamp, static_cast<int>(ms), level, message.c_str());
}
void info(const std::string& m) { log("INFO", m); }
void error(const std::string& m) { log("ERROR", m); }

// splitmix64: small, and easy to write the same in Python (the twin's numbers are these numbers).
class Rng {
public:
    explicit Rng(std::uint64_t state) : state_(state) {}
    std::uint64_t next() {
        std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    /// [0, 1), as random.random().
    double random() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
    /// [0, n).
    std::uint64_t below(std::uint64_t n) { return next() % n; }

private:
    std::uint64_t state_;
};

// Everything random about one message is drawn when it is made, in a fixed order.
struct Message {
    std::string message_id;
    std::string instance_name;
    double save_delay = 0, restart_delay = 0, cleanup_delay = 0;
    bool save_fails = false, restart_fails = false;

    std::string hostname() const { return instance_name + ".example.net"; }
    std::string repr() const { return "PubSubMessage(instance_name='" + instance_name + "')"; }
};

std::shared_ptr<Message> make_message(std::uint64_t seed, long index) {
    Rng rng(seed + static_cast<std::uint64_t>(index + 1) * 0x632BE59BD9B4E019ull);
    auto msg = std::make_shared<Message>();
    static const char kChoices[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    static const char kHex[] = "0123456789abcdef";
    std::string host_id;
    for (int i = 0; i < 4; ++i) host_id += kChoices[rng.below(36)];
    msg->instance_name = "cattle-" + host_id;
    for (int i = 0; i < 8; ++i) msg->message_id += kHex[rng.below(16)];
    msg->save_delay = rng.random();
    msg->save_fails = rng.below(4) + 1 == 3;  // the seed's random.randrange(1, 5) == 3
    msg->restart_delay = rng.random();
    msg->restart_fails = rng.below(4) + 1 == 3;
    msg->cleanup_delay = rng.random();
    return msg;
}

class RestartFailed : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

using MessageQueue = aio::Queue<std::shared_ptr<Message>>;

struct Service {
    Options options;
    aio::EventLoop* loop = nullptr;
    MessageQueue queue;
    aio::AnyTask periodic_task;

    aio::Duration scaled(double seconds) const {
        return std::chrono::duration_cast<aio::Duration>(std::chrono::duration<double>(seconds / options.speed));
    }
};

aio::Coro<void> publish(Service& s) {
    Rng rng(s.options.seed);
    for (long k = 0; s.options.messages < 0 || k < s.options.messages; ++k) {
        if (k == s.options.fail_after)
            throw std::runtime_error("Publisher failed after " + std::to_string(k) + " messages");
        auto msg = make_message(s.options.seed, k);
        co_await s.queue.put(msg);
        info("Published message " + msg->message_id + " for " + msg->repr());
        co_await aio::sleep(s.scaled(rng.random()));
    }
}

aio::Coro<void> restart_host(const Service& s, std::shared_ptr<Message> msg) {
    co_await aio::sleep(s.scaled(msg->restart_delay));
    if (msg->restart_fails) throw RestartFailed("Could not restart " + msg->hostname());
    info("Restarted " + msg->hostname());
}

aio::Coro<void> save(const Service& s, std::shared_ptr<Message> msg) {
    co_await aio::sleep(s.scaled(msg->save_delay));
    if (msg->save_fails) throw std::runtime_error("Could not save " + msg->repr());
    info("Saved " + msg->repr() + " into database");
}

aio::Coro<void> cleanup(const Service& s, std::shared_ptr<Message> msg, std::shared_ptr<aio::Event> done) {
    co_await done->wait();
    co_await aio::sleep(s.scaled(msg->cleanup_delay));
    info("Done. Acked " + msg->repr());
}

void handle_result(const aio::Outcome<void>& result, const Message& msg) {
    if (!result.has_exception()) return;
    try {
        std::rethrow_exception(result.exception());
    } catch (const RestartFailed&) {
        error("Retrying for failure to restart: " + msg.hostname());
    } catch (const std::exception& e) {
        error(std::string("Handling general error: ") + e.what());
    }
}

aio::Coro<void> handle_message(const Service& s, std::shared_ptr<Message> msg) {
    auto done = std::make_shared<aio::Event>();
    aio::create_task(cleanup(s, msg, done), "cleanup");
    auto [saved, restarted] = co_await aio::gather_settled(save(s, msg), restart_host(s, msg));
    handle_result(saved, *msg);
    handle_result(restarted, *msg);
    done->set();
}

aio::Coro<void> consume(Service& s) {
    for (;;) {
        std::shared_ptr<Message> msg = co_await s.queue.get();
        info("Consumed " + msg->repr());
        aio::create_task(handle_message(s, std::move(msg)), "handle_message");
    }
}

aio::Coro<void> periodic(const Service& s) {
    for (;;) {
        info("periodic");
        co_await aio::sleep(s.scaled(1.0));
    }
}

const char* signal_name(int sig) {
    switch (sig) {
        case SIGHUP: return "SIGHUP";
        case SIGTERM: return "SIGTERM";
        case SIGINT: return "SIGINT";
        default: return "signal";
    }
}

aio::Coro<void> shutdown(Service& s, std::optional<int> sig) {
    if (sig) info(std::string("Received exit signal ") + signal_name(*sig) + "...");
    info("Closing database connections");
    info("Nacking outstanding messages");
    std::vector<aio::AnyTask> tasks;
    aio::AnyTask me = aio::current_task();
    for (auto& t : aio::all_tasks())
        if (!(t == me)) tasks.push_back(t);
    for (auto& t : tasks) t.cancel();
    info("Cancelling " + std::to_string(tasks.size()) + " outstanding tasks");
    if (!tasks.empty()) co_await aio::wait(tasks, aio::ALL_COMPLETED);
    for (auto& t : tasks) {  // return_exceptions=True: collected, not raised
        if (t.cancelled()) continue;
        if (auto e = t.exception()) error("Task " + t.get_name() + " failed: " + aio::describe_exception(e));
    }
    info("Flushing metrics");
    s.loop->stop();
}

// The seed's handle_exception: a task's exception nobody awaited shuts the service down.
void handle_exception(Service& s, aio::EventLoop& loop, const aio::ExceptionContext& context) {
    std::string what = context.message;
    if (context.exception) {
        try {
            std::rethrow_exception(context.exception);
        } catch (const std::exception& e) {
            what = e.what();
        } catch (...) {
            what = aio::describe_exception(context.exception);
        }
    }
    error("Caught exception: " + what);
    info("Shutting down...");
    loop.create_task(shutdown(s, std::nullopt), "shutdown");
}

Options parse(int argc, char** argv) {
    Options o;
    example::Args args(argc, argv);
    while (!args.done()) {
        std::string a = args.next();
        if (a == "--seed") o.seed = args.number<std::uint64_t>(0);
        else if (a == "--speed") o.speed = args.positive(1e9);
        else if (a == "--stop-after") o.stop_after = args.positive(1e9);
        else if (a == "--messages") o.messages = args.number<long>(0);
        else if (a == "--fail-after") o.fail_after = args.number<long>(0);
        else args.unknown(kUsage);
    }
    return o;
}

}  // namespace

int main(int argc, char** argv) {
    Service s;
    try {
        s.options = parse(argc, argv);
    } catch (const example::UsageError& e) {
        return example::usage_error(argv[0], e);
    }
    // The seed's main(): one loop, run_forever, closed in `finally`.
    aio::EventLoop loop;
    s.loop = &loop;
    try {
        for (int sig : {SIGHUP, SIGTERM, SIGINT})
            aio::add_signal_handler(loop, sig, [&s, &loop, sig] { loop.create_task(shutdown(s, sig), "shutdown"); });
        loop.set_exception_handler(
            [&s](aio::EventLoop& l, const aio::ExceptionContext& c) { handle_exception(s, l, c); });
        loop.create_task(publish(s), "publish");
        loop.create_task(consume(s), "consume");
        s.periodic_task = loop.create_task(periodic(s), "periodic");
        if (s.options.stop_after) {
            auto stop = [&s, &loop] {  // the seed's stop(): cancel the periodic task; here the rest too
                s.periodic_task.cancel();
                loop.create_task(shutdown(s, std::nullopt), "shutdown");
            };
            loop.call_later(std::chrono::duration<double>(*s.options.stop_after), stop);
        }
        loop.run_forever();
    } catch (...) {
        loop.close();
        return aio::detail::report_escaped(argv[0], std::current_exception());
    }
    loop.close();
    info("Successfully shutdown the Mayhem service.");
    return 0;
}
