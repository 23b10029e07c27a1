// The permessage-deflate compressor and decompressor (RFC 7692 7.2) over zlib's raw DEFLATE.
#include "aio/ws/deflate.hpp"

#include <algorithm>
#include <cstring>

#include <zlib.h>

#include "aio/core/exceptions.hpp"
#include "aio/ws/message.hpp"

namespace aio::ws {

namespace {
constexpr unsigned char tail[4] = {0x00, 0x00, 0xFF, 0xFF};
constexpr std::size_t out_chunk = 16 * 1024;
}  // namespace

struct Deflater::Stream {
    z_stream z{};
    ~Stream() { deflateEnd(&z); }
};

Deflater::Deflater(int window_bits, bool no_context_takeover, int level)
    : window_bits_(std::clamp(window_bits, 8, 15)), level_(std::clamp(level, 0, 9)), no_context_takeover_(no_context_takeover) {}
Deflater::~Deflater() = default;
Deflater::Deflater(Deflater&&) noexcept = default;
Deflater& Deflater::operator=(Deflater&&) noexcept = default;

void Deflater::compress(std::string_view message, std::string& out) {
    if (!can_compress()) throw RuntimeError("permessage-deflate: cannot compress with window bits 8");
    if (!stream_) {
        auto s = std::make_unique<Stream>();
        if (deflateInit2(&s->z, level_, Z_DEFLATED, -window_bits_, 8, Z_DEFAULT_STRATEGY) != Z_OK)
            throw RuntimeError("permessage-deflate: deflateInit2 failed");
        stream_ = std::move(s);
    }
    z_stream& z = stream_->z;
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(message.data()));
    z.avail_in = static_cast<uInt>(message.size());
    const std::size_t start = out.size();
    // An empty input still produces the sync flush's empty stored block.
    do {
        const std::size_t at = out.size();
        const std::size_t room = std::max<std::size_t>(out_chunk, deflateBound(&z, z.avail_in) + 16);
        out.resize(at + room);
        z.next_out = reinterpret_cast<Bytef*>(out.data() + at);
        z.avail_out = static_cast<uInt>(room);
        const int rc = deflate(&z, Z_SYNC_FLUSH);
        out.resize(at + (room - z.avail_out));
        if (rc != Z_OK && rc != Z_BUF_ERROR) throw RuntimeError("permessage-deflate: deflate failed");
        if (z.avail_out != 0 && z.avail_in == 0) break;
    } while (true);
    // Z_SYNC_FLUSH ends the output with an empty stored block, 00 00 ff ff: not sent (7.2.1).
    if (out.size() - start >= 4 && std::memcmp(out.data() + out.size() - 4, tail, 4) == 0) out.resize(out.size() - 4);
    if (no_context_takeover_) deflateReset(&z);
}

struct Inflater::Stream {
    z_stream z{};
    ~Stream() { inflateEnd(&z); }
};

Inflater::Inflater(int window_bits, bool no_context_takeover)
    : window_bits_(std::clamp(window_bits, 9, 15)), no_context_takeover_(no_context_takeover) {}
Inflater::~Inflater() = default;
Inflater::Inflater(Inflater&&) noexcept = default;
Inflater& Inflater::operator=(Inflater&&) noexcept = default;

void Inflater::run(const unsigned char* in, std::size_t n, std::string& out, std::size_t max_size) {
    if (!stream_) {
        auto s = std::make_unique<Stream>();
        if (inflateInit2(&s->z, -window_bits_) != Z_OK)
            throw WebSocketError(WSCloseCode::internal_error, "permessage-deflate: inflateInit2 failed");
        stream_ = std::move(s);
    }
    z_stream& z = stream_->z;
    z.next_in = const_cast<Bytef*>(in);
    z.avail_in = static_cast<uInt>(n);
    while (true) {
        // Never give zlib more room than one byte past the cap: a bomb stops there.
        std::size_t room = out_chunk;
        if (max_size != 0) room = std::min(room, max_size - std::min(max_size, out.size()) + 1);
        const std::size_t at = out.size();
        out.resize(at + room);
        z.next_out = reinterpret_cast<Bytef*>(out.data() + at);
        z.avail_out = static_cast<uInt>(room);
        const int rc = ::inflate(&z, Z_SYNC_FLUSH);
        out.resize(at + (room - z.avail_out));
        if (max_size != 0 && out.size() > max_size)
            throw WebSocketError(WSCloseCode::message_too_big,
                                 "compressed message inflates past max_msg_size (" + std::to_string(max_size) + ")");
        if (rc == Z_STREAM_END) {
            // The sender ended the DEFLATE stream (BFINAL, RFC 7692 7.2.3.3): what follows is not
            // DEFLATE data (the appended tail); the next message starts a new stream.
            inflateReset(&z);
            return;
        }
        if (rc == Z_DATA_ERROR || rc == Z_NEED_DICT)
            throw WebSocketError(WSCloseCode::invalid_text, "permessage-deflate: invalid compressed data");
        if (rc == Z_MEM_ERROR) throw WebSocketError(WSCloseCode::internal_error, "permessage-deflate: out of memory");
        if (z.avail_in == 0 && z.avail_out != 0) return;  // all input used, all output out
        if (rc == Z_BUF_ERROR && z.avail_in == 0) return;
    }
}

void Inflater::inflate(std::string_view piece, std::string& out, std::size_t max_size) {
    if (piece.empty()) return;
    run(reinterpret_cast<const unsigned char*>(piece.data()), piece.size(), out, max_size);
}

void Inflater::finish(std::string& out, std::size_t max_size) {
    run(tail, sizeof tail, out, max_size);
    if (no_context_takeover_ && stream_) inflateReset(&stream_->z);
}

Deflater make_deflater(const DeflateParams& params, Role role, int level) {
    return role == Role::server ? Deflater(params.server_max_window_bits, params.server_no_context_takeover, level)
                                : Deflater(params.client_max_window_bits, params.client_no_context_takeover, level);
}

Inflater make_inflater(const DeflateParams& params, Role role) {
    return role == Role::server ? Inflater(params.client_max_window_bits, params.client_no_context_takeover)
                                : Inflater(params.server_max_window_bits, params.server_no_context_takeover);
}

}  // namespace aio::ws
