#pragma once
// The host part of a URL: validation and normalisation (RFC 3986 3.2.2, IDNA labels).

#include <string>
#include <string_view>

namespace aio::http::detail {

/// A reg-name or IPv4 address as written (may hold `%XX` and UTF-8) -> the host to store: decoded,
/// ASCII lower-cased, labels with non-ASCII letters as punycode (`xn--`). Throws InvalidURL naming
/// `url` for spaces, controls, delimiters or broken UTF-8.
std::string normalize_reg_name(std::string_view raw, std::string_view url);

/// The text between `[` and `]` -> the address in its canonical form (RFC 5952: lower-case,
/// zeros compressed), a zone (RFC 6874, `%25eth0`) kept as `%eth0`. Throws InvalidURL.
std::string normalize_ipv6(std::string_view inside, std::string_view url);

/// RFC 3492 encoding of one label's code points (without the `xn--` prefix); false on overflow.
bool punycode_encode(const std::u32string& label, std::string& out);

/// RFC 3492 decoding of a label's text after `xn--`; false when it is not valid punycode.
bool punycode_decode(std::string_view text, std::u32string& out);

/// `host` with its `xn--` labels shown as UTF-8, for people (labels that do not decode stay).
std::string host_for_humans(std::string_view host);

}  // namespace aio::http::detail
