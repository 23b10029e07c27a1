#pragma once
/// Serving a directory (aiohttp's `router.add_static`, its StaticResource): the router matches
/// the prefix and hands the rest of the path to serve_static, which opens the file beneath the
/// directory and answers with file_response.
///
/// ```
/// aio::web::StaticDirectory assets("/srv/www/static", {.show_index = true});
/// aio::Coro<aio::http::Response> handler(aio::http::Request& req) {
///     std::string_view path = req.path();
///     if (path.starts_with("/static/"))
///         co_return co_await aio::web::serve_static(req, assets, path.substr(8));
///     co_return aio::http::Response("not found", 404);
/// }
/// ```
///
/// No path leaves the directory. The relative path is taken as it is in the request target
/// (still percent-encoded) and decoded once here; so the router must not decode it first (a
/// decoded path also works, but then a file name holding `%` is read as an escape). After
/// decoding, as aiohttp answers:
/// - a path starting with `/` (absolute), 403;
/// - a `..` segment that climbs above the directory (`..`, `%2e%2e`, `%2E%2e`), 404; one that
///   stays inside (`a/../b`) is resolved lexically, as aiohttp's normalisation does;
/// - a segment holding `/` or `\` from an escape (`%2f`, `%5c`) or a raw `\`, or a NUL
///   (`%00`), 404 (no file can be named so here: a `\` is never a separator on POSIX, but it is
///   for a Windows client, so such names are refused rather than served);
/// - a symbolic link, at any depth, 404 unless `follow_symlinks` (then links are followed
///   wherever they point, as aiohttp's follow_symlinks=True). This is stricter than aiohttp, which
///   serves a link whose target resolves inside the directory;
/// - a directory: its HTML index (names escaped, links percent-encoded) with `show_index`, else
///   403; a missing file 404; a file the server may not read 403.
///
/// Why openat and not realpath: the path is resolved one segment at a time with openat(2) from a
/// descriptor of the directory, each segment opened with O_NOFOLLOW, and the file served is the
/// descriptor that walk opened. realpath() followed by a prefix check and an open() leaves a window
/// in which a segment can be swapped for a symlink (time-of-check to time-of-use); the walk has no
/// such window, because no name is looked up twice. The directory itself is opened once, when the
/// StaticDirectory is made, so renaming it later does not redirect requests.
///
/// Cancel safety: as file_response.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "aio/core/coro.hpp"
#include "aio/http/request.hpp"
#include "aio/http/response.hpp"
#include "aio/web/file_response.hpp"

namespace aio::web {

/// How a StaticDirectory serves. Trivially destructible: a braced temporary inside `co_await` is
/// safe with g++ 12.
struct StaticOptions {
    /// A directory answers with an HTML list of its entries (off: 403).
    bool show_index = false;
    /// Serve through symbolic links, wherever they point (off: a link answers 404).
    bool follow_symlinks = false;
    /// Passed to file_response (Cache-Control, ...); its content_type is ignored.
    FileOptions file = {};
};

/// A directory to serve, opened once (O_PATH | O_DIRECTORY). Move-only.
class StaticDirectory {
public:
    /// Opens `root`. OSError (FileNotFoundError, NotADirectoryError, PermissionError) if it cannot.
    explicit StaticDirectory(std::string root, StaticOptions options = {});
    StaticDirectory(StaticDirectory&& other) noexcept;
    StaticDirectory& operator=(StaticDirectory&& other) noexcept;
    StaticDirectory(const StaticDirectory&) = delete;
    StaticDirectory& operator=(const StaticDirectory&) = delete;
    ~StaticDirectory();

    const std::string& root() const noexcept { return root_; }
    const StaticOptions& options() const noexcept { return options_; }
    /// The directory's descriptor.
    int fd() const noexcept { return fd_; }

private:
    std::string root_;
    StaticOptions options_;
    int fd_ = -1;
};

/// Answers `request` with the file at `relative_path` beneath `directory` (see the top of this
/// header). Throws http::HTTPException(403 or 404) as listed there, and what file_response throws.
Coro<http::Response> serve_static(http::Request& request, const StaticDirectory& directory,
                                  std::string_view relative_path);

/// The lexical half of serve_static, for tests and routers: percent-decodes `relative_path` and
/// returns its segments, the empty and single-dot ones dropped and each double-dot one applied.
/// Throws http::HTTPException(403) for an absolute path and HTTPException(404) for the others
/// listed at the top of this header. An empty result names the directory itself.
std::vector<std::string> static_path_segments(std::string_view relative_path);

}  // namespace aio::web
