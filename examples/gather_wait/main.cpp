// Seed 001, "Run coroutines in parallel": `long_task` over a list of inputs, once with gather()
// and once with wait(), printing each input with its result, in input order.
//
//   example_gather_wait [--style gather|wait|both] [--delay-ms D] [INPUT...]
//
// Python, for comparison:
//   async def long_task(t):
//       await asyncio.sleep(1)
//       return len(t)
//
//   inputs = ["a", "aa"]
//   futures = [long_task(i) for i in inputs]
//   results = await asyncio.gather(*futures)
//   for (i, result) in zip(inputs, results):
//       print(i, result)
//
//   tasks = [asyncio.create_task(long_task(i)) for i in inputs]
//   done, pending = await asyncio.wait(tasks)
//   for (i, task) in zip(inputs, tasks):
//       print(i, task.result())
//
// gather() hands back the results in argument order. wait() hands back two lists of tasks, done
// and pending, and the results stay in the tasks (asyncio's done is a set, so the seed's
// `[f.result() for f in done]` loses the order; zipping the inputs with our own list of tasks
// keeps it). Either way the tasks run at the same time: the program also prints how many
// long_tasks were sleeping at once, and on stderr how long it took (about one delay, not one per
// input).

#include <aio/aio.hpp>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "common/args.hpp"

namespace {

struct Options {
    bool gather = true;
    bool wait = true;
    std::chrono::milliseconds delay{1000};
    std::vector<std::string> inputs;
};

// How many long_tasks are between their start and their end; one thread, so plain ints.
int running = 0;
int most_running = 0;

// async def long_task(t): await asyncio.sleep(1); return len(t)
aio::Coro<std::size_t> long_task(std::string t, std::chrono::milliseconds delay) {
    if (++running > most_running) most_running = running;
    co_await aio::sleep(delay);
    --running;
    co_return t.size();
}

double seconds_since(aio::TimePoint t0) {
    return aio::to_seconds(aio::get_running_loop().time() - t0);
}

aio::Coro<void> with_gather(const Options& opt) {
    most_running = 0;
    auto t0 = aio::get_running_loop().time();
    std::vector<aio::Coro<std::size_t>> futures;  // futures = [long_task(i) for i in inputs]
    for (const auto& i : opt.inputs) futures.push_back(long_task(i, opt.delay));
    std::vector<std::size_t> results = co_await aio::gather(std::move(futures));
    std::printf("gather:\n");
    for (std::size_t k = 0; k < opt.inputs.size(); ++k)  // for (i, result) in zip(...)
        std::printf("%s %zu\n", opt.inputs[k].c_str(), results[k]);
    std::printf("gather: %d long_tasks ran at once\n", most_running);
    std::fprintf(stderr, "gather took %.2f s\n", seconds_since(t0));
}

aio::Coro<void> with_wait(const Options& opt) {
    most_running = 0;
    auto t0 = aio::get_running_loop().time();
    std::vector<aio::Task<std::size_t>> tasks;  // tasks = [create_task(long_task(i)) ...]
    for (const auto& i : opt.inputs) tasks.push_back(aio::create_task(long_task(i, opt.delay)));
    auto [done, pending] = co_await aio::wait(tasks);  // Task handles are shared: copies are fine
    std::printf("wait:\n");
    for (std::size_t k = 0; k < opt.inputs.size(); ++k)  // for (i, task) in zip(inputs, tasks)
        std::printf("%s %zu\n", opt.inputs[k].c_str(), tasks[k].result());
    std::printf("wait: %zu done, %zu pending, %d long_tasks ran at once\n", done.size(),
                pending.size(), most_running);
    std::fprintf(stderr, "wait took %.2f s\n", seconds_since(t0));
}

aio::Coro<int> main_coro(Options opt) {
    if (opt.gather) co_await with_gather(opt);
    if (opt.wait) co_await with_wait(opt);
    co_return 0;
}

const char* const kUsage = "example_gather_wait [--style gather|wait|both] [--delay-ms D] [INPUT...]";

Options parse(int argc, char** argv) {
    Options opt;
    example::Args args(argc, argv);
    while (!args.done()) {
        std::string a = args.next();
        if (a == "--style") {
            std::string s = args.value();
            if (s != "gather" && s != "wait" && s != "both")
                throw example::UsageError("--style: expected gather, wait or both, got '" + s + "'");
            opt.gather = s != "wait";
            opt.wait = s != "gather";
        } else if (a == "--delay-ms") {
            opt.delay = args.milliseconds();
        } else if (a.rfind("--", 0) == 0) {
            args.unknown(kUsage);
        } else {
            opt.inputs.push_back(a);
        }
    }
    if (opt.inputs.empty()) {  // the seed's inputs
        opt.inputs.push_back("a");
        opt.inputs.push_back("aa");
    }
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
