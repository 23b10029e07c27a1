#pragma once
// A spawned child as the loop sees it: its pid, a pidfd watched on the loop, and the exit status
// once reaped. asyncio's child watcher (PidfdChildWatcher) and the process half of
// BaseSubprocessTransport, without the pipes (Process connects those).
//
// Spawning: posix_spawn (glibc runs it as clone(CLONE_VM|CLONE_VFORK) + exec and hands an exec
// failure back as the return value, so a missing program is FileNotFoundError in the parent, not
// a child exiting 127). Every descriptor aio opens is close-on-exec; the child gets only 0, 1, 2.
//
// Reaping: the pidfd becomes readable when the child exits; on_io() reaps it with waitpid(WNOHANG)
// (the pid cannot be reused before we reap it, so waitpid by pid is exact), closes the pidfd and
// sets the exit Event. The child is watched from spawn to exit whether or not anyone waits, and
// keeps itself alive meanwhile (self_), so a dropped Process never leaves a zombie while the loop
// runs. When aio::run shuts the loop down (or, failing that, when the loop closes), children still
// running are killed (SIGKILL) and reaped, as asyncio's transport close() does.

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "aio/core/coro.hpp"
#include "aio/core/detail/loop_extension.hpp"
#include "aio/core/event_loop.hpp"
#include "aio/process/subprocess_options.hpp"
#include "aio/sync/event.hpp"
#include "backend/backend.hpp"
#include "sys/syscall.hpp"

namespace aio::process {

/// The parent's ends of the pipes asked for with PIPE (empty Fd otherwise), non-blocking and
/// close-on-exec.
struct ParentPipes {
    sys::Fd stdin_write;
    sys::Fd stdout_read;
    sys::Fd stderr_read;
};

class ChildProcess final : public backend::IoWatcher, public std::enable_shared_from_this<ChildProcess> {
public:
    /// Spawns `argv[0]` (looked up in PATH if it has no '/') with `argv`. Throws FileNotFoundError,
    /// PermissionError, OSError (exec or chdir failure, pipe/pidfd creation), ValueError (a NUL in
    /// an argument, STDOUT for anything but stderr).
    static std::shared_ptr<ChildProcess> spawn(EventLoop& loop, const std::vector<std::string>& argv,
                                               const SubprocessOptions& options, ParentPipes& pipes);

    ChildProcess(EventLoop& loop, pid_t pid, sys::Fd pidfd);
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;
    ~ChildProcess();

    pid_t pid() const noexcept { return pid_; }
    std::optional<int> returncode() const noexcept { return returncode_; }
    EventLoop& loop() const noexcept { return *loop_; }

    /// Waits until the child has exited and been reaped; returns the returncode (the exit status,
    /// or -N if killed by signal N). Cancel safety: a cancelled wait leaves nothing behind; the
    /// child stays watched.
    Coro<int> wait();

    /// Sends `sig` through the pidfd (never to a reused pid). Throws ProcessLookupError once the
    /// child was reaped; nothing if it exited but was not reaped yet.
    void send_signal(int sig);

    /// The pidfd is readable: reap.
    void on_io(backend::Event::Set events) noexcept override;

    /// At loop shutdown or close: SIGKILL the child if it still runs, reap it (blocking, which
    /// is short after SIGKILL), stop watching.
    void kill_and_reap() noexcept;

private:
    void start_watching();
    bool try_reap(int options) noexcept;
    void finish(int status) noexcept;
    void stop_watching() noexcept;

    EventLoop* loop_;
    pid_t pid_;
    sys::Fd pidfd_;
    std::optional<int> returncode_;
    Event exited_;
    std::shared_ptr<ChildProcess> self_;  // while watched
    // The loop's registry of running children, while watched. Kept as a pointer: during the
    // loop's shutdown the registry is already out of the loop's extension slot.
    detail::LoopExtension* registry_ = nullptr;
    bool watching_ = false;
};

/// The returncode of a wait status: the exit code, or -signal.
int returncode_of(int status) noexcept;

}  // namespace aio::process
