// aio::http::Server: the listener, the state its connections share (buffer pool, Date cache, the
// sweep that enforces the timeouts) and the graceful shutdown.

#include "aio/http/server.hpp"

#include <algorithm>

#include "aio/http/http_date.hpp"
#include "aio/time/wait_for.hpp"
#include "server_connection.hpp"

namespace aio::http {

namespace detail {

namespace {
// Idle connections keep no buffer; the pool keeps this many for the busy ones, so a request
// costs no malloc.
constexpr std::size_t kPoolMax = 256;
}  // namespace

ServerState::ServerState(Handler h, ServerOptions o, EventLoop& l)
    : handler(std::move(h)), options(o), loop(&l) {
    Duration shortest = std::min({options.header_timeout, options.keepalive_timeout, options.body_timeout});
    // A timeout fires within a quarter of itself late at worst; never more often than every 5 ms.
    sweep_interval_ = std::clamp<Duration>(shortest / 4, std::chrono::milliseconds(5), std::chrono::seconds(1));
    head.reserve(1024);
}

ServerState::~ServerState() {
    sweep_.cancel();
    for (char* b : free_buffers_) delete[] b;
}

void ServerState::add(ServerConnection* c) {
    c->index = connections.size();
    connections.push_back(c);
    all_closed.clear();
    if (!sweep_armed_) {
        now = loop->time();
        refresh_date();
        arm_sweep();
    }
}

void ServerState::remove(ServerConnection* c) noexcept {
    std::size_t i = c->index;
    if (i >= connections.size() || connections[i] != c) return;
    connections[i] = connections.back();
    connections[i]->index = i;
    connections.pop_back();
    if (connections.empty()) {
        sweep_.cancel();
        sweep_armed_ = false;
        all_closed.set();
        // Nothing busy: the pool's memory goes back too.
        for (char* b : free_buffers_) delete[] b;
        free_buffers_.clear();
    }
}

char* ServerState::take_buffer() {
    if (free_buffers_.empty()) return new char[kBufferSize];
    char* b = free_buffers_.back();
    free_buffers_.pop_back();
    return b;
}

void ServerState::give_buffer(char* b) noexcept {
    if (free_buffers_.size() < kPoolMax) {
        try {
            free_buffers_.push_back(b);
            return;
        } catch (...) {
        }
    }
    delete[] b;
}

void ServerState::refresh_date() {
    auto wall = std::chrono::system_clock::now();
    std::int64_t second = std::chrono::duration_cast<std::chrono::seconds>(wall.time_since_epoch()).count();
    if (second != date_second_) {
        date_second_ = second;
        date_fields_ = "Date: ";
        date_fields_ += format_http_date(std::chrono::system_clock::time_point(std::chrono::seconds(second)));
        date_fields_ += "\r\n";
        if (!options.server_name.empty()) {
            date_fields_ += "Server: ";
            date_fields_ += options.server_name;
            date_fields_ += "\r\n";
        }
    }
}

void ServerState::arm_sweep() {
    sweep_armed_ = true;
    sweep_ = loop->call_later(sweep_interval_, [this] { sweep(); });
}

void ServerState::sweep() noexcept {
    sweep_armed_ = false;
    now = loop->time();
    try {
        refresh_date();
    } catch (...) {  // out of memory: the old date stays
    }
    // A check may close a connection, which leaves the list on a later iteration: iterate a copy.
    std::vector<ServerConnection*> snapshot;
    try {
        snapshot = connections;
    } catch (...) {
        return;
    }
    for (ServerConnection* c : snapshot) c->check_timeouts(now);
    if (!connections.empty()) {
        try {
            arm_sweep();
        } catch (...) {
        }
    }
}

}  // namespace detail

Server::Server(Handler handler, ServerOptions options)
    : state_(std::make_shared<detail::ServerState>(std::move(handler), options, get_running_loop())) {}

Server::~Server() {
    if (listener_) listener_->close();
    std::vector<detail::ServerConnection*> left = state_->connections;
    for (auto* c : left) c->abort();
}

std::shared_ptr<Protocol> Server::make_protocol() { return std::make_shared<detail::ServerConnection>(state_); }

Coro<void> Server::listen(std::string host, std::uint16_t port) {
    aio::ServerOptions lopts;
    lopts.backlog = state_->options.backlog;
    lopts.reuse_port = state_->options.reuse_port;
    auto state = state_;
    auto factory = [state] { return std::make_shared<detail::ServerConnection>(state); };
    listener_ = co_await aio::create_server(factory, std::move(host), port, lopts);
}

void Server::pre_shutdown() noexcept {
    state_->shutting_down = true;
    if (listener_) listener_->close();
    // Closing one removes it from the list (not at once, but be safe): iterate a copy.
    std::vector<detail::ServerConnection*> open;
    try {
        open = state_->connections;
    } catch (...) {  // out of memory: the sweep closes them at their keep-alive timeout
        return;
    }
    for (auto* c : open) c->close_if_idle();
}

Coro<void> Server::shutdown(Duration timeout) {
    pre_shutdown();
    if (!state_->connections.empty()) {
        try {
            co_await aio::wait_for(state_->all_closed.wait(), timeout);
        } catch (const TimeoutError&) {
            std::vector<detail::ServerConnection*> left = state_->connections;
            for (auto* c : left) c->abort();
        }
    }
    // After an abort the sockets and the cancelled handlers end on the next iterations.
    if (!state_->connections.empty()) co_await state_->all_closed.wait();
    if (listener_) co_await listener_->wait_closed();
}

std::vector<SocketAddress> Server::sockets() const {
    return listener_ ? listener_->sockets() : std::vector<SocketAddress>{};
}

std::uint16_t Server::port() const {
    auto s = sockets();
    return s.empty() ? 0 : s.front().port();
}

std::size_t Server::connections() const noexcept { return state_->connections.size(); }
std::uint64_t Server::requests() const noexcept { return state_->requests; }
const ServerOptions& Server::options() const noexcept { return state_->options; }

Coro<std::unique_ptr<Server>> serve(Handler handler, std::string host, std::uint16_t port, ServerOptions options) {
    auto server = std::make_unique<Server>(std::move(handler), options);
    co_await server->listen(std::move(host), port);
    co_return server;
}

}  // namespace aio::http
