#include "aio/ws/websocket.hpp"

#include "aio/core/event_loop.hpp"
#include "aio/core/exceptions.hpp"
#include "aio/core/os_errors.hpp"
#include "ws/connection.hpp"

namespace aio::ws {

WebSocket::WebSocket() noexcept = default;
WebSocket::WebSocket(std::shared_ptr<detail::Connection> conn) noexcept : conn_(std::move(conn)) {}
WebSocket::WebSocket(WebSocket&&) noexcept = default;

WebSocket& WebSocket::operator=(WebSocket&& o) noexcept {
    if (this != &o) {
        if (conn_) conn_->drop();
        conn_ = std::move(o.conn_);
    }
    return *this;
}

WebSocket::~WebSocket() {
    if (conn_) conn_->drop();
}

detail::Connection& WebSocket::conn() const {
    if (!conn_) throw RuntimeError("the WebSocket has no connection");
    return *conn_;
}

Coro<void> WebSocket::send_str(std::string_view data, bool compress) {
    detail::Connection& c = conn();
    c.write_message(detail::Connection::Kind::text, data, compress);
    co_await c.drain();
}

Coro<void> WebSocket::send_bytes(std::string_view data, bool compress) {
    detail::Connection& c = conn();
    c.write_message(detail::Connection::Kind::binary, data, compress);
    co_await c.drain();
}

Coro<void> WebSocket::send_json(const nlohmann::json& data, bool compress) {
    detail::Connection& c = conn();
    std::string text = data.dump();
    c.write_message(detail::Connection::Kind::text, text, compress);
    co_await c.drain();
}

Coro<void> WebSocket::ping(std::string_view payload) {
    detail::Connection& c = conn();
    c.write_message(detail::Connection::Kind::ping, payload, false);
    co_await c.drain();
}

Coro<void> WebSocket::pong(std::string_view payload) {
    detail::Connection& c = conn();
    c.write_message(detail::Connection::Kind::pong, payload, false);
    co_await c.drain();
}

Coro<WSMessage> WebSocket::receive(std::optional<Duration> timeout) { return conn().receive(timeout); }

namespace {
[[noreturn]] void wrong_type(const WSMessage& msg, const char* wanted) {
    throw WSMessageTypeError(std::string("Received message ") + name(msg.type) + " is not " + wanted);
}
}  // namespace

Coro<std::string> WebSocket::receive_str(std::optional<Duration> timeout) {
    WSMessage msg = co_await receive(timeout);
    if (msg.type != WSMsgType::text) wrong_type(msg, "WSMsgType.TEXT");
    co_return std::move(msg.data);
}

Coro<std::string> WebSocket::receive_bytes(std::optional<Duration> timeout) {
    WSMessage msg = co_await receive(timeout);
    if (msg.type != WSMsgType::binary) wrong_type(msg, "WSMsgType.BINARY");
    co_return std::move(msg.data);
}

Coro<nlohmann::json> WebSocket::receive_json(std::optional<Duration> timeout) {
    std::string text = co_await receive_str(timeout);
    co_return nlohmann::json::parse(text);
}

Coro<std::optional<WSMessage>> WebSocket::next() {
    WSMessage msg = co_await receive();
    if (!msg) co_return std::nullopt;
    co_return std::optional<WSMessage>(std::move(msg));
}

Coro<bool> WebSocket::close(std::uint16_t code, std::string_view message) {
    std::shared_ptr<detail::Connection> c = conn_;  // the handle may be moved from meanwhile
    if (!c) throw RuntimeError("the WebSocket has no connection");
    bool started = c->start_close(code, message);
    try {
        co_await c->wait_lost();
    } catch (const CancelledError&) {
        c->abort();
        throw;
    }
    co_return started;
}

std::optional<std::uint16_t> WebSocket::close_code() const noexcept {
    return conn_ && conn_->is_closed() ? conn_->close_code() : std::nullopt;
}
bool WebSocket::closed() const noexcept { return !conn_ || conn_->closed_flag(); }
std::exception_ptr WebSocket::exception() const noexcept { return conn_ ? conn_->exception() : nullptr; }
std::string_view WebSocket::protocol() const noexcept {
    return conn_ ? std::string_view(conn_->config().protocol) : std::string_view();
}
bool WebSocket::compress() const noexcept { return conn_ && conn_->config().deflate.has_value(); }
bool WebSocket::is_client() const noexcept { return conn_ && conn_->config().role == Role::client; }

std::any WebSocket::get_extra_info(std::string_view name) const {
    if (!conn_) return {};
    auto t = conn_->transport();
    return t ? t->get_extra_info(name) : std::any();
}

}  // namespace aio::ws
