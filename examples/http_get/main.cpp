// A curl-like client on aio::http::ClientSession: sends one request, prints the status line,
// the response's headers, a blank line, then the body (or its size, or the JSON pretty-printed).
//
//   example_http_get [-X METHOD] [-d DATA] [-H "Name: value"]... [-L] [--max-redirs N]
//                    [--timeout SECONDS] [--json | --size] [--no-headers] URL
//
// -L follows redirects (off by default, as in curl); each hop is printed as "< 301 http://...".
// --json prints the body parsed and indented (ContentTypeError unless it is application/json),
// --size only "<n> bytes". Errors print one line on stderr ("example_http_get: Cannot connect to
// host ...") and exit with status 1.

#include <aio/aio.hpp>
#include <aio/http/client.hpp>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "common/args.hpp"

namespace {

struct Options {
    std::string method = "GET";
    std::string url;
    std::optional<std::string> data;
    std::vector<std::pair<std::string, std::string>> headers;
    bool follow = false;
    int max_redirects = 10;
    std::optional<double> timeout;
    bool json = false;
    bool size_only = false;
    bool print_headers = true;
};

aio::Coro<int> main_coro(Options opt) {
    aio::http::ClientSession session;
    aio::http::RequestOptions request;
    for (const auto& [name, value] : opt.headers) request.headers.add(name, value);
    if (opt.data) request.data = *opt.data;
    request.allow_redirects = opt.follow;
    request.max_redirects = opt.max_redirects;
    if (opt.timeout) {
        auto total = std::chrono::duration_cast<aio::Duration>(std::chrono::duration<double>(*opt.timeout));
        request.timeout = aio::http::ClientTimeout{.total = total};
    }
    aio::http::ClientResponse r = co_await session.request(opt.method, opt.url, request);
    for (const auto& hop : r.history) std::printf("< %d %s\n", hop.status, hop.url.str().c_str());
    if (opt.print_headers) {
        std::printf("HTTP/%d.%d %d %s\n", r.version_major, r.version_minor, r.status, r.reason.c_str());
        for (const auto& [name, value] : r.headers) std::printf("%s: %s\n", name.c_str(), value.c_str());
        std::printf("\n");
    }
    if (opt.json) {
        nlohmann::json j = co_await r.json();
        std::printf("%s\n", j.dump(2).c_str());
    } else {
        std::string body = co_await r.read();
        if (opt.size_only) {
            std::printf("%zu bytes\n", body.size());
        } else {
            std::fwrite(body.data(), 1, body.size(), stdout);
        }
    }
    co_return 0;
}

const char* const kUsage =
    "example_http_get [-X METHOD] [-d DATA] [-H 'Name: value']... [-L] [--max-redirs N] [--timeout SECONDS] "
    "[--json | --size] [--no-headers] URL";

Options parse(int argc, char** argv) {
    Options opt;
    example::Args args(argc, argv);
    while (!args.done()) {
        std::string a = args.next();
        if (a == "-X") {
            opt.method = args.value();
        } else if (a == "-d") {
            opt.data = args.value();
            if (opt.method == "GET") opt.method = "POST";  // as curl does
        } else if (a == "-H") {
            std::string h = args.value();
            std::size_t colon = h.find(':');
            if (colon == std::string::npos || colon == 0) throw example::UsageError("-H: expected 'Name: value', got '" + h + "'");
            std::string value = h.substr(colon + 1);
            while (!value.empty() && value.front() == ' ') value.erase(0, 1);
            opt.headers.emplace_back(h.substr(0, colon), value);
        } else if (a == "-L") {
            opt.follow = true;
        } else if (a == "--max-redirs") {
            opt.max_redirects = args.number(1, 1000);
        } else if (a == "--timeout") {
            std::string v = args.value();
            char* end = nullptr;
            double s = std::strtod(v.c_str(), &end);
            if (v.empty() || *end != '\0' || !(s > 0) || s > 86400)
                throw example::UsageError("--timeout: expected seconds > 0, got '" + v + "'");
            opt.timeout = s;
        } else if (a == "--json") {
            opt.json = true;
        } else if (a == "--size") {
            opt.size_only = true;
        } else if (a == "--no-headers") {
            opt.print_headers = false;
        } else if (a.size() > 1 && a[0] == '-') {
            args.unknown(kUsage);
        } else if (opt.url.empty()) {
            opt.url = a;
        } else {
            throw example::UsageError("more than one URL ('" + opt.url + "', '" + a + "')");
        }
    }
    if (opt.url.empty()) throw example::UsageError(std::string("no URL (usage: ") + kUsage + ")");
    return opt;
}

}  // namespace

int main(int argc, char** argv) {
    Options opt;
    try {
        opt = parse(argc, argv);
    } catch (const example::UsageError& e) {
        return example::usage_error(argv[0], e);
    }
    return aio::run_main(argv[0], main_coro(std::move(opt)));
}
