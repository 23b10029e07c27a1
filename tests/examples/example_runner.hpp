#pragma once
// Runs an example program (build/<preset>/bin/example_<name>) and collects what it prints.
// The arguments go to execv as they are (no shell), so a test can pass "\n" or "" as an
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

namespace aio_examples_test {

struct ExampleRun {
    int exit_code = -1;      // the program's exit status; -1 if it did not exit normally
    bool timed_out = false;  // killed at the deadline
    std::string out;         // stdout
    std::vector<std::string> lines;
};

inline ExampleRun run_example(const std::string& name, std::vector<std::string> args,
                              std::chrono::seconds deadline = std::chrono::seconds(60)) {
    ExampleRun r;
    std::string path = std::string(AIO_BIN_DIR) + "/example_" + name;
    args.insert(args.begin(), path);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);

    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return r;
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return r;
    }
    if (pid == 0) {
        dup2(fds[1], STDOUT_FILENO);  // dup2 clears O_CLOEXEC on the copy
        execv(path.c_str(), argv.data());
        _exit(127);
    }
    close(fds[1]);

    auto until = std::chrono::steady_clock::now() + deadline;
    char buf[4096];
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            until - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            r.timed_out = true;
            kill(pid, SIGKILL);
            break;
        }
        pollfd p{fds[0], POLLIN, 0};
        int n = poll(&p, 1, static_cast<int>(left.count()));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) continue;  // the deadline check above ends the loop
        ssize_t got = read(fds[0], buf, sizeof buf);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) break;  // EOF: the program closed its stdout (it exited)
        r.out.append(buf, static_cast<std::size_t>(got));
    }
    close(fds[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
    std::istringstream in(r.out);
    for (std::string line; std::getline(in, line);) r.lines.push_back(line);
    return r;
}

}  // namespace aio_examples_test
