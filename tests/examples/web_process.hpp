#pragma once
// A web example running as a child process for the tests that talk to it over real sockets: its
// stdout is a pipe read line by line with a deadline, its stderr goes to a file the test reads
// afterwards (the access log), and its end is awaited with a deadline too.

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace web_examples_test {

class WebProcess {
public:
    /// A command line run as given: argv[0] is a path (python3 with a twin's script, say).
    struct Command {
        std::vector<std::string> argv;
    };

    /// Starts build/<preset>/bin/example_`name` with `args`.
    WebProcess(const std::string& name, std::vector<std::string> args)
        : WebProcess(Command{example_argv(name, std::move(args))}) {}

    explicit WebProcess(Command command) {
        std::vector<std::string>& args = command.argv;
        std::string base = args.at(0).substr(args[0].rfind('/') + 1);
        err_path_ = "/tmp/aio_" + base + "_" + std::to_string(::getpid()) + "_" + std::to_string(counter()++) + ".err";
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        int p[2];
        if (::pipe2(p, O_CLOEXEC) != 0) return;
        int err = ::open(err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        pid_ = ::fork();
        if (pid_ == 0) {
            ::dup2(p[1], STDOUT_FILENO);
            if (err >= 0) ::dup2(err, STDERR_FILENO);
            ::execv(argv[0], argv.data());
            ::_exit(127);
        }
        ::close(p[1]);
        if (err >= 0) ::close(err);
        out_ = p[0];
    }
    WebProcess(const WebProcess&) = delete;
    WebProcess& operator=(const WebProcess&) = delete;
    ~WebProcess() {
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
        }
        if (out_ >= 0) ::close(out_);
        ::unlink(err_path_.c_str());
    }

    bool started() const noexcept { return pid_ > 0 && out_ >= 0; }
    pid_t pid() const noexcept { return pid_; }

    /// The next stdout line, "<timeout>" after `limit`, "<eof>" at the end.
    std::string line(std::chrono::milliseconds limit = std::chrono::seconds(10)) {
        auto until = std::chrono::steady_clock::now() + limit;
        std::string s;
        for (;;) {
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
            if (left.count() <= 0) return s + "<timeout>";
            pollfd pfd{out_, POLLIN, 0};
            if (::poll(&pfd, 1, static_cast<int>(left.count())) <= 0) continue;
            char c;
            ssize_t n = ::read(out_, &c, 1);
            if (n < 0 && errno == EINTR) continue;
            if (n != 1) return s + "<eof>";
            if (c == '\n') return s;
            s += c;
        }
    }

    /// The port of aiohttp's "======== Running on http://HOST:PORT ========" line; 0 if the
    /// first line is not that (then `first_line` says what it was).
    int running_port() {
        first_line = line();
        std::string prefix = "======== Running on http://";
        if (first_line.rfind(prefix, 0) != 0) return 0;
        auto end = first_line.find(" ========", prefix.size());
        auto colon = first_line.rfind(':', end);
        if (end == std::string::npos || colon == std::string::npos) return 0;
        return std::stoi(first_line.substr(colon + 1, end - colon - 1));
    }

    void signal(int sig) const { ::kill(pid_, sig); }

    /// The exit status (128 + signal if killed by one), -1 if still running after `limit`.
    int wait_exit(std::chrono::milliseconds limit = std::chrono::seconds(10)) {
        auto until = std::chrono::steady_clock::now() + limit;
        while (std::chrono::steady_clock::now() < until) {
            int status = 0;
            if (::waitpid(pid_, &status, WNOHANG) == pid_) {
                pid_ = -1;
                return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            }
            ::usleep(2000);
        }
        return -1;
    }

    /// What the program wrote to stderr so far, as lines.
    std::vector<std::string> err_lines() const {
        std::ifstream in(err_path_);
        std::vector<std::string> out;
        for (std::string l; std::getline(in, l);) out.push_back(l);
        return out;
    }

    /// The stderr lines that start with `prefix` (a Python twin may add warnings of its own).
    std::vector<std::string> err_lines_starting(std::string_view prefix) const {
        std::vector<std::string> out;
        for (std::string& l : err_lines())
            if (l.rfind(prefix, 0) == 0) out.push_back(std::move(l));
        return out;
    }

    std::string first_line;

private:
    static std::vector<std::string> example_argv(const std::string& name, std::vector<std::string> args) {
        args.insert(args.begin(), std::string(AIO_BIN_DIR) + "/example_" + name);
        return args;
    }
    static int& counter() {
        static int n = 0;
        return n;
    }
    pid_t pid_ = -1;
    int out_ = -1;
    std::string err_path_;
};

}  // namespace web_examples_test
