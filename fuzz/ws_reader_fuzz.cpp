// aio::ws::MessageReader in both roles, with and without permessage-deflate: no crash, no
// unbounded memory, every text message valid UTF-8, every message within max_msg_size, control
// payloads within 125 bytes, and the same outcome whether the input comes whole, in two pieces
// or byte by byte. The input's first byte chooses the options, the next two the split point.

#include <string>
#include <vector>

#include "aio/ws/message_reader.hpp"
#include "aio/ws/utf8.hpp"
#include "fuzz_check.hpp"

namespace {

struct Outcome {
    std::vector<std::string> parts;
    int error = 0;
    std::size_t consumed = 0;
    bool operator==(const Outcome&) const = default;
};

void drain(aio::ws::MessageReader& reader, Outcome& o) {
    const std::size_t max = reader.options().max_msg_size;
    while (auto m = reader.next()) {
        using aio::ws::WSMsgType;
        if (m->type == WSMsgType::text) FUZZ_CHECK(aio::ws::is_valid_utf8(m->data));
        if (m->type == WSMsgType::text || m->type == WSMsgType::binary) FUZZ_CHECK(max == 0 || m->data.size() <= max);
        if (m->type == WSMsgType::ping || m->type == WSMsgType::pong) FUZZ_CHECK(m->data.size() <= 125);
        if (m->type == WSMsgType::close) {
            FUZZ_CHECK(m->close_code == aio::ws::close_code_none || aio::ws::is_valid_close_code(m->close_code));
            FUZZ_CHECK(aio::ws::is_valid_utf8(m->extra));
        }
        o.parts.push_back(std::string(aio::ws::name(m->type)) + ":" + std::to_string(m->close_code) + ":" + m->data + ":" + m->extra);
    }
}

Outcome run(const aio::ws::ReaderOptions& options, std::string_view bytes, const std::vector<std::size_t>& cuts) {
    aio::ws::MessageReader reader(options);
    Outcome o;
    std::size_t at = 0;
    try {
        for (std::size_t i = 0; i <= cuts.size(); ++i) {
            const std::size_t end = i < cuts.size() ? cuts[i] : bytes.size();
            const std::size_t n = reader.feed(bytes.substr(at, end - at));
            FUZZ_CHECK(n <= end - at);
            o.consumed += n;
            drain(reader, o);
            if (reader.closed()) break;
            FUZZ_CHECK(n == end - at);
            at = end;
        }
    } catch (const aio::ws::WebSocketError& e) {
        FUZZ_CHECK(e.code() == 1002 || e.code() == 1007 || e.code() == 1009);
        FUZZ_CHECK(reader.failed());
        o.error = e.code();
        o.consumed = 0;  // where in a piece the fault was found is not part of the outcome
        drain(reader, o);
    }
    return o;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
    if (size < 1) return 0;
    const unsigned flags = data[0];
    const fuzz::Input in = fuzz::split_input(data + 1, size - 1);
    aio::ws::ReaderOptions options;
    options.role = (flags & 1) ? aio::ws::Role::client : aio::ws::Role::server;
    if (flags & 2) {
        aio::ws::DeflateParams p;
        p.client_no_context_takeover = (flags & 4) != 0;
        p.server_no_context_takeover = (flags & 8) != 0;
        p.client_max_window_bits = p.server_max_window_bits = static_cast<std::uint8_t>(8 + (flags >> 6) * 2 + 1);
        options.deflate = p;
    }
    options.max_msg_size = (flags & 16) ? 1024 : (flags & 32) ? 0 : 1 << 20;
    const Outcome whole = run(options, in.bytes, {});
    const Outcome two = run(options, in.bytes, {in.split});
    FUZZ_CHECK(whole == two);
    if (in.bytes.size() <= 512) {
        std::vector<std::size_t> each;
        for (std::size_t i = 1; i < in.bytes.size(); ++i) each.push_back(i);
        FUZZ_CHECK(whole == run(options, in.bytes, each));
    }
    return 0;
}
