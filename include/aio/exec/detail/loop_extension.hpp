#pragma once
// Per-loop state for the layers above core, which cannot add members to EventLoop: asyncio keeps
// `_default_executor` and `_asyncgens` on BaseEventLoop; aio keeps them here, keyed by loop.
//
// An extension is created on first use, on the loop's thread. The first extension of a loop
// registers one shutdown hook (EventLoop::add_shutdown_hook, run by aio::run after the leftover
// tasks are drained) that shuts the extensions down lowest rank first, as asyncio.run does:
// async generators (rank 0) before the default executor (rank 1). An extension created while
// that hook runs is shut down by it too.
//
// A loop driven by hand must call `loop.run_shutdown_hooks()` before it is destroyed, or its
// extensions are never shut down. If such a loop is destroyed and a new loop later appears at
// the same address, the old extensions are abandoned (abandon(), then kept for good: objects
// may still point at them) instead of being handed to the new loop.

#include <memory>

#include "aio/core/event_loop.hpp"

namespace aio::detail {

class LoopExtension {
public:
    LoopExtension() = default;
    LoopExtension(const LoopExtension&) = delete;
    LoopExtension& operator=(const LoopExtension&) = delete;
    virtual ~LoopExtension() = default;

    /// Runs on the loop's thread from its shutdown hook; the loop is not running, and
    /// run_until_complete() may be called. The extension is destroyed right after.
    virtual void shutdown(EventLoop& loop) noexcept = 0;
    /// The loop was destroyed without running its shutdown hooks. The extension is never
    /// destroyed after this call, so anything still pointing at it stays valid.
    virtual void abandon() noexcept {}
};

using LoopExtensionFactory = std::unique_ptr<LoopExtension> (*)(EventLoop& loop);

/// The extension of `loop` identified by `key` (the address of a static object of the caller),
/// created with `make` on first use. Call on the loop's thread.
LoopExtension& loop_extension(EventLoop& loop, const void* key, int rank,
                              LoopExtensionFactory make);

/// Runs every extension's shutdown for `loop` (what the registered shutdown hook does).
void shutdown_loop_extensions(EventLoop& loop) noexcept;

}  // namespace aio::detail
