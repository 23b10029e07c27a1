#include "http/parser_scan.hpp"

#include <cstring>

#include "http/parser_chars.hpp"

namespace aio::http::detail {

namespace {

ParseError parse_field(HeadScan& scan, std::string_view line, std::size_t at) {
    std::size_t i = 0;
    while (i < line.size() && is(line[i], tchar)) ++i;
    if (i == 0) return ParseError::bad_header_name;
    if (i < line.size() && is_ws(line[i])) {
        while (i < line.size() && is_ws(line[i])) ++i;
        return i < line.size() && line[i] == ':' ? ParseError::space_before_colon
                                                 : ParseError::bad_header_name;
    }
    if (i == line.size() || line[i] != ':') return ParseError::bad_header_name;
    const std::size_t name_size = i;
    std::string_view value = trim_ows(line.substr(i + 1));
    if (!all_field_chars(value)) return ParseError::bad_header_value;
    const auto value_at = static_cast<std::size_t>(value.data() - line.data()) + at;
    scan.fields.push_back({static_cast<std::uint32_t>(at), static_cast<std::uint32_t>(name_size),
                           static_cast<std::uint32_t>(value_at),
                           static_cast<std::uint32_t>(value.size()), false});
    return ParseError::none;
}

// RFC 9112 5.2: a response's obs-fold is replaced by one SP; the value moves to the unfold
// storage. Only the last field can be continued, so its copy is always at the storage's end.
ParseError unfold(HeadScan& scan, std::string_view line, std::string_view buffer) {
    if (scan.fields.empty())
        return ParseError::obs_fold;  // whitespace before the first field (RFC 9112 2.2)
    std::string_view more = trim_ows(line);
    for (char c : more) {
        if (!is(c, field_char)) return ParseError::bad_header_value;
    }
    FieldSpan& f = scan.fields.back();
    if (!f.unfolded) {
        const auto at = static_cast<std::uint32_t>(scan.unfolded.size());
        scan.unfolded.insert(scan.unfolded.end(), buffer.data() + f.value_at,
                             buffer.data() + f.value_at + f.value_size);
        f.value_at = at;
        f.unfolded = true;
    }
    if (more.empty()) return ParseError::none;
    if (f.value_size != 0) {
        scan.unfolded.push_back(' ');
        ++f.value_size;
    }
    scan.unfolded.insert(scan.unfolded.end(), more.begin(), more.end());
    f.value_size += static_cast<std::uint32_t>(more.size());
    return ParseError::none;
}

ParseError check_version(std::string_view v, StartLine& out) {
    if (v.size() != 8 || v.substr(0, 5) != "HTTP/" || !is_digit(v[5]) || v[6] != '.' ||
        !is_digit(v[7]))
        return ParseError::bad_version;
    out.version_major = v[5] - '0';
    out.version_minor = v[7] - '0';
    // RFC 9110 2.5: HTTP/1.x with x > 1 is answered as 1.1; any other major is not ours.
    if (out.version_major != 1) return ParseError::unsupported_version;
    return ParseError::none;
}

bool is_scheme(std::string_view s) noexcept {
    if (s.empty() || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z'))) return false;
    for (char c : s) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) ||
                        c == '+' || c == '-' || c == '.';
        if (!ok) return false;
    }
    return true;
}

// RFC 9112 3.2: origin-form, absolute-form, authority-form (CONNECT only) or "*" (OPTIONS only).
ParseError check_target(std::string_view method, std::string_view t) {
    for (std::size_t i = 0; i < t.size(); ++i) {
        if (!is(t[i], target_char)) return ParseError::bad_target;
        if (t[i] == '%' &&
            (i + 2 >= t.size() || !is(t[i + 1], hex_digit) || !is(t[i + 2], hex_digit)))
            return ParseError::bad_target;
    }
    if (method == "CONNECT") {
        // host ":" port: no path, no query, a port of digits.
        const auto colon = t.rfind(':');
        if (colon == std::string_view::npos || colon == 0 || colon + 1 == t.size())
            return ParseError::bad_target;
        for (char c : t.substr(colon + 1)) {
            if (!is_digit(c)) return ParseError::bad_target;
        }
        if (t.find_first_of("/?@") != std::string_view::npos) return ParseError::bad_target;
        return ParseError::none;
    }
    if (t == "*") return method == "OPTIONS" ? ParseError::none : ParseError::bad_target;
    if (t[0] == '/') return ParseError::none;
    const auto colon = t.find(':');
    if (colon != std::string_view::npos && is_scheme(t.substr(0, colon))) return ParseError::none;
    return ParseError::bad_target;
}

}  // namespace

ParseError parse_request_line(std::string_view line, std::size_t at, StartLine& out) {
    // method SP request-target SP HTTP-version, single spaces (RFC 9112 3).
    std::size_t i = 0;
    while (i < line.size() && is(line[i], tchar)) ++i;
    if (i == 0) return ParseError::bad_method;
    if (i == line.size() || line[i] == '\t') return ParseError::bad_request_line;
    if (line[i] != ' ') return ParseError::bad_method;
    const std::string_view method = line.substr(0, i);
    const std::size_t target_at = i + 1;
    const auto sp = line.find(' ', target_at);
    if (sp == std::string_view::npos || sp == target_at) return ParseError::bad_request_line;
    const std::string_view target = line.substr(target_at, sp - target_at);
    std::string_view version = line.substr(sp + 1);
    if (ParseError e = check_target(method, target); e != ParseError::none) {
        // A tab or a control byte inside the target is a bad target; so is a space-separated
        // fragment: "GET /a b HTTP/1.1" leaves "b HTTP/1.1" as the version, reported below.
        return e;
    }
    if (version.size() > 8 && check_version(version.substr(0, 8), out) == ParseError::none &&
        is_ws(version[8]))
        return ParseError::bad_request_line;
    if (version.find(' ') != std::string_view::npos) return ParseError::bad_request_line;
    if (ParseError e = check_version(version, out); e != ParseError::none) return e;
    out.method_at = static_cast<std::uint32_t>(at);
    out.method_size = static_cast<std::uint32_t>(method.size());
    out.target_at = static_cast<std::uint32_t>(at + target_at);
    out.target_size = static_cast<std::uint32_t>(target.size());
    return ParseError::none;
}

ParseError parse_status_line(std::string_view line, std::size_t at, StartLine& out) {
    // HTTP-version SP 3DIGIT SP reason-phrase (RFC 9112 4); the SP before an empty reason is
    // often left out, and a client cannot refuse that, so it may be.
    if (line.size() < 8)
        return line.starts_with("HTTP/") || line.empty() ? ParseError::bad_version
                                                         : ParseError::bad_status_line;
    if (line.size() > 8 && line[8] != ' ') {
        return line.substr(0, 5) == "HTTP/" ? ParseError::bad_version : ParseError::bad_status_line;
    }
    if (ParseError e = check_version(line.substr(0, 8), out); e != ParseError::none) {
        return line.substr(0, 5) == "HTTP/" ? e : ParseError::bad_status_line;
    }
    if (line.size() == 8) return ParseError::bad_status_line;
    const std::string_view rest = line.substr(9);
    if (rest.size() < 3 || !is_digit(rest[0]) || !is_digit(rest[1]) || !is_digit(rest[2]) ||
        (rest.size() > 3 && rest[3] != ' '))
        return ParseError::bad_status;
    out.status = (rest[0] - '0') * 100 + (rest[1] - '0') * 10 + (rest[2] - '0');
    if (out.status < 100) return ParseError::bad_status;
    const std::string_view reason = rest.size() > 4 ? rest.substr(4) : std::string_view{};
    for (char c : reason) {
        if (!is(c, reason_char)) return ParseError::bad_status_line;
    }
    out.method_at = static_cast<std::uint32_t>(at + 13);
    out.method_size = static_cast<std::uint32_t>(reason.size());
    return ParseError::none;
}

ParseStatus scan_head(HeadScan& scan, std::string_view buffer, const ParserLimits& limits,
                      std::size_t& head_size, ParseError& error) {
    auto fail = [&error](ParseError e) {
        error = e;
        return ParseStatus::error;
    };
    // Offsets are kept in 32 bits: the limits make a larger head an error long before.
    if (buffer.size() > 0xffffffffu) buffer = buffer.substr(0, 0xffffffffu);
    if (scan.phase == HeadScan::Phase::done) {
        head_size = scan.line_start;
        return ParseStatus::complete;
    }
    while (true) {
        const std::size_t from = scan.searched > scan.line_start ? scan.searched : scan.line_start;
        const void* lf = from < buffer.size()
                             ? std::memchr(buffer.data() + from, '\n', buffer.size() - from)
                             : nullptr;
        if (lf == nullptr) {
            scan.searched = buffer.size();
            std::size_t partial = buffer.size() - scan.line_start;
            if (partial != 0 && buffer.back() == '\r') --partial;
            if (scan.phase == HeadScan::Phase::fields) {
                if (scan.field_bytes + partial > limits.max_header_bytes)
                    return fail(ParseError::headers_too_large);
            } else if (scan.leading + partial > limits.max_start_line) {
                return fail(ParseError::request_line_too_long);
            }
            return ParseStatus::incomplete;
        }
        const auto end = static_cast<std::size_t>(static_cast<const char*>(lf) - buffer.data());
        std::string_view line = buffer.substr(scan.line_start, end - scan.line_start);
        const bool crlf = !line.empty() && line.back() == '\r';
        if (crlf) line.remove_suffix(1);
        const std::size_t next = end + 1;
        const std::size_t at = scan.line_start;

        if (scan.phase == HeadScan::Phase::fields) {
            if (!line.empty() && scan.field_bytes + (next - at) > limits.max_header_bytes)
                return fail(ParseError::headers_too_large);
        } else if (scan.leading + line.size() > limits.max_start_line) {
            return fail(ParseError::request_line_too_long);
        }
        if (line.find('\r') != std::string_view::npos) return fail(ParseError::bare_cr);
        if (!crlf) return fail(ParseError::bad_line_ending);

        switch (scan.phase) {
            case HeadScan::Phase::leading:
                if (line.empty()) {  // RFC 9112 2.2: an empty line before the start line is skipped
                    scan.leading += next - at;
                    if (scan.leading > limits.max_start_line)
                        return fail(ParseError::request_line_too_long);
                    break;
                }
                scan.phase = HeadScan::Phase::start_line;
                [[fallthrough]];
            case HeadScan::Phase::start_line: {
                const ParseError e = scan.response ? parse_status_line(line, at, scan.start)
                                                   : parse_request_line(line, at, scan.start);
                if (e != ParseError::none) return fail(e);
                scan.phase = HeadScan::Phase::fields;
                break;
            }
            case HeadScan::Phase::fields: {
                if (line.empty()) {
                    scan.phase = HeadScan::Phase::done;
                    scan.line_start = scan.searched = next;
                    head_size = next;
                    return ParseStatus::complete;
                }
                ParseError e = ParseError::none;
                if (is_ws(line[0])) {
                    e = scan.response ? unfold(scan, line, buffer) : ParseError::obs_fold;
                } else if (scan.fields.size() >= limits.max_headers) {
                    e = ParseError::too_many_headers;
                } else {
                    e = parse_field(scan, line, at);
                }
                if (e != ParseError::none) return fail(e);
                scan.field_bytes += next - at;
                break;
            }
            case HeadScan::Phase::done:
                break;  // returned before the loop
        }
        scan.line_start = scan.searched = next;
    }
}

void make_fields(const HeadScan& scan, std::string_view buffer, std::vector<HeaderField>& fields) {
    fields.clear();
    fields.reserve(scan.fields.size());
    // Every offset lies inside `buffer`: the scan made them from it (or from a shorter prefix).
    for (const FieldSpan& f : scan.fields) {
        const char* value =
            f.unfolded ? scan.unfolded.data() + f.value_at : buffer.data() + f.value_at;
        fields.push_back({std::string_view(buffer.data() + f.name_at, f.name_size),
                          std::string_view(value, f.value_size)});
    }
}

}  // namespace aio::http::detail
