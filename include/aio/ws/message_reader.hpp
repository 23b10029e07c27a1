#pragma once
/// The incremental WebSocket reader: bytes in, in whatever pieces they arrive; complete messages
/// and control frames out, in order. No I/O: the connection feeds it from `data_received`.
///
/// ```
/// aio::ws::MessageReader reader({.role = aio::ws::Role::server});
/// try {
///     reader.feed(bytes);
/// } catch (const aio::ws::WebSocketError& e) {
///     // close with e.code() once the messages before the fault are handed out
/// }
/// while (auto msg = reader.next()) deliver(std::move(*msg));
/// ```
///
/// What it refuses, each a WebSocketError with the close code to send:
/// - 1002: a client frame not masked (server role) or a server frame masked (client role); RSV
///   bits without the extension that defines them (RSV1 only with permessage-deflate, on the
///   first frame of a data message); a reserved opcode; a control frame over 125 bytes or not
///   final; a continuation with no message started, or a text or binary frame inside one; a
///   close payload of 1 byte or with an invalid code (is_valid_close_code); a 64-bit length with
///   its top bit set.
/// - 1007: text that is not UTF-8, found at the first bad byte, across frames and reads; a close
///   reason that is not UTF-8; a compressed payload that does not inflate.
/// - 1009: a message over `max_msg_size`, decided from the declared frame length before any of
///   its payload is read (so a declared 10 GiB costs nothing), and for a compressed message while
///   it inflates, which stops at the cap.
///
/// Each payload byte is copied once, unmasked as it is copied into the message. After a fault the
/// reader stays failed: feed() throws the same error again.

#include <cstddef>
#include <cstdint>
#include <exception>
#include <optional>
#include <string>
#include <string_view>

#include "aio/ws/deflate.hpp"
#include "aio/ws/detail/message_fifo.hpp"
#include "aio/ws/frame.hpp"
#include "aio/ws/message.hpp"
#include "aio/ws/utf8.hpp"

namespace aio::ws {

/// aiohttp's default `max_msg_size`: 4 MiB.
inline constexpr std::size_t default_max_msg_size = 4 * 1024 * 1024;

/// Every member is trivially destructible: write it inline.
struct ReaderOptions {
    /// Our role: a server requires masked frames, a client unmasked ones.
    Role role = Role::server;
    /// The largest message, after inflation, in bytes; 0 for no limit. Control frames are capped
    /// at 125 bytes by the protocol.
    std::size_t max_msg_size = default_max_msg_size;
    /// The negotiated permessage-deflate parameters; nullopt when it is off (then RSV1 is 1002).
    std::optional<DeflateParams> deflate{};
};

class MessageReader {
public:
    explicit MessageReader(ReaderOptions options = {});

    /// Reads `bytes`, the next ones of the connection. Returns how many were consumed: all of
    /// them, except after a close frame, whose end is the end of the WebSocket stream (what
    /// follows is not read). Messages completed are queued for next(), those before a fault
    /// included. Throws WebSocketError on a protocol violation or a limit (see above).
    std::size_t feed(std::string_view bytes);

    /// The next complete message or control frame, nullopt when none is complete yet.
    std::optional<WSMessage> next();

    /// How many messages wait in next(); a connection pauses reading when it has too many.
    std::size_t pending() const noexcept { return ready_.size(); }
    /// Whether a close frame was read (feed() then consumes nothing more).
    bool closed() const noexcept { return closed_; }
    /// Whether a fault was found (feed() throws it again).
    bool failed() const noexcept { return static_cast<bool>(error_); }
    const ReaderOptions& options() const noexcept { return options_; }

private:
    enum class State : std::uint8_t { header, payload };
    void fail(std::uint16_t code, const std::string& message);
    std::size_t header_step(std::string_view bytes);
    std::size_t payload_step(std::string_view bytes);
    void start_frame();
    void end_frame();
    void take_data(const char* p, std::size_t n);
    void deliver_control();

    ReaderOptions options_;
    detail::MessageFifo ready_;
    std::exception_ptr error_;
    State state_ = State::header;
    bool closed_ = false;

    // The header being read (it may arrive byte by byte).
    char header_buf_[max_frame_header_size];
    std::size_t header_have_ = 0;
    FrameHeader frame_;
    std::uint64_t payload_read_ = 0;

    // The data message being assembled over its frames.
    bool in_message_ = false;
    bool message_compressed_ = false;
    Opcode message_opcode_ = Opcode::text;
    std::string message_;
    std::string compressed_piece_;
    Utf8Validator utf8_;
    std::optional<Inflater> inflater_;

    // The control frame being read (never fragmented, at most 125 bytes).
    std::string control_;
};

}  // namespace aio::ws
