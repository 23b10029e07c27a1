#include "aio/io/connection.hpp"

#include <sys/socket.h>

#include <cerrno>

#include "aio/core/event_loop.hpp"
#include "aio/core/future.hpp"
#include "aio/core/os_errors.hpp"
#include "aio/io/dns.hpp"
#include "io/connect.hpp"
#include "io/fd_transport.hpp"
#include "io/fd_wait.hpp"
#include "io/happy_eyeballs.hpp"
#include "io/socket_ops.hpp"
#include "io/tls_hook.hpp"
#include "io/transport_start.hpp"
#include "sys/errors.hpp"

namespace aio {

namespace io {

// TLS lives in tls*.cpp; this weak fallback only answers when a program was linked without it.
[[gnu::weak]] TlsWrapping make_tls_protocol(EventLoop&, TlsParams, std::shared_ptr<BaseProtocol>,
                                            std::optional<Future<void>>) {
    throw RuntimeError("aio was built without TLS support");
}

Coro<sys::Fd> connect_socket(SocketAddress addr, int type, std::optional<SocketAddress> local) {
    sys::Fd fd = open_socket(addr.family(), type);
    if (local) bind_to(fd.get(), *local);
    if (::connect(fd.get(), addr.data(), addr.size()) < 0) {
        int err = errno;
        if (err != EINPROGRESS && err != EINTR) sys::raise_os_error(err, "connect(" + addr.to_string() + ")");
        co_await FdWait(fd.get(), backend::Interest::writable, "connect");
        socklen_t len = sizeof err;
        if (::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &len) < 0) err = errno;
        if (err != 0) sys::raise_os_error(err, "connect(" + addr.to_string() + ")");
    }
    co_return fd;
}

Coro<detail::ConnectionPair> start_transport(sys::Fd fd, std::shared_ptr<BaseProtocol> protocol,
                                             std::shared_ptr<SSLContext> ssl, TlsParams tls) {
    EventLoop& loop = get_running_loop();
    auto waiter = loop.create_future<void>();
    std::shared_ptr<FdTransport> raw;
    std::shared_ptr<Transport> app;
    if (ssl) {
        tls.context = std::move(ssl);
        auto w = make_tls_protocol(loop, std::move(tls), protocol, waiter);
        raw = std::make_shared<FdTransport>(loop, std::move(fd), std::move(w.raw_protocol), FdTransport::Kind::socket);
        raw->start();
        app = std::move(w.app_transport);
    } else {
        raw = std::make_shared<FdTransport>(loop, std::move(fd), protocol, FdTransport::Kind::socket);
        raw->start(waiter);
        app = raw;
    }
    co_await await_started(std::move(waiter), *raw);
    co_return detail::ConnectionPair{std::move(app), std::move(protocol)};
}

}  // namespace io

namespace detail {

namespace {

std::exception_ptr combine_errors(const std::vector<std::exception_ptr>& errors) {
    if (errors.size() == 1) return errors.front();
    std::string first = describe_exception(errors.front());
    bool same = true;
    std::string all;
    for (const auto& e : errors) {
        std::string d = describe_exception(e);
        if (d != first) same = false;
        all += all.empty() ? d : ", " + d;
    }
    if (same) return errors.front();
    return std::make_exception_ptr(OSError(0, "Multiple exceptions: " + all));
}

}  // namespace

Coro<ConnectionPair> create_connection_impl(ProtocolFactory factory, std::string host, std::uint16_t port,
                                            ConnectOptions opts) {
    if (opts.server_hostname && !opts.ssl) throw ValueError("server_hostname is only meaningful with ssl");
    // Own the name before the first suspension: the view points into the caller's arguments.
    std::string server_hostname = opts.server_hostname ? std::string(*opts.server_hostname) : host;
    opts.server_hostname.reset();
    if (opts.interleave < 0) throw ValueError("interleave must be >= 0");
    if (opts.happy_eyeballs_delay && opts.happy_eyeballs_delay->count() < 0)
        throw ValueError("happy_eyeballs_delay must not be negative");
    auto infos = co_await getaddrinfo(host, port, opts.family, SOCK_STREAM);
    if (infos.empty()) throw OSError(0, "getaddrinfo(" + host + ") returned an empty list");
    std::vector<SocketAddress> addrs;
    for (const auto& ai : infos) addrs.push_back(ai.addr);
    int interleave = opts.interleave == 0 && opts.happy_eyeballs_delay ? 1 : opts.interleave;
    if (interleave > 0) addrs = io::interleave_addresses(addrs, interleave);
    std::vector<std::exception_ptr> errors;
    sys::Fd fd = co_await io::connect_first(std::move(addrs), opts.happy_eyeballs_delay, opts.local_addr, errors);
    if (!fd) std::rethrow_exception(combine_errors(errors));
    io::TlsParams tls;
    tls.server_side = false;
    tls.server_hostname = std::move(server_hostname);
    tls.handshake_timeout = opts.ssl_handshake_timeout;
    tls.shutdown_timeout = opts.ssl_shutdown_timeout;
    co_return co_await io::start_transport(std::move(fd), factory(), opts.ssl, std::move(tls));
}

Coro<ConnectionPair> create_unix_connection_impl(ProtocolFactory factory, std::string path, ConnectOptions opts) {
    if (opts.ssl && !opts.server_hostname)
        throw ValueError("you must set server_hostname when using ssl without a host");
    auto addr = SocketAddress::unix_path(path);
    sys::Fd fd = co_await io::connect_socket(addr, SOCK_STREAM, opts.local_addr);
    io::TlsParams tls;
    tls.server_hostname = opts.server_hostname ? std::string(*opts.server_hostname) : std::string();
    tls.handshake_timeout = opts.ssl_handshake_timeout;
    tls.shutdown_timeout = opts.ssl_shutdown_timeout;
    co_return co_await io::start_transport(std::move(fd), factory(), opts.ssl, std::move(tls));
}

Coro<ConnectionPair> connect_accepted_socket_impl(ProtocolFactory factory, int fd, ConnectOptions opts) {
    if (fd < 0) throw ValueError("connect_accepted_socket: invalid fd");
    int type = 0;
    socklen_t len = sizeof type;
    if (::getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0) sys::raise_os_error(errno, "connect_accepted_socket");
    if (type != SOCK_STREAM) throw ValueError("connect_accepted_socket: a stream socket is required");
    io::make_nonblocking(fd);
    io::TlsParams tls;
    tls.server_side = true;
    tls.handshake_timeout = opts.ssl_handshake_timeout;
    tls.shutdown_timeout = opts.ssl_shutdown_timeout;
    co_return co_await io::start_transport(sys::Fd(fd), factory(), opts.ssl, std::move(tls));
}

}  // namespace detail
}  // namespace aio
