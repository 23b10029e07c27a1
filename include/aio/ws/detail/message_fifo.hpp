#pragma once
// The queues of decoded messages (MessageReader's, a connection's). std::deque allocates a 512-byte
// block and its map as soon as it is constructed; with 10,000 idle websockets that is 11 MiB for
// queues that are empty nearly always. This one is a vector and a read index: nothing is allocated
// until the first message, and a drained queue keeps its (small) capacity for the next one.

#include <cstddef>
#include <utility>
#include <vector>

#include "aio/ws/message.hpp"

namespace aio::ws::detail {

class MessageFifo {
public:
    bool empty() const noexcept { return head_ == items_.size(); }
    std::size_t size() const noexcept { return items_.size() - head_; }

    void push_back(WSMessage m) { items_.push_back(std::move(m)); }

    /// The oldest message, moved out. Precondition: !empty().
    WSMessage pop_front() {
        WSMessage m = std::move(items_[head_++]);
        if (head_ == items_.size()) {
            items_.clear();
            head_ = 0;
        } else if (head_ >= 32 && head_ * 2 >= items_.size()) {
            // Most of the vector is moved-from: drop that part so a long-lived backlog stays bounded.
            items_.erase(items_.begin(), items_.begin() + static_cast<std::ptrdiff_t>(head_));
            head_ = 0;
        }
        return m;
    }

    void clear() noexcept {
        items_.clear();
        head_ = 0;
    }

private:
    std::vector<WSMessage> items_;
    std::size_t head_ = 0;
};

}  // namespace aio::ws::detail
