#pragma once
/// UTF-8 validation (RFC 3629), incremental: a text message is checked as its bytes arrive, across
/// frames and reads, and fails at its first bad byte. Overlong forms, surrogates (U+D800-U+DFFF),
/// code points over U+10FFFF and stray continuation bytes are refused; a sequence cut by the end of
/// the message is refused by `complete()`.
///
/// ```
/// aio::ws::Utf8Validator v;
/// if (!v.feed(part1) || !v.feed(part2) || !v.complete()) fail(1007);
/// ```

#include <cstdint>
#include <string_view>

namespace aio::ws {

class Utf8Validator {
public:
    /// Checks the next bytes of the text. False once an invalid byte is seen (and from then on):
    /// the text cannot become valid by what follows. ASCII runs are skipped 8 bytes at a time.
    bool feed(std::string_view bytes) noexcept;
    /// Whether the text so far is valid and ends on a code point boundary (no truncated sequence).
    bool complete() const noexcept { return state_ == accept_state; }
    /// Whether no invalid byte has been seen (the text may still end inside a sequence).
    bool ok() const noexcept { return state_ != reject_state; }
    /// Forgets the text, for the next message.
    void reset() noexcept { state_ = accept_state; }

    static constexpr std::uint8_t accept_state = 0;
    static constexpr std::uint8_t reject_state = 1;

private:
    std::uint8_t state_ = accept_state;
};

/// Whether `text` is valid UTF-8 as a whole.
bool is_valid_utf8(std::string_view text) noexcept;

}  // namespace aio::ws
