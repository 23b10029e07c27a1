#include "aio/ws/utf8.hpp"

#include <cstring>

namespace aio::ws {

namespace {
// States besides accept (0) and reject (1): how many continuation bytes are still due, and for
// the lead bytes E0, ED, F0 and F4 the narrower range of the first one, which is what rules out
// overlong forms, surrogates and code points over U+10FFFF (RFC 3629 4).
enum : std::uint8_t { need1 = 2, need2, need3, after_e0, after_ed, after_f0, after_f4 };

constexpr std::uint8_t step(std::uint8_t state, unsigned char b) noexcept {
    const bool cont = b >= 0x80 && b <= 0xBF;
    switch (state) {
    case Utf8Validator::accept_state:
        if (b < 0x80) return Utf8Validator::accept_state;
        if (b >= 0xC2 && b <= 0xDF) return need1;
        if (b == 0xE0) return after_e0;
        if (b == 0xED) return after_ed;
        if (b >= 0xE1 && b <= 0xEF) return need2;
        if (b == 0xF0) return after_f0;
        if (b >= 0xF1 && b <= 0xF3) return need3;
        if (b == 0xF4) return after_f4;
        return Utf8Validator::reject_state;
    case need1: return cont ? Utf8Validator::accept_state : Utf8Validator::reject_state;
    case need2: return cont ? need1 : Utf8Validator::reject_state;
    case need3: return cont ? need2 : Utf8Validator::reject_state;
    case after_e0: return b >= 0xA0 && b <= 0xBF ? need1 : Utf8Validator::reject_state;
    case after_ed: return b >= 0x80 && b <= 0x9F ? need1 : Utf8Validator::reject_state;
    case after_f0: return b >= 0x90 && b <= 0xBF ? need2 : Utf8Validator::reject_state;
    case after_f4: return b >= 0x80 && b <= 0x8F ? need2 : Utf8Validator::reject_state;
    default: return Utf8Validator::reject_state;
    }
}

struct Table {
    std::uint8_t next[9][256];
    constexpr Table() : next{} {
        for (unsigned s = 0; s < 9; ++s)
            for (unsigned b = 0; b < 256; ++b) next[s][b] = step(static_cast<std::uint8_t>(s), static_cast<unsigned char>(b));
    }
};
constexpr Table table;
}  // namespace

bool Utf8Validator::feed(std::string_view bytes) noexcept {
    std::uint8_t s = state_;
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
    const auto* end = p + bytes.size();
    while (p < end) {
        if (s == accept_state) {
            // Text is mostly ASCII: skip it 8 bytes at a time.
            while (end - p >= 8) {
                std::uint64_t w;
                std::memcpy(&w, p, 8);
                if (w & 0x8080808080808080ull) break;
                p += 8;
            }
            if (p == end) break;
        }
        s = table.next[s][*p++];
        if (s == reject_state) break;
    }
    state_ = s;
    return s != reject_state;
}

bool is_valid_utf8(std::string_view text) noexcept {
    Utf8Validator v;
    return v.feed(text) && v.complete();
}

}  // namespace aio::ws
