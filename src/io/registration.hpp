#pragma once
// What a transport has registered with the backend for its fd, so that it only calls
// watch()/unwatch() when its interest really changes (no epoll_ctl per message), and
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

    /// Watches `fd` for exactly `interest`; with none, unregisters unless `keep` (a write pipe
    /// stays registered with none: error and hangup still tell it the reader left). Throws
    /// OSError when the backend refuses the fd (epoll: a regular file); nothing is registered
    /// then.
    void set(int fd, backend::Interest::Set interest, bool keep = false) {
        if (interest == backend::Interest::none && !keep) {
            clear(fd);
            return;
        }
        if (registered_ && interest == interest_) return;
        try {
            backend_of(*loop_).watch(fd, interest, watcher_);
        } catch (...) {
            registered_ = false;
            throw;
        }
        registered_ = true;
        interest_ = interest;
    }
    void clear(int fd) noexcept {
        if (!registered_) return;
        backend_of(*loop_).unwatch(fd);
        registered_ = false;
        interest_ = backend::Interest::none;
    }
    bool registered() const noexcept { return registered_; }

private:
    EventLoop* loop_;
    backend::IoWatcher* watcher_;
    backend::Interest::Set interest_ = backend::Interest::none;
    bool registered_ = false;
};

}  // namespace aio::io
