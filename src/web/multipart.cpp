// MultipartReader: the parser of multipart_parser.hpp fed from the request's body stream. Bytes
// are copied out of the parser before any co_await (its views die with the next feed()).

#include "aio/web/multipart.hpp"

#include "header_params.hpp"
#include "multipart_parser.hpp"

namespace aio::web {

namespace {

bool is_bchar(unsigned char c) noexcept {
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
    switch (c) {
    case '\'': case '(': case ')': case '+': case '_': case ',': case '-': case '.': case '/': case ':':
    case '=': case '?': case ' ':
        return true;
    default: return false;
    }
}

// The read size from the body: what one buffer of the server holds, about.
constexpr std::size_t kFillSize = 64 * 1024;

}  // namespace

ContentDisposition parse_content_disposition(std::string_view value) {
    detail::HeaderValue hv = detail::parse_header_params(value);
    ContentDisposition out;
    out.type = std::move(hv.main);
    std::optional<std::string> ext_filename;
    for (auto& [n, v] : hv.params) {
        if (n == "name" && !out.name) {
            out.name = std::move(v);
        } else if (n == "filename" && !out.filename) {
            out.filename = std::move(v);
        } else if (n == "filename*" && !ext_filename) {
            std::string decoded;
            if (detail::decode_ext_value(v, decoded)) ext_filename = std::move(decoded);
        }
    }
    if (ext_filename) out.filename = std::move(ext_filename);
    return out;
}

std::string multipart_boundary(std::string_view content_type) {
    detail::HeaderValue hv = detail::parse_header_params(content_type);
    if (!hv.main.starts_with("multipart/"))
        throw http::HTTPException(400, "expected a multipart Content-Type, got: " + std::string(content_type));
    for (auto& [n, v] : hv.params) {
        if (n != "boundary") continue;
        bool ok = !v.empty() && v.size() <= 70 && v.back() != ' ';
        for (unsigned char c : v) ok = ok && is_bchar(c);
        if (!ok) throw http::HTTPException(400, "invalid multipart boundary");
        return std::move(v);
    }
    throw http::HTTPException(400, "multipart Content-Type without a boundary");
}

std::string_view BodyPartReader::content_type() const noexcept {
    return headers_.get("Content-Type", "text/plain");
}

Coro<std::string> BodyPartReader::read_chunk(std::size_t size) {
    if (done_ || size == 0) co_return std::string{};
    co_return co_await reader_->read_part_bytes(size);
}

Coro<std::string> BodyPartReader::read(std::uint64_t max_size) {
    std::string out;
    for (;;) {
        std::string chunk = co_await read_chunk();
        if (chunk.empty()) co_return out;
        if (out.size() + chunk.size() > max_size) throw http::HTTPException(413, "multipart: a part is too large");
        out.append(chunk);
    }
}

Coro<void> BodyPartReader::release() {
    while (!done_) {
        std::string chunk = co_await read_chunk();
        if (chunk.empty()) break;
    }
}

MultipartReader::MultipartReader(http::Request& request, MultipartLimits limits)
    : request_(&request),
      parser_(std::make_unique<detail::MultipartParser>(
          multipart_boundary(request.header("Content-Type")),
          detail::MultipartParser::Limits{limits.max_parts, limits.max_header_size, limits.max_headers})),
      part_(*this) {}

MultipartReader::~MultipartReader() = default;

bool MultipartReader::at_eof() const noexcept {
    return parser_->done();
}

Coro<bool> MultipartReader::fill() {
    if (body_ended_) co_return false;
    std::string chunk = co_await request_->content().read(kFillSize);
    if (chunk.empty()) {
        body_ended_ = true;
        parser_->finish();
        co_return false;
    }
    parser_->feed(chunk);
    co_return true;
}

Coro<BodyPartReader*> MultipartReader::next() {
    using Event = detail::MultipartParser::Event;
    if (in_part_ && !part_.done_) co_await part_.release();
    in_part_ = false;
    for (;;) {
        std::string_view data;
        switch (parser_->next(data)) {
        case Event::need_more: co_await fill(); break;
        case Event::data:       // the rest of a part released above: none comes here
        case Event::part_end: break;
        case Event::done: co_return nullptr;
        case Event::error: throw http::HTTPException(parser_->error_status(), parser_->error_message());
        case Event::headers: {
            part_.headers_.clear();
            for (const auto& [n, v] : parser_->part_headers()) part_.headers_.add(n, v);
            ContentDisposition cd = parse_content_disposition(part_.headers_.get("Content-Disposition", ""));
            part_.name_ = cd.name.value_or(std::string{});
            part_.filename_ = std::move(cd.filename);
            part_.done_ = false;
            in_part_ = true;
            co_return &part_;
        }
        }
    }
}

Coro<std::string> MultipartReader::read_part_bytes(std::size_t size) {
    using Event = detail::MultipartParser::Event;
    for (;;) {
        std::string_view data;
        switch (parser_->next(data, size)) {
        case Event::need_more: co_await fill(); break;
        case Event::data: co_return std::string(data);
        case Event::part_end: part_.done_ = true; co_return std::string{};
        case Event::done:
        case Event::headers: part_.done_ = true; co_return std::string{};  // not reached: a part ends first
        case Event::error: throw http::HTTPException(parser_->error_status(), parser_->error_message());
        }
    }
}

}  // namespace aio::web
