#include "aio/exec/detail/loop_link.hpp"

#include <utility>

namespace aio::detail {

bool LoopLink::post(std::function<void()> fn) noexcept {
    // Held across the call: detach() cannot complete, so the loop cannot be destroyed under us.
    std::lock_guard<std::mutex> lock(mutex_);
    if (!loop_) return false;
    try {
        loop_->call_soon_threadsafe(std::move(fn));
        return true;
    } catch (...) {  // RuntimeError: the loop is closed (or out of memory)
        return false;
    }
}

void LoopLink::detach() noexcept {
    std::lock_guard<std::mutex> lock(mutex_);
    loop_ = nullptr;
}

bool LoopLink::is_loop(const EventLoop* loop) const noexcept {
    std::lock_guard<std::mutex> lock(mutex_);
    return loop_ && loop_ == loop;
}

}  // namespace aio::detail
