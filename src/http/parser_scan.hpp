#pragma once
// The line scan both head parsers share, and what they do with a complete head.

#include "aio/http/parser.hpp"

namespace aio::http::detail {

/// Advances the scan over `buffer` (the whole head so far). Returns `complete` with `head_size`
/// set once the empty line ending the header section is read; `error` with `error` set at the
/// first refused byte or exceeded limit. Only complete lines are validated, and the size limits
/// are checked on a line before its contents, so the outcome does not depend on how the bytes
/// were split across calls.
ParseStatus scan_head(HeadScan& scan, std::string_view buffer, const ParserLimits& limits,
                      std::size_t& head_size, ParseError& error);

ParseError parse_request_line(std::string_view line, std::size_t at, StartLine& out);
ParseError parse_status_line(std::string_view line, std::size_t at, StartLine& out);

/// The views of a complete head's fields, made from the scan's offsets into `buffer`.
void make_fields(const HeadScan& scan, std::string_view buffer, std::vector<HeaderField>& fields);

/// What the framing fields of a head say (RFC 9112 6, 7; RFC 9110 8.6, 7.6.1).
struct Framing {
    ParseError error = ParseError::none;
    bool has_length = false;
    std::uint64_t length = 0;
    bool has_transfer_encoding = false;
    bool chunked = false;  // chunked is the last (and only final) coding
    bool unknown_coding = false;
    bool connection_close = false;
    bool connection_keep_alive = false;
    bool connection_upgrade = false;
    bool has_upgrade = false;
    std::size_t hosts = 0;
    bool bad_host = false;  // a Host value that is not uri-host [":" port]
    bool expect_continue = false;
};
Framing read_framing(std::span<const HeaderField> fields) noexcept;

}  // namespace aio::http::detail
