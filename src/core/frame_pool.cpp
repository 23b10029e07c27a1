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

// Takes what the depot holds for `cls` (or a chunk remainder). True if the
// thread's pool can now serve the class.
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
        auto [b, e] = d.remainders.back();
        d.remainders.pop_back();
        pool.bump = b;
        pool.bump_end = e;
        return static_cast<std::size_t>(e - b) >= cls * kPoolGranule;
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
    std::size_t bytes = cls * kPoolGranule;
    if (!take_from_depot(pool, cls)) {
        // The rest of the current chunk is too small for this class: keep it
        // as one block of the largest class that fits.
        std::size_t left = static_cast<std::size_t>(pool.bump_end - pool.bump);
        if (left >= kPoolGranule) {
            std::size_t c = left / kPoolGranule;
            if (c >= kPoolClasses) c = kPoolClasses - 1;
            auto* b = reinterpret_cast<FreeBlock*>(pool.bump);
            b->next = pool.heads[c];
            pool.heads[c] = b;
        }
        std::size_t size = pool.chunks >= 5 ? kHugeChunk : kFirstChunk << pool.chunks;
        pool.bump = map_chunk(size);
        pool.bump_end = pool.bump + size;
        ++pool.chunks;
    }
    if (FreeBlock* b = pool.heads[cls]) {
        pool.heads[cls] = b->next;
        return b;
    }
    void* p = pool.bump;
    pool.bump += bytes;
    return p;
}

}  // namespace aio::detail
