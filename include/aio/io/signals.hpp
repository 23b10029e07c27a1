#pragma once
/// Unix signals delivered to the event loop: asyncio's `loop.add_signal_handler(sig, callback)` and
/// `loop.remove_signal_handler(sig)`, as free functions taking the loop (EventLoop lives in the
/// core layer, signals in the I/O layer).
///
/// ```
/// aio::Event stop;
/// aio::add_signal_handler(loop, SIGTERM, [&] { stop.set(); });
/// co_await stop.wait();
/// aio::remove_signal_handler(loop, SIGTERM);
/// ```
///
/// How it works (and why not signalfd): the handler is installed with sigaction(); the
/// async-signal-safe part only marks the signal pending and writes one byte to a non-blocking
/// self-pipe that the loop watches, as CPython does with signal.set_wakeup_fd(). The callback then
/// runs on the loop's thread, in a loop iteration, like any call_soon callback. signalfd would need
/// the signal blocked in *every* thread of the process, including threads started before the
/// handler was added (the default executor's workers, a library's threads); a signal that finds one
/// thread with it unblocked is delivered there with its default action (SIGTERM kills the
/// process). The self-pipe works whatever threads exist and whatever they block.
///
/// Rules:
/// - A signal belongs to at most one loop at a time; adding a handler for it on a second loop
///   throws RuntimeError (remove it from the first loop first). Adding again on the same loop
///   replaces the callback.
/// - Several arrivals of a signal before the loop gets to run the callback are coalesced into one
///   call (as with any Unix signal).
/// - remove_signal_handler() restores the disposition the signal had before the first
///   add_signal_handler() (SIG_DFL, SIG_IGN, or the program's own handler).
/// - When aio::run shuts the loop down (or `loop.run_shutdown_hooks()` is called), every handler
///   still installed is removed; a loop closed without that removes them when it closes.
/// - Child processes start with the default disposition for these signals (exec resets handled
///   signals), so a handler never leaks into a subprocess.

#include <functional>

#include "aio/core/event_loop.hpp"

namespace aio {

/// Runs `callback()` on `loop`'s thread each time signal `signum` arrives, until
/// remove_signal_handler(). An exception thrown by the callback goes to the loop's exception
/// handler, and the handler stays installed.
///
/// Throws ValueError if `signum` is not a signal number (1..NSIG-1); RuntimeError if the signal
/// cannot be caught (SIGKILL, SIGSTOP, the C library's internal signals) or is handled by another
/// loop; OSError if the self-pipe cannot be made.
///
/// ```
/// aio::add_signal_handler(loop, SIGHUP, [&] { reload_config(); });
/// ```
void add_signal_handler(EventLoop& loop, int signum, std::function<void()> callback);
/// The same on the running loop (RuntimeError outside one).
void add_signal_handler(int signum, std::function<void()> callback);

/// Removes the handler of `signum` from `loop` and restores the signal's previous disposition.
/// Returns false if `loop` had no handler for it (asyncio's return value).
///
/// Throws ValueError if `signum` is not a signal number.
bool remove_signal_handler(EventLoop& loop, int signum);
/// The same on the running loop.
bool remove_signal_handler(int signum);

}  // namespace aio
