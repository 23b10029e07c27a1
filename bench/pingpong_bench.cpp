// The pingpong workload (shared/BENCHMARKS.md): two tasks bounce an integer over two
// unbounded aio::Queue<int>, N round trips. The twin of the peers' bench_pingpong
// (shared/peers/asyncio/tasks_bench.py pingpong N), written the same way: the main task does
// ping.put_nowait(i) then co_await pong.get(); the ponger does co_await ping.get() then
// pong.put_nowait(v). Each round trip is two task switches through the loop's ready queue.
//
//   pingpong_bench [N]        (N defaults to 1,000,000)
//
// Prints one line, like the peers:
//   RESULT bench=pingpong n=.. secs=.. rss0_kb=.. hwm_kb=.. cpu_secs=..
// secs is measured inside the running loop around the workload only (steady_clock); rss0_kb is
// VmRSS just before it and hwm_kb is VmHWM (peak RSS) right after it, from /proc/self/status.
// ns/roundtrip = secs * 1e9 / N. cpu_secs (user + system CPU time over the same span, as
// tasks_bench's timers line has) tells a loaded machine from a slow loop.

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "aio/aio.hpp"

namespace {

long status_kb(const char* field) {
    std::FILE* f = std::fopen("/proc/self/status", "r");
    if (!f) return -1;
    char line[256];
    std::size_t len = std::strlen(field);
    long v = -1;
    while (std::fgets(line, sizeof line, f)) {
        if (std::strncmp(line, field, len) == 0 && line[len] == ':') {
            v = std::atol(line + len + 1);
            break;
        }
    }
    std::fclose(f);
    return v;
}

double cpu_secs() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    auto tv = [](const timeval& t) { return double(t.tv_sec) + double(t.tv_usec) * 1e-6; };
    return tv(ru.ru_utime) + tv(ru.ru_stime);
}

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
    long rss0 = status_kb("VmRSS");
    double cpu0 = cpu_secs();
    auto t0 = std::chrono::steady_clock::now();
    co_await bench_pingpong(n);
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    double cpu = cpu_secs() - cpu0;
    std::printf("RESULT bench=pingpong n=%ld secs=%.4f rss0_kb=%ld hwm_kb=%ld cpu_secs=%.4f\n", n,
                secs, rss0, status_kb("VmHWM"), cpu);
    std::fflush(stdout);
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
