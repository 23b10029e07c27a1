#pragma once
// Byte classes of RFC 9110 / RFC 9112, as tables: the head scan asks one of these per byte.

#include <array>
#include <cstdint>
#include <cstring>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace aio::http::detail {

enum CharClass : std::uint8_t {
    tchar = 1,        // token (RFC 9110 5.6.2)
    field_char = 2,   // field-vchar, SP, HTAB (RFC 9110 5.5): VCHAR and obs-text
    target_char = 4,  // the request-target's bytes (RFC 3986 pchar, "/", "?", "[", "]", "%")
    hex_digit = 8,
    reason_char = 16,  // reason-phrase: HTAB, SP, VCHAR, obs-text
};

constexpr std::array<std::uint8_t, 256> make_char_classes() {
    std::array<std::uint8_t, 256> t{};
    for (int c = 0; c < 256; ++c) {
        std::uint8_t k = 0;
        const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        const bool digit = c >= '0' && c <= '9';
        if (alpha || digit ||
            std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) !=
                std::string_view::npos)
            k |= tchar;
        if ((c >= 0x21 && c <= 0x7e) || c >= 0x80 || c == ' ' || c == '\t')
            k |= field_char | reason_char;
        if (alpha || digit ||
            std::string_view("-._~!$&'()*+,;=:@/?%[]").find(static_cast<char>(c)) !=
                std::string_view::npos)
            k |= target_char;
        if (digit || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')) k |= hex_digit;
        t[static_cast<std::size_t>(c)] = k;
    }
    return t;
}

inline constexpr std::array<std::uint8_t, 256> char_classes = make_char_classes();

constexpr bool is(char c, CharClass k) noexcept {
    return (char_classes[static_cast<unsigned char>(c)] & k) != 0;
}
constexpr bool is_ws(char c) noexcept { return c == ' ' || c == '\t'; }
constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

/// Whether every byte of `s` is a field-value byte (field-vchar, SP, HTAB). Values are most of a
/// head's bytes, so this one check runs 16 bytes at a time where SSE2 is there (every x86-64):
/// a byte is refused if it is below 0x20 and not HTAB, or is DEL.
inline bool all_field_chars(std::string_view s) noexcept {
    std::size_t i = 0;
#if defined(__SSE2__)
    const __m128i space = _mm_set1_epi8(0x20);
    const __m128i tab = _mm_set1_epi8('\t');
    const __m128i del = _mm_set1_epi8(0x7f);
    for (; i + 16 <= s.size(); i += 16) {
        __m128i v;
        std::memcpy(&v, s.data() + i, sizeof v);
        const __m128i printable = _mm_cmpeq_epi8(_mm_max_epu8(v, space), v);  // v >= 0x20, unsigned
        const __m128i ok = _mm_andnot_si128(_mm_cmpeq_epi8(v, del),
                                            _mm_or_si128(printable, _mm_cmpeq_epi8(v, tab)));
        if (_mm_movemask_epi8(ok) != 0xffff) return false;
    }
#endif
    for (; i < s.size(); ++i) {
        if (!is(s[i], field_char)) return false;
    }
    return true;
}

constexpr std::string_view trim_ows(std::string_view s) noexcept {
    while (!s.empty() && is_ws(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_ws(s.back())) s.remove_suffix(1);
    return s;
}

}  // namespace aio::http::detail
