#include "aio/ws/frame.hpp"

#include <cstring>

#include <openssl/rand.h>

#include "aio/core/exceptions.hpp"
#include "aio/ws/message.hpp"

namespace aio::ws {

std::size_t encode_frame_header(const FrameHeader& h, std::span<char, max_frame_header_size> out) noexcept {
    auto* p = reinterpret_cast<unsigned char*>(out.data());
    p[0] = static_cast<unsigned char>((h.fin ? 0x80 : 0) | (h.rsv1 ? 0x40 : 0) | (h.rsv2 ? 0x20 : 0) |
                                      (h.rsv3 ? 0x10 : 0) | (static_cast<unsigned>(h.opcode) & 0x0F));
    const unsigned char mask_bit = h.masked ? 0x80 : 0;
    std::size_t n;
    const std::uint64_t len = h.payload_length & 0x7FFF'FFFF'FFFF'FFFFull;
    if (len <= 125) {
        p[1] = static_cast<unsigned char>(mask_bit | len);
        n = 2;
    } else if (len <= 0xFFFF) {
        p[1] = mask_bit | 126;
        p[2] = static_cast<unsigned char>(len >> 8);
        p[3] = static_cast<unsigned char>(len);
        n = 4;
    } else {
        p[1] = mask_bit | 127;
        for (int i = 0; i < 8; ++i) p[2 + i] = static_cast<unsigned char>(len >> (56 - 8 * i));
        n = 10;
    }
    if (h.masked) {
        std::memcpy(p + n, h.mask_key.data(), 4);
        n += 4;
    }
    return n;
}

std::size_t decode_frame_header(std::string_view bytes, FrameHeader& out) {
    if (bytes.size() < 2) return 0;
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
    const bool masked = (p[1] & 0x80) != 0;
    const unsigned len7 = p[1] & 0x7F;
    const std::size_t len_bytes = len7 == 126 ? 2 : len7 == 127 ? 8 : 0;
    const std::size_t size = 2 + len_bytes + (masked ? 4 : 0);
    if (bytes.size() < size) return 0;
    std::uint64_t len = len7;
    if (len_bytes != 0) {
        len = 0;
        for (std::size_t i = 0; i < len_bytes; ++i) len = (len << 8) | p[2 + i];
        if (len >> 63)
            throw WebSocketError(WSCloseCode::protocol_error, "frame length has its most significant bit set");
    }
    out.fin = (p[0] & 0x80) != 0;
    out.rsv1 = (p[0] & 0x40) != 0;
    out.rsv2 = (p[0] & 0x20) != 0;
    out.rsv3 = (p[0] & 0x10) != 0;
    out.opcode = static_cast<Opcode>(p[0] & 0x0F);
    out.masked = masked;
    out.payload_length = len;
    out.mask_key = {};
    if (masked) std::memcpy(out.mask_key.data(), p + 2 + len_bytes, 4);
    return size;
}

namespace {
// The key as 8 bytes starting at payload position `offset`, so that word `i` of a run starting
// there is XORed with the same 8 bytes.
std::uint64_t key_word(MaskKey key, std::uint64_t offset) noexcept {
    unsigned char b[8];
    for (unsigned i = 0; i < 8; ++i) b[i] = key[(offset + i) & 3];
    std::uint64_t w;
    std::memcpy(&w, b, 8);
    return w;
}
}  // namespace

void copy_masked(char* dst, const char* src, std::size_t n, MaskKey key, std::uint64_t offset) noexcept {
    const std::uint64_t w = key_word(key, offset);
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        std::uint64_t x;
        std::memcpy(&x, src + i, 8);
        x ^= w;
        std::memcpy(dst + i, &x, 8);
    }
    for (; i < n; ++i) dst[i] = static_cast<char>(src[i] ^ static_cast<char>(key[(offset + i) & 3]));
}

void apply_mask(std::span<char> data, MaskKey key, std::uint64_t offset) noexcept {
    copy_masked(data.data(), data.data(), data.size(), key, offset);
}

MaskKey random_mask_key() {
    // RAND_bytes per frame costs a lock and a DRBG call; a batch per thread amortises both. The
    // keys stay unpredictable to the page's script, which is what RFC 6455 10.3 asks.
    struct Batch {
        unsigned char bytes[4096];
        std::size_t used = sizeof bytes;
    };
    thread_local Batch batch;
    if (batch.used == sizeof batch.bytes) {
        if (RAND_bytes(batch.bytes, sizeof batch.bytes) != 1) throw RuntimeError("RAND_bytes failed");
        batch.used = 0;
    }
    MaskKey key;
    std::memcpy(key.data(), batch.bytes + batch.used, 4);
    batch.used += 4;
    return key;
}

}  // namespace aio::ws
