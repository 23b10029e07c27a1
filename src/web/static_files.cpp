// serve_static: a path beneath a directory, resolved one segment at a time with openat(2) from the
// directory's descriptor (see static_files.hpp for why not realpath), then file_response_fd.

#include "aio/web/static_files.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <utility>

#include "aio/core/exceptions.hpp"
#include "aio/core/os_errors.hpp"
#include "sys/errors.hpp"
#include "http/ascii.hpp"

namespace aio::web {

namespace {

[[noreturn]] void not_found() { throw http::HTTPException(404, "Not Found"); }
[[noreturn]] void forbidden() { throw http::HTTPException(403, "Forbidden"); }

using aio::http::ascii::hex_value;

std::string percent_decode(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size()) {
            int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
            if (hi >= 0 && lo >= 0) {
                out.push_back(static_cast<char>(hi * 16 + lo));
                i += 2;
                continue;
            }
        }
        out.push_back(s[i]);
    }
    return out;
}

struct Fd {
    int fd = -1;
    Fd() = default;
    explicit Fd(int f) noexcept : fd(f) {}
    Fd(Fd&& o) noexcept : fd(std::exchange(o.fd, -1)) {}
    Fd& operator=(Fd&& o) noexcept {
        if (this != &o) {
            reset();
            fd = std::exchange(o.fd, -1);
        }
        return *this;
    }
    ~Fd() { reset(); }
    void reset() noexcept {
        if (fd >= 0) ::close(fd);
        fd = -1;
    }
};

[[noreturn]] void refuse(int err) {
    if (err == EACCES || err == EPERM) forbidden();
    not_found();  // ENOENT, ENOTDIR (a file or a link in the middle), ELOOP (a link), ...
}

void append_html_escaped(std::string& out, std::string_view s) {
    for (char c : s) {
        switch (c) {
        case '&': out.append("&amp;"); break;
        case '<': out.append("&lt;"); break;
        case '>': out.append("&gt;"); break;
        case '"': out.append("&quot;"); break;
        case '\'': out.append("&#x27;"); break;
        default: out.push_back(c);
        }
    }
}

void append_url_quoted(std::string& out, std::string_view s) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    for (unsigned char c : s) {
        bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                     c == '.' || c == '_' || c == '~';
        if (plain) {
            out.push_back(static_cast<char>(c));
        } else {
            out.push_back('%');
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 15]);
        }
    }
}

// The index of the open directory `fd` (aiohttp's _directory_as_html: sorted, directories with a
// trailing slash), linked from the request's own path.
http::Response directory_index(const http::Request& request, int fd, const std::vector<std::string>& segments) {
    int dup = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
    if (dup < 0) forbidden();
    DIR* dir = ::fdopendir(dup);
    if (!dir) {
        ::close(dup);
        forbidden();
    }
    std::vector<std::pair<std::string, bool>> entries;
    while (dirent* e = ::readdir(dir)) {
        std::string_view n = e->d_name;
        if (n == "." || n == "..") continue;
        struct stat st {};
        bool is_dir = ::fstatat(fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
        entries.emplace_back(std::string(n), is_dir);
    }
    ::closedir(dir);
    std::sort(entries.begin(), entries.end());

    std::string rel;
    for (const auto& s : segments) {
        if (!rel.empty()) rel.push_back('/');
        rel.append(s);
    }
    std::string base(request.path());
    if (base.empty() || base.back() != '/') base.push_back('/');
    std::string html = "<html>\n<head>\n<title>Index of /";
    append_html_escaped(html, rel);
    html.append("</title>\n</head>\n<body>\n<h1>Index of /");
    append_html_escaped(html, rel);
    html.append("</h1>\n<ul>\n");
    for (const auto& [name, is_dir] : entries) {
        html.append("<li><a href=\"");
        append_html_escaped(html, base);
        append_url_quoted(html, name);
        if (is_dir) html.push_back('/');
        html.append("\">");
        append_html_escaped(html, name);
        if (is_dir) html.push_back('/');
        html.append("</a></li>\n");
    }
    html.append("</ul>\n</body>\n</html>");
    return http::Response(std::move(html), 200, "text/html; charset=utf-8");
}

}  // namespace

StaticDirectory::StaticDirectory(std::string root, StaticOptions options)
    : root_(std::move(root)), options_(options) {
    fd_ = ::open(root_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd_ < 0) sys::raise_os_error(errno, "static directory " + root_);
}

StaticDirectory::StaticDirectory(StaticDirectory&& other) noexcept
    : root_(std::move(other.root_)), options_(other.options_), fd_(std::exchange(other.fd_, -1)) {}

StaticDirectory& StaticDirectory::operator=(StaticDirectory&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) ::close(fd_);
        root_ = std::move(other.root_);
        options_ = other.options_;
        fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
}

StaticDirectory::~StaticDirectory() {
    if (fd_ >= 0) ::close(fd_);
}

std::vector<std::string> static_path_segments(std::string_view relative_path) {
    if (!relative_path.empty() && (relative_path.front() == '/' || relative_path.front() == '\\')) forbidden();
    std::vector<std::string> out;
    while (true) {
        std::size_t slash = relative_path.find('/');
        std::string seg = percent_decode(relative_path.substr(0, slash));
        if (seg.find_first_of(std::string_view("/\\\0", 3)) != std::string::npos) not_found();
        if (seg == "..") {
            if (out.empty()) not_found();  // it would climb above the directory
            out.pop_back();
        } else if (!seg.empty() && seg != ".") {
            out.push_back(std::move(seg));
        }
        if (slash == std::string_view::npos) break;
        relative_path.remove_prefix(slash + 1);
    }
    return out;
}

Coro<http::Response> serve_static(http::Request& request, const StaticDirectory& directory,
                                  std::string_view relative_path) {
    if (directory.fd() < 0) throw RuntimeError("serve_static: the StaticDirectory was moved from");
    std::vector<std::string> segments = static_path_segments(relative_path);
    const StaticOptions& opts = directory.options();
    const int nofollow = opts.follow_symlinks ? 0 : O_NOFOLLOW;

    Fd dir(::openat(directory.fd(), ".", O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (dir.fd < 0) refuse(errno);
    Fd file;
    for (std::size_t i = 0; i < segments.size(); ++i) {
        const char* name = segments[i].c_str();
        if (i + 1 < segments.size()) {
            Fd next(::openat(dir.fd, name, O_PATH | O_DIRECTORY | O_CLOEXEC | nofollow));
            if (next.fd < 0) refuse(errno);
            dir = std::move(next);
        } else {
            // O_NONBLOCK: a FIFO must not block the open (file_response_fd refuses it with 403).
            file = Fd(::openat(dir.fd, name, O_RDONLY | O_CLOEXEC | O_NONBLOCK | nofollow));
            if (file.fd < 0) refuse(errno);
        }
    }
    if (segments.empty()) {
        file = Fd(::openat(directory.fd(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (file.fd < 0) refuse(errno);
    }
    struct stat st {};
    if (::fstat(file.fd, &st) != 0) not_found();
    if (S_ISDIR(st.st_mode)) {
        if (!opts.show_index) forbidden();
        co_return directory_index(request, file.fd, segments);
    }
    FileOptions fo = opts.file;
    fo.content_type = {};
    std::string_view name = segments.empty() ? std::string_view{} : std::string_view(segments.back());
    co_return co_await file_response_fd(request, file.fd, name, fo);
}

}  // namespace aio::web
