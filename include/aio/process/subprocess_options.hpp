#pragma once
/// The keyword arguments of asyncio's create_subprocess_exec / create_subprocess_shell, as an
/// aggregate for designated initializers:
///
/// ```
/// auto proc = co_await aio::create_subprocess_exec("grep", {"-c", "x"},
///     {.stdin = aio::PIPE, .stdout = aio::PIPE, .stderr = aio::DEVNULL, .cwd = "/tmp"});
/// ```
///
/// (The members are named `stdin`, `stdout` and `stderr` like Python's keyword arguments. glibc
/// defines those three names as macros expanding to themselves, so this is valid C++ with it.)
///
/// **g++ 12 caveat:** g++ 12.2 destroys a std::string held in an aggregate temporary of a
/// `co_await` expression twice, and cannot compile a braced std::initializer_list there. With
/// cwd, env or pass_fds, build the options first (clang++, aio's toolchain, needs no such care;
/// see docs/toolchain.md):
/// ```
/// aio::SubprocessOptions opts{.stdout = aio::PIPE, .cwd = "/tmp"};
/// auto proc = co_await aio::create_subprocess_exec("ls", {"-l"}, opts);
/// ```

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace aio {

/// Where a child's standard stream goes (asyncio's PIPE, DEVNULL, STDOUT, None, or a file
/// descriptor).
class Stdio {
public:
    enum class Kind : std::uint8_t {
        inherit,  ///< the parent's own stream (Python's None, the default)
        pipe,     ///< a new pipe: the Process gets a StreamWriter/StreamReader for it
        devnull,  ///< /dev/null
        stdout_,  ///< stderr only: the same place as stdout (Python's STDOUT)
        fd,       ///< an open file descriptor of the parent (dup'ed into the child; not closed)
    };

    constexpr Stdio() noexcept = default;
    constexpr explicit Stdio(Kind kind) noexcept : kind_(kind) {}
    /// The child's stream is a duplicate of `fd` (a file, a socket, one end of a pipe to another
    /// child). The parent keeps `fd` open: close it when you no longer need it.
    static constexpr Stdio from_fd(int fd) noexcept {
        Stdio s(Kind::fd);
        s.fd_ = fd;
        return s;
    }

    constexpr Kind kind() const noexcept { return kind_; }
    constexpr int fd() const noexcept { return fd_; }

private:
    Kind kind_ = Kind::inherit;
    int fd_ = -1;
};

/// asyncio.subprocess.PIPE: connect the stream to the Process object.
inline constexpr Stdio PIPE{Stdio::Kind::pipe};
/// asyncio.subprocess.DEVNULL.
inline constexpr Stdio DEVNULL{Stdio::Kind::devnull};
/// asyncio.subprocess.STDOUT: for stderr, send it where stdout goes.
inline constexpr Stdio STDOUT{Stdio::Kind::stdout_};
/// Python's None: the child shares the parent's stream.
inline constexpr Stdio INHERIT{Stdio::Kind::inherit};

/// A program's arguments (argv[1:]): write them as a braced list, `{"-l", "/tmp"}`, or pass a
/// std::vector<std::string>.
///
/// (A type of its own rather than a std::vector parameter: g++ 12 cannot compile a
/// std::initializer_list inside a co_await expression — "array used as initializer" — and
/// `co_await aio::create_subprocess_exec("ls", {"-l", "/tmp"})` is the natural call. A variadic
/// constructor builds no initializer_list.)
class ProgramArgs {
public:
    ProgramArgs() = default;
    ProgramArgs(std::vector<std::string> values) : values_(std::move(values)) {}  // NOLINT: implicit on purpose
    template <class... S>
        requires(sizeof...(S) >= 1 && (std::is_constructible_v<std::string, S &&> && ...))
    ProgramArgs(S&&... args) {  // NOLINT: implicit on purpose
        values_.reserve(sizeof...(S));
        (values_.emplace_back(std::forward<S>(args)), ...);
    }

    const std::vector<std::string>& values() const& noexcept { return values_; }
    std::vector<std::string> values() && noexcept { return std::move(values_); }

private:
    std::vector<std::string> values_;
};

struct SubprocessOptions {
    Stdio stdin = INHERIT;
    Stdio stdout = INHERIT;
    Stdio stderr = INHERIT;
    /// The child's working directory (the parent's if unset). A program name with a '/' is
    /// looked up relative to it, as with Python.
    std::optional<std::string> cwd = std::nullopt;
    /// The child's whole environment (the parent's if unset). Its PATH, if it has one, is where
    /// a program name without '/' is looked up (Python does the same).
    std::optional<std::map<std::string, std::string>> env = std::nullopt;
    /// The buffer limit of the stdout/stderr StreamReaders (asyncio: 64 KiB).
    std::size_t limit = 64 * 1024;
    /// setsid() in the child: a new session and process group (Python's start_new_session).
    bool start_new_session = false;
    /// setpgid(0, pgid) in the child; 0 makes the child the leader of a new group (Python's
    /// process_group).
    std::optional<pid_t> process_group = std::nullopt;
    /// Open descriptors of the parent that the child gets under the same numbers (Python's
    /// pass_fds), even if they are close-on-exec. Every other descriptor above 2 is closed in
    /// the child. A negative or unopened descriptor is a ValueError / OSError(EBADF).
    std::vector<int> pass_fds = {};
};

}  // namespace aio
