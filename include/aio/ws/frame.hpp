#pragma once
/// The frame layer of RFC 6455 (section 5.2): a frame header's fields, its encoding in 2 to 14
/// bytes, masking, and mask keys for clients.
///
/// ```
/// aio::ws::FrameHeader h{.opcode = aio::ws::Opcode::text, .payload_length = text.size()};
/// aio::ws::FrameHeaderBytes bytes;
/// out.append(bytes.data(), aio::ws::encode_frame_header(h, bytes));
/// out.append(text);
/// ```

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace aio::ws {

/// Which end of the connection we are: a client masks what it sends, a server must not (RFC 6455
/// 5.1), and each requires the peer to do the opposite.
enum class Role : std::uint8_t { server, client };

/// Frame opcodes (RFC 6455 5.2). 3-7 and 11-15 are reserved: the reader refuses them (1002).
enum class Opcode : std::uint8_t {
    continuation = 0x0,
    text = 0x1,
    binary = 0x2,
    close = 0x8,
    ping = 0x9,
    pong = 0xA,
};

/// Control frames (close, ping, pong, and the reserved 11-15) have the high bit of the opcode set.
constexpr bool is_control(Opcode op) noexcept { return (static_cast<std::uint8_t>(op) & 0x8) != 0; }

/// The largest payload a control frame may carry (RFC 6455 5.5).
inline constexpr std::size_t max_control_payload = 125;

using MaskKey = std::array<std::uint8_t, 4>;

/// A frame header's fields. `opcode` holds any 4-bit value, reserved ones included, so that a
/// decoded header can be checked and a test can encode a wrong one.
struct FrameHeader {
    bool fin = true;
    bool rsv1 = false;  ///< "compressed", with permessage-deflate (RFC 7692 6)
    bool rsv2 = false;
    bool rsv3 = false;
    Opcode opcode = Opcode::text;
    bool masked = false;
    MaskKey mask_key{};
    std::uint64_t payload_length = 0;  ///< at most 2^63 - 1
};

/// The largest header: 2 bytes, an 8-byte length, a 4-byte mask key.
inline constexpr std::size_t max_frame_header_size = 14;
using FrameHeaderBytes = std::array<char, max_frame_header_size>;

/// Encodes `h` into `out`, the length in its minimal form (0-125 in the second byte, 126-65535 in
/// 2 more bytes, up to 2^63 - 1 in 8), then the mask key when `masked`. Returns the bytes used:
/// 2, 4 or 10, plus 4 when masked. A length over 2^63 - 1 is encoded with its top bit cleared:
/// callers never produce one.
std::size_t encode_frame_header(const FrameHeader& h, std::span<char, max_frame_header_size> out) noexcept;

/// Decodes a header from the start of `bytes`. Returns its size, or 0 when `bytes` holds only
/// part of it (read more). Only the encoding is checked here (a 64-bit length with its top bit
/// set throws WebSocketError 1002; a length in a longer form than needed is accepted, as RFC 6455
/// 5.2 only says "minimal" to senders); the reader checks the rest.
std::size_t decode_frame_header(std::string_view bytes, FrameHeader& out);

/// XORs `data` with `key` in place, `offset` being the position of `data[0]` in the payload (so a
/// payload masked in pieces gives what one call over the whole would). Works a word at a time.
void apply_mask(std::span<char> data, MaskKey key, std::uint64_t offset = 0) noexcept;

/// Copies `n` bytes from `src` to `dst` XORed with `key` (one pass: the reader unmasks while it
/// copies the payload into the message). `offset` as for apply_mask. `dst` and `src` may be equal
/// but must not otherwise overlap.
void copy_masked(char* dst, const char* src, std::size_t n, MaskKey key, std::uint64_t offset = 0) noexcept;

/// A fresh, unpredictable mask key for a client frame (RFC 6455 10.3), drawn from OpenSSL's
/// RAND_bytes in batches (one call per 1024 keys) kept per thread. Throws RuntimeError if the
/// random generator fails.
MaskKey random_mask_key();

}  // namespace aio::ws
