#pragma once
/// Form bodies (aiohttp's `await request.post()`): `application/x-www-form-urlencoded` and
/// `multipart/form-data` (RFC 7578) read into a FormData, a multidict of names to text values
/// and uploaded files. An uploaded file is streamed to a temporary file as it arrives, never held
/// whole in memory; the temporary files are removed when the FormData is destroyed.
///
/// ```
/// aio::Coro<aio::http::Response> upload(aio::http::Request& req) {
///     aio::web::FormOptions limits{.max_size = 256 * 1024 * 1024};
///     aio::web::FormData form = co_await aio::web::read_form(req, limits);
///     std::string_view title = form.get("title").value_or("untitled");
///     if (const aio::web::FileField* f = form.file("picture"))
///         std::filesystem::rename(f->path, "/srv/pictures/" + std::string(title));  // keep it
///     co_return aio::http::Response("ok");
/// }
/// ```
///
/// Errors are http::HTTPException, answered with their status by the server: 413 when the body,
/// a file or the number of fields is over FormOptions' limits; 400 for a malformed multipart body
/// (see multipart.hpp). A body of another Content-Type gives an empty FormData (as aiohttp).
/// Text values are the bytes sent: no charset decoding.
///
/// Cancel safety: cancelled, read_form removes the temporary files it made and the body is
/// left part-read (the server then closes the connection).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "aio/core/coro.hpp"
#include "aio/http/headers.hpp"
#include "aio/http/request.hpp"
#include "aio/web/multipart.hpp"

namespace aio::web {

/// An uploaded file (aiohttp's FileField): its bytes are in a temporary file at `path`, which the
/// FormData that holds it removes when destroyed (move or rename it to keep it).
struct FileField {
    std::string filename;
    /// The part's Content-Type ("application/octet-stream" when it sent none).
    std::string content_type;
    /// Every header field of the part.
    http::Headers headers;
    /// The temporary file.
    std::string path;
    std::uint64_t size = 0;
};

/// One field of a form.
struct FormField {
    std::string name;
    std::variant<std::string, FileField> value;

    bool is_file() const noexcept { return std::holds_alternative<FileField>(value); }
    /// The text value; empty for a file.
    std::string_view text() const noexcept;
    /// The file; nullptr for a text value.
    const FileField* file() const noexcept { return std::get_if<FileField>(&value); }
};

/// A form's fields in the order sent; a name may repeat. Move-only: it owns the temporary files.
class FormData {
public:
    using const_iterator = std::vector<FormField>::const_iterator;

    FormData() = default;
    FormData(FormData&& other) noexcept = default;
    FormData& operator=(FormData&& other) noexcept;
    FormData(const FormData&) = delete;
    FormData& operator=(const FormData&) = delete;
    /// Removes the temporary files of its FileFields.
    ~FormData();

    /// The text value of the first field named `name`; nullopt if none (or it is a file).
    std::optional<std::string_view> get(std::string_view name) const noexcept;
    /// The first file named `name`; nullptr if none.
    const FileField* file(std::string_view name) const noexcept;
    /// Every field named `name`, in order.
    std::vector<const FormField*> get_all(std::string_view name) const;
    bool contains(std::string_view name) const noexcept;

    void add(std::string name, std::string value);
    /// Takes ownership of `file.path` (removed with the FormData).
    void add(std::string name, FileField file);

    std::size_t size() const noexcept { return fields_.size(); }
    bool empty() const noexcept { return fields_.empty(); }
    const_iterator begin() const noexcept { return fields_.begin(); }
    const_iterator end() const noexcept { return fields_.end(); }

private:
    void remove_files() noexcept;
    std::vector<FormField> fields_;
};

/// The bounds of read_form. Every member is trivially destructible, so a braced temporary inside
/// `co_await` is safe with g++ 12.
struct FormOptions {
    /// The whole body's bytes (text values and files together), aiohttp's client_max_size;
    /// 0: the server's ServerOptions::client_max_size. Over it: HTTPException(413).
    std::uint64_t max_size = 0;
    /// One file's bytes; 0: only `max_size` bounds it. Over it: HTTPException(413).
    std::uint64_t max_file_size = 0;
    /// Fields (parts, or name=value pairs); one more: HTTPException(413).
    std::size_t max_fields = 1000;
    /// Where temporary files go; empty: TMPDIR, else /tmp. A view: it is read at once.
    std::string_view temp_dir = {};
    /// The bounds of each part's head (multipart).
    MultipartLimits multipart = {};
};

/// Reads a form body (see the top of this header).
Coro<FormData> read_form(http::Request& request, FormOptions options = {});

/// Parses an `application/x-www-form-urlencoded` body: pairs split on `&`, `+` read as a space,
/// `%XX` decoded (a `%` not followed by two hex digits kept as it is), a pair without `=` kept
/// with an empty value, empty pairs skipped. HTTPException(413) past `max_fields` pairs.
FormData parse_urlencoded(std::string_view body, std::size_t max_fields = 1000);

}  // namespace aio::web
