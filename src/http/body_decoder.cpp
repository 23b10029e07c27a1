#include <cstring>

#include "aio/http/parser.hpp"
#include "http/parser_chars.hpp"

namespace aio::http {

using detail::hex_digit;
using detail::is;
using detail::is_ws;

BodyDecoder::BodyDecoder(BodyKind kind, std::uint64_t content_length, Options options)
    : kind_(kind), options_(options) {
    switch (kind) {
        case BodyKind::none:
            state_ = State::done;
            break;
        case BodyKind::length:
            remaining_ = content_length;
            state_ = content_length == 0 ? State::done : State::data;
            // Refused as soon as announced: the server answers 413 without reading the body.
            if (options_.max_body_size != 0 && content_length > options_.max_body_size)
                fail(ParseError::body_too_large, 0);
            break;
        case BodyKind::chunked:
            state_ = State::chunk_size;
            break;
        case BodyKind::until_close:
            state_ = State::data;
            break;
    }
}

BodyDecoder::Step BodyDecoder::fail(ParseError e, std::size_t consumed) noexcept {
    error_ = e;
    state_ = State::failed;
    return {consumed, {}};
}

void BodyDecoder::finish_eof() noexcept {
    if (state_ == State::done || state_ == State::failed) return;
    if (kind_ == BodyKind::until_close) {
        state_ = State::done;
        return;
    }
    fail(ParseError::truncated_body, 0);
}

BodyDecoder::Step BodyDecoder::decode(std::string_view input) {
    std::size_t at = 0;
    while (at < input.size() || state_ == State::trailers) {
        switch (state_) {
            case State::done:
            case State::failed:
                return {at, {}};
            case State::data: {
                std::size_t n = input.size() - at;
                if (kind_ == BodyKind::length) {
                    if (n > remaining_) n = static_cast<std::size_t>(remaining_);
                    remaining_ -= n;
                    if (remaining_ == 0) state_ = State::done;
                } else if (options_.max_body_size != 0 && received_ + n > options_.max_body_size) {
                    return fail(ParseError::body_too_large, at);
                }
                received_ += n;
                return {at + n, input.substr(at, n)};
            }
            case State::chunk_size:
            case State::chunk_ext:
            case State::chunk_size_lf:
                at = decode_size_line(input, at);
                break;
            case State::chunk_data: {
                std::size_t n = input.size() - at;
                if (n > remaining_) n = static_cast<std::size_t>(remaining_);
                remaining_ -= n;
                received_ += n;
                if (remaining_ == 0) state_ = State::chunk_data_cr;
                return {at + n, input.substr(at, n)};
            }
            case State::chunk_data_cr:
                if (input[at] != '\r') return fail(ParseError::bad_chunk_end, at);
                ++at;
                state_ = State::chunk_data_lf;
                break;
            case State::chunk_data_lf:
                if (input[at] != '\n') return fail(ParseError::bad_chunk_end, at);
                ++at;
                state_ = State::chunk_size;
                remaining_ = 0;
                size_digits_ = 0;
                ext_bytes_ = 0;
                break;
            case State::trailers: {
                const std::size_t before = at;
                at = decode_trailers(input, at);
                if (state_ == State::trailers && at == before)
                    return {at, {}};  // a partial line: more input
                break;
            }
        }
        if (state_ == State::failed) return {at, {}};
    }
    return {at, {}};
}

// chunk = chunk-size [ chunk-ext ] CRLF, chunk-ext = *( BWS ";" BWS name [ BWS "=" BWS value ] )
// (RFC 9112 7.1, 7.1.1). Read byte by byte; returns the new position.
std::size_t BodyDecoder::decode_size_line(std::string_view input, std::size_t at) {
    while (at < input.size()) {
        const char c = input[at];
        if (state_ == State::chunk_size) {
            if (is(c, hex_digit)) {
                const unsigned d = c <= '9' ? static_cast<unsigned>(c - '0')
                                            : static_cast<unsigned>((c | 0x20) - 'a' + 10);
                if (remaining_ > (UINT64_MAX >> 4)) {
                    fail(ParseError::bad_chunk_size, at);
                    return at;
                }
                remaining_ = (remaining_ << 4) | d;
                ++size_digits_;
                ++at;
                continue;
            }
            if (size_digits_ == 0) {
                fail(ParseError::bad_chunk_size, at);
                return at;
            }
            if (c == '\r') {
                state_ = State::chunk_size_lf;
                ++at;
                continue;
            }
            if (c != ';' && !is_ws(c)) {
                fail(ParseError::bad_chunk_size, at);
                return at;
            }
            state_ = State::chunk_ext;
            ext_ = Ext::before_semi;
            // the byte is read again as the extension's first
        }
        if (state_ == State::chunk_ext) {
            if (c == '\r') {
                // an extension ends after a name or a value, never after ";", "=" or inside quotes
                if (ext_ != Ext::name && ext_ != Ext::after_name && ext_ != Ext::token &&
                    ext_ != Ext::after_value) {
                    fail(ParseError::bad_chunk_extension, at);
                    return at;
                }
                state_ = State::chunk_size_lf;
                ++at;
                continue;
            }
            if (++ext_bytes_ > options_.limits.max_chunk_extension) {
                fail(ParseError::bad_chunk_extension, at);
                return at;
            }
            bool ok = true;
            switch (ext_) {
                case Ext::before_semi:
                    if (c == ';')
                        ext_ = Ext::name_start;
                    else
                        ok = is_ws(c);
                    break;
                case Ext::name_start:
                    if (is(c, detail::tchar))
                        ext_ = Ext::name;
                    else
                        ok = is_ws(c);
                    break;
                case Ext::name:
                    if (c == '=')
                        ext_ = Ext::value_start;
                    else if (c == ';')
                        ext_ = Ext::name_start;
                    else if (is_ws(c))
                        ext_ = Ext::after_name;
                    else
                        ok = is(c, detail::tchar);
                    break;
                case Ext::after_name:
                    if (c == '=')
                        ext_ = Ext::value_start;
                    else if (c == ';')
                        ext_ = Ext::name_start;
                    else
                        ok = is_ws(c);
                    break;
                case Ext::value_start:
                    if (c == '"')
                        ext_ = Ext::quoted;
                    else if (is(c, detail::tchar))
                        ext_ = Ext::token;
                    else
                        ok = is_ws(c);
                    break;
                case Ext::token:
                    if (c == ';')
                        ext_ = Ext::name_start;
                    else if (is_ws(c))
                        ext_ = Ext::after_value;
                    else
                        ok = is(c, detail::tchar);
                    break;
                case Ext::quoted:
                    // qdtext = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text
                    if (c == '"')
                        ext_ = Ext::after_value;
                    else if (c == '\\')
                        ext_ = Ext::escape;
                    else
                        ok = c == '\t' || (static_cast<unsigned char>(c) >= 0x20 && c != 0x7f);
                    break;
                case Ext::escape:
                    ok = c == '\t' || (static_cast<unsigned char>(c) >= 0x20 && c != 0x7f);
                    ext_ = Ext::quoted;
                    break;
                case Ext::after_value:
                    if (c == ';')
                        ext_ = Ext::name_start;
                    else
                        ok = is_ws(c);
                    break;
            }
            if (!ok) {
                fail(ParseError::bad_chunk_extension, at);
                return at;
            }
            ++at;
            continue;
        }
        // chunk_size_lf
        if (c != '\n') {
            fail(ParseError::bad_chunk_size, at);
            return at;
        }
        ++at;
        if (remaining_ == 0) {
            state_ = State::trailers;
            trailer_bytes_ = 0;
            trailer_line_ = 0;
            return at;
        }
        // Refused as soon as announced, before the chunk's bytes arrive.
        if (options_.max_body_size != 0 && remaining_ > options_.max_body_size - received_) {
            fail(ParseError::body_too_large, at);
            return at;
        }
        state_ = State::chunk_data;
        return at;
    }
    return at;
}

// trailer-section = *( field-line CRLF ) CRLF. A line is validated once whole; a partial line is
// left unconsumed (trailer_line_ remembers how far the search for its LF went).
std::size_t BodyDecoder::decode_trailers(std::string_view input, std::size_t at) {
    while (true) {
        const std::size_t from = at + trailer_line_;
        const void* lf = from < input.size()
                             ? std::memchr(input.data() + from, '\n', input.size() - from)
                             : nullptr;
        if (lf == nullptr) {
            std::size_t partial = input.size() - at;
            if (partial != 0 && input.back() == '\r') --partial;
            if (trailer_bytes_ + partial > options_.limits.max_header_bytes)
                fail(ParseError::trailers_too_large, at);
            trailer_line_ = input.size() - at;
            return at;
        }
        const auto end = static_cast<std::size_t>(static_cast<const char*>(lf) - input.data());
        std::string_view line = input.substr(at, end - at);
        trailer_line_ = 0;
        const bool crlf = !line.empty() && line.back() == '\r';
        if (crlf) line.remove_suffix(1);
        if (!line.empty() && trailer_bytes_ + (end + 1 - at) > options_.limits.max_header_bytes) {
            fail(ParseError::trailers_too_large, at);
            return at;
        }
        if (!crlf || line.find('\r') != std::string_view::npos) {
            fail(ParseError::bad_trailer, at);
            return at;
        }
        if (line.empty()) {
            state_ = State::done;
            return end + 1;
        }
        // field-name ":" OWS field-value OWS; no obs-fold, no space before the colon.
        std::size_t i = 0;
        while (i < line.size() && is(line[i], detail::tchar)) ++i;
        bool ok = i > 0 && i < line.size() && line[i] == ':';
        if (ok) {
            for (char c : line.substr(i + 1)) {
                if (!is(c, detail::field_char)) ok = false;
            }
        }
        if (!ok) {
            fail(ParseError::bad_trailer, at);
            return at;
        }
        trailer_bytes_ += end + 1 - at;
        at = end + 1;
    }
}

}  // namespace aio::http
