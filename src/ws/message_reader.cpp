#include "aio/ws/message_reader.hpp"

#include <algorithm>
#include <cstring>

namespace aio::ws {

namespace {
bool is_reserved(Opcode op) noexcept {
    switch (op) {
    case Opcode::continuation:
    case Opcode::text:
    case Opcode::binary:
    case Opcode::close:
    case Opcode::ping:
    case Opcode::pong: return false;
    }
    return true;
}

// The largest buffer reserved from a declared length alone: past it the message grows as its
// bytes arrive, so a peer declaring a huge length it never sends costs nothing (with no limit).
constexpr std::uint64_t max_reserve = 16 * 1024 * 1024;
}  // namespace

MessageReader::MessageReader(ReaderOptions options) : options_(options) {
    if (options_.deflate) inflater_.emplace(make_inflater(*options_.deflate, options_.role));
}

void MessageReader::fail(std::uint16_t code, const std::string& message) { throw WebSocketError(code, message); }

std::size_t MessageReader::feed(std::string_view bytes) {
    if (error_) std::rethrow_exception(error_);
    std::size_t pos = 0;
    try {
        while (pos < bytes.size() && !closed_) {
            const std::string_view rest = bytes.substr(pos);
            pos += state_ == State::header ? header_step(rest) : payload_step(rest);
        }
    } catch (const WebSocketError&) {
        error_ = std::current_exception();
        throw;
    }
    return pos;
}

std::optional<WSMessage> MessageReader::next() {
    if (ready_.empty()) return std::nullopt;
    return ready_.pop_front();
}

std::size_t MessageReader::header_step(std::string_view bytes) {
    if (header_have_ == 0) {
        // The common case: the whole header is in this read; decode it in place.
        if (const std::size_t n = decode_frame_header(bytes, frame_)) {
            start_frame();
            return n;
        }
    }
    const std::size_t before = header_have_;
    const std::size_t take = std::min(bytes.size(), max_frame_header_size - header_have_);
    std::memcpy(header_buf_ + header_have_, bytes.data(), take);
    header_have_ += take;
    const std::size_t n = decode_frame_header(std::string_view(header_buf_, header_have_), frame_);
    if (n == 0) return take;
    header_have_ = 0;
    start_frame();
    return n - before;
}

void MessageReader::start_frame() {
    const FrameHeader& f = frame_;
    const bool must_mask = options_.role == Role::server;
    if (f.masked != must_mask)
        fail(1002, must_mask ? "client frame is not masked" : "server frame is masked");
    if (f.rsv2 || f.rsv3) fail(1002, "RSV2 or RSV3 set: no extension defines them");
    if (is_reserved(f.opcode))
        fail(1002, "reserved opcode " + std::to_string(static_cast<unsigned>(f.opcode)));
    if (is_control(f.opcode)) {
        if (f.rsv1) fail(1002, "RSV1 set on a control frame");
        if (f.payload_length > max_control_payload) fail(1002, "control frame payload over 125 bytes");
        if (!f.fin) fail(1002, "fragmented control frame");
        control_.clear();
    } else if (f.opcode == Opcode::continuation) {
        if (!in_message_) fail(1002, "continuation frame with no message started");
        if (f.rsv1) fail(1002, "RSV1 set on a continuation frame");
    } else {
        if (in_message_) fail(1002, "new data frame inside a fragmented message");
        if (f.rsv1 && !inflater_) fail(1002, "RSV1 set without permessage-deflate");
        in_message_ = true;
        message_opcode_ = f.opcode;
        message_compressed_ = f.rsv1;
        message_.clear();
        utf8_.reset();
    }
    if (!is_control(f.opcode) && !message_compressed_) {
        const std::size_t max = options_.max_msg_size;
        if (max != 0 && (f.payload_length > max || message_.size() > max - f.payload_length))
            fail(1009, "message over max_msg_size (" + std::to_string(max) + " bytes)");
        message_.reserve(message_.size() + static_cast<std::size_t>(std::min(f.payload_length, max_reserve)));
    }
    payload_read_ = 0;
    state_ = State::payload;
    if (f.payload_length == 0) end_frame();
}

std::size_t MessageReader::payload_step(std::string_view bytes) {
    const std::uint64_t left = frame_.payload_length - payload_read_;
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(left, bytes.size()));
    if (is_control(frame_.opcode)) {
        const std::size_t at = control_.size();
        control_.resize(at + n);
        if (frame_.masked) copy_masked(control_.data() + at, bytes.data(), n, frame_.mask_key, payload_read_);
        else std::memcpy(control_.data() + at, bytes.data(), n);
    } else {
        take_data(bytes.data(), n);
    }
    payload_read_ += n;
    if (payload_read_ == frame_.payload_length) end_frame();
    return n;
}

void MessageReader::take_data(const char* p, std::size_t n) {
    if (message_compressed_) {
        compressed_piece_.resize(n);
        if (frame_.masked) copy_masked(compressed_piece_.data(), p, n, frame_.mask_key, payload_read_);
        else std::memcpy(compressed_piece_.data(), p, n);
        const std::size_t at = message_.size();
        inflater_->inflate(compressed_piece_, message_, options_.max_msg_size);
        if (message_opcode_ == Opcode::text && !utf8_.feed(std::string_view(message_).substr(at)))
            fail(1007, "text message is not valid UTF-8");
        return;
    }
    const std::size_t at = message_.size();
    message_.resize(at + n);
    if (frame_.masked) copy_masked(message_.data() + at, p, n, frame_.mask_key, payload_read_);
    else std::memcpy(message_.data() + at, p, n);
    if (message_opcode_ == Opcode::text && !utf8_.feed(std::string_view(message_).substr(at)))
        fail(1007, "text message is not valid UTF-8");
}

void MessageReader::end_frame() {
    state_ = State::header;
    if (is_control(frame_.opcode)) {
        deliver_control();
        return;
    }
    if (!frame_.fin) return;
    if (message_compressed_) {
        const std::size_t at = message_.size();
        inflater_->finish(message_, options_.max_msg_size);
        if (message_opcode_ == Opcode::text && !utf8_.feed(std::string_view(message_).substr(at)))
            fail(1007, "text message is not valid UTF-8");
    }
    if (message_opcode_ == Opcode::text && !utf8_.complete()) fail(1007, "text message ends inside a UTF-8 sequence");
    WSMessage m;
    m.type = message_opcode_ == Opcode::text ? WSMsgType::text : WSMsgType::binary;
    m.data = std::move(message_);
    message_ = std::string();
    in_message_ = false;
    ready_.push_back(std::move(m));
}

void MessageReader::deliver_control() {
    WSMessage m;
    switch (frame_.opcode) {
    case Opcode::ping: m.type = WSMsgType::ping; break;
    case Opcode::pong: m.type = WSMsgType::pong; break;
    default: {
        m.type = WSMsgType::close;
        if (control_.size() == 1) fail(1002, "close frame payload of 1 byte");
        if (control_.empty()) {
            m.close_code = close_code_none;
        } else {
            const auto* b = reinterpret_cast<const unsigned char*>(control_.data());
            m.close_code = static_cast<std::uint16_t>((b[0] << 8) | b[1]);
            if (!is_valid_close_code(m.close_code))
                fail(1002, "invalid close code " + std::to_string(m.close_code));
            m.extra = control_.substr(2);
            if (!is_valid_utf8(m.extra)) fail(1007, "close reason is not valid UTF-8");
        }
        closed_ = true;
        ready_.push_back(std::move(m));
        return;
    }
    }
    m.data = std::move(control_);
    control_ = std::string();
    ready_.push_back(std::move(m));
}

}  // namespace aio::ws
