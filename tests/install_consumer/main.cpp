// Built against the installed headers and libraries only. It calls the public EventLoop API as a
// program would, so a public header that needs a private one, or a member that moved, fails here.
#include <aio/core/event_loop.hpp>  // first: the public loop header stands on its own

#include <aio/aio.hpp>
#include <chrono>

aio::Coro<int> answer() { co_return 42; }

int main() {
    if (aio::run(answer()) != 42) return 1;

    aio::EventLoop loop;
    int calls = 0;
    loop.call_soon([&] { ++calls; });
    loop.call_later(std::chrono::milliseconds(1), [&] {
        ++calls;
        loop.stop();
    });
    loop.run_forever();
    aio::Task<int> task = loop.create_task(answer(), "answer");
    int value = loop.run_until_complete(task);
    loop.run_shutdown_hooks();
    loop.close();
    return calls == 2 && value == 42 && loop.is_closed() ? 0 : 1;
}
