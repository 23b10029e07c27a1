// The http_client_c64 workload: one ClientSession, `--conns` tasks (64) each GETting URL and
// reading the body in a loop over pooled keep-alive connections (TCPConnector limit = conns),
// for `--duration` seconds after `--warmup`. Prints the peers' line (shared/peers/node/
// http_client.js, aiohttp/client.py):
//   RESULT conns=.. secs=.. reqs=.. req_per_s=.. p50_us=.. p99_us=.. errors=..
//
//   http_client_bench URL [--conns 64] [--duration 5] [--warmup 1]

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "aio/aio.hpp"
#include "aio/http/client.hpp"

namespace {

using Clock = std::chrono::steady_clock;

struct Config {
    std::string url;
    int conns = 64;
    double duration = 5;
    double warmup = 1;
};

aio::Coro<int> bench(Config cfg) {
    auto connector = std::make_shared<aio::http::TCPConnector>(
        aio::http::TCPConnectorOptions{.limit = static_cast<std::size_t>(cfg.conns)});
    aio::http::ClientSession session(aio::http::ClientSessionOptions{.connector = connector});
    auto start = Clock::now();
    auto measure = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(cfg.warmup));
    auto end = measure + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(cfg.duration));
    std::vector<double> lat;
    lat.reserve(1 << 20);
    long errors = 0;
    auto worker = [&]() -> aio::Coro<void> {
        for (;;) {
            auto t0 = Clock::now();
            if (t0 >= end) co_return;
            try {
                aio::http::ClientResponse r = co_await session.get(cfg.url);
                std::string body = co_await r.read();
                if (r.status != 200) ++errors;
            } catch (const aio::http::ClientError&) {
                ++errors;
                continue;
            }
            if (t0 >= measure) lat.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
        }
    };
    std::vector<aio::Task<void>> tasks;
    for (int i = 0; i < cfg.conns; ++i) tasks.push_back(aio::create_task(worker()));
    for (auto& t : tasks) co_await t;
    std::sort(lat.begin(), lat.end());
    auto pct = [&](double p) {
        return lat.empty() ? 0.0 : lat[std::min(lat.size() - 1, static_cast<std::size_t>(p * lat.size()))] * 1e6;
    };
    std::printf("RESULT conns=%d secs=%.3f reqs=%zu req_per_s=%.0f p50_us=%.0f p99_us=%.0f errors=%ld "
                "connections=%zu\n",
                cfg.conns, cfg.duration, lat.size(), lat.size() / cfg.duration, pct(0.5), pct(0.99), errors,
                connector->connections_made());
    co_return 0;
}

}  // namespace

int main(int argc, char** argv) {
    Config cfg;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "%s: missing value\n", a.c_str());
                std::exit(2);
            }
            return argv[++i];
        };
        if (a == "--conns") {
            cfg.conns = std::max(1, std::atoi(value().c_str()));
        } else if (a == "--duration") {
            cfg.duration = std::atof(value().c_str());
        } else if (a == "--warmup") {
            cfg.warmup = std::atof(value().c_str());
        } else {
            cfg.url = a;
        }
    }
    if (cfg.url.empty() || cfg.duration <= 0) {
        std::fprintf(stderr, "usage: http_client_bench URL [--conns 64] [--duration 5] [--warmup 1]\n");
        return 2;
    }
    return aio::run_main(argv[0], bench(cfg));
}
