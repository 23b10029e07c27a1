#pragma once
// What every aio bench program shares: the peak-RSS reader and the RESULT line
// the driver (bench/run_bench.py) parses, so each program only holds its workload.
//
//   aio::bench::Sample s;       // just before the workload: VmRSS, CPU time, wall clock
//   ...workload...
//   s.report("spawn", n);       // RESULT bench=spawn n=.. secs=.. rss0_kb=.. hwm_kb=.. cpu_secs=..
//
// secs is wall time (steady_clock) around the workload only; rss0_kb is VmRSS just before it and
// hwm_kb is VmHWM (peak RSS) right after it, from /proc/self/status; cpu_secs is the user + system
// CPU time of the process over the same span, which tells a loaded machine from a slow loop.
// bytes/task = (hwm_kb - rss0_kb) * 1024 / n.

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace aio::bench {

/// A field of /proc/self/status in kB ("VmRSS", "VmHWM"), or -1.
inline long status_kb(const char* field) {
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

/// User + system CPU time of this process, in seconds.
inline double cpu_secs() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    auto tv = [](const timeval& t) { return double(t.tv_sec) + double(t.tv_usec) * 1e-6; };
    return tv(ru.ru_utime) + tv(ru.ru_stime);
}

/// One measurement: construct it right before the workload, report() right after.
class Sample {
public:
    Sample() : rss0_kb_(status_kb("VmRSS")), cpu0_(cpu_secs()), t0_(std::chrono::steady_clock::now()) {}

    void report(const char* bench, long n) const {
        double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count();
        double cpu = cpu_secs() - cpu0_;
        long hwm = status_kb("VmHWM");
        std::printf("RESULT bench=%s n=%ld secs=%.4f rss0_kb=%ld hwm_kb=%ld cpu_secs=%.4f\n", bench, n,
                    secs, rss0_kb_, hwm, cpu);
        std::fflush(stdout);
    }

private:
    long rss0_kb_;
    double cpu0_;
    std::chrono::steady_clock::time_point t0_;
};

}  // namespace aio::bench
