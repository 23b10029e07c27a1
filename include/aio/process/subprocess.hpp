#pragma once
/// Subprocesses: asyncio's create_subprocess_exec / create_subprocess_shell and
/// asyncio.subprocess.Process.
///
/// ```
/// auto proc = co_await aio::create_subprocess_exec("seq", {"1", "3"}, {.stdout = aio::PIPE});
/// while (true) {                                      // async for line in proc.stdout:
///     std::string line = co_await proc.stdout->readline();
///     if (line.empty()) break;
///     std::cout << line;
/// }
/// int code = co_await proc.wait();                    // 0
///
/// auto sh = co_await aio::create_subprocess_shell("tr a-z A-Z",
///     {.stdin = aio::PIPE, .stdout = aio::PIPE});
/// auto [out, err] = co_await sh.communicate("hello\n");   // out == "HELLO\n"
/// ```
///
/// How it runs (Linux >= 5.3): the child is started with posix_spawn, so a missing program or a
/// bad cwd is an exception in the parent (FileNotFoundError, PermissionError), not a child that
/// exits 127. Every descriptor aio opens is close-on-exec: the child gets its 0, 1, 2 and nothing
/// else of ours. The child starts with an empty signal mask and SIGPIPE/SIGXFSZ at their default
/// (aio ignores SIGPIPE in the parent, as Python does). Its exit is seen through a pidfd watched
/// on the loop, and it is reaped as soon as it exits, whether or not anyone waits, so a dropped
/// Process leaves no zombie while the loop runs. A child still running when aio::run shuts the
/// loop down is killed (SIGKILL) and reaped, as asyncio's transport close() does. Do not reap aio's
/// children yourself (waitpid(-1), SIGCHLD set to SIG_IGN): the returncode is then unknown and
/// reported as 255, as asyncio does.
///
/// Process is a cheap handle: copies share one child. When the last copy is gone, the pipes to
/// the child are closed (its stdin sees EOF; unread output is dropped), as when asyncio's
/// transport is collected; the child itself goes on and is reaped when it exits.

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "aio/core/coro.hpp"
#include "aio/io/streams.hpp"
#include "aio/process/subprocess_options.hpp"

namespace aio {

namespace detail {
struct ProcessState;
}

/// asyncio.subprocess.Process.
class Process {
public:
    /// The child's stdin, with stdin=PIPE (else empty). Close it (or write_eof()) to send EOF.
    std::optional<StreamWriter> stdin;
    /// The child's stdout, with stdout=PIPE.
    std::optional<StreamReader> stdout;
    /// The child's stderr, with stderr=PIPE.
    std::optional<StreamReader> stderr;

    /// The child's process id.
    pid_t pid() const noexcept;
    /// The exit status once the child has exited and been reaped; -N if signal N killed it;
    /// nullopt while it runs.
    std::optional<int> returncode() const noexcept;

    /// Waits for the child to exit; returns the returncode. With stdout=PIPE or stderr=PIPE, a
    /// child that writes more than the pipe holds blocks until it is read: use communicate() then.
    ///
    /// Cancel safety: cancelling the wait leaves the child running and watched; wait again later.
    Coro<int> wait();

    /// Writes `input` to stdin (if stdin=PIPE; then closes it), reads stdout and stderr to EOF
    /// (those that are PIPEs), all three at once so that no pipe fills up and deadlocks, then
    /// waits for the child to exit. Returns {stdout data, stderr data} ("" for streams that are
    /// not PIPEs). A child that exits without reading all its input is not an error
    /// (BrokenPipeError/ConnectionResetError on stdin are ignored, as asyncio does).
    ///
    /// Cancel safety: the data read so far is lost; the child and its pipes stay as they are
    /// (kill() it, or drop the Process to close the pipes).
    Coro<std::pair<std::string, std::string>> communicate(std::optional<std::string> input = std::nullopt);

    /// Sends signal `sig` to the child. Nothing happens if the child has exited but was not
    /// reaped yet; ProcessLookupError once it was reaped (returncode() is set), as Python does.
    /// The signal goes through the child's pidfd, so it can never hit a process that reused the pid.
    void send_signal(int sig);
    /// send_signal(SIGTERM).
    void terminate();
    /// send_signal(SIGKILL).
    void kill();

    /// Made by create_subprocess_exec/_shell.
    explicit Process(std::shared_ptr<detail::ProcessState> state) noexcept;

private:
    std::shared_ptr<detail::ProcessState> s_;
};

/// Runs `program` with `args` (argv[0] is `program`). A program name without '/' is looked up in
/// PATH (the PATH of `options.env` if given, else the parent's), with execvp's rules.
///
/// Throws FileNotFoundError (no such program, or no such cwd), PermissionError (not executable),
/// OSError (other exec failures, out of descriptors), ValueError (an embedded NUL, STDOUT for
/// stdin/stdout).
///
/// ```
/// auto p = co_await aio::create_subprocess_exec("ls", {"-l", "/tmp"}, {.stdout = aio::PIPE});
/// ```
Coro<Process> create_subprocess_exec(std::string program, ProgramArgs args = {}, SubprocessOptions options = {});

/// Runs `cmd` with /bin/sh -c. The shell's quoting rules apply: never paste untrusted input into
/// `cmd`; pass it through create_subprocess_exec's args instead.
Coro<Process> create_subprocess_shell(std::string cmd, SubprocessOptions options = {});

}  // namespace aio
