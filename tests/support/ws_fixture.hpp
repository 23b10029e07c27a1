#pragma once
// What the WebSocket tests share: an aio::http server whose handler accepts a WebSocket and runs
// a session coroutine on it, and a raw TCP client that writes frames byte by byte as a test
// builds them (masked, as a client must, or deliberately wrong) and reads the server's frames.

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>

#include "aio/http/server.hpp"
#include "aio/ws/frame.hpp"
#include "aio/ws/handshake.hpp"
#include "aio/ws/websocket.hpp"
#include "support/io_fixture.hpp"

namespace ws_test {

using namespace std::chrono_literals;
using Session = std::function<aio::Coro<void>(aio::ws::WebSocket&)>;

/// Serves WebSockets on 127.0.0.1:0: each accepted one is handed to `session`.
inline aio::Coro<std::unique_ptr<aio::http::Server>> serve_ws(Session session, aio::ws::WSOptions options = {}) {
    aio::http::Handler handler = [session, options](aio::http::Request& req) -> aio::Coro<aio::http::Response> {
        aio::ws::WebSocket ws = co_await aio::ws::accept(req, options);
        co_await session(ws);
        co_return aio::http::Response::taken_over();
    };
    co_return co_await aio::http::serve(handler, "127.0.0.1", 0);
}

/// An echo session: text to text, binary to binary, until the close.
inline aio::Coro<void> echo(aio::ws::WebSocket& ws) {
    while (auto msg = co_await ws.next()) {
        if (msg->type == aio::ws::WSMsgType::text) co_await ws.send_str(msg->data);
        else if (msg->type == aio::ws::WSMsgType::binary) co_await ws.send_bytes(msg->data);
    }
}

/// One frame as the raw client reads it.
struct Frame {
    aio::ws::FrameHeader header;
    std::string payload;
    /// A close frame's code (0 if none).
    std::uint16_t close_code() const {
        if (payload.size() < 2) return 0;
        return static_cast<std::uint16_t>((static_cast<unsigned char>(payload[0]) << 8) |
                                          static_cast<unsigned char>(payload[1]));
    }
};

/// A client that speaks WebSocket by hand.
class RawWsClient {
public:
    RawWsClient(aio::StreamReader r, aio::StreamWriter w) : reader(std::move(r)), writer(std::move(w)) {}

    static aio::Coro<RawWsClient> connect(std::uint16_t port) {
        auto [r, w] = co_await aio::open_connection("127.0.0.1", port);
        co_return RawWsClient(std::move(r), std::move(w));
    }

    /// Sends the upgrade request with `extra` fields and returns the response head.
    aio::Coro<std::string> handshake(std::string extra = {}) {
        std::string req = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" +
                          extra + "\r\n";
        co_await send(req);
        co_return co_await head();
    }
    /// The response head, up to the blank line.
    aio::Coro<std::string> head() {
        std::string h;
        while (h.size() < 4 || h.compare(h.size() - 4, 4, "\r\n\r\n") != 0) {
            std::string b = co_await reader.read(1);
            if (b.empty()) break;
            h += b;
        }
        co_return h;
    }
    aio::Coro<void> send(std::string bytes) {
        writer.write(bytes);
        co_await writer.drain();
    }
    /// A frame with `h`'s fields; masked with a fixed key unless `h.masked` is false.
    static std::string frame(aio::ws::FrameHeader h, std::string payload) {
        if (h.payload_length == 0) h.payload_length = payload.size();
        if (h.masked) {
            h.mask_key = {1, 2, 3, 4};
            aio::ws::apply_mask(payload, h.mask_key);
        }
        aio::ws::FrameHeaderBytes b;
        std::string out(b.data(), aio::ws::encode_frame_header(h, b));
        return out + payload;
    }
    static std::string masked(aio::ws::Opcode op, std::string payload, bool fin = true) {
        aio::ws::FrameHeader h;
        h.opcode = op;
        h.fin = fin;
        h.masked = true;
        return frame(h, std::move(payload));
    }
    /// The next frame from the server; opcode close with an empty payload and code 0 at EOF.
    aio::Coro<Frame> read_frame() {
        Frame f;
        std::string hb;
        for (;;) {
            std::string b = co_await reader.read(1);
            if (b.empty()) {
                eof = true;
                f.header.opcode = aio::ws::Opcode::close;
                co_return f;
            }
            hb += b;
            if (aio::ws::decode_frame_header(hb, f.header) != 0) break;
        }
        if (f.header.payload_length) f.payload = co_await reader.readexactly(f.header.payload_length);
        co_return f;
    }
    /// Reads until EOF: true if it came (false: the connection is still open after `limit`).
    aio::Coro<bool> wait_eof(aio::Duration limit = 5s) {
        try {
            co_await aio::wait_for(drain_to_eof(), limit);
            co_return true;
        } catch (const aio::TimeoutError&) {
            co_return false;
        }
    }
    aio::Coro<void> drain_to_eof() {
        for (;;) {
            // Named, not `while (!(co_await reader.read(n)).empty())`: g++ 12 never ends that loop.
            std::string b = co_await reader.read(65536);
            if (b.empty()) co_return;
        }
    }
    aio::Coro<void> close() {
        writer.close();
        co_await writer.wait_closed();
    }

    aio::StreamReader reader;
    aio::StreamWriter writer;
    bool eof = false;
};

/// n bytes of a repeating lowercase pattern (valid UTF-8, and not all one byte).
inline std::string text_pattern(std::size_t n) {
    std::string s(n, '\0');
    for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + (i * 7) % 26);
    return s;
}

inline std::string close_payload(std::uint16_t code, std::string reason = {}) {
    std::string p;
    p += static_cast<char>(code >> 8);
    p += static_cast<char>(code & 0xff);
    return p + reason;
}

}  // namespace ws_test
