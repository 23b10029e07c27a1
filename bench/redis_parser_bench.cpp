// The RESP parser choice, in numbers: aio::redis::RespParser against Debian's hiredis 0.14
// redisReader (libhiredis-dev), on the same bytes.
//
//   redis_parser_bench [--runs N] [--only NAME]
//
// Prints ns of CPU per reply, median over N runs (default 7) of process CPU time, for: each
// RESP2 reply type parsed alone (fed whole, 100,000 times), and a 10,000-reply pipeline of GET
// answers fed in 16 KiB reads (the client's read size). hiredis 0.14 speaks RESP2 only: the RESP3
// types are aio's alone. For instructions per reply, run it under
// `valgrind --tool=callgrind --toggle-collect='*run_*'` with --runs 1 and --only NAME, and
// divide run_aio's and run_hiredis's inclusive counts by the replies parsed.

#include <hiredis/hiredis.h>
#include <hiredis/read.h>
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "aio/redis/resp_parser.hpp"

namespace {

double cpu_ns() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return double(ts.tv_sec) * 1e9 + double(ts.tv_nsec);
}

double median_ns_per(int runs, std::size_t replies, const std::function<std::size_t()>& fn) {
    std::vector<double> v;
    for (int i = 0; i < runs; ++i) {
        double t0 = cpu_ns();
        std::size_t got = fn();
        double t1 = cpu_ns();
        if (got != replies) {
            std::fprintf(stderr, "parsed %zu replies, expected %zu\n", got, replies);
            std::exit(1);
        }
        v.push_back((t1 - t0) / double(replies));
    }
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

__attribute__((noinline)) std::size_t run_aio(const std::string& wire, std::size_t piece, int repeat) {
    std::size_t n = 0;
    aio::redis::RespParser p;
    for (int r = 0; r < repeat; ++r)
        for (std::size_t at = 0; at < wire.size(); at += piece) {
            p.feed(std::string_view(wire).substr(at, piece));
            while (auto reply = p.next()) ++n;
        }
    return n;
}

__attribute__((noinline)) std::size_t run_hiredis(const std::string& wire, std::size_t piece, int repeat) {
    std::size_t n = 0;
    redisReader* rd = redisReaderCreate();
    for (int r = 0; r < repeat; ++r)
        for (std::size_t at = 0; at < wire.size(); at += piece) {
            redisReaderFeed(rd, wire.data() + at, std::min(piece, wire.size() - at));
            void* reply = nullptr;
            while (redisReaderGetReply(rd, &reply) == REDIS_OK && reply) {
                freeReplyObject(reply);
                ++n;
            }
        }
    redisReaderFree(rd);
    return n;
}

struct Case {
    const char* name;
    std::string wire;
    std::size_t replies;
    bool resp3;
};

}  // namespace

int main(int argc, char** argv) {
    int runs = 7;
    const char* only = nullptr;  // --only NAME: that case alone (callgrind counts per case)
    for (int i = 1; i + 1 < argc; i += 2) {
        if (std::strcmp(argv[i], "--runs") == 0) {
            runs = std::atoi(argv[i + 1]);
        } else if (std::strcmp(argv[i], "--only") == 0) {
            only = argv[i + 1];
        } else {
            std::fprintf(stderr, "usage: redis_parser_bench [--runs N] [--only NAME]\n");
            return 2;
        }
    }
    if (runs < 1) {
        std::fprintf(stderr, "redis_parser_bench: --runs must be at least 1\n");
        return 2;
    }
    std::string array10 = "*10\r\n";
    for (int i = 0; i < 10; ++i) array10 += "$8\r\nitem:00" + std::to_string(i) + "\r\n";
    std::string pipeline;
    for (int i = 0; i < 10000; ++i) pipeline += "$16\r\nvalue:" + std::to_string(1000000000 + i) + "\r\n";
    std::vector<Case> cases{
        {"simple_string", "+OK\r\n", 1, false},
        {"error", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 1, false},
        {"integer", ":1234567\r\n", 1, false},
        {"bulk_16", "$16\r\nvalue:1000000000\r\n", 1, false},
        {"bulk_4096", "$4096\r\n" + std::string(4096, 'x') + "\r\n", 1, false},
        {"null_bulk", "$-1\r\n", 1, false},
        {"array_10", array10, 1, false},
        {"map_2 (RESP3)", "%2\r\n+a\r\n:1\r\n+b\r\n:2\r\n", 1, true},
        {"double (RESP3)", ",3.14159\r\n", 1, true},
    };
    std::printf("%-16s %12s %12s\n", "reply", "aio ns", "hiredis ns");
    const int repeat = 100000;
    for (const auto& c : cases) {
        if (only && std::strcmp(only, c.name) != 0) continue;
        double a = median_ns_per(runs, c.replies * repeat, [&] { return run_aio(c.wire, c.wire.size(), repeat); });
        if (c.resp3) {
            std::printf("%-16s %12.1f %12s\n", c.name, a, "n/a");
            continue;
        }
        double h = median_ns_per(runs, c.replies * repeat, [&] { return run_hiredis(c.wire, c.wire.size(), repeat); });
        std::printf("%-16s %12.1f %12.1f\n", c.name, a, h);
    }
    if (only && std::strcmp(only, "pipeline_10000") != 0) return 0;
    double a = median_ns_per(runs, 10000 * 20, [&] { return run_aio(pipeline, 16384, 20); });
    double h = median_ns_per(runs, 10000 * 20, [&] { return run_hiredis(pipeline, 16384, 20); });
    std::printf("%-16s %12.1f %12.1f\n", "pipeline_10000", a, h);
    return 0;
}
