// Seed 001, "Consume queue in batches": a producer feeds items into a queue; a consumer builds
// batches of BATCH_SIZE items, or of whatever arrived within WAIT_TIMEOUT, and hands each batch
// to a thread pool; a done callback marks the batch's items done in the queue, so the main task
// knows everything was processed when queue.join() returns, and then cancels the consumer.
//
//   example_batch_consumer [--items N] [--batch-size B] [--wait-timeout-ms T] [--threads K]
//                          [--produce-every-ms P] [--work-ms W] [--maxsize M]
//
// Python, for comparison:
//   def markdone(queue, n):
//       def done(task):
//           [queue.task_done() for _ in range(n)]
//           return task.result()  # will raise exception if failed.
//       return done
//
//   async def consume(loop, queue, executor):
//       while 'consumer is not cancelled':
//           batch = []
//           try:
//               async with asyncio.timeout(WAIT_TIMEOUT):
//                   while len(batch) < BATCH_SIZE:
//                       item = await queue.get()
//                       batch.append(item)
//           except TimeoutError:
//               pass
//           if batch:
//               task = loop.run_in_executor(executor, long_sync_task, batch)
//               task.add_done_callback(markdone(queue, len(batch)))
//
//   async def main(loop):
//       executor = concurrent.futures.ThreadPoolExecutor(max_workers=NB_THREADS)
//       queue = asyncio.Queue()
//       consumer = asyncio.ensure_future(consume(loop, queue, executor))
//       await produce(loop, queue)
//       await queue.join()
//       consumer.cancel()
//
// One change from the seed: the consumer waits for the first item of a batch without a
// deadline, and WAIT_TIMEOUT counts from that item. The seed starts the clock before the first
// get(), so an idle consumer wakes up every WAIT_TIMEOUT for nothing; the batches are the same.
//
// Output: one line per processed batch, "batch <k> size <n>: <item ids>", printed by the done
// callback on the loop's thread in the order the batches finish, then a summary.
//
// Why every item is processed exactly once: the queue hands each item to one get() only, and a
// get() cut short by the timeout takes no item (Queue::get is cancel-safe), so an item is either
// still in the queue or in exactly one batch; every batch goes to the pool; join() returns only
// once every item put was marked done, i.e. once every batch's callback has run.

#include <aio/aio.hpp>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "common/args.hpp"

namespace {

struct Options {
    int items = 20;
    std::size_t batch_size = 4;                  // BATCH_SIZE
    std::chrono::milliseconds wait_timeout{50};  // WAIT_TIMEOUT
    std::size_t threads = 2;                     // NB_THREADS
    std::chrono::milliseconds produce_every{0};
    std::chrono::milliseconds work{10};
    std::size_t maxsize = 0;  // 0: an unbounded queue, as in the seed
};

// The blocking work, on a worker thread: "processes" the batch and returns the ids it did.
std::vector<int> long_sync_task(std::vector<int> batch, std::chrono::milliseconds work) {
    std::this_thread::sleep_for(work);
    return batch;
}

// async def produce(queue): puts items 0 .. N-1, one every P ms (all at once if P is 0).
aio::Coro<void> produce(aio::Queue<int>& queue, const Options& opt) {
    for (int i = 0; i < opt.items; ++i) {
        co_await queue.put(i);  // waits while a bounded queue is full
        if (opt.produce_every.count() > 0) co_await aio::sleep(opt.produce_every);
    }
}

// def markdone(queue, n): a done callback that marks the batch's n items done. It runs on the
// loop's thread (aio, like asyncio, schedules done callbacks with call_soon), where the queue
// lives. `queue` outlives it: main awaits queue.join(), which waits for every callback.
auto markdone(aio::Queue<int>& queue, std::size_t n, int batch_no) {
    return [&queue, n, batch_no](aio::Future<std::vector<int>> job) {
        for (std::size_t k = 0; k < n; ++k) queue.task_done();
        const std::vector<int>& done = job.result();  // raises if long_sync_task failed
        std::string ids;
        for (int id : done) ids += " " + std::to_string(id);
        std::printf("batch %d size %zu:%s\n", batch_no, done.size(), ids.c_str());
    };
}

// async def consume(queue, executor). `queue` and `executor` belong to main, which cancels this
// task and waits for its end before they go away.
aio::Coro<void> consume(aio::Queue<int>& queue, aio::ThreadPoolExecutor& executor, Options opt) {
    int batches = 0;
    while (true) {  // while 'consumer is not cancelled':
        std::vector<int> batch;
        batch.push_back(co_await queue.get());  // the first item: no deadline (see above)
        try {
            // async with asyncio.timeout(WAIT_TIMEOUT): the lambda runs in place, in this task,
            // so it may use this frame's locals.
            co_await aio::timeout(opt.wait_timeout, [&](aio::Timeout&) -> aio::Coro<void> {
                while (batch.size() < opt.batch_size)  // while len(batch) < BATCH_SIZE:
                    batch.push_back(co_await queue.get());
            });
        } catch (const aio::TimeoutError&) {  // except TimeoutError: pass
        }
        // task = loop.run_in_executor(executor, long_sync_task, batch)
        std::size_t n = batch.size();
        auto job = aio::run_in_executor(executor, long_sync_task, std::move(batch), opt.work);
        job.add_done_callback(markdone(queue, n, ++batches));
    }
}

aio::Coro<int> main_coro(Options opt) {
    aio::ThreadPoolExecutor executor(opt.threads);  // ThreadPoolExecutor(max_workers=NB_THREADS)
    aio::Queue<int> queue(opt.maxsize);             // queue = asyncio.Queue()
    // consumer = asyncio.ensure_future(consume(loop, queue, executor))
    aio::Task<void> consumer = aio::create_task(consume(queue, executor, opt), "consumer");
    co_await produce(queue, opt);  // await produce(loop, queue)
    co_await queue.join();         // wait until the consumer has processed everything
    consumer.cancel();             // the consumer is waiting in get(): cancel it
    try {
        co_await consumer;  // and let it finish before the queue and the executor go away
    } catch (const aio::CancelledError&) {
    }
    std::printf("produced %d items, all processed\n", opt.items);
    co_return 0;
}

const char* const kUsage =
    "example_batch_consumer [--items N] [--batch-size B] [--wait-timeout-ms T] [--threads K] "
    "[--produce-every-ms P] [--work-ms W] [--maxsize M]";

Options parse(int argc, char** argv) {
    Options opt;
    example::Args args(argc, argv);
    while (!args.done()) {
        std::string a = args.next();
        if (a == "--items")
            opt.items = args.number(0);
        else if (a == "--batch-size")
            opt.batch_size = args.number<std::size_t>(1);
        else if (a == "--wait-timeout-ms")
            opt.wait_timeout = args.milliseconds();
        else if (a == "--threads")
            opt.threads = args.number<std::size_t>(1);
        else if (a == "--produce-every-ms")
            opt.produce_every = args.milliseconds();
        else if (a == "--work-ms")
            opt.work = args.milliseconds();
        else if (a == "--maxsize")
            opt.maxsize = args.number<std::size_t>(0);
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
