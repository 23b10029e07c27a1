#include "aio/core/dump_tasks.hpp"

#include <cstdio>

#include "aio/core/task.hpp"

namespace aio {

std::string format_tasks(const EventLoop& loop) {
    std::string out;
    auto tasks = loop.all_tasks();
    out += std::to_string(tasks.size()) + " pending task" + (tasks.size() == 1 ? "" : "s") + "\n";
    for (const AnyTask& t : tasks) {
        SourceLocation where = t.creation_site();
        out += "  " + t.get_name();
        if (where.file_name() && *where.file_name())
            out += " created at " + std::string(where.file_name()) + ":" + std::to_string(where.line());
        std::string what = t.awaiting();
        out += what.empty() ? ", ready to run" : ", awaiting " + what;
        if (t.cancelling() > 0) out += ", cancelling=" + std::to_string(t.cancelling());
        out += "\n";
    }
    return out;
}

void dump_tasks() {
    EventLoop* loop = running_loop();
    if (!loop) {
        std::fputs("aio: no running event loop\n", stderr);
        return;
    }
    std::fputs(format_tasks(*loop).c_str(), stderr);
}

}  // namespace aio
