#pragma once
/// Servers: asyncio's loop.create_server / create_unix_server and asyncio.Server.
///
/// ```
/// auto server = co_await aio::create_server([] { return std::make_shared<Echo>(); }, "127.0.0.1", 8888);
/// std::cout << "serving on " << server->sockets()[0].to_string() << '\n';
/// co_await server->serve_forever();   // until cancelled (or server->close())
/// ```
///
/// Accepting never spins: when accept() runs out of file descriptors (EMFILE/ENFILE) or memory,
/// the error goes to the loop's exception handler and the server stops accepting for a second,
/// then tries again (asyncio's ACCEPT_RETRY_DELAY), so it recovers once descriptors free up.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "aio/core/coro.hpp"
#include "aio/core/event_loop.hpp"
#include "aio/core/future.hpp"
#include "aio/io/connection.hpp"
#include "aio/io/options.hpp"
#include "aio/io/transport.hpp"

namespace aio {

namespace io {
class Listener;
class FdTransport;
}  // namespace io

class Server : public std::enable_shared_from_this<Server> {
public:
    /// Made by create_server and friends.
    Server(EventLoop& loop, detail::ProtocolFactory factory, ServerOptions opts);
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;
    ~Server();

    /// Stops listening and closes the listening sockets; connections already accepted go on.
    /// Cancels a serve_forever() in progress. Idempotent.
    void close();
    /// Closes every connection the server accepted (their protocols see connection_lost) — for
    /// a graceful shutdown after close() (asyncio 3.13).
    void close_clients();
    /// Aborts every connection at once, dropping what is buffered.
    void abort_clients();
    /// Waits until close() was called and every accepted connection has ended.
    Coro<void> wait_closed();
    /// Starts accepting (if start_serving was false). Idempotent.
    void start_serving();
    /// Starts serving and waits until cancelled, then closes the server and waits for it
    /// (asyncio's serve_forever). RuntimeError if already serving forever or closed.
    Coro<void> serve_forever();
    bool is_serving() const noexcept;
    /// The addresses listened on (with the real port when 0 was asked for).
    std::vector<SocketAddress> sockets() const;
    EventLoop& get_loop() const noexcept { return *loop_; }
    /// Connections accepted and not yet lost.
    std::size_t active_connections() const noexcept { return clients_.size(); }

    // ---- used by create_server ----
    void add_listener(int fd);
    void accept_one(int fd) noexcept;
    void detach(io::FdTransport* t) noexcept;
    const std::string& unix_path() const noexcept { return unix_path_; }
    void set_unix_path(std::string path) { unix_path_ = std::move(path); }

private:
    void maybe_wake_closed() noexcept;

    EventLoop* loop_;
    detail::ProtocolFactory factory_;
    ServerOptions opts_;
    std::vector<std::unique_ptr<io::Listener>> listeners_;
    std::unordered_set<io::FdTransport*> clients_;
    std::vector<Future<void>> closed_waiters_;
    std::optional<Future<void>> serving_forever_;
    std::string unix_path_;
    bool closed_ = false;
    bool serving_ = false;
};

namespace detail {
Coro<std::shared_ptr<Server>> create_server_impl(ProtocolFactory factory, std::string host, std::uint16_t port,
                                                 ServerOptions opts);
Coro<std::shared_ptr<Server>> create_unix_server_impl(ProtocolFactory factory, std::string path, ServerOptions opts);
}  // namespace detail

/// Listens on every address `host` resolves to (empty host: all interfaces, IPv4 and IPv6) and
/// runs a `factory()` protocol per accepted connection. Throws OSError (e.g. EADDRINUSE, with the
/// address in the message), GaiError.
template <class Factory>
Coro<std::shared_ptr<Server>> create_server(Factory factory, std::string host, std::uint16_t port,
                                            ServerOptions opts = {}) {
    static_assert(std::is_base_of_v<Protocol, detail::factory_protocol_t<Factory>>,
                  "the factory must return std::shared_ptr<a Protocol subclass>");
    auto wrapped = detail::erase_factory(std::move(factory));
    co_return co_await detail::create_server_impl(std::move(wrapped), std::move(host), port, std::move(opts));
}

/// The same on a Unix socket at `path`: a stale socket file there is removed first, and the file
/// is removed again when the server closes.
template <class Factory>
Coro<std::shared_ptr<Server>> create_unix_server(Factory factory, std::string path, ServerOptions opts = {}) {
    static_assert(std::is_base_of_v<Protocol, detail::factory_protocol_t<Factory>>,
                  "the factory must return std::shared_ptr<a Protocol subclass>");
    auto wrapped = detail::erase_factory(std::move(factory));
    co_return co_await detail::create_unix_server_impl(std::move(wrapped), std::move(path), std::move(opts));
}

}  // namespace aio
