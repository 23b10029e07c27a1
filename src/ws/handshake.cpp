// The opening handshake (RFC 6455 4.1 and 4.2).
#include "aio/ws/handshake.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "aio/core/exceptions.hpp"
#include "http/ascii.hpp"

namespace aio::ws {

namespace {
constexpr std::string_view guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

std::string base64(const unsigned char* p, std::size_t n) {
    std::string out(4 * ((n + 2) / 3), '\0');
    const int len = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), p, static_cast<int>(n));
    out.resize(static_cast<std::size_t>(len));
    return out;
}

using aio::http::ascii::trim;

// Whether the comma-separated list `value` holds `token` (case-insensitively).
bool has_token(std::string_view value, std::string_view token) {
    while (!value.empty()) {
        const auto comma = value.find(',');
        if (http::iequals(trim(value.substr(0, comma)), token)) return true;
        if (comma == std::string_view::npos) break;
        value.remove_prefix(comma + 1);
    }
    return false;
}

// Every value of a field, joined as one list (RFC 9110 5.3).
template <class Fields>
std::string joined(const Fields& fields, std::string_view name) {
    std::string s;
    for (const auto& f : fields) {
        std::string_view n, v;
        if constexpr (requires { f.name; }) {
            n = f.name;
            v = f.value;
        } else {
            n = f.first;
            v = f.second;
        }
        if (!http::iequals(n, name)) continue;
        if (!s.empty()) s += ", ";
        s += v;
    }
    return s;
}

std::vector<std::string> list_items(std::string_view value) {
    std::vector<std::string> items;
    while (!value.empty()) {
        const auto comma = value.find(',');
        const auto item = trim(value.substr(0, comma));
        if (!item.empty()) items.emplace_back(item);
        if (comma == std::string_view::npos) break;
        value.remove_prefix(comma + 1);
    }
    return items;
}

ServerHandshake refuse(int status, std::string reason) {
    ServerHandshake hs;
    hs.status = status;
    hs.reason = std::move(reason);
    return hs;
}

const char* reason_phrase(int status) {
    switch (status) {
    case 101: return "Switching Protocols";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 405: return "Method Not Allowed";
    case 426: return "Upgrade Required";
    default: return "Error";
    }
}
}  // namespace

std::string accept_key(std::string_view sec_websocket_key) {
    std::string in(sec_websocket_key);
    in += guid;
    unsigned char digest[SHA_DIGEST_LENGTH];
    SHA1(reinterpret_cast<const unsigned char*>(in.data()), in.size(), digest);
    return base64(digest, sizeof digest);
}

std::string make_key() {
    unsigned char raw[16];
    if (RAND_bytes(raw, sizeof raw) != 1) throw RuntimeError("RAND_bytes failed");
    return base64(raw, sizeof raw);
}

bool is_valid_key(std::string_view key) noexcept {
    if (key.size() != 24 || key.substr(22) != "==") return false;
    constexpr std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (std::size_t i = 0; i < 22; ++i)
        if (alphabet.find(key[i]) == std::string_view::npos) return false;
    // The last character before the padding carries 2 bits of the 16th byte: its low 4 are zero.
    return (alphabet.find(key[21]) & 0x0F) == 0;
}

ServerHandshake server_handshake(const http::RequestHead& head, const ServerHandshakeOptions& options) {
    if (head.method != "GET") return refuse(405, "WebSocket upgrade requires GET, not " + std::string(head.method));
    if (head.version_major < 1 || (head.version_major == 1 && head.version_minor < 1))
        return refuse(400, "WebSocket upgrade requires HTTP/1.1");
    const std::string upgrade = joined(head.headers, "Upgrade");
    if (!has_token(upgrade, "websocket"))
        return refuse(400, upgrade.empty() ? "No Upgrade header: not a WebSocket request"
                                           : "Upgrade is not websocket: " + upgrade);
    if (!has_token(joined(head.headers, "Connection"), "upgrade"))
        return refuse(400, "Connection header has no upgrade token");
    const std::string version = joined(head.headers, "Sec-WebSocket-Version");
    if (version.empty()) return refuse(426, "No Sec-WebSocket-Version header (13 is supported)");
    if (trim(version) != "13") return refuse(426, "Unsupported Sec-WebSocket-Version: " + version + " (13 is supported)");
    std::size_t keys = 0;
    std::string_view key;
    for (const auto& f : head.headers)
        if (http::iequals(f.name, "Sec-WebSocket-Key")) ++keys, key = f.value;
    if (keys == 0) return refuse(400, "No Sec-WebSocket-Key header");
    if (keys > 1) return refuse(400, "Sec-WebSocket-Key given more than once");
    if (!is_valid_key(key)) return refuse(400, "Sec-WebSocket-Key is not the base64 of 16 bytes: " + std::string(key));
    if (options.origin_check && !options.origin_check(head.header("Origin")))
        return refuse(403, "Origin not allowed: " + std::string(head.header("Origin")));

    ServerHandshake hs;
    hs.accept = accept_key(key);
    const auto offered = list_items(joined(head.headers, "Sec-WebSocket-Protocol"));
    for (const std::string& ours : options.protocols) {
        if (std::find(offered.begin(), offered.end(), ours) != offered.end()) {
            hs.protocol = ours;
            break;
        }
    }
    if (options.compress) hs.deflate = negotiate_deflate(joined(head.headers, "Sec-WebSocket-Extensions"), options.deflate);
    hs.headers = options.headers;
    return hs;
}

std::string ServerHandshake::response_head() const {
    std::string s = "HTTP/1.1 " + std::to_string(status) + " " + reason_phrase(status) + "\r\n";
    if (ok()) {
        s += "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " + accept + "\r\n";
        if (!protocol.empty()) s += "Sec-WebSocket-Protocol: " + protocol + "\r\n";
        if (deflate) s += "Sec-WebSocket-Extensions: " + format_deflate_response(*deflate) + "\r\n";
        for (const auto& [name, value] : headers) s += name + ": " + value + "\r\n";
        s += "\r\n";
        return s;
    }
    const std::string body = reason + "\n";
    if (status == 426) s += "Sec-WebSocket-Version: 13\r\nUpgrade: websocket\r\n";
    if (status == 405) s += "Allow: GET\r\n";
    s += "Content-Type: text/plain; charset=utf-8\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\nConnection: close\r\n\r\n" + body;
    return s;
}

ClientHandshake client_handshake(ClientHandshakeOptions options) {
    ClientHandshake hs;
    hs.key = make_key();
    hs.headers.add("Upgrade", "websocket");
    hs.headers.add("Connection", "Upgrade");
    hs.headers.add("Sec-WebSocket-Key", hs.key);
    hs.headers.add("Sec-WebSocket-Version", "13");
    if (!options.protocols.empty()) {
        std::string list;
        for (const auto& p : options.protocols) list += (list.empty() ? "" : ", ") + p;
        hs.headers.add("Sec-WebSocket-Protocol", list);
    }
    if (options.compress) hs.headers.add("Sec-WebSocket-Extensions", format_deflate_offer(options.deflate));
    if (!options.origin.empty()) hs.headers.add("Origin", options.origin);
    hs.options = std::move(options);
    return hs;
}

ClientHandshakeResult ClientHandshake::check_response(int status, const http::Headers& headers,
                                                      const std::string& url) const {
    auto fail = [&](const std::string& what) { throw WSServerHandshakeError(url, status, what, headers); };
    if (status != 101) fail("Invalid response status");
    if (!has_token(joined(headers, "Upgrade"), "websocket")) fail("Invalid upgrade header");
    if (!has_token(joined(headers, "Connection"), "upgrade")) fail("Invalid connection header");
    if (trim(headers.get("Sec-WebSocket-Accept", "")) != accept_key(key)) fail("Invalid challenge response");
    ClientHandshakeResult r;
    const std::string protocol(trim(joined(headers, "Sec-WebSocket-Protocol")));
    if (!protocol.empty()) {
        if (std::find(options.protocols.begin(), options.protocols.end(), protocol) == options.protocols.end())
            fail("Server chose a protocol not offered: " + protocol);
        r.protocol = protocol;
    }
    const std::string extensions = joined(headers, "Sec-WebSocket-Extensions");
    if (!trim(extensions).empty()) {
        if (!options.compress) fail("Server sent extensions that were not offered: " + extensions);
        try {
            r.deflate = parse_deflate_response(extensions, options.deflate);
        } catch (const ValueError& e) {
            fail(std::string("Invalid Sec-WebSocket-Extensions: ") + e.what());
        }
    }
    return r;
}

ClientHandshakeResult ClientHandshake::check_response(const http::ResponseHead& head, const std::string& url) const {
    http::Headers headers;
    for (const auto& f : head.headers) headers.add(f.name, f.value);
    return check_response(head.status, headers, url);
}

}  // namespace aio::ws
