#include "aio/ws/message.hpp"

#include <nlohmann/json.hpp>

namespace aio::ws {

const char* name(WSMsgType type) noexcept {
    switch (type) {
    case WSMsgType::text: return "text";
    case WSMsgType::binary: return "binary";
    case WSMsgType::ping: return "ping";
    case WSMsgType::pong: return "pong";
    case WSMsgType::close: return "close";
    case WSMsgType::closing: return "closing";
    case WSMsgType::closed: return "closed";
    case WSMsgType::error: return "error";
    }
    return "unknown";
}

nlohmann::json WSMessage::json() const { return nlohmann::json::parse(data); }

}  // namespace aio::ws
