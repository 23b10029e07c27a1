#include "aio/core/handle.hpp"

#include <cstdio>

#include "aio/core/detail/loop_access.hpp"

namespace aio::detail {

// A timer whose callback captures one pointer fills exactly one pool block and
// one cache line: a million pending timers cost 64 MB, not 80.
static_assert(sizeof(TimerCallbackHandle<void (*)()>) <= 64);

void HandleBase::run() {
    if (!cancelled_) {
        try {
            invoke();
        } catch (...) {
            loop_->call_exception_handler({"Exception in callback " + describe(), std::current_exception(), {}, {}});
        }
    }
    release();
}

std::string HandleBase::describe() const {
    return cancelled_ ? "<Handle cancelled>" : "<Handle>";
}

void TimerHandleBase::cancel() noexcept {
    if (cancelled_) return;
    cancelled_ = true;
    if (in_heap()) {
        LoopAccess::remove_timer(*loop_, this);
        release();  // the heap's reference
    }
}

void TimerHandleBase::fire() noexcept {
    // The heap's reference passes to the ready queue.
    LoopAccess::push_ready(*loop_, this);
}

std::string TimerHandleBase::describe() const {
    char buf[64];
    std::snprintf(buf, sizeof buf, "<TimerHandle when=%.3f%s>",
                  to_seconds(when_.time_since_epoch()), cancelled_ ? " cancelled" : "");
    return buf;
}

}  // namespace aio::detail
