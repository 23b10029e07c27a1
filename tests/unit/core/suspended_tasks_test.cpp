// detail::SuspendedTasks, the loop's list of suspended tasks: slots, the free list threaded
// through them, and the blocks they come in. The tasks are never dereferenced here, so any
// aligned addresses stand in for them.

#include "aio/core/detail/suspended_tasks.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace {

using aio::detail::SuspendedTasks;
using aio::detail::TaskBase;

TaskBase* fake_task(std::uintptr_t n) { return reinterpret_cast<TaskBase*>((n + 1) * 64); }

std::vector<TaskBase*> listed(const SuspendedTasks& s) {
    std::vector<TaskBase*> out;
    s.for_each([&](TaskBase* t) { out.push_back(t); });
    return out;
}

}  // namespace

TEST(SuspendedTasksTest, SlotsAreHandedOutInOrderAcrossBlocks) {
    SuspendedTasks s;
    std::vector<TaskBase*> expected;
    for (std::uint32_t i = 0; i < 100; ++i) {  // past three 32-slot blocks
        EXPECT_EQ(s.add(fake_task(i)), i);
        expected.push_back(fake_task(i));
    }
    EXPECT_EQ(listed(s), expected);
}

TEST(SuspendedTasksTest, FreedSlotsAreSkippedAndReusedMostRecentFirst) {
    SuspendedTasks s;
    for (std::uint32_t i = 0; i < 40; ++i) s.add(fake_task(i));
    s.remove(3);
    s.remove(35);
    s.remove(0);
    std::vector<TaskBase*> rest = listed(s);
    EXPECT_EQ(rest.size(), 37u);
    for (TaskBase* t : rest) EXPECT_TRUE(t != fake_task(0) && t != fake_task(3) && t != fake_task(35));

    EXPECT_EQ(s.add(fake_task(100)), 0u);
    EXPECT_EQ(s.add(fake_task(101)), 35u);
    EXPECT_EQ(s.add(fake_task(102)), 3u);
    EXPECT_EQ(s.add(fake_task(103)), 40u) << "no free slot left: a new one";
    std::vector<TaskBase*> all = listed(s);
    EXPECT_EQ(all.size(), 41u);
    EXPECT_EQ(all[0], fake_task(100));
    EXPECT_EQ(all[3], fake_task(102));
    EXPECT_EQ(all[35], fake_task(101));
}

TEST(SuspendedTasksTest, EmptyingAndRefillingKeepsTheSlots) {
    SuspendedTasks s;
    for (int round = 0; round < 3; ++round) {
        std::vector<std::uint32_t> slots;
        for (std::uint32_t i = 0; i < 70; ++i) slots.push_back(s.add(fake_task(i)));
        for (std::uint32_t slot : slots) EXPECT_LT(slot, 70u) << "round " << round;
        for (std::uint32_t slot : slots) s.remove(slot);
        EXPECT_TRUE(listed(s).empty());
    }
}
