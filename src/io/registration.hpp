#pragma once
// What a transport has registered with the backend for its fd, so that it only calls
// watch()/unwatch() when the set of events really changes (no epoll_ctl per message), and
// unregisters on every exit path.

#include <cstdint>

#include "aio/core/event_loop.hpp"
#include "io/fd_wait.hpp"

namespace aio::io {

class Registration {
public:
    Registration(EventLoop& loop, backend::IoWatcher* watcher) noexcept : loop_(&loop), watcher_(watcher) {}
    Registration(const Registration&) = delete;
    Registration& operator=(const Registration&) = delete;

    /// Watches `fd` for exactly `events`; with no events, unregisters unless `keep` (a write pipe
    /// stays registered with none: EPOLLERR/EPOLLHUP still tell it the reader left). Throws
    /// OSError when epoll refuses the fd (a regular file); nothing is registered then.
    void set(int fd, std::uint32_t events, bool keep = false) {
        if (events == 0 && !keep) {
            clear(fd);
            return;
        }
        if (registered_ && events == events_) return;
        try {
            backend_of(*loop_).watch(fd, events, watcher_);
        } catch (...) {
            registered_ = false;
            throw;
        }
        registered_ = true;
        events_ = events;
    }
    void clear(int fd) noexcept {
        if (!registered_) return;
        backend_of(*loop_).unwatch(fd);
        registered_ = false;
        events_ = 0;
    }
    bool registered() const noexcept { return registered_; }

private:
    EventLoop* loop_;
    backend::IoWatcher* watcher_;
    std::uint32_t events_ = 0;
    bool registered_ = false;
};

}  // namespace aio::io
