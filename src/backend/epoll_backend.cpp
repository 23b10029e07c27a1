// The epoll backend. An eventfd, registered with a null watcher, carries
// wake-ups from other threads. The only place where Interest and Event bits
// meet EPOLL* ones.

#include <sys/epoll.h>
#include <sys/eventfd.h>

#include <cerrno>
#include <cstdint>
#include <vector>

#include "backend/backend.hpp"
#include "sys/errors.hpp"
#include "sys/syscall.hpp"

namespace aio::backend {

namespace {

constexpr std::uint32_t to_epoll(Interest::Set interest) noexcept {
    return ((interest & Interest::readable) ? std::uint32_t(EPOLLIN) : 0u) |
           ((interest & Interest::writable) ? std::uint32_t(EPOLLOUT) : 0u);
}

constexpr Event::Set from_epoll(std::uint32_t events) noexcept {
    return ((events & EPOLLIN) ? Event::readable : 0u) |
           ((events & EPOLLOUT) ? Event::writable : 0u) |
           ((events & EPOLLERR) ? Event::error : 0u) | ((events & EPOLLHUP) ? Event::hangup : 0u);
}

class EpollBackend final : public Backend {
public:
    EpollBackend() {
        epfd_.reset(sys::above_stdio(::epoll_create1(EPOLL_CLOEXEC)));
        if (!epfd_) sys::raise_os_error(errno, "epoll_create1");
        wakefd_.reset(sys::above_stdio(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)));
        if (!wakefd_) sys::raise_os_error(errno, "eventfd");
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.ptr = nullptr;
        if (::epoll_ctl(epfd_.get(), EPOLL_CTL_ADD, wakefd_.get(), &ev) < 0)
            sys::raise_os_error(errno, "epoll_ctl");
    }

    int poll(Duration timeout) override {
        epoll_event events[kMaxEvents];
        int n = wait(events, timeout);
        if (n < 0) {
            if (n == -EINTR) return 0;  // a signal: the loop recomputes its timeout
            sys::raise_os_error(-n, "epoll_wait");
        }
        for (int i = 0; i < n; ++i) {
            auto* w = static_cast<IoWatcher*>(events[i].data.ptr);
            if (w)
                w->on_io(from_epoll(events[i].events));
            else
                drain_wakeups();
        }
        return n;
    }

    void wakeup() noexcept override {
        std::uint64_t one = 1;
        // EAGAIN means the counter is saturated: the loop will wake anyway.
        (void)sys::retry_eintr([&] { return ::write(wakefd_.get(), &one, sizeof one); });
    }

    void watch(int fd, Interest::Set interest, IoWatcher* w) override {
        if (fd < 0) sys::raise_os_error(EBADF, "watch");
        if (static_cast<std::size_t>(fd) >= registered_.size()) registered_.resize(fd + 1, 0);
        epoll_event ev{};
        ev.events = to_epoll(interest);
        ev.data.ptr = w;
        int op = registered_[fd] ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
        if (::epoll_ctl(epfd_.get(), op, fd, &ev) < 0) sys::raise_os_error(errno, "epoll_ctl");
        if (!registered_[fd]) {
            registered_[fd] = 1;
            ++watched_;
        }
    }

    void unwatch(int fd) noexcept override {
        if (fd < 0 || static_cast<std::size_t>(fd) >= registered_.size() || !registered_[fd]) return;
        ::epoll_ctl(epfd_.get(), EPOLL_CTL_DEL, fd, nullptr);
        registered_[fd] = 0;
        --watched_;
    }

    std::size_t watched() const noexcept override { return watched_; }

private:
    static constexpr int kMaxEvents = 256;

    int wait(epoll_event* events, Duration timeout) noexcept {
        if (timeout.count() < 0) return fail_errno(::epoll_wait(epfd_.get(), events, kMaxEvents, -1));
        if (timeout.count() == 0) return fail_errno(::epoll_wait(epfd_.get(), events, kMaxEvents, 0));
        if (have_pwait2_) {
            timespec ts{};
            ts.tv_sec = static_cast<time_t>(timeout.count() / 1'000'000'000);
            ts.tv_nsec = static_cast<long>(timeout.count() % 1'000'000'000);
            int r = ::epoll_pwait2(epfd_.get(), events, kMaxEvents, &ts, nullptr);
            if (r >= 0 || errno != ENOSYS) return fail_errno(r);
            have_pwait2_ = false;
        }
        // Millisecond resolution: round up so a timer is never woken for early.
        auto ms = (timeout.count() + 999'999) / 1'000'000;
        return fail_errno(::epoll_wait(epfd_.get(), events, kMaxEvents, ms > INT32_MAX ? INT32_MAX : int(ms)));
    }
    static int fail_errno(int r) noexcept { return r < 0 ? -errno : r; }

    void drain_wakeups() noexcept {
        std::uint64_t value;
        (void)sys::retry_eintr([&] { return ::read(wakefd_.get(), &value, sizeof value); });
    }

    sys::Fd epfd_;
    sys::Fd wakefd_;
    std::vector<std::uint8_t> registered_;
    std::size_t watched_ = 0;
    bool have_pwait2_ = true;
};

}  // namespace

std::unique_ptr<Backend> make_backend() { return std::make_unique<EpollBackend>(); }

}  // namespace aio::backend
