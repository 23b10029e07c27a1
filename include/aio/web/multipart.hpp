#pragma once
/// Reading a multipart body part by part (aiohttp's `await request.multipart()`, its
/// MultipartReader and BodyPartReader; RFC 2046 5.1 and RFC 7578): each part's headers, then its
/// bytes as a stream, never the whole body in memory.
///
/// ```
/// aio::Coro<aio::http::Response> upload(aio::http::Request& req) {
///     aio::web::MultipartReader reader(req);
///     std::uint64_t total = 0;
///     while (aio::web::BodyPartReader* part = co_await reader.next()) {
///         for (;;) {
///             std::string chunk = co_await part->read_chunk();
///             if (chunk.empty()) break;
///             total += chunk.size();
///         }
///     }
///     co_return aio::http::Response(std::to_string(total));
/// }
/// ```
///
/// Errors are http::HTTPException, which the server answers with their status: 400 for a
/// Content-Type that is not multipart or has no valid boundary, a malformed boundary line or part
/// head, or a body that ends before the final boundary; 413 for more parts than `max_parts` or a
/// part head over `max_header_size`. A part that is itself multipart (multipart/mixed inside
/// form-data, RFC 7578 4.3 deprecates it) is read as an opaque part: its bytes, not its parts.
///
/// Cancel safety: a cancelled next() or read_chunk() loses no bytes of the body: the next call
/// goes on where it stopped.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "aio/core/coro.hpp"
#include "aio/http/headers.hpp"
#include "aio/http/request.hpp"

namespace aio::web {

/// The bounds of one multipart body. Trivially destructible.
struct MultipartLimits {
    /// Parts in the body; one more: HTTPException(413).
    std::size_t max_parts = 1000;
    /// The bytes of one part's head (its header lines); over: HTTPException(413).
    std::size_t max_header_size = 8 * 1024;
    /// Header lines in one part's head; over: HTTPException(413).
    std::size_t max_headers = 32;
};

/// A parsed Content-Disposition (RFC 6266): its type and parameters. `filename*` (RFC 5987,
/// UTF-8 or ISO-8859-1, percent-encoded) is decoded and wins over `filename`.
struct ContentDisposition {
    std::string type;  ///< lower-cased: "form-data", "attachment", "inline"
    std::optional<std::string> name;
    std::optional<std::string> filename;
};

/// Parses a Content-Disposition value. Tolerant: a parameter it cannot read is skipped.
ContentDisposition parse_content_disposition(std::string_view value);

/// The `boundary` parameter of a multipart Content-Type (quoted or not, RFC 2046 5.1.1: 1 to 70
/// characters of bchars). HTTPException(400) when the type is not multipart/... or the boundary is
/// missing or invalid.
std::string multipart_boundary(std::string_view content_type);

namespace detail {
class MultipartParser;
}

class MultipartReader;

/// One part of a multipart body. Valid until the reader's next call to next().
class BodyPartReader {
public:
    /// The part's header fields.
    const http::Headers& headers() const noexcept { return headers_; }
    /// Content-Disposition's `name`, empty if none.
    const std::string& name() const noexcept { return name_; }
    /// Content-Disposition's `filename` (or decoded `filename*`), nullopt if none.
    const std::optional<std::string>& filename() const noexcept { return filename_; }
    /// The part's Content-Type; "text/plain" when it has none (RFC 7578 4.4).
    std::string_view content_type() const noexcept;

    /// Up to `size` bytes of the part's body (fewer whenever fewer are at hand); empty at the end
    /// of the part.
    Coro<std::string> read_chunk(std::size_t size = 64 * 1024);
    /// The rest of the part, whole. HTTPException(413) if it is longer than `max_size`.
    Coro<std::string> read(std::uint64_t max_size);
    /// Skips the rest of the part (aiohttp's release()).
    Coro<void> release();
    /// True once the part's last byte was read.
    bool at_eof() const noexcept { return done_; }

private:
    friend class MultipartReader;
    explicit BodyPartReader(MultipartReader& reader) noexcept : reader_(&reader) {}
    MultipartReader* reader_;
    http::Headers headers_;
    std::string name_;
    std::optional<std::string> filename_;
    bool done_ = false;
};

/// The parts of a request's multipart body.
class MultipartReader {
public:
    /// Reads `request`'s body; its boundary from its Content-Type (HTTPException(400) as
    /// multipart_boundary). The request must outlive the reader.
    explicit MultipartReader(http::Request& request, MultipartLimits limits = {});
    ~MultipartReader();
    MultipartReader(const MultipartReader&) = delete;
    MultipartReader& operator=(const MultipartReader&) = delete;

    /// The next part, after skipping what is left of the current one; nullptr after the last
    /// (the final boundary; the epilogue is read and dropped). HTTPException as the top of this
    /// header says.
    Coro<BodyPartReader*> next();
    /// True after the final boundary.
    bool at_eof() const noexcept;

private:
    friend class BodyPartReader;
    Coro<std::string> read_part_bytes(std::size_t size);
    Coro<bool> fill();

    http::Request* request_;
    std::unique_ptr<detail::MultipartParser> parser_;
    BodyPartReader part_;
    bool in_part_ = false;
    bool body_ended_ = false;
};

}  // namespace aio::web
