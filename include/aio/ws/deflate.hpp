#pragma once
/// permessage-deflate (RFC 7692): negotiating its parameters in the opening handshake, and the
/// compressor and decompressor a connection uses once it is on.
///
/// A compressed message is one raw DEFLATE stream (no zlib header) flushed with Z_SYNC_FLUSH,
/// whose final 4 bytes `00 00 ff ff` are removed by the sender and added back by the receiver
/// (RFC 7692 7.2.1, 7.2.2). With "context takeover" (the default) the sliding window carries over
/// from one message to the next; `*_no_context_takeover` resets it after each message.
///
/// Window bits 8: zlib cannot compress with a 256-byte window (deflateInit2 refuses raw
/// windowBits 8 and silently used 9 in older versions). So a peer that negotiated 8 and
/// compresses with zlib really uses a 512-byte window: we inflate with at least 9 bits, which
/// reads both. And when the peer asks us for 8 we keep the extension on but send our messages
/// uncompressed (RFC 7692 6 allows it per message): a 9-bit compressor could emit distances
/// that a strict 8-bit inflater cannot resolve.
///
/// ```
/// // server side, in the handshake
/// if (auto params = aio::ws::negotiate_deflate(head.header("Sec-WebSocket-Extensions")))
///     response += "Sec-WebSocket-Extensions: " + aio::ws::format_deflate_response(*params) + "\r\n";
/// ```

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "aio/ws/frame.hpp"

namespace aio::ws {

/// The negotiated parameters (RFC 7692 7.1), the same on both ends. Window bits are 8-15.
struct DeflateParams {
    bool server_no_context_takeover = false;
    bool client_no_context_takeover = false;
    std::uint8_t server_max_window_bits = 15;
    std::uint8_t client_max_window_bits = 15;
};

/// What the server is willing to accept, and what it asks of the client.
struct DeflateServerOptions {
    /// Ask the client to reset its compressor after each message (`client_no_context_takeover` in
    /// the response even when the client only allowed it). Saves the server's inflate window.
    bool client_no_context_takeover = false;
    /// Reset our compressor after each message (`server_no_context_takeover` in the response even
    /// when not asked).
    bool server_no_context_takeover = false;
};

/// Server side: the first acceptable `permessage-deflate` offer in a client's
/// `Sec-WebSocket-Extensions` value (several fields joined by ", " are one value). An offer with
/// an unknown parameter, a parameter twice, or a bad value is declined (RFC 7692 5 and 7.1) and
/// the next one tried; nullopt when none is acceptable, or there is none. Never throws.
std::optional<DeflateParams> negotiate_deflate(std::string_view extensions, const DeflateServerOptions& options = {});

/// Server side: the response's `Sec-WebSocket-Extensions` value for `params`:
/// "permessage-deflate; server_no_context_takeover; client_max_window_bits=10"... (parameters
/// at their defaults are left out).
std::string format_deflate_response(const DeflateParams& params);

/// What a client offers.
struct DeflateClientOptions {
    /// Offer `client_no_context_takeover` (we reset our compressor after each message).
    bool client_no_context_takeover = false;
    /// Offer `server_no_context_takeover` (ask the server to reset its compressor).
    bool server_no_context_takeover = false;
    /// Ask the server for a smaller window (9-15; 15 leaves it out).
    std::uint8_t server_max_window_bits = 15;
};

/// Client side: the offer, "permessage-deflate; client_max_window_bits" plus what `options`
/// adds (aiohttp's offer by default).
std::string format_deflate_offer(const DeflateClientOptions& options = {});

/// Client side: checks the server's `Sec-WebSocket-Extensions` value against our offer. nullopt
/// when the server did not accept permessage-deflate (the field absent or empty). Throws
/// ValueError, with what is wrong, for an extension we did not offer, a parameter we did not
/// offer or allow, a parameter twice, or an invalid value: the handshake then fails.
std::optional<DeflateParams> parse_deflate_response(std::string_view extensions,
                                                    const DeflateClientOptions& offered = {});

/// The compressor of one direction. Its zlib stream is made at the first message (a connection
/// that never sends one holds no zlib memory) and, without context takeover, reset after each.
class Deflater {
public:
    /// `window_bits` 8-15 (8: compress() is never called; see above), `level` zlib's 0-9.
    Deflater(int window_bits, bool no_context_takeover, int level = 6);
    ~Deflater();
    Deflater(Deflater&&) noexcept;
    Deflater& operator=(Deflater&&) noexcept;

    /// Whether this end can compress at all (false for window bits 8).
    bool can_compress() const noexcept { return window_bits_ >= 9; }
    /// Appends the compressed form of one whole message to `out`, the `00 00 ff ff` tail removed.
    /// Throws RuntimeError if zlib fails (out of memory).
    void compress(std::string_view message, std::string& out);

private:
    struct Stream;
    std::unique_ptr<Stream> stream_;
    int window_bits_;
    int level_;
    bool no_context_takeover_;
};

/// The decompressor of one direction, with the size cap that stops a decompression bomb.
class Inflater {
public:
    /// `window_bits` 8-15: the peer's, as negotiated (9 is used for 8, see above). The zlib
    /// stream is made at the first compressed message.
    Inflater(int window_bits, bool no_context_takeover);
    ~Inflater();
    Inflater(Inflater&&) noexcept;
    Inflater& operator=(Inflater&&) noexcept;

    /// Inflates the next piece of a compressed message, appending to `out`. Throws
    /// WebSocketError 1009 as soon as `out` would grow past `max_size` (0: no limit): inflation
    /// stops there, so memory stays bounded whatever the ratio. WebSocketError 1007 for data
    /// that is not DEFLATE (aiohttp's choice: the payload cannot be decoded).
    void inflate(std::string_view piece, std::string& out, std::size_t max_size);
    /// Ends the message: inflates the removed `00 00 ff ff` tail, then resets the stream without
    /// context takeover. Throws as inflate().
    void finish(std::string& out, std::size_t max_size);

private:
    struct Stream;
    void run(const unsigned char* in, std::size_t n, std::string& out, std::size_t max_size);
    std::unique_ptr<Stream> stream_;
    int window_bits_;
    bool no_context_takeover_;
};

/// The compressor and decompressor of one end, from the negotiated parameters and its role: a
/// server compresses with `server_*` and inflates with `client_*`, a client the other way round.
Deflater make_deflater(const DeflateParams& params, Role role, int level = 6);
Inflater make_inflater(const DeflateParams& params, Role role);

}  // namespace aio::ws
