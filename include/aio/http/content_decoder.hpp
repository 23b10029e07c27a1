#pragma once
/// Content-Encoding: streaming zlib decoders and encoders for `gzip`, `deflate` and `identity`,
/// and raw deflate with sync flushes for WebSocket permessage-deflate (RFC 7692).
///
/// ```
/// aio::http::ContentDecoder decoder(aio::http::ContentCoding::gzip, 8 << 20);
/// std::string body;
/// decoder.feed(piece1, body);   // appends what piece1 decodes to
/// decoder.feed(piece2, body);
/// decoder.finish();             // ContentEncodingError if the stream stopped short
///
/// aio::http::ContentEncoder encoder(aio::http::ContentCoding::gzip);
/// std::string wire;
/// encoder.compress("hello ", wire);
/// encoder.compress("world", wire);
/// encoder.finish(wire);
/// ```
/// The decoder never inflates past its limit: once the output would exceed `max_size` it throws
/// DecompressionLimitError, having produced at most one byte more, so a small "zip bomb" costs
/// no more memory than the limit allows.

#include <cstddef>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "aio/core/exceptions.hpp"

namespace aio::http {

/// A body that cannot be decoded: corrupt or truncated compressed data, data after the end of
/// the stream (aiohttp's ContentEncodingError, a 400 for a server).
class ContentEncodingError : public ValueError {
public:
    using ValueError::ValueError;
};

/// The decoded body would pass the decoder's `max_size`: decoding stops there.
class DecompressionLimitError : public ContentEncodingError {
public:
    using ContentEncodingError::ContentEncodingError;
};

enum class ContentCoding {
    identity,
    gzip,
    /// RFC 9110's `deflate`: a zlib stream (RFC 1950). The decoder also takes raw deflate here,
    /// as browsers do for servers that send it; the encoder writes zlib.
    deflate,
    /// Raw deflate (RFC 1951) with no header or checksum: permessage-deflate's format.
    raw_deflate,
};

/// The coding a Content-Encoding or Transfer-Encoding token names, in any case: `gzip` and
/// `x-gzip`, `deflate`, `identity`. nullopt for codings without a decoder here (`br`, `zstd`,
/// `compress`).
std::optional<ContentCoding> content_coding_from_name(std::string_view name) noexcept;

/// Decodes one stream fed in pieces of any size; output comes out as soon as zlib yields it.
/// A `gzip` stream may hold several members one after another (RFC 1952 2.2); all are decoded.
class ContentDecoder {
public:
    static constexpr std::size_t kDefaultMaxSize = std::size_t{64} << 20;
    static constexpr std::size_t kUnlimited = std::numeric_limits<std::size_t>::max();

    /// `max_size` caps the decoded bytes (all `feed` calls together, until `restart_count`).
    /// `window_bits` (8-15) is for `raw_deflate`: the peer's negotiated window.
    explicit ContentDecoder(ContentCoding coding, std::size_t max_size = kDefaultMaxSize,
                            int window_bits = 15);
    ~ContentDecoder();
    ContentDecoder(ContentDecoder&&) noexcept;
    ContentDecoder& operator=(ContentDecoder&&) noexcept;

    /// Decodes `input`, appending the bytes it yields to `out`.
    /// Throws ContentEncodingError on corrupt data or data after the end of a `deflate` stream,
    /// DecompressionLimitError once the output would pass `max_size` (what was appended to `out`
    /// stays; the decoder is unusable after either).
    void feed(std::string_view input, std::string& out);
    std::string feed(std::string_view input);
    /// The input has ended. Throws ContentEncodingError when the stream is incomplete (a
    /// truncated body). No input at all is an empty body, not an error.
    void finish();
    /// Forgets the stream (a new one follows): permessage-deflate without context takeover.
    void reset();
    /// Starts counting toward `max_size` again, keeping the stream: the next WebSocket message.
    void restart_count() noexcept;

    ContentCoding coding() const noexcept;
    /// Decoded bytes counted toward the limit so far.
    std::size_t output_size() const noexcept;
    /// A whole stream (the last gzip member, or the final deflate block) has been read.
    bool eof() const noexcept;

private:
    struct State;
    std::unique_ptr<State> state_;
};

/// Compresses one stream fed in pieces: `compress` as data comes, `flush` to make everything so
/// far decodable (a sync flush: the output ends `00 00 ff ff`, which permessage-deflate strips),
/// `finish` to end the stream.
class ContentEncoder {
public:
    /// `level` 0-9, or -1 for zlib's default (6). `window_bits` 9-15.
    /// Throws ValueError for others: zlib cannot write a window of 8 bits, so a permessage-deflate
    /// offer of 8 has to be declined or answered with 9.
    explicit ContentEncoder(ContentCoding coding, int level = -1, int window_bits = 15);
    ~ContentEncoder();
    ContentEncoder(ContentEncoder&&) noexcept;
    ContentEncoder& operator=(ContentEncoder&&) noexcept;

    /// Appends to `out` what zlib has ready after taking `input` (possibly nothing yet).
    void compress(std::string_view input, std::string& out);
    /// Appends everything pending, ending at a byte boundary (Z_SYNC_FLUSH).
    void flush(std::string& out);
    /// Appends the end of the stream (and the gzip trailer). Then only `reset` is allowed.
    void finish(std::string& out);
    /// Starts a new stream (permessage-deflate without context takeover).
    void reset();

    ContentCoding coding() const noexcept;

private:
    struct State;
    std::unique_ptr<State> state_;
};

}  // namespace aio::http
