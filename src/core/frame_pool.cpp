#include "aio/core/detail/frame_pool.hpp"

namespace aio::detail {

namespace {
// Frees the calling thread's cached blocks when it exits.
struct FramePoolOwner {
    ~FramePoolOwner() {
        auto& pool = t_frame_pool;
        for (std::size_t cls = 0; cls < kPoolClasses; ++cls) {
            while (FreeBlock* b = pool.heads[cls]) {
                pool.heads[cls] = b->next;
                ::operator delete(b);
            }
            pool.counts[cls] = 0;
        }
        // Blocks freed after this point (by other thread-locals' destructors)
        // go straight back to the heap.
        for (auto& c : pool.counts) c = kPoolMaxCached;
    }
};
}  // namespace

void frame_pool_register_owner() noexcept {
    static thread_local FramePoolOwner owner;
    (void)owner;
    t_frame_pool.owner_registered = true;
}

}  // namespace aio::detail
