// Waiting on a queue allocates nothing (STYLE.md rule 3): a waiter is a node in
// the awaiting coroutine's frame. This file replaces the global operator new
// of the queues test program with one that counts calls.

#include <gtest/gtest.h>

#include <cstdlib>
#include <new>

#include "queues_support.hpp"

// Sanitizers bring their own operator new; counting is only done without them.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define AIO_COUNT_ALLOCATIONS 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define AIO_COUNT_ALLOCATIONS 0
#endif
#endif
#ifndef AIO_COUNT_ALLOCATIONS
#define AIO_COUNT_ALLOCATIONS 1
#endif

#if AIO_COUNT_ALLOCATIONS
#if defined(__GNUC__) && !defined(__clang__)
// The replacement pairs malloc with free by design; g++ cannot see that at -O1+.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
namespace {
long g_allocations = 0;
}  // namespace

void* operator new(std::size_t n) {
    ++g_allocations;
    if (void* p = std::malloc(n ? n : 1)) return p;
    throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

using qtest::run;
using qtest::tick;

TEST(QueueAllocation, WaitingGettersPuttersAndJoinersAllocateNothing) {
    run([]() -> aio::Coro<void> {
        aio::Queue<int> q(1);
        long getter_allocs = -1, putter_allocs = -1, joiner_allocs = -1;
        auto getter = [&]() -> aio::Coro<void> {
            long before = g_allocations;
            int v = co_await q.get();  // waits, then is handed 1
            getter_allocs = g_allocations - before;
            EXPECT_EQ(v, 1);
        };
        auto putter = [&]() -> aio::Coro<void> {
            long before = g_allocations;
            co_await q.put(3);  // waits for a slot
            putter_allocs = g_allocations - before;
        };
        auto joiner = [&]() -> aio::Coro<void> {
            long before = g_allocations;
            co_await q.join();
            joiner_allocs = g_allocations - before;
        };
        auto g = aio::create_task(getter());
        co_await tick();
        q.put_nowait(1);  // hand-off
        co_await g;
        q.put_nowait(2);
        auto p = aio::create_task(putter());
        auto j = aio::create_task(joiner());
        co_await tick();
        EXPECT_EQ(q.get_nowait(), 2);  // gives the slot to the putter
        co_await p;
        EXPECT_EQ(q.get_nowait(), 3);
        for (int i = 0; i < 3; ++i) q.task_done();
        co_await j;
        EXPECT_EQ(getter_allocs, 0);
        EXPECT_EQ(putter_allocs, 0);
        EXPECT_EQ(joiner_allocs, 0);
    });
}

#endif  // AIO_COUNT_ALLOCATIONS
