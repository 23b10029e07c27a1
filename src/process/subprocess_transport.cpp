// subprocess_exec / subprocess_shell: asyncio's BaseSubprocessTransport. A ChildProcess, one
// pipe transport per PIPE whose protocol forwards to the SubprocessProtocol with the fd number,
// and a task that waits for the exit.
//
// Reading is held back until the user's connection_made() has run (asyncio pauses the pipes the
// same way), so pipe_data_received() never comes first. connection_lost() comes once the child
// was reaped and every pipe closed; the transport keeps itself alive (self_) until then.

#include "aio/process/subprocess_protocol.hpp"

#include <signal.h>

#include "aio/core/exceptions.hpp"
#include "aio/core/task.hpp"
#include "aio/io/pipes.hpp"
#include "process/child_process.hpp"

namespace aio {

void SubprocessProtocol::deliver_connection_made(BaseTransport& t) {
    connection_made(dynamic_cast<SubprocessTransport&>(t));
}

namespace {

class SubprocessTransportImpl;

class PipeForwarder final : public Protocol {
public:
    PipeForwarder(std::weak_ptr<SubprocessTransportImpl> owner, int fd) : owner_(std::move(owner)), fd_(fd) {}
    void connection_made(Transport& t) override {
        if (fd_ != 0) t.pause_reading();  // until the user's connection_made()
    }
    void data_received(std::string_view data) override;
    void connection_lost(std::exception_ptr exc) override;

private:
    std::weak_ptr<SubprocessTransportImpl> owner_;
    int fd_;
};

class SubprocessTransportImpl final : public SubprocessTransport {
public:
    SubprocessTransportImpl(EventLoop& loop, std::shared_ptr<process::ChildProcess> child,
                            std::shared_ptr<SubprocessProtocol> protocol)
        : loop_(&loop), child_(std::move(child)), protocol_(std::move(protocol)) {}

    void add_pipe(int fd, std::shared_ptr<Transport> t) {
        pipes_[fd] = std::move(t);
        open_[fd] = true;
    }

    void start() {
        self_ = std::shared_ptr<SubprocessTransportImpl>(shared_from_this(), this);
        protocol_->deliver_connection_made(*this);
        for (int fd = 1; fd < 3; ++fd)
            if (pipes_[fd] && open_[fd]) pipes_[fd]->resume_reading();
        watcher_ = loop_->create_task(watch_exit(self_), "subprocess exit watcher");
    }

    void pipe_data(int fd, std::string_view data) {
        guarded("protocol.pipe_data_received() failed", [&] { protocol_->pipe_data_received(fd, data); });
    }
    void pipe_lost(int fd, std::exception_ptr exc) {
        open_[fd] = false;
        guarded("protocol.pipe_connection_lost() failed", [&] { protocol_->pipe_connection_lost(fd, exc); });
        try_finish();
    }

    // SubprocessTransport
    pid_t get_pid() const noexcept override { return child_->pid(); }
    std::optional<int> get_returncode() const noexcept override { return child_->returncode(); }
    std::shared_ptr<BaseTransport> get_pipe_transport(int fd) const override {
        if (fd < 0 || fd > 2) return nullptr;
        return pipes_[fd];
    }
    void send_signal(int sig) override { child_->send_signal(sig); }
    void terminate() override { send_signal(SIGTERM); }
    void kill() override { send_signal(SIGKILL); }

    // BaseTransport
    void close() override {
        if (closing_) return;
        closing_ = true;
        for (auto& p : pipes_)
            if (p && !p->is_closing()) p->close();
        if (!child_->returncode()) {
            try {
                child_->send_signal(SIGKILL);
            } catch (...) {
            }
        }
    }
    bool is_closing() const noexcept override { return closing_; }
    std::any get_extra_info(std::string_view name) const override {
        if (name == "subprocess") return child_->pid();
        return {};
    }
    std::shared_ptr<BaseProtocol> get_protocol() const override { return protocol_; }
    void set_protocol(std::shared_ptr<BaseProtocol> protocol) override {
        auto p = std::dynamic_pointer_cast<SubprocessProtocol>(protocol);
        if (!p) throw ValueError("set_protocol(): not a SubprocessProtocol");
        protocol_ = std::move(p);
    }

private:
    static Coro<void> watch_exit(std::shared_ptr<SubprocessTransportImpl> self) {
        co_await self->child_->wait();
        self->exited_ = true;
        self->guarded("protocol.process_exited() failed", [&] { self->protocol_->process_exited(); });
        self->try_finish();
    }

    void try_finish() {
        if (lost_ || !exited_ || open_[0] || open_[1] || open_[2]) return;
        lost_ = true;
        closing_ = true;
        loop_->call_soon([this] {
            auto keep = std::move(self_);
            guarded("protocol.connection_lost() failed", [&] { protocol_->connection_lost(nullptr); });
        });
    }

    template <class F>
    void guarded(const char* message, F&& f) noexcept {
        try {
            f();
        } catch (...) {
            ExceptionContext ctx;
            ctx.message = message;
            ctx.exception = std::current_exception();
            loop_->call_exception_handler(ctx);
        }
    }

    EventLoop* loop_;
    std::shared_ptr<process::ChildProcess> child_;
    std::shared_ptr<SubprocessProtocol> protocol_;
    std::shared_ptr<Transport> pipes_[3];
    bool open_[3] = {false, false, false};
    std::shared_ptr<SubprocessTransportImpl> self_;
    std::optional<Task<void>> watcher_;
    bool closing_ = false;
    bool exited_ = false;
    bool lost_ = false;
};

void PipeForwarder::data_received(std::string_view data) {
    if (auto o = owner_.lock()) o->pipe_data(fd_, data);
}

void PipeForwarder::connection_lost(std::exception_ptr exc) {
    if (auto o = owner_.lock()) o->pipe_lost(fd_, exc);
}

}  // namespace

namespace detail {

Coro<std::shared_ptr<SubprocessTransport>> subprocess_exec_impl(std::shared_ptr<SubprocessProtocol> protocol,
                                                                std::string program, ProgramArgs args,
                                                                SubprocessOptions options) {
    EventLoop& loop = get_running_loop();
    std::vector<std::string> argv = std::move(args).values();
    argv.insert(argv.begin(), std::move(program));
    process::ParentPipes pipes;
    auto child = process::ChildProcess::spawn(loop, argv, options, pipes);
    auto transport = std::make_shared<SubprocessTransportImpl>(loop, child, std::move(protocol));
    try {
        if (pipes.stdin_write) {
            auto forwarder = std::make_shared<PipeForwarder>(transport, 0);
            transport->add_pipe(0, co_await connect_write_pipe_impl(forwarder, pipes.stdin_write.release()));
        }
        if (pipes.stdout_read) {
            auto forwarder = std::make_shared<PipeForwarder>(transport, 1);
            transport->add_pipe(1, co_await connect_read_pipe_impl(forwarder, pipes.stdout_read.release()));
        }
        if (pipes.stderr_read) {
            auto forwarder = std::make_shared<PipeForwarder>(transport, 2);
            transport->add_pipe(2, co_await connect_read_pipe_impl(forwarder, pipes.stderr_read.release()));
        }
    } catch (...) {
        transport->close();
        child->kill_and_reap();
        throw;
    }
    transport->start();
    co_return transport;
}

}  // namespace detail

}  // namespace aio
