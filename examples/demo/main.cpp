// `make run`: a tour of aio's runtime, printing what it does.
#include <aio/aio.hpp>

#include <cstdio>
#include <string>

#include "common/args.hpp"

using namespace std::chrono_literals;

namespace {

double since(aio::TimePoint t0) { return aio::to_seconds(aio::get_running_loop().time() - t0); }

aio::Coro<std::string> fetch(std::string name, std::chrono::milliseconds delay) {
    co_await aio::sleep(delay);
    co_return name + " (" + std::to_string(delay.count()) + " ms)";
}

aio::Coro<void> flaky() {
    co_await aio::sleep(30ms);
    throw std::runtime_error("flaky failed");
}

aio::Coro<int> main_coro() {
    auto t0 = aio::get_running_loop().time();
    std::printf("aio demo: asyncio's model in C++20\n\n");

    std::printf("1. gather runs three fetches concurrently:\n");
    auto [a, b, c] = co_await aio::gather(fetch("alpha", 50ms), fetch("beta", 30ms), fetch("gamma", 40ms));
    std::printf("   %s, %s, %s  -- after %.2fs, not 0.12s\n", a.c_str(), b.c_str(), c.c_str(), since(t0));

    std::printf("2. wait_for cancels work that takes too long:\n");
    try {
        co_await aio::wait_for(fetch("slow", 500ms), 50ms);
    } catch (const aio::TimeoutError&) {
        std::printf("   TimeoutError after 50 ms; the slow fetch was cancelled and awaited\n");
    }

    std::printf("3. a task can be cancelled; it sees CancelledError at its await:\n");
    auto sleeper = aio::create_task([]() -> aio::Coro<void> {
        try {
            co_await aio::sleep(10s);
        } catch (const aio::CancelledError& e) {
            std::printf("   sleeper caught CancelledError('%s') and cleans up\n", e.message().c_str());
            throw;
        }
    }(), "sleeper");
    co_await aio::sleep(10ms);
    sleeper.cancel("demo is done");
    try {
        co_await sleeper;
    } catch (const aio::CancelledError&) {
    }
    std::printf("   %s cancelled() = %s\n", sleeper.get_name().c_str(), sleeper.cancelled() ? "true" : "false");

    std::printf("4. a TaskGroup cancels the siblings of a failed child and reports every error:\n");
    try {
        co_await aio::task_group([](aio::TaskGroup& tg) -> aio::Coro<void> {
            tg.create_task(fetch("sibling", 1000ms));
            tg.create_task(flaky());
            co_return;
        });
    } catch (const aio::ExceptionGroup& eg) {
        std::printf("   ExceptionGroup: %s\n", eg.message().c_str());
        for (auto& e : eg.exceptions()) std::printf("     - %s\n", aio::describe_exception(e).c_str());
    }

    std::printf("5. a periodic job every 20 ms, without drift, for 100 ms:\n");
    int ticks = 0;
    auto job = aio::schedule([&] { ++ticks; }, 20ms, {aio::Cadence::fixed_rate, true, "ticker"});
    co_await aio::sleep(105ms);
    job.cancel();
    std::printf("   %d ticks\n", ticks);

    std::printf("\ndone in %.2fs\n", since(t0));
    co_return 0;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        example::Args(argc, argv).none("example_demo");
    } catch (const example::UsageError& e) {
        return example::usage_error(argv[0], e);
    }
    return aio::run_main(argv[0], main_coro());
}
