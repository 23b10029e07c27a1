#include "http/url_host.hpp"

#include <arpa/inet.h>

#include <cstdint>

#include "aio/http/url.hpp"
#include "http/url_encoding.hpp"

namespace aio::http::detail {

namespace {

// RFC 3986 3.2.2 reg-name, decoded: what may not appear in a host once escapes are undone.
constexpr ByteSet kForbiddenInHost(std::string_view(" \t\r\n#/?@[]\\<>\"{}|^`%:\x7f", 22));

bool decode_utf8(std::string_view text, std::u32string& out) {
    for (std::size_t i = 0; i < text.size();) {
        const auto b0 = static_cast<unsigned char>(text[i]);
        int extra = 0;
        char32_t cp = 0;
        if (b0 < 0x80) {
            cp = b0;
        } else if ((b0 & 0xe0) == 0xc0) {
            extra = 1;
            cp = b0 & 0x1f;
        } else if ((b0 & 0xf0) == 0xe0) {
            extra = 2;
            cp = b0 & 0x0f;
        } else if ((b0 & 0xf8) == 0xf0) {
            extra = 3;
            cp = b0 & 0x07;
        } else {
            return false;
        }
        if (i + static_cast<std::size_t>(extra) >= text.size()) return false;
        for (int k = 1; k <= extra; ++k) {
            const auto b = static_cast<unsigned char>(text[i + static_cast<std::size_t>(k)]);
            if ((b & 0xc0) != 0x80) return false;
            cp = (cp << 6) | (b & 0x3f);
        }
        // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
        static constexpr char32_t kMin[] = {0, 0x80, 0x800, 0x10000};
        if (cp < kMin[extra] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
        out += cp;
        i += static_cast<std::size_t>(extra) + 1;
    }
    return true;
}

std::uint32_t adapt(std::uint32_t delta, std::uint32_t points, bool first) {
    constexpr std::uint32_t kBase = 36, kTmin = 1, kTmax = 26, kSkew = 38, kDamp = 700;
    delta = first ? delta / kDamp : delta / 2;
    delta += delta / points;
    std::uint32_t k = 0;
    while (delta > ((kBase - kTmin) * kTmax) / 2) {
        delta /= kBase - kTmin;
        k += kBase;
    }
    return k + (kBase - kTmin + 1) * delta / (delta + kSkew);
}

char punycode_digit(std::uint32_t d) {
    return static_cast<char>(d < 26 ? 'a' + d : '0' + (d - 26));
}

}  // namespace

bool punycode_encode(const std::u32string& label, std::string& out) {
    constexpr std::uint32_t kBase = 36, kTmin = 1, kTmax = 26;
    constexpr std::uint32_t kMax = 0xffffffffu;
    std::uint32_t n = 128, delta = 0, bias = 72;
    std::uint32_t handled = 0;
    for (char32_t c : label) {
        if (c < 0x80) {
            out += static_cast<char>(c);
            ++handled;
        }
    }
    const std::uint32_t basic = handled;
    if (basic > 0) out += '-';
    const auto total = static_cast<std::uint32_t>(label.size());
    while (handled < total) {
        std::uint32_t m = kMax;
        for (char32_t c : label) {
            if (c >= n && c < m) m = c;
        }
        if (m - n > (kMax - delta) / (handled + 1)) return false;
        delta += (m - n) * (handled + 1);
        n = m;
        for (char32_t c : label) {
            if (c < n && ++delta == 0) return false;
            if (c != n) continue;
            std::uint32_t q = delta;
            for (std::uint32_t k = kBase;; k += kBase) {
                const std::uint32_t t = k <= bias ? kTmin : (k >= bias + kTmax ? kTmax : k - bias);
                if (q < t) break;
                out += punycode_digit(t + (q - t) % (kBase - t));
                q = (q - t) / (kBase - t);
            }
            out += punycode_digit(q);
            bias = adapt(delta, handled + 1, handled == basic);
            delta = 0;
            ++handled;
        }
        ++delta;
        ++n;
    }
    return true;
}

bool punycode_decode(std::string_view text, std::u32string& out) {
    constexpr std::uint32_t kBase = 36, kTmin = 1, kTmax = 26;
    constexpr std::uint32_t kMax = 0xffffffffu;
    const auto dash = text.rfind('-');
    std::size_t in = 0;
    if (dash != std::string_view::npos) {
        for (std::size_t k = 0; k < dash; ++k) {
            if (static_cast<unsigned char>(text[k]) >= 0x80) return false;
            out += static_cast<char32_t>(text[k]);
        }
        in = dash + 1;
    }
    std::uint32_t n = 128, i = 0, bias = 72;
    while (in < text.size()) {
        const std::uint32_t old_i = i;
        std::uint32_t w = 1;
        for (std::uint32_t k = kBase;; k += kBase) {
            if (in >= text.size()) return false;
            const char c = text[in++];
            std::uint32_t digit = 0;
            if (c >= 'a' && c <= 'z') {
                digit = static_cast<std::uint32_t>(c - 'a');
            } else if (c >= 'A' && c <= 'Z') {
                digit = static_cast<std::uint32_t>(c - 'A');
            } else if (c >= '0' && c <= '9') {
                digit = static_cast<std::uint32_t>(c - '0') + 26;
            } else {
                return false;
            }
            if (digit > (kMax - i) / w) return false;
            i += digit * w;
            const std::uint32_t t = k <= bias ? kTmin : (k >= bias + kTmax ? kTmax : k - bias);
            if (digit < t) break;
            if (w > kMax / (kBase - t)) return false;
            w *= kBase - t;
        }
        const auto points = static_cast<std::uint32_t>(out.size()) + 1;
        bias = adapt(i - old_i, points, old_i == 0);
        if (i / points > kMax - n) return false;
        n += i / points;
        i %= points;
        if (n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff)) return false;
        out.insert(out.begin() + i, static_cast<char32_t>(n));
        ++i;
    }
    return true;
}

namespace {

void append_utf8(std::string& out, char32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xc0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xe0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
        out += static_cast<char>(0x80 | (cp & 0x3f));
    } else {
        out += static_cast<char>(0xf0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
        out += static_cast<char>(0x80 | (cp & 0x3f));
    }
}

}  // namespace

std::string host_for_humans(std::string_view host) {
    std::string out;
    std::size_t start = 0;
    for (;;) {
        auto dot = host.find('.', start);
        if (dot == std::string_view::npos) dot = host.size();
        const auto label = host.substr(start, dot - start);
        std::u32string points;
        if (label.starts_with("xn--") && punycode_decode(label.substr(4), points)) {
            for (char32_t c : points) append_utf8(out, c);
        } else {
            out += label;
        }
        if (dot == host.size()) break;
        out += '.';
        start = dot + 1;
    }
    return out;
}

std::string normalize_reg_name(std::string_view raw, std::string_view url) {
    std::string decoded;
    decoded.reserve(raw.size());
    bool ascii = true;
    for (std::size_t i = 0; i < raw.size(); ++i) {
        char c = raw[i];
        if (c == '%') {
            const int byte = escape_at(raw, i);
            if (byte < 0) throw InvalidURL(std::string(url), "bad percent-escape in the host");
            c = static_cast<char>(byte);
            i += 2;
        }
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || kForbiddenInHost[c]) {
            throw InvalidURL(std::string(url),
                             u <= 0x20 || u == 0x7f
                                 ? "the host holds a space or control character"
                                 : "the host holds a character not allowed there");
        }
        if (u >= 0x80) ascii = false;
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        decoded += c;
    }
    if (ascii) return decoded;

    // IDNA (RFC 5891) as far as it goes without Unicode tables: each label holding non-ASCII is
    // written as punycode. No case folding or normalisation of non-ASCII letters is done.
    std::string out;
    std::size_t start = 0;
    while (start <= decoded.size()) {
        auto dot = decoded.find('.', start);
        if (dot == std::string::npos) dot = decoded.size();
        const std::string_view label(decoded.data() + start, dot - start);
        std::u32string points;
        if (!decode_utf8(label, points))
            throw InvalidURL(std::string(url), "the host is not UTF-8");
        bool label_ascii = true;
        for (char32_t c : points) label_ascii = label_ascii && c < 0x80;
        if (label_ascii) {
            out += label;
        } else {
            out += "xn--";
            if (!punycode_encode(points, out)) {
                throw InvalidURL(std::string(url), "a host label is too long");
            }
        }
        if (dot == decoded.size()) break;
        out += '.';
        start = dot + 1;
    }
    return out;
}

std::string normalize_ipv6(std::string_view inside, std::string_view url) {
    std::string_view address = inside;
    std::string zone;
    if (const auto pct = inside.find('%'); pct != std::string_view::npos) {
        address = inside.substr(0, pct);
        auto zone_text = inside.substr(pct);
        zone_text.remove_prefix(zone_text.substr(0, 3) == "%25" ? 3 : 1);
        if (zone_text.empty()) throw InvalidURL(std::string(url), "empty IPv6 zone");
        zone = unquote(zone_text);
        for (char c : zone) {
            if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f || c == ']' || c == '[') {
                throw InvalidURL(std::string(url), "bad IPv6 zone");
            }
        }
    }
    std::string text(address);
    in6_addr bytes{};
    if (text.empty() || inet_pton(AF_INET6, text.c_str(), &bytes) != 1) {
        throw InvalidURL(std::string(url), "'" + text + "' is not a valid IPv6 address");
    }
    char canonical[INET6_ADDRSTRLEN] = {};
    inet_ntop(AF_INET6, &bytes, canonical, sizeof canonical);
    std::string out(canonical);
    if (!zone.empty()) {
        out += '%';
        out += zone;
    }
    return out;
}

}  // namespace aio::http::detail
