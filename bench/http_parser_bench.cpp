// The parser choice, in numbers: aio's RequestParser/BodyDecoder against Boost.Beast's
// basic_parser and nodejs http-parser 2.9.4 (each built in only if found; see CMakeLists.txt).
//
//   http_parser_bench [--runs N]
//
// Prints, per candidate: the corpus vectors (tests/conformance/http, those with default limits)
// it accepts or refuses as the corpus expects; ns of CPU per typical browser request (a Chrome
// GET, 15 fields, ~650 bytes, parsed whole); MB/s of CPU on a 16 MiB chunked body in 4 KiB
// chunks. Times are medians over N runs (default 7) of process CPU time.

#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "../examples/http_parse/message_reader.hpp"
#include "../tests/conformance/http_corpus.hpp"

#ifdef AIO_BENCH_HAVE_BEAST
#include <boost/beast/http/basic_parser.hpp>
#endif
#ifdef AIO_BENCH_HAVE_HTTP_PARSER
#include <http_parser.h>
#endif

namespace {

const std::string chrome_get =
    "GET /search?q=http+parser&oq=http+parser HTTP/1.1\r\n"
    "Host: www.example.com\r\n"
    "Connection: keep-alive\r\n"
    "sec-ch-ua: \"Not_A Brand\";v=\"8\", \"Chromium\";v=\"120\", \"Google Chrome\";v=\"120\"\r\n"
    "sec-ch-ua-mobile: ?0\r\n"
    "sec-ch-ua-platform: \"Linux\"\r\n"
    "Upgrade-Insecure-Requests: 1\r\n"
    "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 "
    "Safari/537.36\r\n"
    "Accept: "
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;"
    "q=0.8,application/signed-exchange;v=b3;q=0.7\r\n"
    "Sec-Fetch-Site: same-origin\r\n"
    "Sec-Fetch-Mode: navigate\r\n"
    "Sec-Fetch-User: ?1\r\n"
    "Sec-Fetch-Dest: document\r\n"
    "Referer: https://www.example.com/\r\n"
    "Accept-Encoding: gzip, deflate, br\r\n"
    "Accept-Language: en-US,en;q=0.9\r\n"
    "\r\n";

std::string chunked_upload(std::size_t total, std::size_t chunk) {
    std::string m = "POST /upload HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n";
    const std::string data(chunk, 'x');
    char size[32];
    std::snprintf(size, sizeof size, "%zx\r\n", chunk);
    for (std::size_t n = 0; n < total; n += chunk) m.append(size).append(data).append("\r\n");
    return m.append("0\r\n\r\n");
}

double cpu_seconds() {
    timespec t{};
    ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

// The median over `runs` of the CPU seconds one call of `f` takes.
double median_seconds(int runs, const std::function<void()>& f) {
    std::vector<double> s;
    for (int i = 0; i < runs; ++i) {
        const double t0 = cpu_seconds();
        f();
        s.push_back(cpu_seconds() - t0);
    }
    std::sort(s.begin(), s.end());
    return s[s.size() / 2];
}

volatile std::size_t sink;  // keeps results alive, so that the work is not optimized away

struct Candidate {
    const char* name;
    std::function<bool(const http_corpus::Vector&)> accepts;  // the whole input, as a connection
    std::function<std::size_t(const std::string&)> request;   // parses one head; returns fields
    std::function<std::size_t(const std::string&)>
        chunked;  // parses a chunked message; returns body bytes
};

// aio: the reader http_parse and the corpus test use.
bool aio_accepts(const http_corpus::Vector& v) {
    http_parse::ReaderOptions o;
    o.response = v.response;
    o.request_method = v.method;
    o.max_body_size = v.max_body;
    http_parse::MessageReader reader(o);
    reader.feed(v.input);
    reader.finish();
    return !reader.failed();
}

std::size_t aio_request(const std::string& wire) {
    static aio::http::RequestParser parser;
    parser.reset();
    if (parser.parse(wire) != aio::http::ParseStatus::complete) std::abort();
    return parser.head().headers.size();
}

std::size_t aio_chunked(const std::string& wire) {
    aio::http::RequestParser parser;
    if (parser.parse(wire) != aio::http::ParseStatus::complete) std::abort();
    aio::http::BodyDecoder body(parser.head());
    std::string_view rest = std::string_view(wire).substr(parser.head_size());
    std::size_t n = 0;
    while (!body.done()) {
        const auto step = body.decode(rest);
        if (body.failed() || step.consumed == 0) std::abort();
        n += step.data.size();
        rest.remove_prefix(step.consumed);
    }
    return n;
}

#ifdef AIO_BENCH_HAVE_BEAST
namespace beast = boost::beast;

template <bool isRequest>
class BeastParser : public beast::http::basic_parser<isRequest> {
public:
    std::size_t fields = 0;
    std::size_t body = 0;
    bool connect = false;  // Beast frames a CONNECT as bodiless but leaves the tunnel to the caller

private:
    using sv = beast::string_view;
    using ec_t = beast::error_code;
    void on_request_impl(beast::http::verb method, sv, sv, int, ec_t&) override {
        connect = method == beast::http::verb::connect;
    }
    void on_response_impl(int, sv, int, ec_t&) override {}
    void on_field_impl(beast::http::field, sv, sv, ec_t&) override { ++fields; }
    void on_header_impl(ec_t&) override {}
    void on_body_init_impl(const boost::optional<std::uint64_t>&, ec_t&) override {}
    std::size_t on_body_impl(sv b, ec_t&) override {
        body += b.size();
        return b.size();
    }
    void on_chunk_header_impl(std::uint64_t, sv, ec_t&) override {}
    std::size_t on_chunk_body_impl(std::uint64_t, sv b, ec_t&) override {
        body += b.size();
        return b.size();
    }
    void on_finish_impl(ec_t&) override {}
};

template <bool isRequest>
bool beast_messages(const http_corpus::Vector& v) {
    std::string_view rest = v.input;
    while (!rest.empty()) {
        BeastParser<isRequest> p;
        p.eager(true);
        p.body_limit(boost::none);
        if constexpr (!isRequest) p.skip(v.method == "HEAD");
        beast::error_code ec;
        while (!rest.empty() && !p.is_done()) {
            const std::size_t n = p.put(boost::asio::buffer(rest.data(), rest.size()), ec);
            if (ec == beast::http::error::need_more) {
                ec = {};
                if (n == 0) break;
            }
            if (ec) return false;
            rest.remove_prefix(n);
        }
        if (!p.is_done()) {
            p.put_eof(ec);
            return !ec && p.is_done();
        }
        if (p.upgrade() || p.connect || !p.keep_alive()) return true;
    }
    return true;
}

bool beast_accepts(const http_corpus::Vector& v) {
    return v.response ? beast_messages<false>(v) : beast_messages<true>(v);
}

std::size_t beast_request(const std::string& wire) {
    BeastParser<true> p;
    beast::error_code ec;
    p.put(boost::asio::buffer(wire.data(), wire.size()), ec);
    if (ec || !p.is_done()) std::abort();
    return p.fields;
}

std::size_t beast_chunked(const std::string& wire) {
    BeastParser<true> p;
    p.eager(true);
    p.body_limit(boost::none);
    beast::error_code ec;
    std::string_view rest = wire;
    while (!p.is_done()) {
        const std::size_t n = p.put(boost::asio::buffer(rest.data(), rest.size()), ec);
        if (ec) std::abort();
        rest.remove_prefix(n);
    }
    return p.body;
}
#endif

#ifdef AIO_BENCH_HAVE_HTTP_PARSER
struct HpState {
    int begun = 0;
    int completed = 0;
    bool closed = false;
    bool skip_body = false;
    std::size_t fields = 0;
    std::size_t body = 0;
};

int hp_begin(http_parser* p) {
    ++static_cast<HpState*>(p->data)->begun;
    return 0;
}
int hp_field(http_parser* p, const char*, std::size_t) {
    ++static_cast<HpState*>(p->data)->fields;
    return 0;
}
int hp_headers_complete(http_parser* p) {
    return static_cast<HpState*>(p->data)->skip_body ? 1 : 0;
}
int hp_body(http_parser* p, const char*, std::size_t n) {
    static_cast<HpState*>(p->data)->body += n;
    return 0;
}
int hp_complete(http_parser* p) {
    auto* s = static_cast<HpState*>(p->data);
    ++s->completed;
    if (!http_should_keep_alive(p)) s->closed = true;
    return 0;
}

http_parser_settings hp_settings() {
    http_parser_settings s{};
    s.on_message_begin = hp_begin;
    s.on_header_field = hp_field;
    s.on_headers_complete = hp_headers_complete;
    s.on_body = hp_body;
    s.on_message_complete = hp_complete;
    return s;
}

bool hp_accepts(const http_corpus::Vector& v) {
    static const http_parser_settings settings = hp_settings();
    http_parser p;
    http_parser_init(&p, v.response ? HTTP_RESPONSE : HTTP_REQUEST);
    HpState s;
    s.skip_body = v.response && v.method == "HEAD";
    p.data = &s;
    const std::size_t n = http_parser_execute(&p, &settings, v.input.data(), v.input.size());
    if (p.upgrade) return true;
    if (HTTP_PARSER_ERRNO(&p) != HPE_OK)
        return s.closed && HTTP_PARSER_ERRNO(&p) == HPE_CLOSED_CONNECTION;
    if (n != v.input.size()) return false;
    http_parser_execute(&p, &settings, nullptr, 0);  // the end of input
    if (HTTP_PARSER_ERRNO(&p) != HPE_OK) return false;
    return s.begun == s.completed;
}

std::size_t hp_request(const std::string& wire) {
    static const http_parser_settings settings = hp_settings();
    http_parser p;
    http_parser_init(&p, HTTP_REQUEST);
    HpState s;
    p.data = &s;
    http_parser_execute(&p, &settings, wire.data(), wire.size());
    if (s.completed != 1) std::abort();
    return s.fields;
}

std::size_t hp_chunked(const std::string& wire) {
    static const http_parser_settings settings = hp_settings();
    http_parser p;
    http_parser_init(&p, HTTP_REQUEST);
    HpState s;
    p.data = &s;
    http_parser_execute(&p, &settings, wire.data(), wire.size());
    if (s.completed != 1) std::abort();
    return s.body;
}
#endif

bool default_limits(const http_corpus::Vector& v) {
    return v.max_start_line == 8 * 1024 && v.max_header_bytes == 8 * 1024 && v.max_headers == 100 &&
           v.max_chunk_extension == 1024 && v.max_body == 0;
}

}  // namespace

int main(int argc, char** argv) {
    int runs = 7;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--runs") == 0 && i + 1 < argc)
            runs = std::max(1, std::atoi(argv[++i]));
        else {
            std::fprintf(stderr, "usage: http_parser_bench [--runs N]\n");
            return 2;
        }
    }
    std::vector<Candidate> candidates = {{"aio", aio_accepts, aio_request, aio_chunked}};
#ifdef AIO_BENCH_HAVE_BEAST
    candidates.push_back({"beast", beast_accepts, beast_request, beast_chunked});
#endif
#ifdef AIO_BENCH_HAVE_HTTP_PARSER
    candidates.push_back({"http-parser", hp_accepts, hp_request, hp_chunked});
#endif

    std::vector<http_corpus::Vector> corpus;
    for (auto& v : http_corpus::read_corpus(AIO_BENCH_CORPUS_DIR)) {
        if (default_limits(v)) corpus.push_back(std::move(v));
    }
    const std::string upload = chunked_upload(16 << 20, 4096);

    std::printf(
        "== HTTP/1.1 parsers: corpus (%zu vectors with default limits), a %zu-byte Chrome GET, "
        "a 16 MiB chunked body (4 KiB chunks); CPU time, median of %d runs\n",
        corpus.size(), chrome_get.size(), runs);
    std::printf("%-12s %14s %14s %14s %16s\n", "parser", "corpus passed", "  refused ok",
                "ns/request", "chunked MB/s");
    for (const Candidate& c : candidates) {
        std::size_t passed = 0, refusals = 0, refused_ok = 0;
        const bool verbose = std::getenv("AIO_BENCH_VERBOSE") != nullptr;
        for (const auto& v : corpus) {
            const bool want = v.expected_error().empty();
            if (verbose) std::fprintf(stderr, "%s: %s\n", c.name, v.where().c_str());
            const bool got = c.accepts(v);
            if (verbose && got != want)
                std::fprintf(stderr, "  %s %s\n", c.name, got ? "accepts" : "refuses");
            passed += want == got;
            refusals += !want;
            refused_ok += !want && !got;
        }
        constexpr int iterations = 200000;
        const double req = median_seconds(runs, [&] {
            for (int i = 0; i < iterations; ++i) sink = c.request(chrome_get);
        });
        const double body = median_seconds(runs, [&] { sink = c.chunked(upload); });
        std::printf("%-12s %9zu/%-4zu %9zu/%-4zu %14.1f %16.0f\n", c.name, passed, corpus.size(),
                    refused_ok, refusals, req / iterations * 1e9,
                    static_cast<double>(16 << 20) / body / 1e6);
    }
    return 0;
}
