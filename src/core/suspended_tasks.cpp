#include "aio/core/detail/suspended_tasks.hpp"

namespace aio::detail {

SuspendedTasks::~SuspendedTasks() {
    for (std::uintptr_t* b : blocks_) pool_deallocate(b, kBlockBytes);
}

void SuspendedTasks::add_block() noexcept {
    blocks_.push_back(static_cast<std::uintptr_t*>(pool_allocate(kBlockBytes)));
}

}  // namespace aio::detail
