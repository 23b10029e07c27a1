#include "aio/core/detail/frame_pool.hpp"

#include <sys/mman.h>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <vector>

namespace aio::detail {

namespace {

constexpr std::size_t kFirstChunk = std::size_t(64) << 10;
constexpr std::size_t kHugeChunk = std::size_t(2) << 20;  // one transparent huge page

// Free blocks and chunk remainders left by threads that exited. Chunks are
// never unmapped: a block may outlive the thread that carved it.
struct Depot {
    std::mutex mutex;
    std::vector<FreeBlock*> lists[kPoolClasses];  // whole free lists, as threads left them
    std::vector<std::pair<char*, char*>> remainders;
    std::atomic<bool> nonempty{false};
};

Depot& depot() {
    static Depot* d = new Depot;  // outlives every thread-exit hand-off
    return *d;
}

// Hands the calling thread's blocks to the depot when it exits.
struct FramePoolOwner {
    ~FramePoolOwner() {
        auto& pool = t_frame_pool;
        Depot& d = depot();
        std::lock_guard<std::mutex> lock(d.mutex);
        for (std::size_t cls = 0; cls < kPoolClasses; ++cls) {
            if (FreeBlock* list = pool.heads[cls]) {
                try {
                    d.lists[cls].push_back(list);
                } catch (...) {  // out of memory: these blocks are not reused
                }
                pool.heads[cls] = nullptr;
            }
        }
        if (pool.bump_end - pool.bump >= static_cast<std::ptrdiff_t>(kPoolGranule)) {
            try {
                d.remainders.emplace_back(pool.bump, pool.bump_end);
            } catch (...) {
            }
        }
        pool.bump = pool.bump_end = nullptr;
        d.nonempty.store(true, std::memory_order_release);
        // Blocks freed after this point (by other thread-locals' destructors)
        // stay in this thread's lists and are not reused.
    }
};

// Gives the unused end of the current chunk to the free lists, as one block
// of the largest class that fits there, and empties the bump range.
void retire_bump(FramePoolLists& pool) noexcept {
    std::size_t left = static_cast<std::size_t>(pool.bump_end - pool.bump);
    if (left >= kPoolGranule) {
        std::size_t c = left / kPoolGranule;
        if (c >= kPoolClasses) c = kPoolClasses - 1;
        if (pool_class_needs_16(c) && (reinterpret_cast<std::uintptr_t>(pool.bump) & 15)) --c;
        auto* b = reinterpret_cast<FreeBlock*>(pool.bump);
        b->next = pool.heads[c];
        pool.heads[c] = b;
    }
    pool.bump = pool.bump_end = nullptr;
}

// Cuts a block of class `cls` from the bump range, or returns null if it does
// not fit. An 8-byte gap skipped to align a block becomes a class-1 block.
void* carve(FramePoolLists& pool, std::size_t cls) noexcept {
    std::size_t bytes = cls * kPoolGranule;
    char* p = pool.bump;
    std::size_t skip = pool_class_needs_16(cls) && (reinterpret_cast<std::uintptr_t>(p) & 15) ? kPoolGranule : 0;
    if (static_cast<std::size_t>(pool.bump_end - p) < skip + bytes) return nullptr;
    if (skip) {
        auto* gap = reinterpret_cast<FreeBlock*>(p);
        gap->next = pool.heads[1];
        pool.heads[1] = gap;
        p += skip;
    }
    pool.bump = p + bytes;
    return p;
}

// Takes what the depot holds for `cls`, or a chunk remainder. True if the
// thread's pool got something to try.
bool take_from_depot(FramePoolLists& pool, std::size_t cls) {
    Depot& d = depot();
    if (!d.nonempty.load(std::memory_order_acquire)) return false;
    std::lock_guard<std::mutex> lock(d.mutex);
    if (!d.lists[cls].empty()) {
        pool.heads[cls] = d.lists[cls].back();
        d.lists[cls].pop_back();
        return true;
    }
    if (!d.remainders.empty()) {
        retire_bump(pool);
        auto [b, e] = d.remainders.back();
        d.remainders.pop_back();
        pool.bump = b;
        pool.bump_end = e;
        return true;
    }
    return false;
}

char* map_chunk(std::size_t size) {
    if (size < kHugeChunk) {
        void* p = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) throw std::bad_alloc();
        return static_cast<char*>(p);
    }
    // Over-map by one huge page and trim, so the chunk is huge-page aligned.
    std::size_t span = size + kHugeChunk;
    void* p = ::mmap(nullptr, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    auto base = reinterpret_cast<std::uintptr_t>(p);
    std::uintptr_t aligned = (base + kHugeChunk - 1) & ~(kHugeChunk - 1);
    if (aligned > base) ::munmap(p, aligned - base);
    std::uintptr_t end = base + span;
    if (end > aligned + size) ::munmap(reinterpret_cast<void*>(aligned + size), end - (aligned + size));
#ifdef MADV_HUGEPAGE
    ::madvise(reinterpret_cast<void*>(aligned), size, MADV_HUGEPAGE);  // a hint: failure is harmless
#endif
    return reinterpret_cast<char*>(aligned);
}

}  // namespace

void frame_pool_register_owner() noexcept {
    static thread_local FramePoolOwner owner;
    (void)owner;
    t_frame_pool.owner_registered = true;
}

void* pool_refill(std::size_t cls) {
    auto& pool = t_frame_pool;
    if (!pool.owner_registered) frame_pool_register_owner();
    for (;;) {
        if (FreeBlock* b = pool.heads[cls]) {
            pool.heads[cls] = b->next;
            return b;
        }
        if (void* p = carve(pool, cls)) return p;
        // Each depot hand-off removes an entry from the depot, so this ends.
        if (take_from_depot(pool, cls)) continue;
        retire_bump(pool);
        std::size_t size = pool.chunks >= 5 ? kHugeChunk : kFirstChunk << pool.chunks;
        pool.bump = map_chunk(size);
        pool.bump_end = pool.bump + size;
        ++pool.chunks;
    }
}

}  // namespace aio::detail
