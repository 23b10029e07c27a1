#pragma once
// A per-thread cache of small blocks for coroutine frames, task states and
// handles. Spawning a task allocates a frame and a state; recycling them from a
// thread-local free list instead of malloc is most of what makes spawn cheap.
// Blocks are ordinary operator-new memory, so a block freed on another thread
// simply joins that thread's cache. Sanitizer builds bypass the cache so ASan
// still sees every use-after-free.

#include <cstddef>
#include <new>

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define AIO_NO_FRAME_POOL 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define AIO_NO_FRAME_POOL 1
#endif
#endif

namespace aio::detail {

inline constexpr std::size_t kPoolGranule = 16;
inline constexpr std::size_t kPoolClasses = 32;  // blocks up to 512 bytes are cached
inline constexpr unsigned kPoolMaxCached = 1u << 16;

struct FreeBlock {
    FreeBlock* next;
};

// Trivially destructible, so reaching it costs no TLS guard; the owner below,
// touched only on the slow path, frees what is cached when the thread exits.
struct FramePoolLists {
    FreeBlock* heads[kPoolClasses];
    unsigned counts[kPoolClasses];
    bool owner_registered;
};
inline thread_local FramePoolLists t_frame_pool{};

void frame_pool_register_owner() noexcept;

inline void* pool_allocate(std::size_t size) {
#ifndef AIO_NO_FRAME_POOL
    std::size_t cls = (size + kPoolGranule - 1) / kPoolGranule;
    if (cls < kPoolClasses) {
        auto& pool = t_frame_pool;
        if (FreeBlock* b = pool.heads[cls]) {
            pool.heads[cls] = b->next;
            --pool.counts[cls];
            return b;
        }
        return ::operator new(cls * kPoolGranule);
    }
#endif
    return ::operator new(size);
}

inline void pool_deallocate(void* p, std::size_t size) noexcept {
#ifndef AIO_NO_FRAME_POOL
    std::size_t cls = (size + kPoolGranule - 1) / kPoolGranule;
    if (cls < kPoolClasses) {
        auto& pool = t_frame_pool;
        if (pool.counts[cls] < kPoolMaxCached) {
            if (!pool.owner_registered) frame_pool_register_owner();
            auto* b = static_cast<FreeBlock*>(p);
            b->next = pool.heads[cls];
            pool.heads[cls] = b;
            ++pool.counts[cls];
            return;
        }
        ::operator delete(p);
        return;
    }
#endif
    (void)size;
    ::operator delete(p);
}

/// Base for objects allocated through the pool (sized delete finds the class).
struct PoolAllocated {
    static void* operator new(std::size_t size) { return pool_allocate(size); }
    static void operator delete(void* p, std::size_t size) noexcept { pool_deallocate(p, size); }
};

}  // namespace aio::detail
