#pragma once
// Runs an example program (build/<preset>/bin/example_<name>) and collects what it prints.
// The arguments go to execve as they are (no shell), so a test can pass "\n" or "" as an
// argument. Every run is bounded: a program still running at the deadline is killed and the
// result says so, instead of the test hanging until ctest's timeout.

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <sstream>
#include <string>
#include <vector>

extern char** environ;

namespace aio_examples_test {

struct ExampleRun {
    int exit_code = -1;      // the program's exit status; -1 if it did not exit normally
    int signal = 0;          // the signal that killed it (SIGABRT for std::terminate), else 0
    bool timed_out = false;  // killed at the deadline
    std::string out;         // stdout
    std::vector<std::string> lines;
    std::string err;  // stderr
    std::vector<std::string> err_lines;
};

/// What the program starts with, besides its arguments.
struct RunSetup {
    enum class Stdin {
        inherit,    // the test's own
        closed,     // descriptor 0 closed (`prog <&-`)
        directory,  // a directory (`prog < /`)
    };
    Stdin input = Stdin::inherit;
    std::vector<std::string> env;  // "NAME=value", replacing NAME in the test's environment
};

namespace detail {

inline std::vector<std::string> split_lines(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

}  // namespace detail

inline ExampleRun run_example(const std::string& name, std::vector<std::string> args, const RunSetup& setup,
                              std::chrono::seconds deadline = std::chrono::seconds(60)) {
    ExampleRun r;
    std::string path = std::string(AIO_BIN_DIR) + "/example_" + name;
    args.insert(args.begin(), path);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    // The environment is built before fork: the child may only make async-signal-safe calls.
    auto name_of = [](const std::string& entry) { return entry.substr(0, entry.find('=')); };
    std::vector<std::string> env_strings = setup.env;
    for (char** e = environ; *e; ++e) {
        bool replaced = false;
        for (const auto& mine : setup.env)
            if (name_of(mine) == name_of(*e)) replaced = true;
        if (!replaced) env_strings.push_back(*e);
    }
    std::vector<char*> envp;
    for (auto& e : env_strings) envp.push_back(e.data());
    envp.push_back(nullptr);

    int out[2], err[2];
    if (pipe2(out, O_CLOEXEC) != 0) return r;
    if (pipe2(err, O_CLOEXEC) != 0) {
        close(out[0]);
        close(out[1]);
        return r;
    }
    pid_t pid = fork();
    if (pid < 0) {
        for (int fd : {out[0], out[1], err[0], err[1]}) close(fd);
        return r;
    }
    if (pid == 0) {
        dup2(out[1], STDOUT_FILENO);  // dup2 clears O_CLOEXEC on the copy
        dup2(err[1], STDERR_FILENO);
        if (setup.input == RunSetup::Stdin::closed) {
            close(STDIN_FILENO);
        } else if (setup.input == RunSetup::Stdin::directory) {
            int dir = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
            if (dir < 0 || dup2(dir, STDIN_FILENO) < 0) _exit(126);
        }
        execve(path.c_str(), argv.data(), envp.data());
        _exit(127);
    }
    close(out[1]);
    close(err[1]);

    auto until = std::chrono::steady_clock::now() + deadline;
    pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
    std::string* into[2] = {&r.out, &r.err};
    char buf[4096];
    while (fds[0].fd >= 0 || fds[1].fd >= 0) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            until - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            r.timed_out = true;
            kill(pid, SIGKILL);
            break;
        }
        int n = poll(fds, 2, static_cast<int>(left.count()));
        if (n <= 0) continue;  // EINTR, or the deadline: checked above
        for (int k = 0; k < 2; ++k) {
            if (fds[k].fd < 0 || fds[k].revents == 0) continue;
            ssize_t got = read(fds[k].fd, buf, sizeof buf);
            if (got < 0 && errno == EINTR) continue;
            if (got <= 0) {  // EOF: the program closed it (it exited)
                close(fds[k].fd);
                fds[k].fd = -1;  // poll ignores it from now on
                continue;
            }
            into[k]->append(buf, static_cast<std::size_t>(got));
        }
    }
    for (const auto& p : fds)
        if (p.fd >= 0) close(p.fd);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) r.signal = WTERMSIG(status);
    r.lines = detail::split_lines(r.out);
    r.err_lines = detail::split_lines(r.err);
    return r;
}

inline ExampleRun run_example(const std::string& name, std::vector<std::string> args,
                              std::chrono::seconds deadline = std::chrono::seconds(60)) {
    return run_example(name, std::move(args), RunSetup{}, deadline);
}

}  // namespace aio_examples_test
