// The redis_ping_c64 load: TASKS tasks (default 64) each PING in a closed loop on one pipelined
// aio::redis connection for DURATION seconds; prints "<ops> <seconds> <ops/s>".
//
//   redis_load --port P [--tasks 64] [--duration 5]

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "aio/aio.hpp"
#include "aio/redis/redis.hpp"

namespace {

aio::Coro<void> load(int port, int tasks, double seconds) {
    std::string url = "redis://127.0.0.1:" + std::to_string(port);
    aio::redis::Redis r = co_await aio::redis::connect(url);
    co_await r.ping();
    std::uint64_t ops = 0;
    bool stop = false;
    auto worker = [&]() -> aio::Coro<void> {
        while (!stop) {
            co_await r.ping();
            ++ops;
        }
    };
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<aio::Task<void>> workers;
    for (int i = 0; i < tasks; ++i) workers.push_back(aio::create_task(worker()));
    co_await aio::sleep(std::chrono::duration<double>(seconds));
    stop = true;
    for (auto& w : workers) co_await w;
    const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("%llu %.3f %.0f\n", static_cast<unsigned long long>(ops), took, double(ops) / took);
    co_await r.aclose();
}

}  // namespace

int main(int argc, char** argv) {
    int port = 0, tasks = 64;
    double duration = 5;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--port")) port = std::atoi(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--tasks")) tasks = std::atoi(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--duration")) duration = std::atof(argv[i + 1]);
    }
    if (port <= 0 || tasks <= 0 || duration <= 0) {
        std::fprintf(stderr, "usage: redis_load --port P [--tasks 64] [--duration 5]\n");
        return 2;
    }
    try {
        aio::run(load(port, tasks, duration));
    } catch (const std::exception& e) {
        std::fprintf(stderr, "redis_load: %s\n", e.what());
        return 1;
    }
    return 0;
}
