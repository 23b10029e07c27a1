#pragma once
// Building WebSocket frames byte by byte, and running a MessageReader over bytes cut in pieces:
// shared by the unit tests and the frame conformance suite.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aio/ws/frame.hpp"
#include "aio/ws/message_reader.hpp"

namespace aio::test {

// The mask key of RFC 6455 5.7's examples.
inline constexpr ws::MaskKey rfc_mask_key{0x37, 0xfa, 0x21, 0x3d};

// One frame: `first` is the whole first byte (FIN, RSV bits, opcode), so that a wrong one can be
// written; the length in its minimal encoding; masked with `key` when `masked`.
inline std::string ws_frame(std::uint8_t first, std::string_view payload, bool masked,
                            ws::MaskKey key = rfc_mask_key) {
    std::string out(1, static_cast<char>(first));
    const std::uint64_t n = payload.size();
    const char mask_bit = masked ? static_cast<char>(0x80) : 0;
    if (n <= 125) {
        out += static_cast<char>(mask_bit | static_cast<char>(n));
    } else if (n <= 0xFFFF) {
        out += static_cast<char>(mask_bit | 126);
        out += static_cast<char>(n >> 8);
        out += static_cast<char>(n & 0xFF);
    } else {
        out += static_cast<char>(mask_bit | 127);
        for (int i = 7; i >= 0; --i) out += static_cast<char>((n >> (8 * i)) & 0xFF);
    }
    if (masked) out.append(reinterpret_cast<const char*>(key.data()), 4);
    const std::size_t at = out.size();
    out.append(payload);
    if (masked)
        for (std::size_t i = 0; i < payload.size(); ++i) out[at + i] = static_cast<char>(out[at + i] ^ key[i % 4]);
    return out;
}

// FIN + opcode, the usual first byte.
inline constexpr std::uint8_t fin(ws::Opcode op) { return static_cast<std::uint8_t>(0x80 | static_cast<std::uint8_t>(op)); }

struct ReadResult {
    std::vector<ws::WSMessage> messages;
    std::optional<std::uint16_t> error;  // the close code of the WebSocketError, if one was thrown
    std::string error_text;
    std::size_t consumed = 0;
};

inline void drain(ws::MessageReader& reader, ReadResult& r) {
    while (auto m = reader.next()) r.messages.push_back(std::move(*m));
}

// Feeds `bytes` in the pieces that `cuts` (increasing offsets) makes.
inline ReadResult read_cut(const ws::ReaderOptions& options, std::string_view bytes, const std::vector<std::size_t>& cuts) {
    ws::MessageReader reader(options);
    ReadResult r;
    std::size_t at = 0;
    try {
        for (std::size_t i = 0; i <= cuts.size(); ++i) {
            const std::size_t end = i < cuts.size() ? cuts[i] : bytes.size();
            r.consumed += reader.feed(bytes.substr(at, end - at));
            drain(reader, r);
            at = end;
        }
    } catch (const ws::WebSocketError& e) {
        r.error = e.code();
        r.error_text = e.what();
        drain(reader, r);
    }
    return r;
}

inline ReadResult read_whole(const ws::ReaderOptions& options, std::string_view bytes) { return read_cut(options, bytes, {}); }

inline ReadResult read_split_at(const ws::ReaderOptions& options, std::string_view bytes, std::size_t cut) {
    return read_cut(options, bytes, {cut});
}

inline ReadResult read_in_chunks(const ws::ReaderOptions& options, std::string_view bytes, std::size_t chunk) {
    std::vector<std::size_t> cuts;
    for (std::size_t at = chunk; at < bytes.size(); at += chunk) cuts.push_back(at);
    return read_cut(options, bytes, cuts);
}

// Two results say the same thing: same messages (type, data, code, reason) and same error code.
inline bool same(const ReadResult& a, const ReadResult& b) {
    if (a.error != b.error || a.messages.size() != b.messages.size()) return false;
    for (std::size_t i = 0; i < a.messages.size(); ++i) {
        const auto& x = a.messages[i];
        const auto& y = b.messages[i];
        if (x.type != y.type || x.data != y.data || x.close_code != y.close_code || x.extra != y.extra) return false;
    }
    return true;
}

}  // namespace aio::test
