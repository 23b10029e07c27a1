#pragma once
// The loop's cold state, kept out of the public header.

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "aio/core/detail/loop_extension.hpp"
#include "aio/core/event_loop.hpp"
#include "backend/backend.hpp"
#include "core/timer_heap.hpp"

namespace aio::detail {

struct LoopImpl {
    TimerHeap timers;
    std::unique_ptr<backend::Backend> backend = backend::make_backend();

    std::mutex threadsafe_mutex;
    std::vector<std::function<void()>> threadsafe_queue;

    EventLoop::ExceptionHandler exception_handler;
    EventLoop::WarningHandler warning_handler;
    std::vector<std::function<void(EventLoop&)>> shutdown_hooks;

    // Iterations since I/O was last polled while ready work kept the loop busy.
    unsigned busy_iterations = 0;

    // The upper layers' per-loop state (aio/core/detail/loop_extension.hpp), indexed by
    // LoopExtensionKey::slot(); grown on first use of a slot. close() empties it; declared last
    // so that anything left is destroyed before the backend and the timers.
    struct ExtensionSlot {
        std::unique_ptr<LoopExtension> ext;
        int order = 0;
    };
    std::vector<ExtensionSlot> extensions;
};

/// loop.run_shutdown_hooks()'s second half: shuts every extension down and destroys it, lowest
/// order first, including those created meanwhile.
void shutdown_loop_extensions(EventLoop& loop) noexcept;
/// close()'s: destroys the extensions present now, lowest order first, without shutdown().
/// True if there was any (their destructors may have scheduled callbacks or made new ones).
bool destroy_loop_extensions(EventLoop& loop) noexcept;

}  // namespace aio::detail
