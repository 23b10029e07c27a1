// aio's task micro-benchmarks: the twin of the peers' tasks_bench programs
// (shared/peers/{asyncio,asio,tokio,node}/tasks_bench.*), one thread, one loop.
//
//   tasks_bench BENCH N
//
//   spawn               N times: co_await aio::create_task(noop())   (sequential spawn + await)
//   spawn_batch         create N tasks (handles kept in a vector), then co_await each in turn
//                       (like Tokio's peer: each await after the first finds its task done)
//   spawn_batch_gather  the same N tasks awaited with one aio::gather(vector) instead
//   sleep               N tasks each co_await aio::sleep(10ms), then co_await each in turn
//   sleep_gather        the same, awaited with one aio::gather(vector)
//   gather_pair         N times: co_await aio::gather(noop(), noop())   (gather makes the tasks)
//   gather_coros        one aio::gather(vector of N noop() coroutines)
//   timers              N loop.call_later callbacks, delays i*1s/N (spread evenly over 0..1 s);
//                       every odd one is cancelled (TimerHandle::cancel) right after all are
//                       scheduled, before any can fire; ends when the last one has fired
//
// Prints one line, like the peers (bench_common.hpp):
//   RESULT bench=.. n=.. secs=.. rss0_kb=.. hwm_kb=.. cpu_secs=..

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "aio/aio.hpp"
#include "bench_common.hpp"

namespace {

using namespace std::chrono_literals;
aio::Coro<void> noop() { co_return; }

aio::Coro<void> sleeper() { co_await aio::sleep(10ms); }

aio::Coro<void> bench_spawn(long n) {
    for (long i = 0; i < n; ++i) co_await aio::create_task(noop());
}

template <class MakeCoro>
aio::Coro<void> batch_await_each(long n, MakeCoro make) {
    std::vector<aio::Task<void>> tasks;
    tasks.reserve(static_cast<std::size_t>(n));
    for (long i = 0; i < n; ++i) tasks.push_back(aio::create_task(make()));
    for (auto& t : tasks) co_await t;
}

template <class MakeCoro>
aio::Coro<void> batch_gather(long n, MakeCoro make) {
    std::vector<aio::Task<void>> tasks;
    tasks.reserve(static_cast<std::size_t>(n));
    for (long i = 0; i < n; ++i) tasks.push_back(aio::create_task(make()));
    co_await aio::gather(std::move(tasks));
}

aio::Coro<void> bench_gather_pair(long n) {
    for (long i = 0; i < n; ++i) co_await aio::gather(noop(), noop());
}

aio::Coro<void> bench_gather_coros(long n) {
    std::vector<aio::Coro<void>> coros;
    coros.reserve(static_cast<std::size_t>(n));
    for (long i = 0; i < n; ++i) coros.push_back(noop());
    co_await aio::gather(std::move(coros));
}

aio::Coro<void> bench_timers(long n) {
    aio::EventLoop& loop = aio::get_running_loop();
    struct Progress {
        long fired = 0;
        long expected = 0;
        aio::Future<void> all_fired;
    } progress{0, n - n / 2, aio::Future<void>(loop)};  // the even indexes fire
    // One pointer of captured state, so each handle stays as small as the loop allows.
    auto on_timer = [p = &progress] {
        if (++p->fired == p->expected) p->all_fired.set_result();
    };
    std::vector<aio::TimerHandle> handles;
    handles.reserve(static_cast<std::size_t>(n));
    for (long i = 0; i < n; ++i) {
        auto delay = std::chrono::nanoseconds(i * 1'000'000'000LL / n);
        handles.push_back(loop.call_later(delay, on_timer));
    }
    for (long i = 1; i < n; i += 2) handles[static_cast<std::size_t>(i)].cancel();
    if (progress.expected > 0) co_await progress.all_fired;
    if (progress.fired != progress.expected) {
        std::fprintf(stderr, "timers: %ld of %ld callbacks fired\n", progress.fired,
                     progress.expected);
        std::exit(1);
    }
}

aio::Coro<void> run_bench(std::string bench, long n) {
    aio::bench::Sample sample;
    if (bench == "spawn")
        co_await bench_spawn(n);
    else if (bench == "spawn_batch")
        co_await batch_await_each(n, noop);
    else if (bench == "spawn_batch_gather")
        co_await batch_gather(n, noop);
    else if (bench == "sleep")
        co_await batch_await_each(n, sleeper);
    else if (bench == "sleep_gather")
        co_await batch_gather(n, sleeper);
    else if (bench == "gather_pair")
        co_await bench_gather_pair(n);
    else if (bench == "gather_coros")
        co_await bench_gather_coros(n);
    else if (bench == "timers")
        co_await bench_timers(n);
    sample.report(bench.c_str(), n);
}

}  // namespace

int main(int argc, char** argv) {
    static const char* const benches[] = {"spawn",        "spawn_batch",  "spawn_batch_gather",
                                          "sleep",        "sleep_gather", "gather_pair",
                                          "gather_coros", "timers"};
    bool known = false;
    if (argc == 3)
        for (const char* b : benches) known = known || std::strcmp(argv[1], b) == 0;
    char* end = nullptr;
    long n = argc == 3 ? std::strtol(argv[2], &end, 10) : -1;
    if (!known || n < 0 || (end && *end)) {
        std::fprintf(stderr,
                     "usage: tasks_bench "
                     "spawn|spawn_batch|spawn_batch_gather|sleep|sleep_gather|gather_pair|"
                     "gather_coros|timers N\n");
        return 2;
    }
    aio::run(run_bench(argv[1], n));
    return 0;
}
