#pragma once
// The HTTP/1.1 parser corpus (tests/conformance/http/*.txt): its reader, shared by the corpus
// test and bench/http_parser_bench.cpp. The format is described in http/README.md.

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace http_corpus {

struct Vector {
    std::string file;
    int line = 0;
    std::string name;
    bool response = false;
    std::string method = "GET";
    std::size_t max_start_line = 8 * 1024;
    std::size_t max_header_bytes = 8 * 1024;
    std::size_t max_headers = 100;
    std::size_t max_chunk_extension = 1024;
    std::uint64_t max_body = 0;
    std::string input;                  // the raw bytes, escapes resolved
    std::vector<std::string> expected;  // JSON lines, as written

    std::string where() const { return file + ":" + std::to_string(line) + " (" + name + ")"; }
    /// The error the last expected line names, or "" if the vector is accepted whole.
    std::string expected_error() const {
        if (expected.empty()) return "";
        const std::string& last = expected.back();
        const auto at = last.find("\"error\"");
        if (at == std::string::npos) return "";
        const auto open = last.find('"', last.find(':', at) + 1);
        return last.substr(open + 1, last.find('"', open + 1) - open - 1);
    }
};

/// `\r \n \t \s (a space) \\ \xNN`; any other byte stands for itself.
inline std::string unescape(const std::string& text, const std::string& where) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '\\') {
            out.push_back(text[i]);
            continue;
        }
        if (++i == text.size())
            throw std::runtime_error(where + ": a lone backslash at the end of a line");
        switch (text[i]) {
            case 'r':
                out.push_back('\r');
                break;
            case 'n':
                out.push_back('\n');
                break;
            case 't':
                out.push_back('\t');
                break;
            case 's':
                out.push_back(' ');
                break;
            case '\\':
                out.push_back('\\');
                break;
            case 'x':
                if (i + 2 >= text.size()) throw std::runtime_error(where + ": a short \\x escape");
                out.push_back(static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16)));
                i += 2;
                break;
            default:
                throw std::runtime_error(where + ": unknown escape \\" + std::string(1, text[i]));
        }
    }
    return out;
}

inline void read_options(Vector& v, const std::string& text, const std::string& where) {
    std::istringstream in(text);
    for (std::string word; in >> word;) {
        const auto eq = word.find('=');
        const std::string key = word.substr(0, eq);
        const std::string value = eq == std::string::npos ? "" : word.substr(eq + 1);
        if (key == "response")
            v.response = true;
        else if (key == "method")
            v.method = value;
        else if (key == "max_start_line")
            v.max_start_line = std::stoul(value);
        else if (key == "max_header_bytes")
            v.max_header_bytes = std::stoul(value);
        else if (key == "max_headers")
            v.max_headers = std::stoul(value);
        else if (key == "max_chunk_extension")
            v.max_chunk_extension = std::stoul(value);
        else if (key == "max_body")
            v.max_body = std::stoull(value);
        else
            throw std::runtime_error(where + ": unknown option " + word);
    }
}

inline std::vector<Vector> read_file(const std::filesystem::path& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot open " + path.string());
    std::vector<Vector> vectors;
    int n = 0;
    for (std::string line; std::getline(in, line);) {
        ++n;
        const std::string where = path.filename().string() + ":" + std::to_string(n);
        if (line.empty() || line[0] == '#') continue;
        if (line.rfind("=== ", 0) == 0) {
            vectors.emplace_back();
            vectors.back().file = path.filename().string();
            vectors.back().line = n;
            vectors.back().name = line.substr(4);
            continue;
        }
        if (vectors.empty()) throw std::runtime_error(where + ": text before the first '=== name'");
        Vector& v = vectors.back();
        if (line.rfind("options:", 0) == 0)
            read_options(v, line.substr(8), where);
        else if (line == ">")
            continue;
        else if (line.rfind("> ", 0) == 0)
            v.input += unescape(line.substr(2), where);
        else if (line.rfind("< ", 0) == 0)
            v.expected.push_back(line.substr(2));
        else
            throw std::runtime_error(
                where + ": a line that is not '> bytes', '< json', 'options:' or '# comment'");
    }
    for (const Vector& v : vectors) {
        if (v.expected.empty())
            throw std::runtime_error(v.where() + ": no expected outcome ('< ...')");
    }
    return vectors;
}

/// Every vector of tests/conformance/http/, files in name order.
inline std::vector<Vector> read_corpus(const std::filesystem::path& dir) {
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        if (entry.path().extension() == ".txt") files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    std::vector<Vector> all;
    for (const auto& f : files) {
        auto vs = read_file(f);
        all.insert(all.end(), vs.begin(), vs.end());
    }
    return all;
}

}  // namespace http_corpus
