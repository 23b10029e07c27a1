// The pingpong workload (shared/BENCHMARKS.md): two tasks bounce an integer over two
// unbounded aio::Queue<int>, N round trips. The twin of the peers' bench_pingpong
// (shared/peers/asyncio/tasks_bench.py pingpong N), written the same way: the main task does
// ping.put_nowait(i) then co_await pong.get(); the ponger does co_await ping.get() then
// pong.put_nowait(v). Each round trip is two task switches through the loop's ready queue.
//
//   pingpong_bench [N]        (N defaults to 1,000,000)
//
// Prints one line, like the peers (bench_common.hpp):
//   RESULT bench=pingpong n=.. secs=.. rss0_kb=.. hwm_kb=.. cpu_secs=..
// ns/roundtrip = secs * 1e9 / N.

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "aio/aio.hpp"
#include "bench_common.hpp"

namespace {

aio::Coro<void> ponger(aio::Queue<int>& ping, aio::Queue<int>& pong, long n) {
    for (long i = 0; i < n; ++i) {
        int v = co_await ping.get();
        pong.put_nowait(v);
    }
}

aio::Coro<void> bench_pingpong(long n) {
    aio::Queue<int> ping, pong;
    aio::Task<void> t = aio::create_task(ponger(ping, pong, n));
    long sum = 0;
    for (long i = 0; i < n; ++i) {
        ping.put_nowait(static_cast<int>(i));
        sum += co_await pong.get();
    }
    co_await t;
    if (sum != (n - 1) * n / 2) {
        std::fprintf(stderr, "pingpong: wrong sum %ld\n", sum);
        std::exit(1);
    }
}

aio::Coro<void> run_bench(long n) {
    aio::bench::Sample sample;
    co_await bench_pingpong(n);
    sample.report("pingpong", n);
}

}  // namespace

int main(int argc, char** argv) {
    long n = argc > 1 ? std::atol(argv[1]) : 1'000'000;
    if (n <= 0) {
        std::fprintf(stderr, "usage: %s [N]\n", argv[0]);
        return 2;
    }
    aio::run(run_bench(n));
    return 0;
}
