#include "aio/time/periodic.hpp"

namespace aio::detail {

void report_periodic_error(std::exception_ptr e, Duration interval) noexcept {
    EventLoop* loop = running_loop();
    if (!loop) return;
    ExceptionContext ctx;
    ctx.message = "Exception in a periodic job (every " + std::to_string(to_seconds(interval)) +
                  "s); the schedule goes on";
    ctx.exception = std::move(e);
    if (TaskBase* t = current_task_ptr()) {
        ctx.task = t->describe();
        ctx.source = t->creation_site();
    }
    loop->call_exception_handler(ctx);
}

TimePoint next_tick(TimePoint start, Duration interval, TimePoint now) noexcept {
    if (now < start) return start;
    auto k = (now - start) / interval + 1;
    return start + k * interval;
}

}  // namespace aio::detail
