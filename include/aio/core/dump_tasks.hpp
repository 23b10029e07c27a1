#pragma once
/// Introspection: a `ps` for tasks.
///
/// ```
/// std::cerr << aio::format_tasks(loop);
/// // Task-3 'fetch' created at crawler.cpp:42, awaiting sleep (0.420s left)
/// ```

#include <string>

#include "aio/core/event_loop.hpp"

namespace aio {

/// One line per pending task of `loop`: name, state, creation site and what
/// it is suspended on.
std::string format_tasks(const EventLoop& loop);
/// Prints format_tasks(running loop) to stderr.
void dump_tasks();

}  // namespace aio
