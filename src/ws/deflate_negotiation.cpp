// permessage-deflate's parameters in the opening handshake (RFC 7692 5, 7.1).
#include <charconv>
#include <string>
#include <vector>

#include "aio/core/exceptions.hpp"
#include "aio/http/headers.hpp"
#include "aio/ws/deflate.hpp"
#include "http/ascii.hpp"

namespace aio::ws {

namespace {

struct Param {
    std::string name;
    std::optional<std::string> value;
};
struct Extension {
    std::string name;
    std::vector<Param> params;
    bool malformed = false;
};

using aio::http::ascii::trim;

bool is_token(std::string_view s) {
    if (s.empty()) return false;
    for (unsigned char c : s) {
        if (c <= 0x20 || c >= 0x7F) return false;
        if (std::string_view("()<>@,;:\\\"/[]?={}").find(static_cast<char>(c)) != std::string_view::npos) return false;
    }
    return true;
}

// Splits `s` at `sep` outside quoted strings.
std::vector<std::string_view> split(std::string_view s, char sep) {
    std::vector<std::string_view> parts;
    bool quoted = false;
    std::size_t start = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (quoted && s[i] == '\\') {
            ++i;
        } else if (s[i] == '"') {
            quoted = !quoted;
        } else if (!quoted && s[i] == sep) {
            parts.push_back(s.substr(start, i - start));
            start = i + 1;
        }
    }
    parts.push_back(s.substr(start));
    return parts;
}

// The extension list of a Sec-WebSocket-Extensions value (RFC 6455 9.1); empty elements of the
// list are skipped, as RFC 9110 5.6.1 lets a recipient do.
std::vector<Extension> parse_extensions(std::string_view value) {
    std::vector<Extension> list;
    for (std::string_view item : split(value, ',')) {
        item = trim(item);
        if (item.empty()) continue;
        Extension ext;
        const auto pieces = split(item, ';');
        ext.name = std::string(trim(pieces[0]));
        ext.malformed = !is_token(ext.name);
        for (std::size_t i = 1; i < pieces.size(); ++i) {
            std::string_view p = trim(pieces[i]);
            Param param;
            const auto eq = p.find('=');
            param.name = std::string(trim(p.substr(0, eq)));
            if (!is_token(param.name)) ext.malformed = true;
            if (eq != std::string_view::npos) {
                std::string_view v = trim(p.substr(eq + 1));
                if (v.size() >= 2 && v.front() == '"' && v.back() == '"') {
                    std::string unq;
                    for (std::size_t k = 1; k + 1 < v.size(); ++k) {
                        if (v[k] == '\\' && k + 2 < v.size()) ++k;
                        unq += v[k];
                    }
                    param.value = std::move(unq);
                } else {
                    param.value = std::string(v);
                }
                if (!is_token(*param.value)) ext.malformed = true;
            }
            ext.params.push_back(std::move(param));
        }
        list.push_back(std::move(ext));
    }
    return list;
}

// A window-bits value: "8" to "15", no sign, no leading zero (RFC 7692 7.1.2.1's grammar).
std::optional<std::uint8_t> window_bits(const std::string& v) {
    if (v.empty() || v.size() > 2 || v[0] == '0') return std::nullopt;
    int n = 0;
    const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec != std::errc{} || end != v.data() + v.size() || n < 8 || n > 15) return std::nullopt;
    return static_cast<std::uint8_t>(n);
}

constexpr std::string_view extension_name = "permessage-deflate";

// One client offer as the server reads it; nullopt declines it.
std::optional<DeflateParams> accept_offer(const Extension& ext, const DeflateServerOptions& options) {
    if (ext.malformed) return std::nullopt;
    DeflateParams p;
    bool seen[4] = {false, false, false, false};
    for (const Param& param : ext.params) {
        int which;
        if (http::iequals(param.name, "server_no_context_takeover")) which = 0;
        else if (http::iequals(param.name, "client_no_context_takeover")) which = 1;
        else if (http::iequals(param.name, "server_max_window_bits")) which = 2;
        else if (http::iequals(param.name, "client_max_window_bits")) which = 3;
        else return std::nullopt;  // a parameter we do not know: decline (RFC 7692 5.1)
        if (seen[which]) return std::nullopt;
        seen[which] = true;
        switch (which) {
        case 0:
            if (param.value) return std::nullopt;
            p.server_no_context_takeover = true;
            break;
        case 1:
            if (param.value) return std::nullopt;
            p.client_no_context_takeover = true;
            break;
        case 2: {
            if (!param.value) return std::nullopt;
            auto bits = window_bits(*param.value);
            if (!bits) return std::nullopt;
            p.server_max_window_bits = *bits;
            break;
        }
        case 3:
            // Without a value: the client can take a limit; we ask for none.
            if (param.value) {
                auto bits = window_bits(*param.value);
                if (!bits) return std::nullopt;
                p.client_max_window_bits = *bits;
            }
            break;
        }
    }
    if (options.server_no_context_takeover) p.server_no_context_takeover = true;
    if (options.client_no_context_takeover) p.client_no_context_takeover = true;
    return p;
}

}  // namespace

std::optional<DeflateParams> negotiate_deflate(std::string_view extensions, const DeflateServerOptions& options) {
    for (const Extension& ext : parse_extensions(extensions)) {
        if (!http::iequals(ext.name, extension_name)) continue;
        if (auto p = accept_offer(ext, options)) return p;
    }
    return std::nullopt;
}

std::string format_deflate_response(const DeflateParams& params) {
    std::string s(extension_name);
    if (params.server_no_context_takeover) s += "; server_no_context_takeover";
    if (params.client_no_context_takeover) s += "; client_no_context_takeover";
    if (params.server_max_window_bits < 15) s += "; server_max_window_bits=" + std::to_string(params.server_max_window_bits);
    if (params.client_max_window_bits < 15) s += "; client_max_window_bits=" + std::to_string(params.client_max_window_bits);
    return s;
}

std::string format_deflate_offer(const DeflateClientOptions& options) {
    std::string s(extension_name);
    if (options.client_no_context_takeover) s += "; client_no_context_takeover";
    if (options.server_no_context_takeover) s += "; server_no_context_takeover";
    if (options.server_max_window_bits >= 8 && options.server_max_window_bits < 15)
        s += "; server_max_window_bits=" + std::to_string(options.server_max_window_bits);
    s += "; client_max_window_bits";
    return s;
}

std::optional<DeflateParams> parse_deflate_response(std::string_view extensions, const DeflateClientOptions& offered) {
    const auto list = parse_extensions(extensions);
    if (list.empty()) return std::nullopt;
    if (list.size() > 1) throw ValueError("more than one extension accepted: only permessage-deflate was offered");
    const Extension& ext = list[0];
    if (!http::iequals(ext.name, extension_name)) throw ValueError("extension not offered: " + ext.name);
    if (ext.malformed) throw ValueError("malformed permessage-deflate response");
    DeflateParams p;
    bool seen[4] = {false, false, false, false};
    for (const Param& param : ext.params) {
        int which;
        if (http::iequals(param.name, "server_no_context_takeover")) which = 0;
        else if (http::iequals(param.name, "client_no_context_takeover")) which = 1;
        else if (http::iequals(param.name, "server_max_window_bits")) which = 2;
        else if (http::iequals(param.name, "client_max_window_bits")) which = 3;
        else throw ValueError("permessage-deflate parameter not offered: " + param.name);
        if (seen[which]) throw ValueError("permessage-deflate parameter given twice: " + param.name);
        seen[which] = true;
        if (which <= 1) {
            if (param.value) throw ValueError(param.name + " takes no value");
            (which == 0 ? p.server_no_context_takeover : p.client_no_context_takeover) = true;
            continue;
        }
        if (!param.value) throw ValueError(param.name + " needs a value in a response");
        auto bits = window_bits(*param.value);
        if (!bits) throw ValueError("invalid " + param.name + ": " + *param.value);
        if (which == 2) {
            if (*bits > offered.server_max_window_bits)
                throw ValueError("server_max_window_bits above the one offered: " + *param.value);
            p.server_max_window_bits = *bits;
        } else {
            p.client_max_window_bits = *bits;
        }
    }
    if (offered.server_no_context_takeover && !p.server_no_context_takeover)
        throw ValueError("server_no_context_takeover was asked for and not accepted");
    if (offered.server_max_window_bits < 15 && !seen[2])
        throw ValueError("server_max_window_bits was asked for and not accepted");
    if (offered.client_no_context_takeover) p.client_no_context_takeover = true;
    return p;
}

}  // namespace aio::ws
