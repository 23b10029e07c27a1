// ThreadSafeWriter: messages from other threads reach the connection through the loop's
// LoopLink (call_soon_threadsafe that knows when the loop is gone), in the order of the calls.

#include <future>

#include "aio/core/os_errors.hpp"
#include "aio/exec/detail/exec_loop_state.hpp"
#include "aio/exec/detail/loop_link.hpp"
#include "aio/ws/websocket.hpp"
#include "ws/connection.hpp"

namespace aio::ws {

struct ThreadSafeWriter::State {
    std::shared_ptr<aio::detail::LoopLink> link;
    // Weak: a writer kept by a thread does not keep the connection alive. Only locked on the
    // loop's thread.
    std::weak_ptr<detail::Connection> conn;
};

ThreadSafeWriter WebSocket::threadsafe_writer() const {
    auto state = std::make_shared<ThreadSafeWriter::State>();
    state->link = aio::detail::ExecLoopState::of(conn().loop()).link();
    state->conn = conn_;
    return ThreadSafeWriter(std::move(state));
}

namespace {

enum class Op { text, binary, close };

std::exception_ptr not_open() {
    return std::make_exception_ptr(ConnectionResetError(ECONNRESET, "the WebSocket is closing or closed"));
}

ThreadSafeSend post(const std::shared_ptr<ThreadSafeWriter::State>& state, Op op, std::string data,
                    std::uint16_t code) {
    auto promise = std::make_shared<std::promise<void>>();
    ThreadSafeSend result = promise->get_future().share();
    std::weak_ptr<detail::Connection> weak = state->conn;
    // Runs on the loop's thread; destroyed on the calling thread if the loop is gone (it holds
    // only a weak_ptr, a string and the promise, all safe to destroy there).
    auto job = [weak, promise, op, data = std::move(data), code] {
        auto c = weak.lock();
        try {
            if (!c) std::rethrow_exception(not_open());
            switch (op) {
            case Op::text:
                c->write_message(detail::Connection::Kind::text, data, true);
                break;
            case Op::binary:
                c->write_message(detail::Connection::Kind::binary, data, true);
                break;
            case Op::close:
                c->start_close(code, data);
                break;
            }
            promise->set_value();
        } catch (...) {
            promise->set_exception(std::current_exception());
        }
    };
    if (!state->link->post(std::move(job))) promise->set_exception(not_open());
    return result;
}

}  // namespace

ThreadSafeSend ThreadSafeWriter::send_str(std::string data) const { return post(state_, Op::text, std::move(data), 0); }

ThreadSafeSend ThreadSafeWriter::send_bytes(std::string data) const {
    return post(state_, Op::binary, std::move(data), 0);
}

ThreadSafeSend ThreadSafeWriter::close(std::uint16_t code, std::string message) const {
    return post(state_, Op::close, std::move(message), code);
}

}  // namespace aio::ws
