// Form bodies: urlencoded pairs parsed from the whole (bounded) body; multipart/form-data read
// part by part with MultipartReader, each file part streamed to a temporary file.
//
// The temporary files are written with write(2) on the loop's thread, as each chunk (at most
// 64 KiB) arrives: a page-cache write of that size costs microseconds, less than a round trip to
// an executor would (aiohttp hands each write to one).

#include "aio/web/form.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "aio/core/exceptions.hpp"
#include "header_params.hpp"
#include "http/server_connection.hpp"
#include "sys/errors.hpp"
#include "http/ascii.hpp"

namespace aio::web {

namespace {

using aio::http::ascii::hex_value;

std::string form_decode(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (c == '+') {
            out.push_back(' ');
        } else if (c == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
            out.push_back(static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2])));
            i += 2;
        } else {
            out.push_back(c);
        }
    }
    return out;
}

[[noreturn]] void too_large(std::string_view what) {
    throw http::HTTPException(413, "Request Entity Too Large: " + std::string(what));
}

// A temporary file being written; removed unless released into a FileField.
class TempFile {
public:
    explicit TempFile(std::string_view dir) {
        std::string base(dir);
        if (base.empty()) {
            const char* env = std::getenv("TMPDIR");
            base = env && *env ? env : "/tmp";
        }
        path_ = base + "/aio-upload-XXXXXX";
        fd_ = ::mkostemp(path_.data(), O_CLOEXEC);
        if (fd_ < 0) sys::raise_os_error(errno, "read_form: a temporary file in " + base);
    }
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;
    ~TempFile() {
        if (fd_ >= 0) ::close(fd_);
        if (!path_.empty()) ::unlink(path_.c_str());
    }
    void write(std::string_view data) {
        while (!data.empty()) {
            ssize_t n = ::write(fd_, data.data(), data.size());
            if (n < 0) {
                if (errno == EINTR) continue;
                sys::raise_os_error(errno, "read_form: writing " + path_);
            }
            data.remove_prefix(static_cast<std::size_t>(n));
        }
    }
    std::string release() {
        ::close(fd_);
        fd_ = -1;
        return std::exchange(path_, {});
    }

private:
    std::string path_;
    int fd_ = -1;
};

Coro<std::string> read_limited(http::Request& req, std::uint64_t max) {
    if (auto len = req.content_length(); len && *len > max) too_large("the form body");
    std::string body;
    for (;;) {
        std::string chunk = co_await req.content().read(64 * 1024);
        if (chunk.empty()) co_return body;
        if (body.size() + chunk.size() > max) too_large("the form body");
        body.append(chunk);
    }
}

Coro<FormData> read_multipart(http::Request& req, const FormOptions& o, std::uint64_t max) {
    if (auto len = req.content_length(); len && *len > max) too_large("the form body");
    MultipartLimits limits = o.multipart;
    limits.max_parts = std::min(limits.max_parts, o.max_fields);
    MultipartReader reader(req, limits);
    FormData form;
    std::uint64_t total = 0;
    while (BodyPartReader* part = co_await reader.next()) {
        if (!part->filename()) {
            std::string value = co_await part->read(max - total);
            total += value.size();
            form.add(part->name(), std::move(value));
            continue;
        }
        TempFile tmp(o.temp_dir);
        std::uint64_t size = 0;
        for (;;) {
            std::string chunk = co_await part->read_chunk();
            if (chunk.empty()) break;
            size += chunk.size();
            total += chunk.size();
            if (total > max) too_large("the form body");
            if (o.max_file_size && size > o.max_file_size) too_large("an uploaded file");
            tmp.write(chunk);
        }
        FileField f;
        f.filename = *part->filename();
        f.content_type = std::string(part->headers().get("Content-Type", "application/octet-stream"));
        f.headers = part->headers();
        f.size = size;
        f.path = tmp.release();
        form.add(part->name(), std::move(f));
    }
    co_return form;
}

}  // namespace

std::string_view FormField::text() const noexcept {
    const std::string* s = std::get_if<std::string>(&value);
    return s ? std::string_view(*s) : std::string_view{};
}

FormData& FormData::operator=(FormData&& other) noexcept {
    if (this != &other) {
        remove_files();
        fields_ = std::move(other.fields_);
        other.fields_.clear();
    }
    return *this;
}

FormData::~FormData() { remove_files(); }

void FormData::remove_files() noexcept {
    for (const auto& f : fields_)
        if (const FileField* file = f.file(); file && !file->path.empty()) ::unlink(file->path.c_str());
}

std::optional<std::string_view> FormData::get(std::string_view name) const noexcept {
    for (const auto& f : fields_)
        if (f.name == name && !f.is_file()) return f.text();
    return std::nullopt;
}

const FileField* FormData::file(std::string_view name) const noexcept {
    for (const auto& f : fields_)
        if (f.name == name && f.is_file()) return f.file();
    return nullptr;
}

std::vector<const FormField*> FormData::get_all(std::string_view name) const {
    std::vector<const FormField*> out;
    for (const auto& f : fields_)
        if (f.name == name) out.push_back(&f);
    return out;
}

bool FormData::contains(std::string_view name) const noexcept {
    for (const auto& f : fields_)
        if (f.name == name) return true;
    return false;
}

void FormData::add(std::string name, std::string value) {
    fields_.push_back(FormField{std::move(name), std::move(value)});
}

void FormData::add(std::string name, FileField file) {
    try {
        fields_.push_back(FormField{std::move(name), std::move(file)});
    } catch (...) {
        if (!file.path.empty()) ::unlink(file.path.c_str());  // ownership was handed over
        throw;
    }
}

FormData parse_urlencoded(std::string_view body, std::size_t max_fields) {
    FormData form;
    while (!body.empty()) {
        std::size_t amp = body.find('&');
        std::string_view pair = body.substr(0, amp);
        body = amp == std::string_view::npos ? std::string_view{} : body.substr(amp + 1);
        if (pair.empty()) continue;
        if (form.size() == max_fields) too_large("too many form fields");
        std::size_t eq = pair.find('=');
        if (eq == std::string_view::npos) form.add(form_decode(pair), std::string{});
        else form.add(form_decode(pair.substr(0, eq)), form_decode(pair.substr(eq + 1)));
    }
    return form;
}

Coro<FormData> read_form(http::Request& request, FormOptions options) {
    std::uint64_t max = options.max_size ? options.max_size : request.connection().client_max_size();
    std::string type = detail::parse_header_params(request.header("Content-Type")).main;
    if (type == "application/x-www-form-urlencoded") {
        std::string body = co_await read_limited(request, max);
        co_return parse_urlencoded(body, options.max_fields);
    }
    if (type == "multipart/form-data") co_return co_await read_multipart(request, options, max);
    co_return FormData{};
}

}  // namespace aio::web
