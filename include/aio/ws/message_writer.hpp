#pragma once
/// The WebSocket writer: one message in, its frames' wire bytes appended to a buffer. No I/O:
/// the connection writes the buffer on its transport.
///
/// ```
/// aio::ws::MessageWriter writer({.role = aio::ws::Role::client});
/// std::string out;
/// writer.text(out, "hello");                                   // masked, as a client must
/// writer.close(out, aio::ws::WSCloseCode::going_away, "Server shutdown");
/// transport.write(out);
/// ```

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "aio/ws/deflate.hpp"
#include "aio/ws/frame.hpp"
#include "aio/ws/message.hpp"

namespace aio::ws {

/// Every member is trivially destructible: write it inline.
struct WriterOptions {
    /// Our role: a client masks every frame with a fresh random key, a server never masks.
    Role role = Role::server;
    /// The negotiated permessage-deflate parameters; nullopt when it is off.
    std::optional<DeflateParams> deflate;
    /// With deflate on: data messages shorter than this go uncompressed (RFC 7692 allows it per
    /// message); 0 compresses every one.
    std::size_t compress_threshold = 0;
    /// zlib's compression level, 0-9 (6, zlib's default, as aiohttp).
    int compress_level = 6;
    /// Splits each data message into frames of at most this many payload bytes (after
    /// compression); 0 sends each message as one frame.
    std::size_t fragment_size = 0;
};

class MessageWriter {
public:
    explicit MessageWriter(WriterOptions options = {});

    /// A text message. `data` should be UTF-8: it is not checked here (aiohttp's send_str does
    /// not either; the peer fails a bad one with 1007). `compress` false sends this one message
    /// uncompressed even with deflate on.
    void text(std::string& out, std::string_view data, bool compress = true);
    /// A binary message.
    void binary(std::string& out, std::string_view data, bool compress = true);
    /// A ping. ValueError if `payload` is over 125 bytes.
    void ping(std::string& out, std::string_view payload = {});
    /// A pong (the answer to a ping carries its payload). ValueError if over 125 bytes.
    void pong(std::string& out, std::string_view payload = {});
    /// A close frame with `code` and `reason`. ValueError if `code` is not is_valid_close_code()
    /// or the reason is over 123 bytes (the frame's 125 minus the code).
    void close(std::string& out, std::uint16_t code, std::string_view reason = {});
    void close(std::string& out, WSCloseCode code, std::string_view reason = {}) {
        close(out, static_cast<std::uint16_t>(code), reason);
    }
    /// A close frame with no payload (the peer then reports 1005).
    void close_empty(std::string& out);

    const WriterOptions& options() const noexcept { return options_; }

private:
    void data_message(std::string& out, Opcode op, std::string_view data, bool compress);
    void frame(std::string& out, Opcode op, bool fin, bool rsv1, std::string_view payload);
    void control(std::string& out, Opcode op, std::string_view payload);

    WriterOptions options_;
    std::optional<Deflater> deflater_;
    std::string scratch_;  // the compressed message, reused
};

}  // namespace aio::ws
