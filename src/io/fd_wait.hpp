#pragma once
// The I/O layer's one way to suspend a task on a file descriptor: FdWait parks the task until the
// fd is ready (or in error), and unregisters on every exit path: readiness, cancellation, and the
// awaiter's destruction. Everything that "tries the syscall, parks on EAGAIN" (connect, accept,
// sock_recv, pidfd, ...) is built on it.

#include <cstdint>
#include <string>

#include "aio/core/detail/loop_access.hpp"
#include "aio/core/detail/task_base.hpp"
#include "aio/core/event_loop.hpp"
#include "backend/backend.hpp"
#include "core/loop_impl.hpp"

namespace aio::io {

/// The backend of `loop` (the seam of src/backend).
inline backend::Backend& backend_of(EventLoop& loop) noexcept {
    return *detail::LoopAccess::impl(loop).backend;
}

/// co_await FdWait(fd, Interest::readable) suspends until `fd` is readable (Interest::writable:
/// writable). Returns the backend::Event bits that fired (error and hangup included). The fd
/// must not be watched by anyone else.
class FdWait final : public detail::SuspendPoint, public backend::IoWatcher {
public:
    FdWait(int fd, backend::Interest::Set interest, const char* what = "fd") noexcept
        : fd_(fd), interest_(interest), what_(what) {}
    FdWait(const FdWait&) = delete;
    FdWait& operator=(const FdWait&) = delete;
    ~FdWait() { stop(); }

    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> h) {
        loop_ = &get_running_loop();
        // Throws before we suspend: nothing to undo.
        backend_of(*loop_).watch(fd_, interest_, this);
        watching_ = true;
        suspend_here(h);
    }
    backend::Event::Set await_resume() {
        resume_check();
        if (cancelled_) throw task_->make_cancelled_error();
        return fired_;
    }

    void on_io(backend::Event::Set events) noexcept override {
        fired_ = events;
        stop();
        task_->wake();
    }
    bool cancel_wait(const std::string&) noexcept override {
        stop();
        cancelled_ = true;
        task_->wake();
        return true;
    }
    std::string describe_wait() const override {
        return std::string(what_) + " fd " + std::to_string(fd_) +
               ((interest_ & backend::Interest::writable) ? " writable" : " readable");
    }

private:
    void stop() noexcept {
        if (watching_) {
            backend_of(*loop_).unwatch(fd_);
            watching_ = false;
        }
    }

    EventLoop* loop_ = nullptr;
    int fd_;
    backend::Interest::Set interest_;
    backend::Event::Set fired_ = 0;
    const char* what_;
    bool watching_ = false;
    bool cancelled_ = false;
};

}  // namespace aio::io
