#include "process/child_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "aio/core/detail/loop_extension.hpp"
#include "aio/core/exceptions.hpp"
#include "aio/core/os_errors.hpp"
#include "io/fd_wait.hpp"
#include "sys/errors.hpp"
#include "sys/syscall.hpp"

extern char** environ;

namespace aio::process {

namespace {

// Raw syscalls: glibc 2.36's <sys/pidfd.h> lacks C linkage for C++, and older glibc has no
// wrappers at all.
int pidfd_open(pid_t pid) noexcept { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0u)); }
int pidfd_send_signal(int pidfd, int sig) noexcept {
    return static_cast<int>(::syscall(SYS_pidfd_send_signal, pidfd, sig, nullptr, 0u));
}

// ---- the per-loop registry of children still running ------------------------------------------

// A loop extension of order 2 (after the executor): the children still running are killed and
// reaped when the loop shuts down or, if it never did, when it closes.
class ChildRegistry final : public detail::LoopExtension {
public:
    static ChildRegistry& of(EventLoop& loop) {
        static const detail::LoopExtensionKey key(2);
        return detail::loop_extension<ChildRegistry>(
            loop, key, [] { return std::make_unique<ChildRegistry>(); });
    }
    ~ChildRegistry() override { kill_all(); }
    void add(ChildProcess* c) { live_.insert(c); }
    void remove(ChildProcess* c) noexcept { live_.erase(c); }

    void shutdown(EventLoop&) noexcept override { kill_all(); }

private:
    void kill_all() noexcept {
        while (!live_.empty()) (*live_.begin())->kill_and_reap();  // each removes itself
    }

    std::set<ChildProcess*> live_;
};

// ---- spawning -----------------------------------------------------------------------------------

// A close-on-exec pipe; `parent_end` (0: read, 1: write) is made non-blocking, the child's end
// stays blocking (children expect blocking stdio). Both ends are >= 3 (sys::pipe2_above_stdio),
// so that dup2 onto 0..2 in the child never clobbers a source another dup2 still needs, nor is a
// no-op that keeps FD_CLOEXEC.
void make_pipe(sys::Fd& parent, sys::Fd& child, int parent_end) {
    int fds[2];
    if (sys::pipe2_above_stdio(fds, O_CLOEXEC) != 0) sys::raise_os_error(errno, "pipe2");
    sys::Fd ends[2] = {sys::Fd(fds[0]), sys::Fd(fds[1])};
    int flags = ::fcntl(ends[parent_end].get(), F_GETFL);
    if (flags < 0 || ::fcntl(ends[parent_end].get(), F_SETFL, flags | O_NONBLOCK) < 0)
        sys::raise_os_error(errno, "fcntl(O_NONBLOCK)");
    parent = std::move(ends[parent_end]);
    child = std::move(ends[1 - parent_end]);
}

std::string check_no_nul(const std::string& s, const char* what) {
    if (s.find('\0') != std::string::npos) throw ValueError(std::string("embedded NUL character in ") + what);
    return s;
}

bool is_executable_file(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

// execvp's search, done in the parent so that one posix_spawn runs the right file: the first
// executable regular file in PATH. ENOENT if there is none, EACCES if only non-executable
// candidates exist.
std::string find_program(const std::string& name, const std::optional<std::string>& path_var, int& err) {
    std::string path = path_var ? *path_var : "/bin:/usr/bin";
    bool denied = false;
    std::size_t start = 0;
    for (;;) {
        std::size_t end = path.find(':', start);
        std::string dir = path.substr(start, end == std::string::npos ? std::string::npos : end - start);
        if (dir.empty()) dir.push_back('.');  // not dir = ".": g++ 12 -O3 -Wrestrict false positive
        // Appended, not dir + "/" + name: g++ 12 at -O3 warns falsely (-Wrestrict) on that form.
        std::string candidate = std::move(dir);
        candidate += '/';
        candidate += name;
        if (is_executable_file(candidate)) return candidate;
        if (::access(candidate.c_str(), F_OK) == 0) denied = true;
        if (end == std::string::npos) break;
        start = end + 1;
    }
    err = denied ? EACCES : ENOENT;
    return {};
}

class SpawnAttrs {
public:
    SpawnAttrs() {
        if (int e = ::posix_spawn_file_actions_init(&actions_)) sys::raise_os_error(e, "posix_spawn_file_actions_init");
        if (int e = ::posix_spawnattr_init(&attr_)) {
            ::posix_spawn_file_actions_destroy(&actions_);
            sys::raise_os_error(e, "posix_spawnattr_init");
        }
    }
    ~SpawnAttrs() {
        ::posix_spawnattr_destroy(&attr_);
        ::posix_spawn_file_actions_destroy(&actions_);
    }
    SpawnAttrs(const SpawnAttrs&) = delete;
    SpawnAttrs& operator=(const SpawnAttrs&) = delete;

    void dup2(int from, int to) { check(::posix_spawn_file_actions_adddup2(&actions_, from, to), "adddup2"); }
    void close(int fd) { check(::posix_spawn_file_actions_addclose(&actions_, fd), "addclose"); }
    void open(int fd, const char* path, int flags) {
        check(::posix_spawn_file_actions_addopen(&actions_, fd, path, flags, 0), "addopen");
    }
    void chdir(const std::string& dir) { check(::posix_spawn_file_actions_addchdir_np(&actions_, dir.c_str()), "addchdir"); }
    posix_spawn_file_actions_t* actions() noexcept { return &actions_; }
    posix_spawnattr_t* attr() noexcept { return &attr_; }

    static void check(int e, const char* what) {
        if (e) sys::raise_os_error(e, std::string("posix_spawn_file_actions_") + what);
    }

private:
    posix_spawn_file_actions_t actions_;
    posix_spawnattr_t attr_;
};

// Closes every descriptor above 2 in the child except `pass_fds`, which keep their numbers and
// lose close-on-exec (dup2 of a descriptor onto itself clears it, as POSIX 2024 and glibc do).
// The descriptors up to the highest passed one are closed one by one: those the parent has open
// without close-on-exec (its own are all close-on-exec, so exec closes them anyway).
void keep_only_passed_fds(SpawnAttrs& sp, std::vector<int> pass_fds) {
    std::sort(pass_fds.begin(), pass_fds.end());
    pass_fds.erase(std::unique(pass_fds.begin(), pass_fds.end()), pass_fds.end());
    for (int fd : pass_fds) {
        if (fd < 0) throw ValueError("pass_fds: negative file descriptor " + std::to_string(fd));
        if (::fcntl(fd, F_GETFD) < 0) sys::raise_os_error(errno, "pass_fds: descriptor " + std::to_string(fd));
    }
    int low = 3;
    for (int fd : pass_fds) {
        if (fd < 3) continue;  // the standard streams are the child's anyway
        for (int other = low; other < fd; ++other) {
            int flags = ::fcntl(other, F_GETFD);
            if (flags >= 0 && !(flags & FD_CLOEXEC)) sp.close(other);
        }
        sp.dup2(fd, fd);
        low = fd + 1;
    }
    SpawnAttrs::check(::posix_spawn_file_actions_addclosefrom_np(sp.actions(), low), "addclosefrom_np");
}

}  // namespace

int returncode_of(int status) noexcept {
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return -WTERMSIG(status);
    return status;
}

std::shared_ptr<ChildProcess> ChildProcess::spawn(EventLoop& loop, const std::vector<std::string>& argv,
                                                  const SubprocessOptions& options, ParentPipes& pipes) {
    if (argv.empty() || argv[0].empty()) throw ValueError("create_subprocess: empty program name");
    if (options.stdin.kind() == Stdio::Kind::stdout_ || options.stdout.kind() == Stdio::Kind::stdout_)
        throw ValueError("STDOUT is only for stderr");

    // argv and envp as C arrays (the strings stay in these vectors).
    std::vector<std::string> args;
    args.reserve(argv.size());
    for (const auto& a : argv) args.push_back(check_no_nul(a, "argument"));
    std::vector<char*> c_argv;
    for (auto& a : args) c_argv.push_back(a.data());
    c_argv.push_back(nullptr);

    std::vector<std::string> env_strings;
    std::vector<char*> c_env;
    std::optional<std::string> path_var;
    char** envp = environ;
    if (options.env) {
        for (const auto& [k, v] : *options.env) {
            if (k.empty() || k.find('=') != std::string::npos) throw ValueError("illegal environment variable name: " + k);
            env_strings.push_back(check_no_nul(k, "environment") + "=" + check_no_nul(v, "environment"));
            if (k == "PATH") path_var = v;
        }
        for (auto& s : env_strings) c_env.push_back(s.data());
        c_env.push_back(nullptr);
        envp = c_env.data();
    } else if (const char* p = std::getenv("PATH")) {
        path_var = p;
    }

    // The program: as given if it has a '/', else the first match in PATH.
    std::string program = args[0];
    if (program.find('/') == std::string::npos) {
        int err = 0;
        program = find_program(args[0], path_var, err);
        if (program.empty()) sys::raise_os_error(err, "cannot run '" + args[0] + "'");
    }

    // The child's 0, 1, 2.
    SpawnAttrs sp;
    sys::Fd child_ends[3];
    const Stdio* stdio[3] = {&options.stdin, &options.stdout, &options.stderr};
    for (int i = 0; i < 3; ++i) {
        switch (stdio[i]->kind()) {
            case Stdio::Kind::inherit:
                break;
            case Stdio::Kind::pipe:
                if (i == 0) make_pipe(pipes.stdin_write, child_ends[0], 1);
                else make_pipe(i == 1 ? pipes.stdout_read : pipes.stderr_read, child_ends[i], 0);
                sp.dup2(child_ends[i].get(), i);
                break;
            case Stdio::Kind::devnull:
                sp.open(i, "/dev/null", i == 0 ? O_RDONLY : O_WRONLY);
                break;
            case Stdio::Kind::stdout_:
                sp.dup2(1, 2);  // after stdout's own action: the file actions run in order
                break;
            case Stdio::Kind::fd: {
                int fd = stdio[i]->fd();
                if (fd < 0) throw ValueError("Stdio::from_fd: negative file descriptor");
                if (fd < 3) {
                    int copy = ::fcntl(fd, F_DUPFD_CLOEXEC, 3);
                    if (copy < 0) sys::raise_os_error(errno, "fcntl(F_DUPFD_CLOEXEC)");
                    child_ends[i] = sys::Fd(copy);
                    fd = copy;
                }
                sp.dup2(fd, i);
                break;
            }
        }
    }
    if (options.cwd) sp.chdir(check_no_nul(*options.cwd, "cwd"));
    // Python's close_fds=True: descriptors the program inherited without close-on-exec (from
    // its own parent, or opened by a library) do not reach the child either. After the dup2s,
    // which still need their sources.
    keep_only_passed_fds(sp, options.pass_fds);

    // Signals: an empty mask, and the default action for SIGPIPE and SIGXFSZ, which aio (like
    // Python) ignores in the parent (Python's restore_signals). Handled signals are reset by exec.
    short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
    sigset_t mask, defaults;
    sigemptyset(&mask);
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGPIPE);
    sigaddset(&defaults, SIGXFSZ);
    ::posix_spawnattr_setsigmask(sp.attr(), &mask);
    ::posix_spawnattr_setsigdefault(sp.attr(), &defaults);
    if (options.start_new_session) flags |= POSIX_SPAWN_SETSID;
    if (options.process_group) {
        flags |= POSIX_SPAWN_SETPGROUP;
        ::posix_spawnattr_setpgroup(sp.attr(), *options.process_group);
    }
    ::posix_spawnattr_setflags(sp.attr(), flags);

    pid_t pid = -1;
    int err = ::posix_spawn(&pid, program.c_str(), sp.actions(), sp.attr(), c_argv.data(), envp);
    if (err != 0) {
        pipes = ParentPipes{};
        sys::raise_os_error(err, "cannot run '" + args[0] + "'");
    }
    for (auto& fd : child_ends) fd.reset();

    int pidfd = static_cast<int>(sys::retry_eintr([&] { return sys::above_stdio(pidfd_open(pid)); }));
    if (pidfd < 0) {
        // No way to watch it (Linux < 5.3): do not leave it behind.
        ::kill(pid, SIGKILL);
        int status;
        sys::retry_eintr([&] { return ::waitpid(pid, &status, 0); });
        pipes = ParentPipes{};
        sys::raise_os_error(-pidfd, "pidfd_open");
    }
    auto child = std::make_shared<ChildProcess>(loop, pid, sys::Fd(pidfd));
    child->start_watching();
    return child;
}

ChildProcess::ChildProcess(EventLoop& loop, pid_t pid, sys::Fd pidfd)
    : loop_(&loop), pid_(pid), pidfd_(std::move(pidfd)) {}

ChildProcess::~ChildProcess() {
    // Only reached once reaped (self_ holds us while watched) or for a child never watched.
    if (!returncode_) {
        ::kill(pid_, SIGKILL);
        int status;
        sys::retry_eintr([&] { return ::waitpid(pid_, &status, 0); });
    }
}

void ChildProcess::start_watching() {
    auto& registry = ChildRegistry::of(*loop_);
    try {
        io::backend_of(*loop_).watch(pidfd_.get(), backend::Interest::readable, this);
    } catch (...) {
        kill_and_reap();
        throw;
    }
    watching_ = true;
    registry.add(this);
    registry_ = &registry;
    self_ = shared_from_this();
}

void ChildProcess::stop_watching() noexcept {
    if (!watching_) return;
    watching_ = false;
    io::backend_of(*loop_).unwatch(pidfd_.get());
    static_cast<ChildRegistry*>(registry_)->remove(this);
    registry_ = nullptr;
}

bool ChildProcess::try_reap(int options) noexcept {
    int status = 0;
    long r = sys::retry_eintr([&] { return ::waitpid(pid_, &status, options); });
    if (r == 0) return false;  // still running
    if (r < 0) {
        // Someone else reaped it (a waitpid(-1) elsewhere, SIGCHLD set to SIG_IGN): asyncio
        // reports 255 then.
        finish(255 << 8);
        return true;
    }
    finish(status);
    return true;
}

void ChildProcess::finish(int status) noexcept {
    returncode_ = returncode_of(status);
    auto keep = std::move(self_);  // `this` may go when the caller returns
    stop_watching();
    pidfd_.reset();
    exited_.set();
}

void ChildProcess::on_io(backend::Event::Set) noexcept {
    if (returncode_) return;
    auto keep = shared_from_this();
    try_reap(WNOHANG);
}

void ChildProcess::kill_and_reap() noexcept {
    if (returncode_) return;
    auto keep = self_ ? self_ : std::shared_ptr<ChildProcess>();
    if (!try_reap(WNOHANG)) {
        pidfd_send_signal(pidfd_.get(), SIGKILL);
        try_reap(0);
    }
}

Coro<int> ChildProcess::wait() {
    auto keep = shared_from_this();
    if (!returncode_) co_await exited_.wait();
    co_return *returncode_;
}

void ChildProcess::send_signal(int sig) {
    if (returncode_) throw ProcessLookupError(ESRCH, "process " + std::to_string(pid_) + " has already been reaped");
    if (pidfd_send_signal(pidfd_.get(), sig) != 0) {
        int err = errno;
        if (err == ESRCH) return;  // exited, not reaped yet: Python's Popen ignores it too
        sys::raise_os_error(err, "send_signal");
    }
}

}  // namespace aio::process
