// create_subprocess_exec / create_subprocess_shell and Process: a ChildProcess plus stream
// transports over the parent's ends of its pipes (asyncio's SubprocessStreamProtocol).

#include "aio/process/subprocess.hpp"

#include <signal.h>

#include "aio/core/os_errors.hpp"
#include "aio/io/pipes.hpp"
#include "aio/tasks/gather.hpp"
#include "io/stream_protocol.hpp"
#include "process/child_process.hpp"

namespace aio {

namespace detail {

struct ProcessState {
    explicit ProcessState(std::shared_ptr<process::ChildProcess> c) : child(std::move(c)) {}
    ~ProcessState() {
        // The last Process handle is gone: close the pipes (asyncio's transport close()).
        for (auto& t : transports) {
            try {
                if (!t->is_closing()) t->close();
            } catch (...) {
            }
        }
    }
    std::shared_ptr<process::ChildProcess> child;
    std::vector<std::shared_ptr<Transport>> transports;
};

}  // namespace detail

namespace {

Coro<std::optional<StreamReader>> connect_output(sys::Fd& fd, std::size_t limit, detail::ProcessState& state) {
    if (!fd) co_return std::nullopt;
    StreamReader reader(limit);
    auto protocol = std::make_shared<detail::StreamReaderProtocol>(reader);
    state.transports.push_back(co_await detail::connect_read_pipe_impl(protocol, fd.release()));
    co_return reader;
}

Coro<void> feed_stdin(std::optional<StreamWriter> writer, std::optional<std::string> input) {
    if (!writer) co_return;
    try {
        if (input && !input->empty()) {
            writer->write(*input);
            co_await writer->drain();
        }
    } catch (const BrokenPipeError&) {
        // The child exited (or closed stdin) without reading everything: not an error.
    } catch (const ConnectionResetError&) {
    }
    writer->close();
}

Coro<std::string> read_all(std::optional<StreamReader> reader) {
    if (!reader) co_return std::string();
    co_return co_await reader->read(-1);
}

}  // namespace

Process::Process(std::shared_ptr<detail::ProcessState> state) noexcept : s_(std::move(state)) {}

pid_t Process::pid() const noexcept { return s_->child->pid(); }
std::optional<int> Process::returncode() const noexcept { return s_->child->returncode(); }

Coro<int> Process::wait() {
    auto child = s_->child;  // the handle may go while we wait
    co_return co_await child->wait();
}

Coro<std::pair<std::string, std::string>> Process::communicate(std::optional<std::string> input) {
    auto state = s_;
    auto results = co_await gather(feed_stdin(stdin, std::move(input)), read_all(stdout), read_all(stderr));
    co_await state->child->wait();
    co_return std::pair<std::string, std::string>{std::move(std::get<1>(results)), std::move(std::get<2>(results))};
}

void Process::send_signal(int sig) { s_->child->send_signal(sig); }
void Process::terminate() { send_signal(SIGTERM); }
void Process::kill() { send_signal(SIGKILL); }

namespace {

Coro<Process> spawn_and_connect(std::string program, ProgramArgs args, SubprocessOptions options) {
    EventLoop& loop = get_running_loop();
    std::vector<std::string> argv = std::move(args).values();
    argv.insert(argv.begin(), std::move(program));

    process::ParentPipes pipes;
    auto state = std::make_shared<detail::ProcessState>(process::ChildProcess::spawn(loop, argv, options, pipes));
    Process proc(state);
    try {
        if (pipes.stdin_write) {
            auto protocol = std::make_shared<detail::StreamReaderProtocol>(std::nullopt);
            auto transport = co_await detail::connect_write_pipe_impl(protocol, pipes.stdin_write.release());
            state->transports.push_back(transport);
            proc.stdin.emplace(std::move(transport), std::move(protocol), std::nullopt);
        }
        proc.stdout = co_await connect_output(pipes.stdout_read, options.limit, *state);
        proc.stderr = co_await connect_output(pipes.stderr_read, options.limit, *state);
    } catch (...) {
        // Connecting the pipes failed or was cancelled: do not leave the child behind.
        state->child->kill_and_reap();
        throw;
    }
    co_return proc;
}

}  // namespace

// Plain functions in front of the coroutine: g++ 12 destroys a prvalue argument of a coroutine
// twice when it is an aggregate like SubprocessOptions written in place (`{.cwd = "/tmp"}`);
// passed on as xvalues, the coroutine's parameters are move-constructed and all is well.
Coro<Process> create_subprocess_exec(std::string program, ProgramArgs args, SubprocessOptions options) {
    return spawn_and_connect(std::move(program), std::move(args), std::move(options));
}

Coro<Process> create_subprocess_shell(std::string cmd, SubprocessOptions options) {
    ProgramArgs args{"-c", std::move(cmd)};
    return spawn_and_connect("/bin/sh", std::move(args), std::move(options));
}

}  // namespace aio
