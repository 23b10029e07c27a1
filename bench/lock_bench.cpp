// A contended aio::Lock: the twin of bench/peers/lock_bench.py (asyncio, uvloop).
//
//   lock_bench [K [N]]        defaults: K = 100 tasks, N = 10,000 acquisitions each
//
// K tasks each acquire and release the one lock N times, with a
// `co_await aio::sleep(0s)` inside the critical section, so every acquisition
// but the first waits in the lock's queue and is handed the lock by release()
// (K-way contention, FIFO): per acquisition, one release/handoff, two task
// wake-ups and two loop turns.
//
// Prints one line, like bench/tasks_bench.cpp (bench_common.hpp):
//   RESULT bench=lock n=<K*N acquisitions> secs=.. rss0_kb=.. hwm_kb=.. cpu_secs=..

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "aio/aio.hpp"
#include "bench_common.hpp"

namespace {

using namespace std::chrono_literals;
struct Shared {
    aio::Lock lock;
    long inside = 0;  // tasks inside the critical section: must stay 0 or 1
    long acquisitions = 0;
};

aio::Coro<void> worker(Shared* s, long n) {
    for (long i = 0; i < n; ++i) {
        auto guard = co_await s->lock.acquire();
        if (++s->inside != 1) {
            std::fprintf(stderr, "lock_bench: %ld tasks inside the lock\n", s->inside);
            std::exit(1);
        }
        ++s->acquisitions;
        co_await aio::sleep(0s);
        --s->inside;
    }
}

aio::Coro<void> run_bench(long k, long n) {
    Shared shared;
    aio::bench::Sample sample;
    std::vector<aio::Task<void>> tasks;
    tasks.reserve(static_cast<std::size_t>(k));
    for (long i = 0; i < k; ++i) tasks.push_back(aio::create_task(worker(&shared, n)));
    co_await aio::gather(std::move(tasks));
    if (shared.acquisitions != k * n || shared.lock.locked()) {
        std::fprintf(stderr, "lock_bench: %ld acquisitions of %ld\n", shared.acquisitions, k * n);
        std::exit(1);
    }
    sample.report("lock", k * n);
}

long parse(const char* s) {
    char* end = nullptr;
    long v = std::strtol(s, &end, 10);
    return (end && *end) || v <= 0 ? -1 : v;
}

}  // namespace

int main(int argc, char** argv) {
    long k = argc > 1 ? parse(argv[1]) : 100;
    long n = argc > 2 ? parse(argv[2]) : 10000;
    if (argc > 3 || k < 0 || n < 0) {
        std::fprintf(stderr, "usage: lock_bench [TASKS [ACQUISITIONS_PER_TASK]]\n");
        return 2;
    }
    aio::run(run_bench(k, n));
    return 0;
}
