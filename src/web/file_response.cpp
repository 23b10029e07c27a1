// FileResponse: the validators (ETag, Last-Modified), the preconditions of RFC 9110 13.2.2 in
// their order, then the head with Content-Length and the body with sendfile.

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "aio/core/exceptions.hpp"
#include "aio/http/headers.hpp"
#include "aio/http/http_date.hpp"
#include "aio/web/file_response.hpp"
#include "http/ascii.hpp"

namespace aio::web {

namespace {

using Clock = std::chrono::system_clock;

struct FileFacts {
    std::uint64_t size;
    std::int64_t mtime_seconds;
    std::string etag;
    std::string last_modified;
};

using aio::http::ascii::trim;

// Whether a list of entity tags (If-Match, If-None-Match) holds `etag`. Weak comparison ignores
// the W/ prefix (If-None-Match); strong comparison never matches a weak tag (If-Match).
bool etag_list_matches(std::string_view list, std::string_view etag, bool weak) {
    if (trim(list) == "*") return true;
    while (!list.empty()) {
        list = trim(list);
        bool is_weak = false;
        if (list.starts_with("W/")) {
            is_weak = true;
            list.remove_prefix(2);
        }
        if (list.empty() || list.front() != '"') {  // not a tag: skip to the next comma
            std::size_t comma = list.find(',');
            if (comma == std::string_view::npos) break;
            list.remove_prefix(comma + 1);
            continue;
        }
        std::size_t close = list.find('"', 1);
        if (close == std::string_view::npos) break;
        std::string_view tag = list.substr(0, close + 1);
        if (tag == etag && (weak || !is_weak)) return true;
        list.remove_prefix(close + 1);
        std::size_t comma = list.find(',');
        if (comma == std::string_view::npos) break;
        list.remove_prefix(comma + 1);
    }
    return false;
}

std::optional<std::int64_t> header_date(const http::Request& req, std::string_view name) {
    std::string_view v = req.header(name);
    if (v.empty()) return std::nullopt;
    auto t = http::parse_http_date(v);
    if (!t) return std::nullopt;  // an invalid date is ignored (RFC 9110 13.1.3)
    return std::chrono::duration_cast<std::chrono::seconds>(t->time_since_epoch()).count();
}

http::Response empty_answer(int status, const FileFacts& f, bool validators) {
    http::Response r({}, status, "");
    if (validators) {
        r.headers.add("ETag", f.etag);
        r.headers.add("Last-Modified", f.last_modified);
    }
    return r;
}

// RFC 9110 13.2.2: If-Match, else If-Unmodified-Since (412); If-None-Match, else
// If-Modified-Since (304 for GET and HEAD, 412 for other methods).
std::optional<http::Response> check_preconditions(const http::Request& req, const FileFacts& f) {
    if (req.has_header("If-Match")) {
        if (!etag_list_matches(req.header("If-Match"), f.etag, false)) return empty_answer(412, f, false);
    } else if (auto ius = header_date(req, "If-Unmodified-Since")) {
        if (f.mtime_seconds > *ius) return empty_answer(412, f, false);
    }
    bool safe = req.method() == "GET" || req.method() == "HEAD";
    if (req.has_header("If-None-Match")) {
        if (etag_list_matches(req.header("If-None-Match"), f.etag, true))
            return empty_answer(safe ? 304 : 412, f, safe);
    } else if (auto ims = header_date(req, "If-Modified-Since"); ims && safe) {
        if (f.mtime_seconds <= *ims) return empty_answer(304, f, true);
    }
    return std::nullopt;
}

// If-Range (RFC 9110 13.1.5): the Range counts only when the validator still matches. A date
// matches only an equal Last-Modified, an entity tag only by strong comparison.
bool range_applies(const http::Request& req, const FileFacts& f) {
    std::string_view v = trim(req.header("If-Range"));
    if (v.empty()) return true;
    if (v.front() == '"' || v.starts_with("W/")) return v == f.etag;
    auto t = header_date(req, "If-Range");
    return t && *t == f.mtime_seconds;
}

}  // namespace

Coro<http::Response> file_response_fd(http::Request& request, int fd, std::string_view name, FileOptions options) {
    struct stat st {};
    if (::fstat(fd, &st) != 0) throw http::HTTPException(404, "Not Found");
    if (!S_ISREG(st.st_mode)) throw http::HTTPException(403, "Forbidden");
    FileFacts f;
    f.size = static_cast<std::uint64_t>(st.st_size);
    f.mtime_seconds = static_cast<std::int64_t>(st.st_mtim.tv_sec);
    std::int64_t mtime_ns = f.mtime_seconds * 1'000'000'000 + st.st_mtim.tv_nsec;
    f.etag = file_etag(mtime_ns, f.size);
    f.last_modified = http::format_http_date(Clock::time_point(std::chrono::seconds(f.mtime_seconds)));

    if (auto answer = check_preconditions(request, f)) co_return std::move(*answer);

    RangeRequest range;
    if (request.has_header("Range") && range_applies(request, f)) range = parse_range(request.header("Range"), f.size);
    if (range.kind == RangeRequest::Kind::unsatisfiable) {
        http::Response r({}, 416, "");
        r.headers.add("Content-Range", "bytes */" + std::to_string(f.size));
        co_return r;
    }

    http::StreamResponse resp(options.status, options.content_type.empty() ? content_type_for(name) : options.content_type);
    std::uint64_t offset = 0, count = f.size;
    if (range.kind == RangeRequest::Kind::partial) {
        resp.status = 206;
        offset = range.range.first;
        count = range.range.length();
        resp.headers.add("Content-Range", "bytes " + std::to_string(range.range.first) + "-" +
                                              std::to_string(range.range.last) + "/" + std::to_string(f.size));
    }
    resp.headers.add("Accept-Ranges", "bytes");
    resp.headers.add("ETag", f.etag);
    resp.headers.add("Last-Modified", f.last_modified);
    if (!options.cache_control.empty()) resp.headers.add("Cache-Control", options.cache_control);
    resp.content_length = count;
    co_await resp.prepare(request);
    co_await resp.sendfile(fd, offset, count);
    co_await resp.write_eof();
    co_return http::Response(std::move(resp));
}

Coro<http::Response> file_response(http::Request& request, std::string_view path, FileOptions options) {
    // O_NONBLOCK: opening a FIFO must not wait for a writer (it is refused after fstat).
    int fd = ::open(std::string(path).c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        if (errno == EACCES || errno == EPERM) throw http::HTTPException(403, "Forbidden");
        throw http::HTTPException(404, "Not Found");
    }
    struct Closer {
        int fd;
        ~Closer() { ::close(fd); }
    } closer{fd};
    co_return co_await file_response_fd(request, fd, path, options);
}

}  // namespace aio::web
