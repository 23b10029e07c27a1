#include "aio/io/server.hpp"

#include <netinet/in.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>

#include "aio/core/os_errors.hpp"
#include "aio/io/dns.hpp"
#include "io/fd_transport.hpp"
#include "io/fd_wait.hpp"
#include "io/listener.hpp"
#include "io/socket_ops.hpp"
#include "io/tls_hook.hpp"
#include "sys/errors.hpp"
#include "sys/syscall.hpp"

namespace aio {

namespace io {

namespace {
// asyncio's base_events.ACCEPT_RETRY_DELAY.
constexpr auto kAcceptRetryDelay = std::chrono::seconds(1);
}  // namespace

Listener::~Listener() { stop(); }

void Listener::start() {
    if (watching_ || backing_off_) return;
    backend_of(server_->get_loop()).watch(fd_.get(), backend::Interest::readable, this);
    watching_ = true;
}

void Listener::stop() noexcept {
    retry_.cancel();
    backing_off_ = false;
    if (watching_) {
        backend_of(server_->get_loop()).unwatch(fd_.get());
        watching_ = false;
    }
}

SocketAddress Listener::address() const { return local_address(fd_.get()); }

void Listener::on_io(backend::Event::Set) noexcept {
    // Accept a bounded batch per wake-up so one busy listener cannot starve the loop.
    for (int i = 0; i < 128 && watching_; ++i) {
        int fd = sys::above_stdio(::accept4(fd_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
        if (fd >= 0) {
            server_->accept_one(fd);
            continue;
        }
        int err = errno;
        if (err == EAGAIN || err == EWOULDBLOCK) return;
        if (err == EINTR || err == ECONNABORTED || err == EPROTO) continue;  // that client left
        if (err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM) {
            EventLoop& loop = server_->get_loop();
            ExceptionContext ctx;
            ctx.message = "accept() out of system resource; accepting again in 1 s";
            ctx.exception = sys::make_os_error(err, "accept");
            loop.call_exception_handler(ctx);
            backend_of(loop).unwatch(fd_.get());
            watching_ = false;
            backing_off_ = true;
            try {
                retry_ = loop.call_later(kAcceptRetryDelay, [this] {
                    backing_off_ = false;
                    if (server_->is_serving()) {
                        try {
                            start();
                        } catch (...) {
                        }
                    }
                });
            } catch (...) {
                backing_off_ = false;
            }
            return;
        }
        ExceptionContext ctx;
        ctx.message = "accept() failed";
        ctx.exception = sys::make_os_error(err, "accept");
        server_->get_loop().call_exception_handler(ctx);
        return;
    }
}

}  // namespace io

Server::Server(EventLoop& loop, detail::ProtocolFactory factory, ServerOptions opts)
    : loop_(&loop), factory_(std::move(factory)), opts_(std::move(opts)) {}

Server::~Server() {
    for (auto* t : clients_) t->attach_server(nullptr);
    listeners_.clear();
    if (!unix_path_.empty() && unix_path_.front() != '\0') ::unlink(unix_path_.c_str());
}

void Server::add_listener(int fd) { listeners_.push_back(std::make_unique<io::Listener>(*this, sys::Fd(fd))); }

bool Server::is_serving() const noexcept { return serving_ && !closed_; }

std::vector<SocketAddress> Server::sockets() const {
    std::vector<SocketAddress> out;
    for (const auto& l : listeners_) out.push_back(l->address());
    return out;
}

void Server::start_serving() {
    if (closed_) throw RuntimeError("Server is closed");
    if (serving_) return;
    serving_ = true;
    for (auto& l : listeners_) l->start();
}

void Server::close() {
    if (closed_) return;
    closed_ = true;
    serving_ = false;
    for (auto& l : listeners_) l->stop();
    listeners_.clear();
    if (!unix_path_.empty() && unix_path_.front() != '\0') {
        ::unlink(unix_path_.c_str());
        unix_path_.clear();
    }
    if (serving_forever_ && !serving_forever_->done()) serving_forever_->cancel();
    maybe_wake_closed();
}

void Server::close_clients() {
    std::vector<io::FdTransport*> all(clients_.begin(), clients_.end());
    for (auto* t : all) t->close();
}

void Server::abort_clients() {
    std::vector<io::FdTransport*> all(clients_.begin(), clients_.end());
    for (auto* t : all) t->abort();
}

void Server::accept_one(int fd) noexcept {
    sys::Fd owned(fd);
    try {
        auto protocol = factory_();
        if (!protocol) throw RuntimeError("the protocol factory returned null");
        std::shared_ptr<io::FdTransport> t;
        if (opts_.ssl) {
            io::TlsParams tls;
            tls.context = opts_.ssl;
            tls.server_side = true;
            tls.handshake_timeout = opts_.ssl_handshake_timeout;
            tls.shutdown_timeout = opts_.ssl_shutdown_timeout;
            auto w = io::make_tls_protocol(*loop_, std::move(tls), std::move(protocol), std::nullopt);
            t = std::make_shared<io::FdTransport>(*loop_, std::move(owned), std::move(w.raw_protocol),
                                                  io::FdTransport::Kind::socket);
        } else {
            t = std::make_shared<io::FdTransport>(*loop_, std::move(owned), std::move(protocol),
                                                  io::FdTransport::Kind::socket);
        }
        t->attach_server(this);
        clients_.insert(t.get());
        t->start();
    } catch (...) {
        ExceptionContext ctx;
        ctx.message = "could not set up an accepted connection";
        ctx.exception = std::current_exception();
        loop_->call_exception_handler(ctx);
    }
}

void Server::detach(io::FdTransport* t) noexcept {
    clients_.erase(t);
    maybe_wake_closed();
}

void Server::maybe_wake_closed() noexcept {
    if (!closed_ || !clients_.empty()) return;
    auto waiters = std::move(closed_waiters_);
    closed_waiters_.clear();
    for (auto& w : waiters)
        if (!w.done()) w.set_result();
}

Coro<void> Server::wait_closed() {
    if (closed_ && clients_.empty()) co_return;
    auto keep = shared_from_this();
    auto fut = loop_->create_future<void>();
    closed_waiters_.push_back(fut);
    co_await fut;
}

Coro<void> Server::serve_forever() {
    if (serving_forever_) throw RuntimeError("server is already being awaited on serve_forever()");
    if (closed_) throw RuntimeError("Server is closed");
    auto keep = shared_from_this();
    start_serving();
    serving_forever_ = loop_->create_future<void>();
    std::exception_ptr cancelled;
    try {
        co_await *serving_forever_;
    } catch (const CancelledError&) {
        cancelled = std::current_exception();
    }
    serving_forever_.reset();
    close();
    if (cancelled) {
        co_await wait_closed();
        std::rethrow_exception(cancelled);
    }
}

namespace detail {

namespace {

sys::Fd open_listener(const SocketAddress& addr, const ServerOptions& opts) {
    sys::Fd fd = io::open_socket(addr.family(), SOCK_STREAM);
    int one = 1;
    if (opts.reuse_address && !addr.is_unix()) ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (opts.reuse_port && ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) < 0)
        sys::raise_os_error(errno, "setsockopt(SO_REUSEPORT)");
    // An IPv6 wildcard must not also claim the IPv4 port, which its own IPv4 socket binds.
    if (addr.is_ipv6()) ::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    if (::bind(fd.get(), addr.data(), addr.size()) < 0)
        sys::raise_os_error(errno, "error while attempting to bind on address " + addr.to_string());
    if (::listen(fd.get(), opts.backlog) < 0) sys::raise_os_error(errno, "listen(" + addr.to_string() + ")");
    return fd;
}

}  // namespace

Coro<std::shared_ptr<Server>> create_server_impl(ProtocolFactory factory, std::string host, std::uint16_t port,
                                                 ServerOptions opts) {
    if (opts.backlog < 0) throw ValueError("backlog must be >= 0");
    auto infos = co_await getaddrinfo(host, port, opts.family, SOCK_STREAM, 0, AI_PASSIVE);
    auto server = std::make_shared<Server>(get_running_loop(), std::move(factory), opts);
    std::vector<SocketAddress> seen;
    for (const auto& ai : infos) {
        bool dup = false;
        for (const auto& s : seen) dup = dup || s == ai.addr;
        if (dup) continue;
        seen.push_back(ai.addr);
        server->add_listener(open_listener(ai.addr, opts).release());
    }
    if (seen.empty()) throw OSError(0, "getaddrinfo(" + host + ") returned an empty list");
    if (opts.start_serving) server->start_serving();
    co_return server;
}

Coro<std::shared_ptr<Server>> create_unix_server_impl(ProtocolFactory factory, std::string path, ServerOptions opts) {
    auto addr = SocketAddress::unix_path(path);
    if (!path.empty() && path.front() != '\0') {
        // A socket file left by an earlier run would make bind fail; anything else is not ours.
        struct stat st {};
        if (::stat(path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode)) ::unlink(path.c_str());
    }
    auto server = std::make_shared<Server>(get_running_loop(), std::move(factory), opts);
    server->add_listener(open_listener(addr, opts).release());
    server->set_unix_path(path);
    if (opts.start_serving) server->start_serving();
    co_return server;
}

}  // namespace detail
}  // namespace aio
