#include "aio/ws/message_writer.hpp"

#include <algorithm>
#include <cstring>

#include "aio/core/exceptions.hpp"

namespace aio::ws {

MessageWriter::MessageWriter(WriterOptions options) : options_(options) {
    if (options_.deflate) deflater_.emplace(make_deflater(*options_.deflate, options_.role, options_.compress_level));
}

void MessageWriter::text(std::string& out, std::string_view data, bool compress) {
    data_message(out, Opcode::text, data, compress);
}

void MessageWriter::binary(std::string& out, std::string_view data, bool compress) {
    data_message(out, Opcode::binary, data, compress);
}

void MessageWriter::ping(std::string& out, std::string_view payload) { control(out, Opcode::ping, payload); }

void MessageWriter::pong(std::string& out, std::string_view payload) { control(out, Opcode::pong, payload); }

void MessageWriter::close(std::string& out, std::uint16_t code, std::string_view reason) {
    if (!is_valid_close_code(code)) throw ValueError("invalid close code " + std::to_string(code));
    if (reason.size() > max_control_payload - 2) throw ValueError("close reason over 123 bytes");
    char payload[max_control_payload];
    payload[0] = static_cast<char>(code >> 8);
    payload[1] = static_cast<char>(code & 0xFF);
    std::memcpy(payload + 2, reason.data(), reason.size());
    frame(out, Opcode::close, true, false, std::string_view(payload, 2 + reason.size()));
}

void MessageWriter::close_empty(std::string& out) { frame(out, Opcode::close, true, false, {}); }

void MessageWriter::control(std::string& out, Opcode op, std::string_view payload) {
    if (payload.size() > max_control_payload) throw ValueError("control frame payload over 125 bytes");
    frame(out, op, true, false, payload);
}

void MessageWriter::data_message(std::string& out, Opcode op, std::string_view data, bool compress) {
    const bool deflate = compress && deflater_ && deflater_->can_compress() && data.size() >= options_.compress_threshold;
    std::string_view payload = data;
    if (deflate) {
        scratch_.clear();
        deflater_->compress(data, scratch_);
        payload = scratch_;
    }
    const std::size_t piece = options_.fragment_size;
    if (piece == 0 || payload.size() <= piece) {
        frame(out, op, true, deflate, payload);
        return;
    }
    out.reserve(out.size() + payload.size() + (payload.size() / piece + 1) * max_frame_header_size);
    for (std::size_t at = 0; at < payload.size(); at += piece) {
        const bool first = at == 0;
        const bool last = payload.size() - at <= piece;
        frame(out, first ? op : Opcode::continuation, last, first && deflate, payload.substr(at, piece));
    }
}

void MessageWriter::frame(std::string& out, Opcode op, bool fin, bool rsv1, std::string_view payload) {
    FrameHeader h;
    h.fin = fin;
    h.rsv1 = rsv1;
    h.opcode = op;
    h.payload_length = payload.size();
    h.masked = options_.role == Role::client;
    if (h.masked) h.mask_key = random_mask_key();
    FrameHeaderBytes bytes;
    const std::size_t n = encode_frame_header(h, bytes);
    const std::size_t at = out.size();
    out.resize(at + n + payload.size());
    std::memcpy(out.data() + at, bytes.data(), n);
    if (h.masked) copy_masked(out.data() + at + n, payload.data(), payload.size(), h.mask_key);
    else if (!payload.empty()) std::memcpy(out.data() + at + n, payload.data(), payload.size());
}

}  // namespace aio::ws
