// Seed 001, "Run blocking code in parallel": a blocking `long_task` runs on a pool of worker
// threads through run_in_executor, and gather() collects the results in input order. With 4
// workers, 8 inputs of 1 s each take about 2 s: two waves of four.
//
//   example_executor_gather [--workers N] [--duration-ms D] [INPUT...]
//
// Python, for comparison:
//   def long_task(t):
//       time.sleep(1)
//       return len(t)
//
//   executor = concurrent.futures.ThreadPoolExecutor(max_workers=4)
//   inputs = ["a", "aa", ...]
//   futures = [loop.run_in_executor(executor, long_task, i) for i in inputs]
//   results = await asyncio.gather(*futures)
//   for (i, result) in zip(inputs, results):
//       print(i, result)
//
// To show the parallelism without trusting a clock, each job is counted as it starts and ends:
// the program prints the most jobs that ran at once and the number of waves. A job's wave is one
// more than the highest wave among the jobs that had ended when it started (the first jobs are
// wave 1; a job that had to wait for a wave-1 job to free its worker is wave 2, and so on). The
// elapsed time goes to stderr.

#include <aio/aio.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/args.hpp"

namespace {

struct Options {
    std::size_t workers = 4;
    std::chrono::milliseconds duration{1000};
    std::vector<std::string> inputs;
};

// def long_task(t): time.sleep(1); return len(t) -- plain blocking code, run on a worker.
std::size_t long_task(const std::string& t, std::chrono::milliseconds duration) {
    std::this_thread::sleep_for(duration);
    return t.size();
}

// Counts the jobs as they start and end, on the worker threads (hence the mutex).
class JobCounter {
public:
    /// A job starts; returns its wave.
    int start() {
        std::lock_guard<std::mutex> lock(mutex_);
        most_at_once_ = std::max(most_at_once_, ++running_);
        return highest_ended_wave_ + 1;
    }
    /// The job of wave `wave` ends.
    void end(int wave) {
        std::lock_guard<std::mutex> lock(mutex_);
        --running_;
        highest_ended_wave_ = std::max(highest_ended_wave_, wave);
    }
    int most_at_once() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return most_at_once_;
    }
    /// Once every job has ended: how many waves there were.
    int waves() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return highest_ended_wave_;
    }

private:
    mutable std::mutex mutex_;
    int running_ = 0;
    int most_at_once_ = 0;
    int highest_ended_wave_ = 0;
};

aio::Coro<int> main_coro(Options opt) {
    auto t0 = aio::get_running_loop().time();
    aio::ThreadPoolExecutor executor(opt.workers);  // ThreadPoolExecutor(max_workers=4)
    // Shared with the jobs: each owns a reference, so it outlives the last of them whatever
    // happens to this coroutine.
    auto counter = std::make_shared<JobCounter>();
    auto counted_long_task = [counter](std::string t, std::chrono::milliseconds duration) {
        int wave = counter->start();
        std::size_t n = long_task(t, duration);
        counter->end(wave);
        return n;
    };

    // futures = [loop.run_in_executor(executor, long_task, i) for i in inputs]
    std::vector<aio::Future<std::size_t>> futures;
    for (const auto& i : opt.inputs)
        futures.push_back(aio::run_in_executor(executor, counted_long_task, i, opt.duration));
    // results = await asyncio.gather(*futures)
    std::vector<std::size_t> results = co_await aio::gather(std::move(futures));

    for (std::size_t k = 0; k < opt.inputs.size(); ++k)  // for (i, result) in zip(...)
        std::printf("%s %zu\n", opt.inputs[k].c_str(), results[k]);
    int waves = counter->waves();
    std::printf("%zu jobs on %zu workers: at most %d at once, in %d wave%s\n", opt.inputs.size(),
                opt.workers, counter->most_at_once(), waves, waves == 1 ? "" : "s");
    std::fprintf(stderr, "took %.2f s\n", aio::to_seconds(aio::get_running_loop().time() - t0));
    co_return 0;
}

const char* const kUsage = "example_executor_gather [--workers N] [--duration-ms D] [INPUT...]";

Options parse(int argc, char** argv) {
    Options opt;
    example::Args args(argc, argv);
    while (!args.done()) {
        std::string a = args.next();
        if (a == "--workers")
            opt.workers = args.number<std::size_t>(1);
        else if (a == "--duration-ms")
            opt.duration = args.milliseconds();
        else if (a.rfind("--", 0) == 0)
            args.unknown(kUsage);
        else
            opt.inputs.push_back(a);
    }
    if (opt.inputs.empty())  // default: "a", "aa", ... "aaaaaaaa"
        for (std::size_t n = 1; n <= 8; ++n) opt.inputs.push_back(std::string(n, 'a'));
    return opt;
}

}  // namespace

int main(int argc, char** argv) {
    Options opt;
    try {
        opt = parse(argc, argv);
    } catch (const example::UsageError& e) {
        return example::usage_error(argv[0], e);
    }
    return aio::run_main(argv[0], main_coro(std::move(opt)));
}
