// Path templates: aiohttp's `{name}` (one segment) and `{name:regex}` parameters.

#include "path_pattern.hpp"

#include <cctype>

#include "aio/core/exceptions.hpp"
#include "aio/http/url.hpp"
#include "aio/web/state.hpp"

namespace aio::web::detail {

namespace {

bool is_name_start(char c) noexcept { return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_name_char(char c) noexcept { return is_name_start(c) || (c >= '0' && c <= '9'); }

std::string regex_escape(std::string_view s) {
    std::string out;
    for (char c : s) {
        if (std::string_view("\\^$.|?*+()[]{}").find(c) != std::string_view::npos) out += '\\';
        out += c;
    }
    return out;
}

// Capturing groups in a user's regex: `(` not escaped, not in a class, not `(?`.
std::size_t count_groups(std::string_view re) {
    std::size_t n = 0;
    bool in_class = false;
    for (std::size_t i = 0; i < re.size(); ++i) {
        char c = re[i];
        if (c == '\\') {
            ++i;
        } else if (in_class) {
            if (c == ']') in_class = false;
        } else if (c == '[') {
            in_class = true;
        } else if (c == '(' && (i + 1 >= re.size() || re[i + 1] != '?')) {
            ++n;
        }
    }
    return n;
}

[[noreturn]] void bad(std::string_view path, std::string_view why) {
    throw ValueError("Bad pattern '" + std::string(path) + "': " + std::string(why));
}

int hex(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

std::string decode_path_safe(std::string_view raw) {
    std::string out;
    out.reserve(raw.size());
    for (std::size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] == '%' && i + 2 < raw.size()) {
            int h = hex(raw[i + 1]), l = hex(raw[i + 2]);
            if (h >= 0 && l >= 0) {
                char c = static_cast<char>(h * 16 + l);
                if (c == '/' || c == '%') {
                    out += '%';
                    out += static_cast<char>(std::toupper(static_cast<unsigned char>(raw[i + 1])));
                    out += static_cast<char>(std::toupper(static_cast<unsigned char>(raw[i + 2])));
                } else {
                    out += c;
                }
                i += 2;
                continue;
            }
        }
        out += raw[i];
    }
    return out;
}

PathPattern PathPattern::parse(std::string_view path) {
    PathPattern p;
    std::string literal;
    auto flush = [&] {
        if (literal.empty()) return;
        Piece piece;
        piece.text = std::move(literal);
        p.pieces.push_back(std::move(piece));
        literal.clear();
    };
    for (std::size_t i = 0; i < path.size();) {
        char c = path[i];
        if (c == '}') bad(path, "a '}' without its '{'");
        if (c != '{') {
            literal += c;
            ++i;
            continue;
        }
        // A parameter: `{name}` or `{name:regex}`, the regex may hold one level of braces.
        std::size_t j = i + 1, depth = 1;
        for (; j < path.size() && depth; ++j) {
            if (path[j] == '\\') {
                ++j;
                continue;
            }
            if (path[j] == '{') ++depth;
            else if (path[j] == '}') --depth;
        }
        if (depth) bad(path, "an unclosed '{'");
        std::string_view inner = path.substr(i + 1, j - i - 2);
        std::size_t colon = inner.find(':');
        std::string_view name = inner.substr(0, colon);
        if (name.empty() || !is_name_start(name[0])) bad(path, "a parameter needs a name");
        for (char n : name)
            if (!is_name_char(n)) bad(path, "a parameter's name is letters, digits and '_'");
        for (const auto& known : p.names)
            if (known == name) bad(path, "the parameter '" + std::string(name) + "' appears twice");
        flush();
        Piece piece;
        piece.text = std::string(name);
        piece.param = true;
        if (colon != std::string_view::npos) {
            piece.regex = std::string(inner.substr(colon + 1));
            if (piece.regex.empty()) bad(path, "an empty regex");
            piece.custom = true;
            try {
                piece.re.emplace(piece.regex, std::regex::ECMAScript);
            } catch (const std::regex_error& e) {
                bad(path, std::string("a bad regex: ") + e.what());
            }
        }
        p.pieces.push_back(std::move(piece));
        p.names.emplace_back(name);
        i = j;
    }
    flush();
    if (p.names.empty()) return p;

    for (std::size_t k = 0; k < p.pieces.size() && !p.pieces[k].param; ++k) p.literal_prefix += p.pieces[k].text;
    for (std::size_t k = 0; k < p.pieces.size(); ++k) {
        const Piece& piece = p.pieces[k];
        if (!piece.param) continue;
        bool ends_segment = k + 1 == p.pieces.size() || (!p.pieces[k + 1].param && p.pieces[k + 1].text[0] == '/');
        if (piece.custom || !ends_segment) p.scan = false;
    }
    if (!p.scan) {
        std::string re;
        std::size_t group = 1;
        for (const Piece& piece : p.pieces) {
            if (!piece.param) {
                re += regex_escape(piece.text);
            } else if (!piece.custom) {
                re += "([^{}/]+)";
                p.groups.push_back(group++);
            } else {
                re += '(';
                re += piece.regex;
                re += ')';
                p.groups.push_back(group);
                group += 1 + count_groups(piece.regex);
            }
        }
        try {
            p.whole.emplace(re, std::regex::ECMAScript);
        } catch (const std::regex_error& e) {
            bad(path, std::string("a bad regex: ") + e.what());
        }
    }
    return p;
}

bool PathPattern::match(std::string_view path, std::vector<std::pair<std::string, std::string>>& out) const {
    if (!path.starts_with(literal_prefix)) return false;
    std::size_t first = out.size();
    if (scan) {
        std::size_t pos = 0;
        for (const Piece& piece : pieces) {
            if (!piece.param) {
                if (path.substr(pos, piece.text.size()) != piece.text) {
                    out.resize(first);
                    return false;
                }
                pos += piece.text.size();
                continue;
            }
            std::size_t end = path.find('/', pos);
            if (end == std::string_view::npos) end = path.size();
            std::string_view value = path.substr(pos, end - pos);
            if (value.empty() || value.find_first_of("{}") != std::string_view::npos) {
                out.resize(first);
                return false;
            }
            out.emplace_back(piece.text, http::unquote(value));
            pos = end;
        }
        if (pos != path.size()) {
            out.resize(first);
            return false;
        }
        return true;
    }
    std::match_results<std::string_view::const_iterator> m;
    if (!std::regex_match(path.begin(), path.end(), m, *whole)) return false;
    std::size_t k = 0;
    for (const Piece& piece : pieces) {
        if (!piece.param) continue;
        auto g = static_cast<int>(groups[k]);
        out.emplace_back(piece.text, http::unquote(path.substr(static_cast<std::size_t>(m.position(g)),
                                                                static_cast<std::size_t>(m.length(g)))));
        ++k;
    }
    return true;
}

std::string PathPattern::build(std::initializer_list<std::pair<std::string_view, std::string_view>> parts) const {
    std::string out;
    for (const Piece& piece : pieces) {
        if (!piece.param) {
            out += http::quote(piece.text, "/");
            continue;
        }
        const std::pair<std::string_view, std::string_view>* found = nullptr;
        for (const auto& part : parts)
            if (part.first == piece.text) found = &part;
        if (!found) throw_missing_key("url_for part", piece.text);
        std::string_view value = found->second;
        if (piece.custom) {
            if (!std::regex_match(value.begin(), value.end(), *piece.re))
                throw ValueError("url_for: '" + std::string(value) + "' does not match the parameter '" + piece.text + "'");
            out += http::quote(value, "/");
        } else {
            if (value.empty()) throw ValueError("url_for: the parameter '" + piece.text + "' is empty");
            out += http::quote(value, "");
        }
    }
    return out;
}

}  // namespace aio::web::detail
