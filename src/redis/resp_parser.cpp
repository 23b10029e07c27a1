#include "aio/redis/resp_parser.hpp"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <utility>
#include <vector>

namespace aio::redis {

namespace {

// Reply bytes that name what went wrong without flooding the message.
std::string excerpt(std::string_view s) {
    std::string out;
    for (char c : s.substr(0, 32)) {
        if (c >= 0x20 && c < 0x7f)
            out += c;
        else
            out += '.';
    }
    if (s.size() > 32) out += "...";
    return out;
}

bool parse_int(std::string_view s, std::int64_t& v) {
    if (s.empty() || s[0] == '+') return false;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    return ec == std::errc() && p == s.data() + s.size();
}

bool is_big_number(std::string_view s) {
    if (!s.empty() && s[0] == '-') s.remove_prefix(1);
    if (s.empty()) return false;
    for (char c : s)
        if (c < '0' || c > '9') return false;
    return true;
}

bool parse_double(std::string_view s, double& v) {
    if (s == "inf" || s == "+inf") return v = HUGE_VAL, true;
    if (s == "-inf") return v = -HUGE_VAL, true;
    if (s == "nan" || s == "-nan") return v = std::nan(""), true;
    if (s.empty() || s.size() > 350) return false;
    for (char c : s)
        if (!((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E')) return false;
    std::string z(s);  // strtod needs a terminator; from_chars for double is missing in libstdc++ 10
    char* end = nullptr;
    v = std::strtod(z.c_str(), &end);
    return end == z.c_str() + z.size();
}

}  // namespace

void RespParser::feed(std::string_view data) {
    if (pos_ == buf_.size()) {
        buf_.clear();
        pos_ = 0;
        need_ = 0;
    } else if (pos_ > 4096 && pos_ > buf_.size() / 2) {
        buf_.erase(0, pos_);
        need_ -= pos_;
        pos_ = 0;
    }
    buf_.append(data);
}

void RespParser::fail(const std::string& what) {
    failed_ = "malformed RESP reply: " + what;
    throw ProtocolError(failed_);
}

std::optional<Reply> RespParser::next() {
    if (!failed_.empty()) throw ProtocolError(failed_);
    if (pos_ == buf_.size() || buf_.size() < need_) return std::nullopt;
    std::size_t at = pos_;
    Reply r;
    if (parse(at, 0, r) == Status::need_more) return std::nullopt;
    pos_ = at;
    need_ = 0;
    return r;
}

RespParser::Status RespParser::parse_line(std::size_t& at, std::string_view& line) {
    std::string_view rest(buf_.data() + at, buf_.size() - at);
    std::size_t cr = rest.substr(0, limits_.max_line_length + 1).find('\r');
    // The same verdict in any split: a bare LF before the CR fails now, not once the CR comes.
    std::string_view scanned = rest.substr(0, cr);
    if (scanned.find('\n') != std::string_view::npos) fail("a line holds a bare LF: " + excerpt(scanned));
    if (cr == std::string_view::npos) {
        if (rest.size() > limits_.max_line_length)
            fail("a line longer than " + std::to_string(limits_.max_line_length) + " bytes");
        need_ = buf_.size() + 1;
        return Status::need_more;
    }
    if (cr + 1 == rest.size()) {
        need_ = buf_.size() + 1;
        return Status::need_more;
    }
    if (rest[cr + 1] != '\n') fail("CR not followed by LF: " + excerpt(rest));
    line = scanned;
    at += cr + 2;
    return Status::done;
}

RespParser::Status RespParser::parse(std::size_t& at, int depth, Reply& out) {
    if (depth > limits_.max_depth) fail("aggregates nested deeper than " + std::to_string(limits_.max_depth));
    if (at >= buf_.size()) {
        need_ = at + 1;
        return Status::need_more;
    }
    const char kind = buf_[at];
    std::size_t line_at = at + 1;
    std::string_view line;
    if (parse_line(line_at, line) == Status::need_more) return Status::need_more;

    auto length = [&](std::string_view what, std::int64_t max) {
        std::int64_t n = 0;
        if (!parse_int(line, n) || n < -1) fail("bad " + std::string(what) + " length '" + excerpt(line) + "'");
        if (n > max)
            fail(std::string(what) + " of " + std::to_string(n) + " exceeds the limit of " + std::to_string(max));
        return n;
    };

    switch (kind) {
        case '+':
            out = Reply::string(ReplyType::simple_string, std::string(line));
            break;
        case '-':
            out = Reply::string(ReplyType::error, std::string(line));
            break;
        case ':': {
            std::int64_t v = 0;
            if (!parse_int(line, v)) fail("bad integer '" + excerpt(line) + "'");
            out = Reply::integer(v);
            break;
        }
        case '_':
            if (!line.empty()) fail("a null with a payload '" + excerpt(line) + "'");
            out = Reply::nil();
            break;
        case '#':
            if (line != "t" && line != "f") fail("bad boolean '" + excerpt(line) + "'");
            out = Reply::boolean(line == "t");
            break;
        case ',': {
            double v = 0;
            if (!parse_double(line, v)) fail("bad double '" + excerpt(line) + "'");
            out = Reply::double_value(v, std::string(line));
            break;
        }
        case '(':
            if (!is_big_number(line)) fail("bad big number '" + excerpt(line) + "'");
            out = Reply::string(ReplyType::big_number, std::string(line));
            break;
        case '$':
        case '=':
        case '!': {
            std::int64_t n = length("bulk string", limits_.max_bulk_length);
            if (n == -1) {
                if (kind != '$') fail("a null verbatim string or bulk error");
                out = Reply::nil();
                break;
            }
            const std::size_t len = static_cast<std::size_t>(n);
            if (buf_.size() - line_at < len + 2) {
                need_ = line_at + len + 2;
                return Status::need_more;
            }
            if (buf_[line_at + len] != '\r' || buf_[line_at + len + 1] != '\n')
                fail("a bulk string of " + std::to_string(len) + " bytes not followed by CRLF");
            std::string body(buf_.data() + line_at, len);
            line_at += len + 2;
            if (kind == '=') {
                if (len < 4 || body[3] != ':') fail("a verbatim string without its 3-letter format");
                out = Reply::verbatim(std::string_view(body).substr(0, 3), body.substr(4));
            } else {
                out = Reply::string(kind == '$' ? ReplyType::bulk_string : ReplyType::error, std::move(body));
            }
            break;
        }
        case '*':
        case '~':
        case '>':
        case '%':
        case '|': {
            const bool pairs = kind == '%' || kind == '|';
            std::int64_t n = length("aggregate", pairs ? limits_.max_aggregate_length / 2 : limits_.max_aggregate_length);
            if (n == -1) {
                if (kind != '*') fail("a null aggregate of type '" + std::string(1, kind) + "'");
                out = Reply::nil();
                break;
            }
            const std::size_t count = static_cast<std::size_t>(pairs ? n * 2 : n);
            std::vector<Reply> elements;
            // Every element takes 3 bytes at least: reserve no more than the bytes can hold,
            // so a lying header cannot make us allocate.
            elements.reserve(std::min(count, (buf_.size() - line_at) / 3 + 1));
            for (std::size_t i = 0; i < count; ++i) {
                Reply e;
                if (parse(line_at, depth + 1, e) == Status::need_more) return Status::need_more;
                elements.push_back(std::move(e));
            }
            if (kind == '|') {
                // An attribute annotates the reply that follows it: return that one.
                at = line_at;
                return parse(at, depth, out);
            }
            const ReplyType t = kind == '*'   ? ReplyType::array
                                : kind == '~' ? ReplyType::set
                                : kind == '>' ? ReplyType::push
                                              : ReplyType::map;
            out = Reply::aggregate(t, std::move(elements));
            break;
        }
        default:
            fail("unknown type byte '" + excerpt(std::string_view(&buf_[at], 1)) + "' in '" +
                 excerpt(std::string_view(buf_).substr(at)) + "'");
    }
    at = line_at;
    return Status::done;
}

}  // namespace aio::redis
