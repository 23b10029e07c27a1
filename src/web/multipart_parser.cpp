// The multipart state machine (see multipart_parser.hpp). A virtual CRLF before the first byte
// lets the first delimiter, which may open the body without one, be found like the others.

#include "multipart_parser.hpp"
#include "http/ascii.hpp"

#include <algorithm>

namespace aio::web::detail {

namespace {

bool is_token_char(unsigned char c) noexcept {
    if (c <= 0x20 || c >= 0x7f) return false;
    switch (c) {
    case '(': case ')': case '<': case '>': case '@': case ',': case ';': case ':': case '\\':
    case '"': case '/': case '[': case ']': case '?': case '=': case '{': case '}':
        return false;
    default: return true;
    }
}

using aio::http::ascii::trim;

// Transport padding after a boundary (RFC 2046 5.1.1 LWSP): more than this is not padding.
constexpr std::size_t kMaxPadding = 256;

}  // namespace

MultipartParser::MultipartParser(std::string_view boundary, Limits limits) : limits_(limits) {
    delimiter_.reserve(boundary.size() + 4);
    delimiter_.append("\r\n--");
    delimiter_.append(boundary);
    buf_ = "\r\n";
}

void MultipartParser::feed(std::string_view bytes) {
    if (state_ == State::done || state_ == State::error) return;
    if (pos_ > 0 && pos_ * 2 >= buf_.size()) {
        buf_.erase(0, pos_);
        pos_ = 0;
    }
    buf_.append(bytes);
}

MultipartParser::Event MultipartParser::fail(int status, std::string message) {
    state_ = State::error;
    error_status_ = status;
    error_ = std::move(message);
    buf_.clear();
    pos_ = 0;
    return Event::error;
}

MultipartParser::Event MultipartParser::parse_head(std::string_view head) {
    headers_.clear();
    while (!head.empty()) {
        std::size_t eol = head.find("\r\n");
        std::string_view line = head.substr(0, eol);
        head.remove_prefix(eol == std::string_view::npos ? head.size() : eol + 2);
        if (line.front() == ' ' || line.front() == '\t')
            return fail(400, "multipart: a folded header line in a part's head");
        std::size_t colon = line.find(':');
        if (colon == std::string_view::npos || colon == 0)
            return fail(400, "multipart: a part's header line has no name");
        std::string_view name = line.substr(0, colon);
        if (!std::all_of(name.begin(), name.end(), [](char c) { return is_token_char(static_cast<unsigned char>(c)); }))
            return fail(400, "multipart: invalid header name in a part's head");
        std::string_view value = trim(line.substr(colon + 1));
        for (unsigned char c : value)
            if ((c < 0x20 && c != '\t') || c == 0x7f) return fail(400, "multipart: a control byte in a part's header");
        if (headers_.size() == limits_.max_headers) return fail(413, "multipart: too many header lines in a part");
        headers_.emplace_back(std::string(name), std::string(value));
    }
    return Event::headers;
}

MultipartParser::Event MultipartParser::next(std::string_view& data, std::size_t max_data) {
    for (;;) {
        std::string_view p = pending();
        switch (state_) {
        case State::preamble: {
            std::size_t at = p.find(delimiter_);
            if (at != std::string_view::npos) {
                consume(at + delimiter_.size());
                state_ = State::after_delimiter;
                continue;
            }
            std::size_t keep = delimiter_.size() - 1;
            if (p.size() > keep) consume(p.size() - keep);
            if (finished_) return fail(400, "multipart: no boundary in the body");
            return Event::need_more;
        }
        case State::after_delimiter: {
            if (p.size() >= 2 && p.substr(0, 2) == "--") {
                state_ = State::done;
                buf_.clear();
                pos_ = 0;
                return Event::done;
            }
            std::size_t j = 0;
            while (j < p.size() && (p[j] == ' ' || p[j] == '\t')) ++j;
            if (j > kMaxPadding) return fail(400, "multipart: malformed boundary line");
            if (p.size() < j + 2) {
                if (finished_) return fail(400, "multipart: the body ended before the final boundary");
                return Event::need_more;
            }
            if (p.substr(j, 2) != "\r\n") return fail(400, "multipart: malformed boundary line");
            consume(j + 2);
            if (++parts_ > limits_.max_parts) return fail(413, "multipart: too many parts");
            state_ = State::head;
            continue;
        }
        case State::head: {
            if (p.size() >= 2 && p.substr(0, 2) == "\r\n") {  // a part with no header lines
                consume(2);
                headers_.clear();
                state_ = State::body;
                return Event::headers;
            }
            std::size_t end = p.find("\r\n\r\n");
            if (end == std::string_view::npos) {
                if (p.size() > limits_.max_header_size) return fail(413, "multipart: a part's head is too large");
                if (finished_) return fail(400, "multipart: the body ended in a part's head");
                return Event::need_more;
            }
            if (end + 4 > limits_.max_header_size) return fail(413, "multipart: a part's head is too large");
            Event e = parse_head(p.substr(0, end));
            if (e == Event::error) return e;
            consume(end + 4);
            state_ = State::body;
            return Event::headers;
        }
        case State::body: {
            std::size_t at = p.find(delimiter_);
            if (at == 0) {
                consume(delimiter_.size());
                state_ = State::after_delimiter;
                return Event::part_end;
            }
            if (at != std::string_view::npos) {
                data = p.substr(0, std::min(at, max_data));
                consume(data.size());
                return Event::data;
            }
            std::size_t keep = delimiter_.size() - 1;
            if (p.size() > keep) {
                data = p.substr(0, std::min(p.size() - keep, max_data));
                consume(data.size());
                return Event::data;
            }
            if (finished_) return fail(400, "multipart: the body ended before the final boundary");
            return Event::need_more;
        }
        case State::done: return Event::done;
        case State::error: return Event::error;
        }
    }
}

}  // namespace aio::web::detail
