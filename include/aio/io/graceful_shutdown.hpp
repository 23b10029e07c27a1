#pragma once
/// aio::GracefulShutdown — asyncio's "graceful shutdown on SIGINT/SIGTERM/SIGHUP" recipe as one object:
/// on the first of those signals it runs the program's shutdown steps (stop accepting, say goodbye
/// to clients), cancels every other task, waits for them with their errors collected (not
/// raised), and then lets the program finish.
///
/// ```
/// aio::Coro<int> main_coro() {
///     aio::GracefulShutdown shutdown;                       // SIGINT, SIGTERM, SIGHUP
///     auto server = co_await aio::start_server(handle, "127.0.0.1", 8080);
///     shutdown.on_shutdown([server]() -> aio::Coro<void> {  // first: stop accepting
///         server->close();  // not wait_closed(): it would wait for connections cancelled later
///         co_return;
///     });
///     aio::create_task(updater());                          // cancelled on shutdown
///     co_await shutdown.wait();                             // returns once everything is cleaned up
///     co_await server->wait_closed();                       // the connection tasks were cancelled
///     std::cout << "bye after signal " << shutdown.signal().value_or(0) << "\n";
///     co_return 0;
/// }
/// ```
///
/// The sequence, on the first signal (or trigger()):
/// 1. the steps registered with on_shutdown() run in order, each awaited (asyncio's
///    on_shutdown/on_cleanup of aiohttp); an exception is collected and the next step runs;
/// 2. every task of the loop is cancelled, except the shutdown's own task and the tasks waiting in
///    wait(); tasks started meanwhile are cancelled in a further round;
/// 3. the cancelled tasks are awaited, for at most `grace` if one is set; what they end with other
///    than CancelledError is collected in errors(), never raised nor reported;
/// 4. the signal handlers are removed (a further Ctrl-C acts as usual again), wait() returns,
///    and with `stop_loop` the loop is stopped (for programs built around `loop.run_forever()`).
/// Signals that arrive while the sequence runs are ignored.
///
/// The web layer's run_app() builds on it: its on_shutdown/on_cleanup signals are steps.

#include <signal.h>

#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "aio/core/clock.hpp"
#include "aio/core/coro.hpp"
#include "aio/core/event_loop.hpp"

namespace aio {

struct GracefulShutdownOptions {
    /// The signals that start the shutdown.
    std::vector<int> signals{SIGINT, SIGTERM, SIGHUP};
    /// How long to wait for the cancelled tasks (forever if unset). Tasks still running then are
    /// left to aio::run's own clean-up, and a TimeoutError is added to errors().
    std::optional<Duration> grace = std::nullopt;
    /// Stop the loop at the end (for a loop driven by run_forever()).
    bool stop_loop = false;
};

class GracefulShutdown {
public:
    /// Installs the signal handlers on `loop` (see add_signal_handler for the rules: a signal
    /// can belong to one loop only). Throws what add_signal_handler throws.
    explicit GracefulShutdown(EventLoop& loop, GracefulShutdownOptions options = {});
    /// The same on the running loop.
    explicit GracefulShutdown(GracefulShutdownOptions options = {});
    GracefulShutdown(const GracefulShutdown&) = delete;
    GracefulShutdown& operator=(const GracefulShutdown&) = delete;
    /// Removes the signal handlers that are still installed. A shutdown in progress goes on.
    ~GracefulShutdown();

    /// Adds a step to run first when the shutdown starts, after the steps added before.
    void on_shutdown(std::function<Coro<void>()> step);

    /// Starts the shutdown as if `signum` had arrived (0: no signal). No-op once started.
    void trigger(int signum = 0);

    /// Waits until the whole sequence is over. The waiting task is not cancelled by it.
    ///
    /// Cancel safety: cancelling the wait does not stop the shutdown.
    Coro<void> wait();

    /// True once the shutdown started.
    bool requested() const noexcept;
    /// True once the sequence is over.
    bool done() const noexcept;
    /// The signal that started it (0 for trigger()), nullopt before.
    std::optional<int> signal() const noexcept;
    /// What the steps and the cancelled tasks failed with, in the order seen.
    const std::vector<std::exception_ptr>& errors() const noexcept;

    struct State;

private:
    std::shared_ptr<State> s_;
};

}  // namespace aio
