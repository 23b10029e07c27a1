// The per-thread block pool behind coroutine frames and task states (frame_pool.hpp):
// 8-byte size classes, and a block's alignment follows from its size, so anything whose size
// is a multiple of 16 (which every 16-aligned type's is) gets a 16-aligned block.

#include "aio/core/detail/frame_pool.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <utility>
#include <vector>

#include "aio/core/coro.hpp"
#include "aio/core/task.hpp"
#include "aio/time/sleep.hpp"
#include "support/loop_fixture.hpp"

namespace {

using aio::detail::pool_allocate;
using aio::detail::pool_deallocate;

std::uintptr_t address(const void* p) { return reinterpret_cast<std::uintptr_t>(p); }

struct Block {
    void* p;
    std::size_t size;
};

TEST(FramePool, EveryBlockIsAlignedForWhatItsSizeCanHold) {
    std::vector<Block> blocks;
    // Odd and even multiples of 8 interleaved, so the bump pointer is often 8 past a
    // 16-byte boundary when a 16-multiple is asked for; then every other size up to the
    // largest pooled one, and one beyond it (operator new).
    for (int round = 0; round < 64; ++round) {
        for (std::size_t size : {std::size_t(40), std::size_t(96), std::size_t(24), std::size_t(48)})
            blocks.push_back({pool_allocate(size), size});
    }
    for (std::size_t size = 1; size <= 520; ++size) blocks.push_back({pool_allocate(size), size});
    for (const Block& b : blocks) {
        std::size_t rounded = (b.size + 7) / 8 * 8;
        std::size_t want = rounded % 16 == 0 ? 16 : 8;
        EXPECT_EQ(address(b.p) % want, 0u) << "size " << b.size << " at " << b.p;
    }
    for (const Block& b : blocks) pool_deallocate(b.p, b.size);
}

TEST(FramePool, AFreedBlockIsReusedForTheNextRequestOfItsClassAndNoOther) {
#ifdef AIO_NO_FRAME_POOL
    GTEST_SKIP() << "sanitizer builds use operator new so that every use-after-free is seen";
#else
    void* a = pool_allocate(40);
    void* b = pool_allocate(40);
    pool_deallocate(a, 40);
    void* other = pool_allocate(48);
    EXPECT_NE(other, a);
    void* same_class = pool_allocate(33);  // 33..40 bytes share the 40-byte class
    EXPECT_EQ(same_class, a);
    pool_deallocate(same_class, 33);
    pool_deallocate(b, 40);
    pool_deallocate(other, 48);
#endif
}

TEST(FramePool, TheGapSkippedToAlignABlockIsKeptForAnEightByteRequest) {
#ifdef AIO_NO_FRAME_POOL
    GTEST_SKIP() << "sanitizer builds use operator new";
#else
    auto& pool = aio::detail::t_frame_pool;
    // Drain the 8-byte list and line the bump pointer up 8 past a 16-byte boundary.
    std::vector<std::pair<void*, std::size_t>> held;
    while (pool.heads[1]) held.emplace_back(pool_allocate(8), 8);
    if (address(pool.bump) % 16 == 0) held.emplace_back(pool_allocate(8), 8);
    char* before = pool.bump;
    ASSERT_EQ(address(before) % 16, 8u);
    void* big = pool_allocate(64);
    if (big == before + 8) {  // carved from the same chunk: the 8 bytes before it are the gap
        void* gap = pool_allocate(8);
        EXPECT_EQ(gap, before);
        held.emplace_back(gap, 8);
    }
    EXPECT_EQ(address(big) % 16, 0u);
    held.emplace_back(big, 64);
    for (auto [p, n] : held) pool_deallocate(p, n);
#endif
}

struct alignas(16) Wide {
    unsigned char bytes[16];
};

aio::Coro<std::uintptr_t> holds_a_wide_local() {
    Wide w{};
    co_await aio::sleep(std::chrono::milliseconds(1));  // keeps `w` in the frame
    co_return address(&w) + w.bytes[0];
}

using FramePoolLoopTest = aio_test::VirtualLoopTest;

TEST_F(FramePoolLoopTest, AFrameHoldingASixteenByteAlignedLocalKeepsItAligned) {
    auto main = []() -> aio::Coro<bool> {
        bool aligned = true;
        for (int i = 0; i < 8; ++i) {
            auto filler = aio::create_task([]() -> aio::Coro<void> { co_return; }());  // odd-sized blocks in between
            aligned = aligned && (co_await holds_a_wide_local()) % 16 == 0;
            co_await filler;
        }
        co_return aligned;
    };
    EXPECT_TRUE(run(main()));
}

}  // namespace
