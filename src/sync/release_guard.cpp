#include "aio/sync/detail/release_guard.hpp"

#include <cstdio>
#include <exception>

#include "aio/core/detail/task_base.hpp"
#include "aio/core/event_loop.hpp"

namespace aio::detail {

void report_guard_release_error() noexcept {
    try {
        ExceptionContext ctx;
        ctx.message = "a lock or semaphore guard could not release what it held (released twice?)";
        ctx.exception = std::current_exception();
        if (TaskBase* t = current_task_ptr()) {
            ctx.task = t->get_name();
            ctx.source = t->creation_site();
        }
        if (EventLoop* loop = running_loop()) {
            loop->call_exception_handler(ctx);
            return;
        }
        std::fprintf(stderr, "aio: %s: %s\n", ctx.message.c_str(),
                     describe_exception(ctx.exception).c_str());
    } catch (...) {  // out of memory while reporting
        std::fputs("aio: a guard could not release what it held\n", stderr);
    }
}

}  // namespace aio::detail
