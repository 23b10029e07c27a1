#pragma once
// The queue node of a task waiting on a sync primitive.

#include "aio/core/detail/task_base.hpp"
#include "aio/sync/detail/wait_queue.hpp"

namespace aio::detail {

/// A task queued on a primitive. The primitive dequeues the node, hands it
/// what it waited for (the lock, a permit, a wake-up) by setting `granted`,
/// and wakes the task, exactly once. What was granted and not yet taken by the
/// task when it resumes must be given back if the task was cancelled meanwhile.
class GrantWaiter : public WaitNode {
public:
    void grant() noexcept {
        granted = true;
        waiting_task->wake();
    }

    TaskBase* waiting_task = nullptr;
    bool granted = false;

protected:
    ~GrantWaiter() = default;
};

}  // namespace aio::detail
