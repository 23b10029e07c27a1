#pragma once
/// The HTTP/1.1 message parser (RFC 9112): strict, incremental and zero-copy. The server and the
/// client parse in place from their read buffer; nothing is copied per field.
///
/// A head (request line or status line, then the header section) is parsed by RequestParser or
/// ResponseParser from the start of a buffer. Call parse() again with the grown buffer each time
/// more bytes arrive: the scan resumes where it stopped, so a head that trickles in byte by byte
/// costs linear time. Once it says `complete`, head() holds views into that buffer, valid while
/// its bytes `[0, head_size())` stay where they are, and the body starts at `head_size()`.
///
/// ```
/// aio::http::RequestParser parser;
/// switch (parser.parse(buffer)) {
/// case aio::http::ParseStatus::incomplete: break;          // read more, parse again
/// case aio::http::ParseStatus::error: answer(aio::http::status_of(parser.error())); break;
/// case aio::http::ParseStatus::complete: {
///     const aio::http::RequestHead& head = parser.head();  // method, target, headers
///     aio::http::BodyDecoder body(head);                    // decode() from head_size() on
///     break;
/// }
/// }
/// ```
///
/// The body is framed by BodyDecoder (Content-Length, chunked, or until the connection closes),
/// which hands out the body's bytes as views into the caller's buffer: a chunked body is decoded
/// in place, chunk by chunk, with no copy.
///
/// What is refused, and with which status, is listed in docs/http.md: the rules of RFC 9112 and
/// RFC 9110 that stop request smuggling (Content-Length with Transfer-Encoding, differing
/// Content-Lengths, a bare CR, obs-fold, whitespace before a colon, ...) and the size limits.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace aio::http {

namespace detail {
/// A field found by the scan, as offsets: the buffer may move between two parse() calls, so
/// views are made only once the head is complete. `unfolded`: the value lives in the parser's
/// unfold storage (a folded response field), not in the buffer.
struct FieldSpan {
    std::uint32_t name_at = 0;
    std::uint32_t name_size = 0;
    std::uint32_t value_at = 0;
    std::uint32_t value_size = 0;
    bool unfolded = false;
};
/// The start line's parts, as offsets into the buffer.
struct StartLine {
    std::uint32_t method_at = 0, method_size = 0;  // or the reason phrase of a status line
    std::uint32_t target_at = 0, target_size = 0;
    int version_major = 1;
    int version_minor = 1;
    int status = 0;
};
/// Where the line scan of a head stands. Invariant: every line before `line_start` has been
/// validated once, and no LF lies in `[line_start, searched)`; so each byte is looked at a
/// bounded number of times however the head is split across parse() calls.
struct HeadScan {
    enum class Phase : std::uint8_t { leading, start_line, fields, done };
    Phase phase = Phase::leading;
    bool response = false;
    std::size_t line_start = 0;
    std::size_t searched = 0;
    std::size_t leading = 0;      // bytes of empty lines before the start line
    std::size_t field_bytes = 0;  // bytes of the field lines so far, CRLFs included
    StartLine start;
    std::vector<FieldSpan> fields;
    std::vector<char> unfolded;
};
}  // namespace detail

/// Why a message was refused. status_of() gives the status a server answers with; name() the
/// identifier that `http_parse` prints and the corpus expects.
enum class ParseError : std::uint8_t {
    none,
    // The start line.
    bad_method,             ///< not a token, or empty (400)
    bad_target,             ///< empty, or a byte outside the request-target grammar (400)
    bad_version,            ///< not `HTTP/<digit>.<digit>` (400)
    unsupported_version,    ///< a well-formed version other than 1.0 or 1.x (505)
    bad_request_line,       ///< wrong separators or line ending (400)
    bad_status_line,        ///< a response's status line is malformed (the client's error)
    bad_status,             ///< not three digits (the client's error)
    request_line_too_long,  ///< over ParserLimits::max_start_line (414)
    // The header section.
    bad_header_name,     ///< empty, or not a token (400)
    space_before_colon,  ///< whitespace between the field name and the colon (400)
    bad_header_value,    ///< a byte that field-value does not allow, or a Host that is not uri-host
                         ///< [":" port] (400)
    obs_fold,            ///< a line folded onto the previous one; refused in requests (400)
    bare_cr,             ///< a CR not followed by LF, anywhere in the head (400)
    bad_line_ending,     ///< a bare LF where CRLF is required in the head (400)
    headers_too_large,   ///< the header section over ParserLimits::max_header_bytes (431)
    too_many_headers,    ///< more than ParserLimits::max_headers fields (431)
    missing_host,        ///< an HTTP/1.1 request without Host (400)
    duplicate_host,      ///< Host given more than once (400)
    // Framing.
    bad_content_length,          ///< not 1*DIGIT, a sign, inner spaces, or an overflow (400)
    conflicting_content_length,  ///< several Content-Length values that differ (400)
    content_length_and_chunked,  ///< Transfer-Encoding and Content-Length together (400)
    bad_transfer_encoding,  ///< a coding after chunked, chunked twice, or (request) last coding not
                            ///< chunked (400)
    unknown_transfer_coding,  ///< a request's coding other than chunked, gzip, deflate, compress
                              ///< (501)
    // The chunked body.
    bad_chunk_size,       ///< not hex, or overflows 64 bits (400)
    bad_chunk_extension,  ///< malformed, or over ParserLimits::max_chunk_extension (400)
    bad_chunk_end,        ///< chunk data not followed by CRLF (400)
    bad_trailer,          ///< a malformed trailer field (400)
    trailers_too_large,   ///< trailer section over ParserLimits::max_header_bytes (431)
    // The body as a whole.
    body_too_large,  ///< over the decoder's max_body_size (413)
    truncated_body,  ///< the connection ended inside a Content-Length or chunked body
};

/// The status a server answers `e` with: 400, 413, 414, 431, 501 or 505 (0 for `none`).
int status_of(ParseError e) noexcept;
/// The enumerator's name: "bad_content_length", ...
std::string_view name(ParseError e) noexcept;

/// The limits, each configurable; the defaults are aiohttp's and the issue's.
struct ParserLimits {
    /// request line / status line, leading empty lines included -> 414
    std::size_t max_start_line = 8 * 1024;
    std::size_t max_header_bytes = 8 * 1024;  ///< the header section (and the trailers) -> 431
    std::size_t max_headers = 100;            ///< fields in the header section -> 431
    std::size_t max_chunk_extension = 1024;   ///< one chunk's extensions -> bad_chunk_extension
};

/// One field, as views into the parsed buffer. `value` has no leading or trailing whitespace.
struct HeaderField {
    std::string_view name;
    std::string_view value;
};

/// How the body after a head is delimited (RFC 9112 6.3).
enum class BodyKind : std::uint8_t {
    none,     ///< no body (a request without Content-Length/Transfer-Encoding, HEAD, 1xx, 204, 304)
    length,   ///< Content-Length bytes (0 included)
    chunked,  ///< Transfer-Encoding: chunked
    until_close,  ///< a response without framing: the body ends when the connection closes
};

/// What a request head and a response head share.
struct MessageHead {
    int version_major = 1;
    int version_minor = 1;
    std::span<const HeaderField> headers;  ///< in wire order
    BodyKind body = BodyKind::none;
    std::uint64_t content_length = 0;  ///< for BodyKind::length
    /// The connection may carry another message after this one (RFC 9112 9.3: HTTP/1.1 unless
    /// `Connection: close`; HTTP/1.0 only with `Connection: keep-alive`; never after until_close).
    bool keep_alive = true;
    /// The first value of a field, case-insensitively; empty if absent.
    std::string_view header(std::string_view name) const noexcept;
    /// Whether a field is present.
    bool has_header(std::string_view name) const noexcept;
};

struct RequestHead : MessageHead {
    std::string_view method;
    std::string_view target;
    /// `Connection: upgrade` with an `Upgrade` field, or a CONNECT: the bytes after the head belong
    /// to the new protocol, not to HTTP (the caller takes the connection over).
    bool upgrade = false;
    /// `Expect: 100-continue` on HTTP/1.1.
    bool expect_continue = false;
};

struct ResponseHead : MessageHead {
    int status = 0;
    std::string_view reason;
    /// 101 Switching Protocols, or a 2xx answer to CONNECT.
    bool upgrade = false;
};

enum class ParseStatus : std::uint8_t { complete, incomplete, error };

/// Parses request heads. One parser per connection; reset() before the next message.
class RequestParser {
public:
    explicit RequestParser(ParserLimits limits = {});

    /// Parses the head at the start of `buffer` (the same bytes as the previous call plus any
    /// that arrived since). Leading empty lines before a request line are skipped (RFC 9112 2.2).
    ParseStatus parse(std::string_view buffer);
    /// After `complete`: the head, with views into the buffer last passed to parse().
    const RequestHead& head() const noexcept { return head_; }
    /// After `complete`: the bytes the head took, leading empty lines included.
    std::size_t head_size() const noexcept { return head_size_; }
    /// After `error`: why.
    ParseError error() const noexcept { return error_; }
    /// Forgets the last message, for the next one on the connection.
    void reset() noexcept;
    /// After the caller copied the `size` bytes at `from` to `to`: the head's views into them now
    /// point into the copy (views elsewhere, e.g. unfolded values, stay).
    void relocate(const char* from, std::size_t size, const char* to) noexcept;
    const ParserLimits& limits() const noexcept { return limits_; }

private:
    ParserLimits limits_;
    RequestHead head_;
    std::vector<HeaderField> fields_;
    detail::HeadScan scan_;
    std::size_t head_size_ = 0;
    ParseError error_ = ParseError::none;
};

/// Parses response heads. The body's framing depends on the request (HEAD, CONNECT), so parse()
/// takes its method.
class ResponseParser {
public:
    explicit ResponseParser(ParserLimits limits = {});

    /// As RequestParser::parse(), without the request-only rules (Host; a last coding other than
    /// chunked frames the body until close). `request_method` is the method of the request this
    /// answers.
    /// Obs-fold in a response is accepted and unfolded into one space (RFC 9112 5.2), since a
    /// client cannot refuse it; the folded value is then no longer a view of the wire bytes but
    /// of the parser's own storage, valid as long as the head.
    ParseStatus parse(std::string_view buffer, std::string_view request_method = "GET");
    const ResponseHead& head() const noexcept { return head_; }
    std::size_t head_size() const noexcept { return head_size_; }
    ParseError error() const noexcept { return error_; }
    void reset() noexcept;
    const ParserLimits& limits() const noexcept { return limits_; }

private:
    ParserLimits limits_;
    ResponseHead head_;
    std::vector<HeaderField> fields_;
    detail::HeadScan scan_;
    std::size_t head_size_ = 0;
    ParseError error_ = ParseError::none;
};

/// Frames a body and hands out its bytes in place. Feed it the bytes after the head, then each
/// time more arrive: decode() consumes framing (chunk sizes, extensions, CRLFs, trailers) and
/// returns the next piece of body data as a view into `input`.
///
/// ```
/// aio::http::BodyDecoder body(parser.head(), {.max_body_size = 1 << 20});
/// while (!body.done()) {
///     auto step = body.decode(buffered);          // buffered: the unconsumed bytes
///     if (body.failed()) return status_of(body.error());
///     consume(step.consumed);                     // framing and data, both
///     if (!step.data.empty()) sink(step.data);    // a view into `buffered`
///     if (step.consumed == 0 && !body.done()) co_await read_more();
/// }
/// ```
class BodyDecoder {
public:
    struct Options {
        /// 0: no limit. Over it: error body_too_large, raised as soon as a Content-Length or a
        /// chunk size announces more, before the bytes arrive.
        std::uint64_t max_body_size = 0;
        ParserLimits limits = {};
    };
    struct Step {
        std::size_t consumed = 0;  ///< bytes of `input` used, data and framing both
        std::string_view data;     ///< body bytes, a view into `input` (may be empty)
    };

    /// A decoder for an empty body (done at once).
    BodyDecoder() noexcept = default;
    BodyDecoder(BodyKind kind, std::uint64_t content_length, Options options);
    explicit BodyDecoder(const MessageHead& head) : BodyDecoder(head, Options{}) {}
    BodyDecoder(const MessageHead& head, Options options)
        : BodyDecoder(head.body, head.content_length, options) {}

    /// Decodes from the start of `input`. Returns at most one piece of data; call again while
    /// `consumed` is not 0 and the body is not done. `consumed == 0` means more input is needed.
    Step decode(std::string_view input);
    /// The connection closed: ends an until_close body; any other unfinished body fails with
    /// truncated_body.
    void finish_eof() noexcept;

    bool done() const noexcept { return state_ == State::done; }
    bool failed() const noexcept { return error_ != ParseError::none; }
    ParseError error() const noexcept { return error_; }
    BodyKind kind() const noexcept { return kind_; }
    /// Body bytes handed out so far.
    std::uint64_t received() const noexcept { return received_; }

private:
    // The chunk-size line is read byte by byte (its state survives a split anywhere); chunk data
    // is handed out in bulk; a trailer line is validated once it is whole (trailer_line_ says how
    // far the search for its LF got, so a trickling trailer is not rescanned).
    enum class State : std::uint8_t {
        done,
        data,
        chunk_size,
        chunk_ext,
        chunk_size_lf,
        chunk_data,
        chunk_data_cr,
        chunk_data_lf,
        trailers,
        failed
    };
    enum class Ext : std::uint8_t {
        before_semi,
        name_start,
        name,
        after_name,
        value_start,
        token,
        quoted,
        escape,
        after_value
    };
    Step fail(ParseError e, std::size_t consumed) noexcept;
    std::size_t decode_size_line(std::string_view input, std::size_t at);
    std::size_t decode_trailers(std::string_view input, std::size_t at);

    BodyKind kind_ = BodyKind::none;
    State state_ = State::done;
    ParseError error_ = ParseError::none;
    Options options_{};
    std::uint64_t remaining_ = 0;
    std::uint64_t received_ = 0;
    std::size_t ext_bytes_ = 0;
    std::size_t trailer_bytes_ = 0;
    std::size_t trailer_line_ = 0;
    std::size_t size_digits_ = 0;
    Ext ext_ = Ext::before_semi;
};

}  // namespace aio::http
