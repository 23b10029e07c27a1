#include "aio/time/sleep.hpp"

#include <cstdio>

namespace aio::detail {

std::string SleepAwaiter::describe_wait() const {
    char buf[64];
    double left = task_ && task_->loop() ? to_seconds(when_ - task_->loop()->time()) : 0.0;
    std::snprintf(buf, sizeof buf, "sleep (%.3fs left)", left);
    return buf;
}

}  // namespace aio::detail
