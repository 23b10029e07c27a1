#pragma once
// The loop's cold state, kept out of the public header.

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

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
};

}  // namespace aio::detail
