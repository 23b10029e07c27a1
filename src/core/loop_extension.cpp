// The loop's extension slots (aio/core/detail/loop_extension.hpp).

#include "aio/core/detail/loop_extension.hpp"

#include <atomic>
#include <utility>

#include "aio/core/detail/loop_access.hpp"
#include "aio/core/exceptions.hpp"
#include "core/loop_impl.hpp"

namespace aio::detail {

namespace {

std::atomic<std::uint32_t> g_next_slot{0};

using Slots = std::vector<LoopImpl::ExtensionSlot>;

// The occupied slot that goes first (lowest order, then lowest slot), or null.
LoopImpl::ExtensionSlot* first_occupied(Slots& slots) noexcept {
    LoopImpl::ExtensionSlot* first = nullptr;
    for (auto& s : slots)
        if (s.ext && (!first || s.order < first->order)) first = &s;
    return first;
}

}  // namespace

void throw_loop_closed() { throw RuntimeError("Event loop is closed"); }

LoopExtensionKey::LoopExtensionKey(int order) noexcept
    : slot_(g_next_slot.fetch_add(1, std::memory_order_relaxed)), order_(order) {}

LoopExtension* find_loop_extension(EventLoop& loop, const LoopExtensionKey& key) noexcept {
    Slots& slots = LoopAccess::impl(loop).extensions;
    return key.slot() < slots.size() ? slots[key.slot()].ext.get() : nullptr;
}

LoopExtension& install_loop_extension(EventLoop& loop, const LoopExtensionKey& key,
                                      std::unique_ptr<LoopExtension> ext) {
    if (loop.is_closed()) throw_loop_closed();
    Slots& slots = LoopAccess::impl(loop).extensions;
    if (slots.size() <= key.slot()) slots.resize(key.slot() + 1);
    LoopImpl::ExtensionSlot& slot = slots[key.slot()];
    if (slot.ext) throw InvalidStateError("loop extension slot already in use");
    slot.ext = std::move(ext);
    slot.order = key.order();
    return *slot.ext;
}

void shutdown_loop_extensions(EventLoop& loop) noexcept {
    Slots& slots = LoopAccess::impl(loop).extensions;
    while (LoopImpl::ExtensionSlot* first = first_occupied(slots)) {
        // Out of the slot first: shutdown() may run the loop, and what runs then finds the slot
        // empty and makes a fresh extension, which a later round shuts down.
        std::unique_ptr<LoopExtension> ext = std::move(first->ext);
        ext->shutdown(loop);
    }
}

bool destroy_loop_extensions(EventLoop& loop) noexcept {
    Slots& slots = LoopAccess::impl(loop).extensions;
    // As many as there are now: one that a destructor makes waits for close()'s next round.
    std::size_t present = 0;
    for (auto& s : slots) present += s.ext ? 1 : 0;
    for (std::size_t i = 0; i < present; ++i) {
        LoopImpl::ExtensionSlot* first = first_occupied(slots);
        if (!first) break;
        std::unique_ptr<LoopExtension> ext = std::move(first->ext);  // the slot is empty meanwhile
        ext.reset();
    }
    return present != 0;
}

}  // namespace aio::detail
