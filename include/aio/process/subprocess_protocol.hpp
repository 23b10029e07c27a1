#pragma once
/// The callback-level subprocess API: asyncio's loop.subprocess_exec / loop.subprocess_shell with
/// a SubprocessProtocol and a SubprocessTransport. The stream API (aio::create_subprocess_exec)
/// is what most programs want; this one hands every chunk of output to a callback as it arrives.
///
/// ```
/// struct Collect : aio::SubprocessProtocol {
///     std::string out;
///     aio::Event exited;
///     void pipe_data_received(int fd, std::string_view data) override { if (fd == 1) out.append(data); }
///     void process_exited() override { exited.set(); }
/// };
/// aio::SubprocessOptions opts{.stdout = aio::PIPE};
/// auto [transport, protocol] = co_await aio::subprocess_exec([] { return std::make_shared<Collect>(); },
///                                                            "seq", {"1", "3"}, opts);
/// co_await protocol->exited.wait();          // transport->get_returncode() == 0
/// ```
///
/// Order of the callbacks: connection_made() once the pipes are connected; pipe_data_received()
/// and pipe_connection_lost() per pipe (fd 1 or 2; 0 for stdin's connection_lost); process_exited()
/// when the child has been reaped; connection_lost() once the child exited and every pipe closed.
/// The transport stays alive until connection_lost() has run. close() closes the pipes and kills
/// the child if it still runs (asyncio's close()).

#include <sys/types.h>

#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "aio/core/coro.hpp"
#include "aio/io/protocol.hpp"
#include "aio/io/transport.hpp"
#include "aio/process/subprocess_options.hpp"

namespace aio {

class SubprocessTransport;

/// asyncio.SubprocessProtocol.
class SubprocessProtocol : public BaseProtocol {
public:
    void deliver_connection_made(BaseTransport& t) final;
    /// Called once, when the child runs and its pipes are connected.
    virtual void connection_made(SubprocessTransport&) {}
    /// The child wrote `data` to its stdout (fd 1) or stderr (fd 2). Valid only during the call.
    virtual void pipe_data_received(int /*fd*/, std::string_view /*data*/) {}
    /// One of the child's pipes closed (fd 0, 1 or 2); `exc` is null on EOF.
    virtual void pipe_connection_lost(int /*fd*/, std::exception_ptr /*exc*/) {}
    /// The child exited and was reaped: get_returncode() is set.
    virtual void process_exited() {}
};

/// asyncio.SubprocessTransport.
class SubprocessTransport : public virtual BaseTransport {
public:
    virtual pid_t get_pid() const noexcept = 0;
    /// nullopt while the child runs; the exit status, or -N if signal N killed it.
    virtual std::optional<int> get_returncode() const noexcept = 0;
    /// The transport of the child's stdin (fd 0: a WriteTransport) or stdout/stderr (1, 2: a
    /// ReadTransport), or null if that stream is not a PIPE.
    virtual std::shared_ptr<BaseTransport> get_pipe_transport(int fd) const = 0;
    /// Sends `sig` (ProcessLookupError once the child was reaped).
    virtual void send_signal(int sig) = 0;
    virtual void terminate() = 0;
    virtual void kill() = 0;
};

namespace detail {
Coro<std::shared_ptr<SubprocessTransport>> subprocess_exec_impl(std::shared_ptr<SubprocessProtocol> protocol,
                                                                std::string program, ProgramArgs args,
                                                                SubprocessOptions options);
template <class Factory>
using subprocess_protocol_t = typename std::invoke_result_t<Factory&>::element_type;
}  // namespace detail

/// asyncio's loop.subprocess_exec(protocol_factory, program, *args, **kwargs). Throws as
/// create_subprocess_exec does.
template <class Factory, class P = detail::subprocess_protocol_t<Factory>>
Coro<std::pair<std::shared_ptr<SubprocessTransport>, std::shared_ptr<P>>> subprocess_exec(
    Factory factory, std::string program, ProgramArgs args = {}, SubprocessOptions options = {}) {
    static_assert(std::is_base_of_v<SubprocessProtocol, P>, "the factory must return std::shared_ptr<a SubprocessProtocol>");
    std::shared_ptr<P> protocol = factory();
    auto transport = co_await detail::subprocess_exec_impl(protocol, std::move(program), std::move(args), std::move(options));
    co_return std::pair<std::shared_ptr<SubprocessTransport>, std::shared_ptr<P>>{std::move(transport), std::move(protocol)};
}

/// asyncio's loop.subprocess_shell: `cmd` run by /bin/sh -c.
template <class Factory, class P = detail::subprocess_protocol_t<Factory>>
Coro<std::pair<std::shared_ptr<SubprocessTransport>, std::shared_ptr<P>>> subprocess_shell(
    Factory factory, std::string cmd, SubprocessOptions options = {}) {
    static_assert(std::is_base_of_v<SubprocessProtocol, P>, "the factory must return std::shared_ptr<a SubprocessProtocol>");
    std::shared_ptr<P> protocol = factory();
    ProgramArgs args{"-c", std::move(cmd)};
    auto transport = co_await detail::subprocess_exec_impl(protocol, "/bin/sh", std::move(args), std::move(options));
    co_return std::pair<std::shared_ptr<SubprocessTransport>, std::shared_ptr<P>>{std::move(transport), std::move(protocol)};
}

}  // namespace aio
