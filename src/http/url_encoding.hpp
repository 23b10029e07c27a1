#pragma once
// Percent-encoding shared by the URL parser, the builders and quote()/urlencode().

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace aio::http::detail {

/// A set of bytes as a 256-entry table, built at compile time from a list of characters.
class ByteSet {
public:
    constexpr ByteSet() = default;
    constexpr ByteSet(std::string_view chars) {  // NOLINT: implicit from a literal reads well
        for (char c : chars) bits_[static_cast<unsigned char>(c)] = true;
    }
    constexpr bool operator[](char c) const noexcept {
        return bits_[static_cast<unsigned char>(c)];
    }
    constexpr ByteSet operator|(const ByteSet& other) const noexcept {
        ByteSet out;
        for (std::size_t i = 0; i < bits_.size(); ++i) out.bits_[i] = bits_[i] || other.bits_[i];
        return out;
    }

private:
    std::array<bool, 256> bits_{};
};

inline constexpr ByteSet kUnreserved(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~");
inline constexpr ByteSet kSubDelims("!$&'()*+,;=");
/// RFC 3986 3.3: pchar and "/".
inline constexpr ByteSet kPathChars = kUnreserved | kSubDelims | ByteSet(":@/");
/// RFC 3986 3.4 and 3.5: pchar, "/" and "?".
inline constexpr ByteSet kQueryChars = kPathChars | ByteSet("?");
/// What a user name may hold unencoded in the authority (no ":", which ends it).
inline constexpr ByteSet kUserChars = kUnreserved | kSubDelims;
inline constexpr ByteSet kPasswordChars = kUserChars | ByteSet(":");

int hex_value(char c) noexcept;
/// The byte the `%XX` escape at `text[i]` names, or -1 when it is not a valid escape.
int escape_at(std::string_view text, std::size_t i) noexcept;
void append_escape(std::string& out, unsigned char byte);

/// Re-encodes text taken from a URL: bytes in `allowed` stay, a valid `%XX` stays (hex upper-cased,
/// or decoded when it names an unreserved byte, RFC 3986 6.2.2), a lone `%` becomes `%25`, a space
/// becomes `+` when `space_as_plus`, anything else is escaped.
std::string requote(std::string_view text, const ByteSet& allowed, bool space_as_plus = false);

/// Escapes every byte outside `allowed`, `%` included (the input is decoded text).
std::string encode(std::string_view text, const ByteSet& allowed, bool space_as_plus = false);

}  // namespace aio::http::detail
