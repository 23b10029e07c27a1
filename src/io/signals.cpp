// add_signal_handler / remove_signal_handler: sigaction + a self-pipe per loop (see signals.hpp for
// why not signalfd).
//
// Process-wide state, indexed by signal number:
//   g_pending[sig]  set by the C handler, taken by the loop that owns sig;
//   g_route[sig]    the write end of the owning loop's self-pipe, or -1;
//   g_owners[sig]   (under g_mutex) the owning loop's state and the disposition to restore.
// Invariant: a pipe is closed only after every g_route entry naming it was reset and no C handler
// is running (g_in_handler == 0), so a handler never writes to a closed or reused descriptor.

#include "aio/io/signals.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "aio/core/detail/loop_extension.hpp"
#include "aio/core/exceptions.hpp"
#include "backend/backend.hpp"
#include "io/fd_wait.hpp"
#include "sys/errors.hpp"
#include "sys/syscall.hpp"

namespace aio {

namespace {

constexpr int kNumSignals = NSIG;

std::atomic<bool> g_pending[kNumSignals];
std::atomic<int> g_route[kNumSignals];
std::atomic<int> g_in_handler{0};

class SignalState;

struct Owner {
    SignalState* state = nullptr;
    struct sigaction previous {};
};
std::mutex g_mutex;
Owner g_owners[kNumSignals];

struct RouteInit {
    RouteInit() {
        for (auto& r : g_route) r.store(-1);
    }
} g_route_init;

extern "C" void aio_signal_trampoline(int sig) {
    int saved_errno = errno;
    g_in_handler.fetch_add(1);
    if (sig > 0 && sig < kNumSignals) {
        g_pending[sig].store(true);
        int fd = g_route[sig].load();
        if (fd >= 0) {
            char byte = static_cast<char>(sig);
            // A full pipe already carries a wake-up; the pending flag keeps this signal.
            [[maybe_unused]] auto n = ::write(fd, &byte, 1);
        }
    }
    g_in_handler.fetch_sub(1);
    errno = saved_errno;
}

void check_signum(int signum) {
    if (signum < 1 || signum >= kNumSignals)
        throw ValueError("sig " + std::to_string(signum) + " out of range(1, " + std::to_string(kNumSignals) + ")");
}

// A registered callback; `active` turns false on removal so a call already queued does nothing.
struct Entry {
    std::function<void()> fn;
    bool active = true;
};

// A loop's handlers and self-pipe. A loop extension of order 2 (after the executor): the
// handlers are removed and the dispositions restored when the loop shuts down or closes.
class SignalState final : public detail::LoopExtension, public backend::IoWatcher {
public:
    explicit SignalState(EventLoop& loop) : loop_(&loop) {}
    ~SignalState() override { remove_all(); }

    static const detail::LoopExtensionKey& key() {
        static const detail::LoopExtensionKey k(2);
        return k;
    }
    static SignalState& of(EventLoop& loop) {
        return detail::loop_extension<SignalState>(
            loop, key(), [&] { return std::make_unique<SignalState>(loop); });
    }
    /// Null if no handler was ever added on `loop` (or since it shut down).
    static SignalState* find(EventLoop& loop) noexcept {
        return static_cast<SignalState*>(detail::find_loop_extension(loop, key()));
    }

    void add(int signum, std::function<void()> callback) {
        check_signum(signum);
        if (signum == SIGKILL || signum == SIGSTOP)
            throw RuntimeError("sig " + std::to_string(signum) + " cannot be caught");
        open_pipe();
        auto entry = std::make_shared<Entry>(Entry{std::move(callback), true});
        {
            std::lock_guard<std::mutex> lock(g_mutex);
            Owner& owner = g_owners[signum];
            if (owner.state && owner.state != this)
                throw RuntimeError("sig " + std::to_string(signum) + " already has a handler on another event loop");
            if (!owner.state) {
                struct sigaction sa {};
                sa.sa_handler = aio_signal_trampoline;
                sigfillset(&sa.sa_mask);
                sa.sa_flags = SA_RESTART;
                g_pending[signum].store(false);
                g_route[signum].store(write_.get());
                struct sigaction previous {};
                if (::sigaction(signum, &sa, &previous) != 0) {
                    int err = errno;
                    g_route[signum].store(-1);
                    close_pipe_if_unused();
                    if (err == EINVAL) throw RuntimeError("sig " + std::to_string(signum) + " cannot be caught");
                    sys::raise_os_error(err, "sigaction");
                }
                owner.state = this;
                owner.previous = previous;
            }
        }
        auto& slot = handlers_[signum];
        if (slot) slot->active = false;
        slot = std::move(entry);
    }

    bool remove(int signum) {
        check_signum(signum);
        auto it = handlers_.find(signum);
        if (it == handlers_.end()) return false;
        it->second->active = false;
        handlers_.erase(it);
        {
            std::lock_guard<std::mutex> lock(g_mutex);
            uninstall_locked(signum);
        }
        close_pipe_if_unused();
        return true;
    }

    void on_io(backend::Event::Set) noexcept override {
        char buf[256];
        while (sys::retry_eintr([&] { return ::read(read_.get(), buf, sizeof buf); }) > 0) {
        }
        for (auto& [signum, entry] : handlers_) {
            if (!g_pending[signum].exchange(false)) continue;
            try {
                // A callback of its own, so an exception reaches the exception handler as any
                // callback's does, and a handler removed meanwhile is skipped.
                loop_->call_soon([e = entry] {
                    if (e->active) e->fn();
                });
            } catch (...) {
            }
        }
    }

    void shutdown(EventLoop&) noexcept override { remove_all(); }

private:
    void uninstall_locked(int signum) noexcept {
        Owner& owner = g_owners[signum];
        if (owner.state != this) return;
        ::sigaction(signum, &owner.previous, nullptr);
        g_route[signum].store(-1);
        g_pending[signum].store(false);
        owner = Owner{};
    }

    void remove_all() noexcept {
        {
            std::lock_guard<std::mutex> lock(g_mutex);
            for (auto& [signum, entry] : handlers_) {
                entry->active = false;
                uninstall_locked(signum);
            }
        }
        handlers_.clear();
        close_pipe_if_unused();
    }

    void open_pipe() {
        if (read_) return;
        int fds[2];
        if (sys::pipe2_above_stdio(fds, O_NONBLOCK | O_CLOEXEC) != 0) sys::raise_os_error(errno, "pipe2 (signal wake-up pipe)");
        sys::Fd r(fds[0]), w(fds[1]);
        io::backend_of(*loop_).watch(r.get(), backend::Interest::readable, this);
        read_ = std::move(r);
        write_ = std::move(w);
    }

    void close_pipe_if_unused() noexcept {
        if (!handlers_.empty() || !read_) return;
        // Every route to this pipe is reset (handlers_ is empty); wait out a handler that may
        // have read the route just before, on another thread.
        while (g_in_handler.load() != 0) {
        }
        io::backend_of(*loop_).unwatch(read_.get());
        read_.reset();
        write_.reset();
    }

    EventLoop* loop_;
    sys::Fd read_, write_;
    std::map<int, std::shared_ptr<Entry>> handlers_;
};

}  // namespace

void add_signal_handler(EventLoop& loop, int signum, std::function<void()> callback) {
    if (!callback) throw ValueError("add_signal_handler(): empty callback");
    check_signum(signum);
    SignalState::of(loop).add(signum, std::move(callback));
}

void add_signal_handler(int signum, std::function<void()> callback) {
    add_signal_handler(get_running_loop(), signum, std::move(callback));
}

bool remove_signal_handler(EventLoop& loop, int signum) {
    check_signum(signum);
    SignalState* state = SignalState::find(loop);  // nothing to make just to find it empty
    return state && state->remove(signum);
}

bool remove_signal_handler(int signum) { return remove_signal_handler(get_running_loop(), signum); }

}  // namespace aio
