#include "aio/exec/detail/loop_extension.hpp"

#include <algorithm>
#include <mutex>
#include <unordered_map>
#include <utility>
#include <vector>

#include "aio/core/future.hpp"

namespace aio::detail {

namespace {

struct Entry {
    const void* key;
    int rank;
    std::unique_ptr<LoopExtension> ext;
};

// One per loop. `sentinel` is a plain future of the loop: ~EventLoop clears the anchor its futures
// share (loop() becomes null), which tells a live record from one left behind by a destroyed loop
// whose address was reused.
struct Record {
    FutureState<void>* sentinel;
    std::vector<Entry> entries;
};

std::mutex g_mutex;
std::unordered_map<EventLoop*, Record>& records() {
    static auto* map =
        new std::unordered_map<EventLoop*, Record>();  // never destroyed: threads may outlive main
    return *map;
}

// What destroyed loops left behind, kept for good (objects may still point at it) and reachable
// (so leak checkers do not report a deliberate leak).
struct Graveyard {
    std::vector<std::unique_ptr<LoopExtension>> extensions;
    std::vector<FutureState<void>*> sentinels;
};
Graveyard& graveyard() {
    static auto* g = new Graveyard();
    return *g;
}

// g_mutex held.
void abandon_locked(std::unordered_map<EventLoop*, Record>::iterator it) {
    auto& g = graveyard();
    for (auto& e : it->second.entries) {
        e.ext->abandon();
        g.extensions.push_back(std::move(e.ext));
    }
    g.sentinels.push_back(it->second.sentinel);
    records().erase(it);
}

}  // namespace

LoopExtension& loop_extension(EventLoop& loop, const void* key, int rank,
                              LoopExtensionFactory make) {
    std::lock_guard<std::mutex> lock(g_mutex);
    auto& map = records();
    auto it = map.find(&loop);
    if (it != map.end() && it->second.sentinel->loop() != &loop) {
        abandon_locked(it);
        it = map.end();
    }
    if (it == map.end()) {
        auto* sentinel = new FutureState<void>(&loop);
        try {
            loop.add_shutdown_hook([](EventLoop& l) { shutdown_loop_extensions(l); });
            it = map.emplace(&loop, Record{sentinel, {}}).first;
        } catch (...) {
            sentinel->release();
            throw;
        }
    }
    auto& entries = it->second.entries;
    for (auto& e : entries)
        if (e.key == key) return *e.ext;
    entries.push_back(Entry{key, rank, make(loop)});
    return *entries.back().ext;
}

void shutdown_loop_extensions(EventLoop& loop) noexcept {
    for (;;) {
        std::unique_ptr<LoopExtension> ext;
        {
            std::lock_guard<std::mutex> lock(g_mutex);
            auto& map = records();
            auto it = map.find(&loop);
            if (it == map.end()) return;
            auto& entries = it->second.entries;
            if (entries.empty()) {
                it->second.sentinel->release();
                map.erase(it);
                return;
            }
            auto lowest =
                std::min_element(entries.begin(), entries.end(),
                                 [](const Entry& a, const Entry& b) { return a.rank < b.rank; });
            ext = std::move(lowest->ext);
            entries.erase(lowest);
        }
        // Outside the lock: shutdown may run the loop and create extensions again.
        ext->shutdown(loop);
    }
}

}  // namespace aio::detail
