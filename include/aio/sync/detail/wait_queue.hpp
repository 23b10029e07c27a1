#pragma once
// The FIFO of waiters behind every sync primitive: an intrusive doubly-linked
// list whose nodes live in the waiting coroutine frames (cppcoro's
// async_mutex), so waiting allocates nothing and a cancelled waiter leaves the
// queue in O(1).

#include <cstddef>

namespace aio::detail {

class WaitQueue;

/// A node of a WaitQueue. Invariant: queue_ is the queue the node is in, or
/// null; a node is in at most one queue at a time.
class WaitNode {
public:
    WaitNode() = default;
    WaitNode(const WaitNode&) = delete;
    WaitNode& operator=(const WaitNode&) = delete;

    bool queued() const noexcept { return queue_ != nullptr; }
    /// Leaves the queue it is in, if any.
    inline void dequeue() noexcept;

protected:
    ~WaitNode() { dequeue(); }

private:
    friend class WaitQueue;
    WaitNode* prev_ = nullptr;
    WaitNode* next_ = nullptr;
    WaitQueue* queue_ = nullptr;
};

class WaitQueue {
public:
    WaitQueue() = default;
    WaitQueue(const WaitQueue&) = delete;
    WaitQueue& operator=(const WaitQueue&) = delete;
    /// Forgets the nodes still queued, so that a waiter outliving its
    /// primitive (a bug in the program) does not write into freed memory.
    ~WaitQueue() {
        while (head_) pop_front();
    }

    bool empty() const noexcept { return head_ == nullptr; }
    std::size_t size() const noexcept { return size_; }

    void push_back(WaitNode* n) noexcept {
        n->queue_ = this;
        n->prev_ = tail_;
        n->next_ = nullptr;
        if (tail_)
            tail_->next_ = n;
        else
            head_ = n;
        tail_ = n;
        ++size_;
    }
    /// Removes and returns the first node, or null if empty.
    WaitNode* pop_front() noexcept {
        WaitNode* n = head_;
        if (n) remove(n);
        return n;
    }
    template <class T>
    T* pop_front_as() noexcept {
        return static_cast<T*>(pop_front());
    }
    void remove(WaitNode* n) noexcept {
        if (n->prev_)
            n->prev_->next_ = n->next_;
        else
            head_ = n->next_;
        if (n->next_)
            n->next_->prev_ = n->prev_;
        else
            tail_ = n->prev_;
        n->prev_ = n->next_ = nullptr;
        n->queue_ = nullptr;
        --size_;
    }

private:
    WaitNode* head_ = nullptr;
    WaitNode* tail_ = nullptr;
    std::size_t size_ = 0;
};

inline void WaitNode::dequeue() noexcept {
    if (queue_) queue_->remove(this);
}

}  // namespace aio::detail
