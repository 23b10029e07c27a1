#pragma once
// A per-thread pool of small blocks for coroutine frames, task states and
// handles. Spawning a task allocates a frame and a state; taking them from a
// thread-local free list, or carving them from the thread's current chunk,
// instead of malloc is most of what makes spawn cheap.
//
// Blocks are carved from chunks that the pool maps itself (64 KiB first,
// doubling to 2 MiB; chunks of 2 MiB are aligned and asked for transparent
// huge pages, so a burst of a million tasks costs tens of page faults, not
// tens of thousands). A block never goes back to malloc: it returns to the
// free list of the thread that frees it (a block freed on another thread
// simply joins that thread's lists), and a thread's lists pass to a process-
// wide depot when it exits, where the next thread that runs dry finds them.
// So the pool's memory is the peak of live blocks, kept for reuse. Sanitizer
// builds bypass the pool so ASan still sees every use-after-free.

#include <cstddef>
#include <cstdint>
#include <new>

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define AIO_NO_FRAME_POOL 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define AIO_NO_FRAME_POOL 1
#endif
#endif

namespace aio::detail {

// Classes are 8 bytes apart, so a 40-byte frame or a 72-byte task state does
// not pay for a 48- or 80-byte block. Alignment follows from the size: an
// object's size is a multiple of its alignment, so a block whose size is an
// odd multiple of 8 can only hold objects aligned to 8 or less and may sit on
// any 8-byte boundary, while blocks of a multiple of 16 are carved 16-aligned
// (operator new's guarantee, which coroutine frames rely on).
inline constexpr std::size_t kPoolGranule = 8;
inline constexpr std::size_t kPoolClasses = 64;  // blocks up to 504 bytes come from the pool

/// True if blocks of class `cls` must start on a 16-byte boundary.
constexpr bool pool_class_needs_16(std::size_t cls) noexcept { return cls % 2 == 0; }

struct FreeBlock {
    FreeBlock* next;
};

// Trivially destructible, so reaching it costs no TLS guard; the owner in
// frame_pool.cpp, registered on the slow path, hands the lists to the depot
// when the thread exits.
struct FramePoolLists {
    FreeBlock* heads[kPoolClasses];
    char* bump;      // the unused part of the current chunk: [bump, bump_end)
    char* bump_end;
    unsigned chunks;  // chunks mapped by this thread (their size grows with it)
    bool owner_registered;
};
inline thread_local FramePoolLists t_frame_pool{};

/// The slow path of pool_allocate: the depot, a new chunk. Out of line.
void* pool_refill(std::size_t cls);
void frame_pool_register_owner() noexcept;

inline void* pool_allocate(std::size_t size) {
#ifndef AIO_NO_FRAME_POOL
    std::size_t cls = (size + kPoolGranule - 1) / kPoolGranule;
    if (cls < kPoolClasses) {
        auto& pool = t_frame_pool;
        if (FreeBlock* b = pool.heads[cls]) {
            pool.heads[cls] = b->next;
            return b;
        }
        std::size_t bytes = cls * kPoolGranule;
        bool aligned = !pool_class_needs_16(cls) || (reinterpret_cast<std::uintptr_t>(pool.bump) & 15) == 0;
        if (aligned && static_cast<std::size_t>(pool.bump_end - pool.bump) >= bytes) {
            void* p = pool.bump;
            pool.bump += bytes;
            return p;
        }
        return pool_refill(cls);
    }
#endif
    return ::operator new(size);
}

inline void pool_deallocate(void* p, std::size_t size) noexcept {
#ifndef AIO_NO_FRAME_POOL
    std::size_t cls = (size + kPoolGranule - 1) / kPoolGranule;
    if (cls < kPoolClasses) {
        auto& pool = t_frame_pool;
        if (!pool.owner_registered) frame_pool_register_owner();
        auto* b = static_cast<FreeBlock*>(p);
        b->next = pool.heads[cls];
        pool.heads[cls] = b;
        return;
    }
#endif
    (void)size;
    ::operator delete(p);
}

/// For coroutine frames. The rule above does not hold for them: the size the compiler asks
/// for need not be a multiple of the frame's alignment (clang 14 at -O0 asks an odd multiple of
/// 8 for a frame holding an alignas(16) local, and a movaps on it then faults). Rounded up to
/// 16, a frame always gets a 16-aligned block, as operator new would give it.
inline void* frame_allocate(std::size_t size) { return pool_allocate((size + 15) & ~std::size_t{15}); }
inline void frame_deallocate(void* p, std::size_t size) noexcept {
    pool_deallocate(p, (size + 15) & ~std::size_t{15});
}

/// Base for objects allocated through the pool (sized delete finds the class).
struct PoolAllocated {
    static void* operator new(std::size_t size) { return pool_allocate(size); }
    static void operator delete(void* p, std::size_t size) noexcept { pool_deallocate(p, size); }
};

}  // namespace aio::detail
