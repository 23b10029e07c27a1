#include "aio/exec/run_in_executor.hpp"

#include <utility>

namespace aio {

ThreadPoolExecutor& get_default_executor() {
    return detail::ExecLoopState::of(get_running_loop()).default_executor();
}

void set_default_executor(std::shared_ptr<ThreadPoolExecutor> executor) {
    detail::ExecLoopState::of(get_running_loop()).set_default_executor(std::move(executor));
}

Coro<void> shutdown_default_executor() {
    auto& state = detail::ExecLoopState::of(get_running_loop());
    if (auto executor = state.take_default_executor())
        co_await detail::join_executor(state, std::move(executor));
}

}  // namespace aio
