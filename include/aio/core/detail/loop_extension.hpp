#pragma once
// Per-loop state of the layers above core. asyncio keeps `_default_executor`, `_asyncgens` and
// the signal handlers on the loop object; aio's EventLoop belongs to the core layer and cannot
// name those layers, so it owns a row of extension slots instead. Each kind of extension takes
// one slot number, once per process (a LoopExtensionKey with static storage duration), and each
// loop holds at most one extension per slot. The loop owns its extensions: nothing is keyed by
// the loop's address, so a loop created where a destroyed one lived starts with empty slots.
//
// Lifetime, in the order it happens (asyncio.run's shutdown order):
// 1. Created on first use, on the loop's thread (loop_extension<E>(loop, key, make)); refused on
//    a closed loop (RuntimeError).
// 2. loop.run_shutdown_hooks() (aio::run, once the leftover tasks are drained; by hand for a
//    loop driven by hand) runs the loop's shutdown hooks, then shuts the extensions down, lowest
//    key order first: async generators are closed (order 0) before the default executor is
//    joined (order 1), as asyncio.run runs shutdown_asyncgens() before
//    shutdown_default_executor(); then signal handlers and child processes (order 2). Each
//    extension leaves its slot before its shutdown() runs and is destroyed right after it; one
//    created meanwhile (say, a generator's cleanup used the executor) is shut down in turn.
//    A later use creates a fresh one.
// 3. close() (~EventLoop calls it) destroys what is left, without shutdown(), in the same order,
//    after the frames of the pending tasks are destroyed (they may point into extensions) and
//    before the loop is marked closed. The loop is not running, and callbacks the destructors
//    schedule are dropped, so a destructor must release what it holds without waiting (asyncio's
//    close() shuts the executor down with wait=False). Each destructor runs exactly once.

#include <cstdint>
#include <memory>

#include "aio/core/event_loop.hpp"

namespace aio::detail {

class LoopExtension {
public:
    LoopExtension() = default;
    LoopExtension(const LoopExtension&) = delete;
    LoopExtension& operator=(const LoopExtension&) = delete;
    virtual ~LoopExtension() = default;

    /// Step 2 above: runs on the loop's thread while the loop is not running; may call
    /// loop.run_until_complete(). The extension is already out of its slot and is destroyed
    /// right after.
    virtual void shutdown(EventLoop& loop) noexcept { (void)loop; }
};

/// One kind of extension: hands it a slot number, the same in every loop. Declare one per
/// extension type with static storage duration (a function-local static in its `of(loop)`).
class LoopExtensionKey {
public:
    /// `order`: lower shuts down (and is destroyed) first.
    explicit LoopExtensionKey(int order) noexcept;
    LoopExtensionKey(const LoopExtensionKey&) = delete;
    LoopExtensionKey& operator=(const LoopExtensionKey&) = delete;

    std::uint32_t slot() const noexcept { return slot_; }
    int order() const noexcept { return order_; }

private:
    std::uint32_t slot_;
    int order_;
};

[[noreturn]] void throw_loop_closed();

/// The extension in `key`'s slot of `loop`, or null. Loop thread only.
LoopExtension* find_loop_extension(EventLoop& loop, const LoopExtensionKey& key) noexcept;
/// Puts `ext` into `key`'s slot of `loop`, which must be empty, and returns it.
/// Throws RuntimeError("Event loop is closed") on a closed loop (`ext` is destroyed then).
LoopExtension& install_loop_extension(EventLoop& loop, const LoopExtensionKey& key,
                                      std::unique_ptr<LoopExtension> ext);

/// The `E` in `key`'s slot of `loop`, made by `make()` (a std::unique_ptr<E>) on first use.
/// Throws RuntimeError("Event loop is closed") on a closed loop, before calling `make`.
template <class E, class Make>
E& loop_extension(EventLoop& loop, const LoopExtensionKey& key, Make&& make) {
    if (LoopExtension* e = find_loop_extension(loop, key)) return static_cast<E&>(*e);
    if (loop.is_closed()) throw_loop_closed();
    return static_cast<E&>(install_loop_extension(loop, key, make()));
}

}  // namespace aio::detail
