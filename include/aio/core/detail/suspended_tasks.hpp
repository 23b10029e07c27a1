#pragma once
// The loop's list of suspended tasks, so that all_tasks() and close() can find
// them without a link in every task (docs/core-runtime.md, "Memory").

#include <cstddef>
#include <cstdint>
#include <vector>

#include "aio/core/detail/frame_pool.hpp"

namespace aio::detail {

class TaskBase;

/// Slots holding the suspended tasks. A task keeps its slot number and frees
/// it when woken; freed slots form a LIFO list threaded through the slots, so
/// neither adding nor removing touches another task's memory (a woken task is
/// usually far from the others, and moving one into the freed slot would cost
/// a cache miss per wake-up). The slots come in blocks from the frame pool,
/// whose huge-page chunks the tasks already use: a growing array of its own
/// would page-fault every 512 tasks and copy itself as it grows. The blocks
/// are kept at their peak number until the loop is destroyed.
class SuspendedTasks {
public:
    SuspendedTasks() {
        // Suspending allocates nothing from the heap until more than
        // 64 blocks' worth of tasks are suspended at once.
        blocks_.reserve(64);
    }
    SuspendedTasks(const SuspendedTasks&) = delete;
    SuspendedTasks& operator=(const SuspendedTasks&) = delete;
    ~SuspendedTasks();

    /// Adds `t`; returns its slot. Out of memory here ends the process, as
    /// in any noexcept path.
    std::uint32_t add(TaskBase* t) noexcept {
        std::uint32_t slot = free_;
        if (slot != kNone) {
            free_ = static_cast<std::uint32_t>(at(slot) >> 1);
        } else {
            slot = used_++;
            if ((slot & kSlotMask) == 0) add_block();
        }
        at(slot) = reinterpret_cast<std::uintptr_t>(t);
        return slot;
    }

    void remove(std::uint32_t slot) noexcept {
        at(slot) = std::uintptr_t(free_) << 1 | 1;  // tasks are aligned: an odd entry is a free slot
        free_ = slot;
    }

    /// Calls `fn(TaskBase*)` for every suspended task, in slot order.
    template <class F>
    void for_each(F&& fn) const {
        for (std::uint32_t i = 0; i < used_; ++i)
            if (std::uintptr_t s = blocks_[i >> kShift][i & kSlotMask]; !(s & 1)) fn(reinterpret_cast<TaskBase*>(s));
    }

private:
    static constexpr unsigned kShift = 5;  // 32 slots, 256 bytes, per block
    static constexpr std::uint32_t kSlotMask = (1u << kShift) - 1;
    static constexpr std::size_t kBlockBytes = sizeof(std::uintptr_t) << kShift;
    static constexpr std::uint32_t kNone = UINT32_MAX;

    void add_block() noexcept;  // out of line, to keep add() small enough to inline
    std::uintptr_t& at(std::uint32_t slot) noexcept { return blocks_[slot >> kShift][slot & kSlotMask]; }

    std::vector<std::uintptr_t*> blocks_;
    std::uint32_t used_ = 0;      // slots ever used: the free ones and the taken ones
    std::uint32_t free_ = kNone;  // the most recently freed slot; it holds the next one
};

}  // namespace aio::detail
