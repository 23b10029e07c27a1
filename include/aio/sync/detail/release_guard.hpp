#pragma once
// The RAII guard returned by Lock::acquire() and Semaphore::acquire().

#include <utility>

namespace aio::detail {

/// Reports, from a guard's destructor, the exception in flight (a release that
/// failed because the program had already released by hand) to the running
/// loop's exception handler, or to stderr outside a loop. Never throws.
void report_guard_release_error() noexcept;

/// Owns one acquisition of `M` (a Lock, Condition's lock, or a Semaphore
/// permit) and releases it when destroyed. Movable, not copyable.
template <class M>
class [[nodiscard]] ReleaseGuard {
public:
    /// An empty guard that owns nothing.
    ReleaseGuard() noexcept = default;
    /// Adopts an acquisition already made on `m`.
    explicit ReleaseGuard(M& m) noexcept : m_(&m) {}
    ReleaseGuard(ReleaseGuard&& o) noexcept : m_(std::exchange(o.m_, nullptr)) {}
    ReleaseGuard& operator=(ReleaseGuard&& o) noexcept {
        if (this != &o) {
            drop();
            m_ = std::exchange(o.m_, nullptr);
        }
        return *this;
    }
    ReleaseGuard(const ReleaseGuard&) = delete;
    ReleaseGuard& operator=(const ReleaseGuard&) = delete;
    /// Releases what the guard still owns. An error (released twice by hand)
    /// goes to the loop's exception handler: a destructor never throws.
    ~ReleaseGuard() { drop(); }

    /// Releases now instead of at the end of the scope; the guard becomes
    /// empty. No-op on an empty guard. Throws what `M::release()` throws.
    void release() {
        if (M* m = std::exchange(m_, nullptr)) m->release();
    }
    /// Stops owning without releasing: the acquisition is now released by hand
    /// (`lock.release()`, `sem.release()`), asyncio style.
    ///
    /// ```
    /// (co_await sem.acquire()).detach();   // asyncio: await sem.acquire()
    /// ...
    /// sem.release();
    /// ```
    void detach() noexcept { m_ = nullptr; }
    /// True while the guard owns an acquisition.
    bool owns() const noexcept { return m_ != nullptr; }
    explicit operator bool() const noexcept { return owns(); }

private:
    void drop() noexcept {
        if (M* m = std::exchange(m_, nullptr)) {
            try {
                m->release();
            } catch (...) {
                report_guard_release_error();
            }
        }
    }

    M* m_ = nullptr;
};

}  // namespace aio::detail
