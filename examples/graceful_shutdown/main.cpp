// Seed 003, graceful shutdown: a service with background jobs that, on SIGINT, SIGTERM or
// SIGHUP, first stops taking work, then cancels its jobs and waits for their clean-up, reports
// what failed, and exits 0.
//
//   example_graceful_shutdown        (then: kill -TERM <pid>, or Ctrl-C)
//
// It prints "ready <pid>" once the jobs run, then one line per step of the shutdown.
//
// Python, for comparison (the seed's shutdown()):
//   async def shutdown(signal, loop):
//       logging.info(f"Received exit signal {signal.name}...")
//       tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
//       [task.cancel() for task in tasks]
//       await asyncio.gather(*tasks, return_exceptions=True)
//       loop.stop()
//   for s in (signal.SIGHUP, signal.SIGTERM, signal.SIGINT):
//       loop.add_signal_handler(s, lambda s=s: asyncio.create_task(shutdown(s, loop)))

#include <signal.h>
#include <unistd.h>

#include <aio/aio.hpp>
#include <cstring>
#include <iostream>
#include <stdexcept>
#include <string>

#include "common/args.hpp"

namespace {

aio::Coro<void> job(std::string name, bool fails_on_cleanup, aio::Event* started) {
    started->set();
    try {
        for (;;) co_await aio::sleep(std::chrono::hours(1));  // a long-running poller
    } catch (const aio::CancelledError&) {
        std::cout << name << ": cancelled, cleaning up\n";
        if (fails_on_cleanup) throw std::runtime_error(name + ": could not flush its buffer");
        throw;
    }
}

aio::Coro<int> main_coro() {
    aio::GracefulShutdown shutdown;  // SIGINT, SIGTERM, SIGHUP
    bool accepting = true;
    shutdown.on_shutdown([&]() -> aio::Coro<void> {
        accepting = false;  // a server would close its listening sockets here
        std::cout << "shutdown: stopped accepting work\n";
        co_return;
    });
    aio::Event started_a, started_b;
    aio::create_task(job("publisher", false, &started_a), "publisher");
    aio::create_task(job("consumer", true, &started_b), "consumer");
    co_await started_a.wait();
    co_await started_b.wait();
    std::cout << "ready " << ::getpid() << std::endl;

    co_await shutdown.wait();
    std::cout << "received " << ::strsignal(shutdown.signal().value_or(0)) << "\n";
    for (const auto& e : shutdown.errors()) std::cout << "error collected: " << aio::describe_exception(e) << "\n";
    std::cout << "accepting: " << (accepting ? "yes" : "no") << "\n";
    std::cout << "tasks left: " << aio::all_tasks().size() - 1 << "\n";
    std::cout << "clean exit\n";
    co_return 0;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        example::Args(argc, argv).none("example_graceful_shutdown");
    } catch (const example::UsageError& e) {
        return example::usage_error(argv[0], e);
    }
    return aio::run_main(argv[0], main_coro());
}
