#pragma once
// How a transport starts, from both ends. The transport delivers connection_made() on the next
// loop iteration and then sets its waiter (connection_made_soon(), asyncio's
// `call_soon(protocol.connection_made, self)` then `call_soon(_set_result_unless_cancelled,
// waiter)`); the coroutine that made it awaits that waiter and aborts the transport if it fails
// (await_started()).

#include <exception>
#include <memory>
#include <optional>

#include "aio/core/coro.hpp"
#include "aio/core/event_loop.hpp"
#include "aio/core/future.hpp"
#include "aio/io/protocol.hpp"
#include "aio/io/transport.hpp"

namespace aio::io {

/// A transport as connection_made_soon() sees it. It reads these when its callback runs, not
/// when it is called: close() or set_protocol() may come in between.
struct StartingTransport {
    EventLoop& loop;
    BaseTransport& transport;
    const std::shared_ptr<BaseProtocol>& protocol;
    const bool& closing;
    bool& started;  // set just before connection_made(): connection_lost() is due from then on
};

/// A step that does nothing, for the ones a transport does not need.
struct NoStep {
    void operator()() const noexcept {}
};

/// On the next iteration, unless the transport was closed first, marks it started and delivers
/// connection_made(); then `ready()` (the transport begins to wait for I/O), then `waiter` (if
/// any, and not done) is set, then `running()`.
/// - Closed first: `waiter` fails with `closed_error()`, and that is all.
/// - connection_made() throws `e`: `waiter` fails with `e`, then `lose(e, told)` closes the
///   transport; `told` is false when no waiter took `e` (there is none, or it is done already).
template <class ClosedError, class Lose, class Ready = NoStep, class Running = NoStep>
void connection_made_soon(StartingTransport t, std::optional<Future<void>> waiter,
                          ClosedError closed_error, Lose lose, Ready ready = {},
                          Running running = {}) {
    t.loop.call_soon([t, waiter = std::move(waiter), closed_error, lose, ready,
                      running]() mutable {
        if (t.closing) {
            if (waiter && !waiter->done()) waiter->set_exception(closed_error());
            return;
        }
        t.started = true;
        try {
            t.protocol->deliver_connection_made(t.transport);
        } catch (...) {
            auto e = std::current_exception();
            bool told = waiter && !waiter->done();
            if (told) waiter->set_exception(e);
            lose(e, told);
            return;
        }
        ready();
        if (waiter && !waiter->done()) waiter->set_result();
        running();
    });
}

/// Awaits a transport's start-up `waiter` (set once connection_made() ran); on any failure,
/// cancellation included, aborts the transport before the error goes on.
template <class T>
Coro<void> await_started(Future<void> waiter, T& transport) {
    std::exception_ptr failure;
    try {
        co_await waiter;
    } catch (...) {
        failure = std::current_exception();
    }
    if (failure) {
        transport.abort();
        std::rethrow_exception(failure);
    }
}

}  // namespace aio::io
