#include "aio/core/run.hpp"

#include <cstdio>
#include <cstring>
#include <string>

namespace aio {

int run_main(const char* argv0, Coro<int> main, RunOptions options) noexcept {
    try {
        return run(std::move(main), std::move(options));
    } catch (...) {
        return detail::report_escaped(argv0, std::current_exception());
    }
}

int run_main(const char* argv0, Coro<void> main, RunOptions options) noexcept {
    try {
        run(std::move(main), std::move(options));
        return 0;
    } catch (...) {
        return detail::report_escaped(argv0, std::current_exception());
    }
}

}  // namespace aio

namespace aio::detail {

int report_escaped(const char* argv0, const std::exception_ptr& e) noexcept {
    const char* program = argv0 && *argv0 ? argv0 : "aio";
    if (const char* slash = std::strrchr(program, '/'); slash && slash[1]) program = slash + 1;
    try {
        std::string line = std::string(program) + ": " + describe_exception(e) + "\n";
        std::fputs(line.c_str(), stderr);
    } catch (...) {  // no memory for the line: say what we can
        std::fputs(program, stderr);
        std::fputs(": unknown error\n", stderr);
    }
    std::fflush(stderr);
    return 1;
}

void configure_run_loop(EventLoop& loop, const RunOptions& options) {
    loop.set_debug(options.debug);
    if (options.exception_handler) loop.set_exception_handler(options.exception_handler);
}

namespace {
// Awaits each task in turn, swallowing its outcome: the caller inspects them.
Coro<void> wait_all_quietly(std::vector<AnyTask> tasks) {
    for (auto& t : tasks) {
        try {
            co_await t;
        } catch (...) {
        }
    }
}
}  // namespace

void finish_run(EventLoop& loop) noexcept {
    try {
        if (!loop.is_closed()) {
            std::vector<AnyTask> left = loop.all_tasks();
            if (!left.empty()) {
                for (auto& t : left) t.cancel();
                loop.run_until_complete(wait_all_quietly(left));
                for (auto& t : left) {
                    if (t.cancelled()) continue;
                    if (auto e = t.exception()) {
                        ExceptionContext ctx;
                        ctx.message = "unhandled exception during aio::run() shutdown";
                        ctx.exception = e;
                        ctx.task = t.state()->describe();
                        ctx.source = t.creation_site();
                        loop.call_exception_handler(ctx);
                    }
                }
            }
            loop.run_shutdown_hooks();
        }
    } catch (...) {
        loop.call_exception_handler({"error while shutting down the loop", std::current_exception(), {}, {}});
    }
    try {
        loop.close();
    } catch (...) {
    }
}

}  // namespace aio::detail
