#pragma once
/// Answering with a file (aiohttp's web.FileResponse): the head with Content-Length, then the
/// bytes with aio::sendfile (the kernel copies them; over TLS they are read and written).
///
/// ```
/// aio::Coro<aio::http::Response> report(aio::http::Request& req) {
///     co_return co_await aio::web::file_response(req, "/srv/files/report.pdf");
/// }
/// ```
///
/// What it does for the client, as aiohttp: Content-Type from the extension (content_type_for),
/// `ETag: "<mtime in ns, hex>-<size, hex>"` and Last-Modified; If-None-Match and
/// If-Modified-Since answer 304 without a body; If-Match and If-Unmodified-Since answer 412;
/// `Range: bytes=a-b`, `a-` and `-n` answer 206 with Content-Range, a range past the end 416 with
/// `Content-Range: bytes */size`; If-Range sends the whole file when its validator no longer
/// matches; HEAD sends the head only. Several ranges in one Range field are answered with the
/// whole file and 200 (RFC 9110 14.2 lets a server ignore Range), not multipart/byteranges.
/// A Range that is not `bytes=` with valid numbers is ignored (200), as RFC 9110 14.2 asks.
/// Offsets are 64-bit: files over 4 GiB work.
///
/// Throws http::HTTPException(404) for a missing file, and HTTPException(403) for a directory, a
/// file that is not a regular file (a FIFO, a device) or one the server may not read, as aiohttp
/// 3.10 does; the server answers those statuses. The connection's own errors
/// (ConnectionResetError) pass through.
///
/// Cancel safety: cancelled while the body is sent, the response is unfinished and the server
/// closes the connection; the file is closed either way.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "aio/core/coro.hpp"
#include "aio/http/request.hpp"
#include "aio/http/response.hpp"

namespace aio::web {

/// How file_response answers. Every member is trivially destructible, so a braced temporary inside
/// `co_await` is safe with g++ 12.
struct FileOptions {
    /// The Content-Type; empty: content_type_for(path).
    std::string_view content_type = {};
    /// Sent as Cache-Control when not empty (`no-cache`, `max-age=3600`).
    std::string_view cache_control = {};
    /// The status of a full answer (a 206, 304, 412 or 416 replaces it).
    int status = 200;
};

/// Sends the file at `path` (see the top of this header).
Coro<http::Response> file_response(http::Request& request, std::string_view path, FileOptions options = {});

/// The same for a file already open (read-only): what serve_static uses after resolving a path
/// without following symlinks. `name` gives the extension for the Content-Type. The descriptor
/// stays the caller's (it is not closed).
Coro<http::Response> file_response_fd(http::Request& request, int fd, std::string_view name,
                                      FileOptions options = {});

/// The Content-Type of a file name by its extension, ASCII case-insensitive: html, htm, css, js,
/// mjs, json, txt, csv, md, xml, svg, png, jpg, jpeg, gif, webp, avif, ico, bmp, wasm, pdf, zip,
/// gz, tar, woff, woff2, ttf, otf, map, mp3, mp4, webm, ogg, wav. Text types carry
/// `; charset=utf-8`. "application/octet-stream" for anything else.
std::string_view content_type_for(std::string_view name) noexcept;

/// The ETag of a file as aiohttp writes it: `"<mtime in ns, hex>-<size, hex>"`, quotes included.
std::string file_etag(std::int64_t mtime_ns, std::uint64_t size);

/// One byte range, both ends included.
struct ByteRange {
    std::uint64_t first = 0;
    std::uint64_t last = 0;
    std::uint64_t length() const noexcept { return last - first + 1; }
    friend bool operator==(const ByteRange&, const ByteRange&) = default;
};

/// What a Range field asks of a file of a given size.
struct RangeRequest {
    enum class Kind {
        whole,          ///< no Range, an invalid one, or one with several ranges: send it all (200)
        partial,        ///< one satisfiable range: 206 with `range`
        unsatisfiable,  ///< past the end, or `-0`: 416 with `Content-Range: bytes */size`
    };
    Kind kind = Kind::whole;
    ByteRange range;
};

/// Parses `Range` (RFC 9110 14.1.1) against a file of `size` bytes: `bytes=a-b` (b clamped to the
/// end), `a-`, `-n` (the last n bytes, all of them when n is over the size). Whitespace around the
/// parts is allowed; the unit is case-insensitive; numbers over 2^64 make the field invalid.
RangeRequest parse_range(std::string_view header, std::uint64_t size) noexcept;

}  // namespace aio::web
