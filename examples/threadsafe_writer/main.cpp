// Seed 004's "synchronous task": a blocking function runs on the loop's thread pool and reports
// its progress through a thread-safe writer; a loop task receives each report and prints it (in
// the seed it goes to a websocket). A stop flag, the seed's threading.Event, ends the function
// early: a running thread cannot be cancelled, only asked to stop.
//
//   example_threadsafe_writer [--total N] [--delay-ms D] [--stop-at K]
//
// Python, for comparison:
//   def long_task(writer, stop_event):
//       for i in range(1, total + 1):
//           if stop_event.is_set(): return
//           writer.write(type='progress', value=i, total=total)
//           time.sleep(0.05)
//   future = loop.run_in_executor(None, long_task, writer, stop_event)

#include <aio/aio.hpp>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>

#include "common/args.hpp"

namespace {

struct Options {
    int total = 10;
    std::chrono::milliseconds delay{20};
    int stop_at = 0;  // 0: never ask the task to stop
};

struct Progress {
    int value;
    int total;
};

// Runs on a worker thread: plain blocking code.
void long_task(aio::ThreadsafeSender<Progress> writer, std::shared_ptr<std::atomic<bool>> stop,
               int total, std::chrono::milliseconds delay) {
    for (int i = 1; i <= total; ++i) {
        if (stop->load()) return;
        writer.send({i, total});
        std::this_thread::sleep_for(delay);  // the blocking work
    }
}  // the writer is destroyed here: the channel closes and the reader's loop ends

aio::Coro<int> main_coro(Options opt) {
    aio::ThreadsafeChannel<Progress> progress;
    auto stop = std::make_shared<std::atomic<bool>>(false);
    aio::Future<void> task =
        aio::run_in_executor(nullptr, long_task, progress.sender(), stop, opt.total, opt.delay);

    while (auto p = co_await progress.next()) {
        std::printf("progress %d/%d\n", p->value, p->total);
        if (p->value == opt.stop_at) {
            std::printf("stop requested\n");
            stop->store(true);
        }
    }
    co_await task;
    std::printf("task finished\n");
    co_return 0;
}

const char* const kUsage = "example_threadsafe_writer [--total N] [--delay-ms D] [--stop-at K]";

Options parse(int argc, char** argv) {
    Options opt;
    example::Args args(argc, argv);
    while (!args.done()) {
        std::string a = args.next();
        if (a == "--total")
            opt.total = args.number(0);
        else if (a == "--delay-ms")
            opt.delay = args.milliseconds();
        else if (a == "--stop-at")
            opt.stop_at = args.number(0);
        else
            args.unknown(kUsage);
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
    return aio::run_main(argv[0], main_coro(opt));
}
