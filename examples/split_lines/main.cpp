// Seed 001, "Process data stream by chunk asynchronously": a pipeline of async generators. A
// download yields the body in chunks as they arrive; split_lines turns the chunk stream into a
// line stream; the main task prints the lines.
//
//   example_split_lines [--chunk-size N] [--delay-ms D] CHUNK...
//   example_split_lines --url URL [--chunk-size N]
//
// With --url the chunks come from the network, as in the seed: the body of a GET of URL, read
// with aiohttp's `response.content.iter_chunked(N)` (N: --chunk-size, default 1024).
// Each argument is one chunk, as it came off the network (in bash, $'a\nb' passes a newline).
// With --chunk-size, the arguments are joined and cut again into chunks of N bytes. --delay-ms
// waits before each chunk, as a slow network would. Each line is printed in quotes, with quotes,
// backslashes, "\r" and other control bytes escaped C-style; then a count of lines and chunks.
//
// Python, for comparison (the seed's split_lines, with its typos fixed):
//   async def download(...):
//       while "chunks to read":
//           chunk = await response.read(1024)
//           if not chunk:
//               break
//           yield chunk.decode('utf-8')
//
//   async def split_lines(stream):
//       leftover = ''
//       async for chunk in stream:
//           lines = (leftover + chunk).split('\n')
//           leftover = lines.pop()
//           for line in lines:
//               yield line
//       if leftover:
//           yield leftover
//
//   async for line in split_lines(download()):
//       print(line)
//
// What a line is: the text before each "\n", so a line may span any number of chunks and
// empty lines are kept. "\r\n" ends a line too (HTTP, Windows text): the "\r" is dropped, even
// when it came at the end of the previous chunk; a "\r" not followed by "\n" is data. Text after
// the last "\n" is a last line, yielded when the stream ends; a stream ending in "\n" has no
// empty last line. (The seed's `lstrip('\n')` dropped the empty lines found at the start of a
// chunk only, so its output depended on where the chunks were cut.)

#include <aio/aio.hpp>
#include <aio/http/client.hpp>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "common/args.hpp"

namespace {

struct Options {
    std::size_t chunk_size = 0;  // 0: one chunk per argument
    std::chrono::milliseconds delay{0};
    std::vector<std::string> chunks;
    std::string url;
};

// async def download(): yields the body chunk by chunk, as a network read would. Takes its
// input by value: a generator's body runs later, inside next(), like any coroutine run as a task.
aio::AsyncGenerator<std::string> download(std::vector<std::string> chunks,
                                          std::chrono::milliseconds delay) {
    for (auto& chunk : chunks) {
        if (delay.count() > 0) co_await aio::sleep(delay);  // chunk = await response.read(1024)
        co_yield std::move(chunk);
    }
}

// The seed's download itself: the chunks of an HTTP body, as they arrive.
//     async with session.get(url) as response:
//         while "chunks to read":
//             chunk = await response.content.read(1024) ...
aio::AsyncGenerator<std::string> http_download(std::string url, std::size_t chunk_size) {
    aio::http::ClientSession session;
    aio::http::ClientResponse response = co_await session.get(url);
    response.raise_for_status();
    auto chunks = response.content.iter_chunked(chunk_size);
    while (auto chunk = co_await chunks.next()) co_yield std::move(*chunk);
}

// async def split_lines(stream)
aio::AsyncGenerator<std::string> split_lines(aio::AsyncGenerator<std::string> stream) {
    std::string leftover;                          // leftover = ''
    while (auto chunk = co_await stream.next()) {  // async for chunk in stream:
        // The leftover holds no "\n": look for one only in the new text.
        std::size_t scan = leftover.size();
        leftover += *chunk;
        std::size_t start = 0;
        for (std::size_t nl; (nl = leftover.find('\n', scan)) != std::string::npos;) {
            std::size_t end = nl;
            if (end > start && leftover[end - 1] == '\r') --end;  // "\r\n"
            co_yield leftover.substr(start, end - start);         // yield line
            start = scan = nl + 1;
        }
        leftover.erase(0, start);  // leftover = lines.pop()
    }
    if (!leftover.empty()) co_yield std::move(leftover);  // the last line, without "\n"
}

std::string quoted(const std::string& s) {
    std::string out = "\"";
    for (unsigned char c : s) {
        if (c == '\\' || c == '"') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c == '\r') {
            out += "\\r";
        } else if (c < 0x20 || c == 0x7f) {
            char hex[8];
            std::snprintf(hex, sizeof hex, "\\x%02x", c);
            out += hex;
        } else {
            out += static_cast<char>(c);
        }
    }
    return out + "\"";
}

aio::Coro<int> main_coro(Options opt) {
    std::size_t n_chunks = opt.chunks.size();
    // async for line in split_lines(download()): print(line)
    std::size_t n_lines = 0;
    if (!opt.url.empty()) {
        // Count the chunks as they pass from the download to split_lines.
        auto counted = [](aio::AsyncGenerator<std::string> in, std::size_t& n) -> aio::AsyncGenerator<std::string> {
            while (auto c = co_await in.next()) {
                ++n;
                co_yield std::move(*c);
            }
        };
        auto lines = split_lines(counted(http_download(opt.url, opt.chunk_size ? opt.chunk_size : 1024), n_chunks));
        while (auto line = co_await lines.next()) {
            std::printf("%s\n", ::quoted(*line).c_str());  // not std::quoted, which ADL also finds
            ++n_lines;
        }
        std::printf("%zu lines from %zu chunks\n", n_lines, n_chunks);
        co_return 0;
    }
    auto lines = split_lines(download(std::move(opt.chunks), opt.delay));
    while (auto line = co_await lines.next()) {
        std::printf("%s\n", ::quoted(*line).c_str());  // not std::quoted, which ADL also finds
        ++n_lines;
    }
    std::printf("%zu lines from %zu chunks\n", n_lines, n_chunks);
    co_return 0;
}

const char* const kUsage = "example_split_lines [--chunk-size N] [--delay-ms D] [--] CHUNK... | --url URL [--chunk-size N]";

Options parse(int argc, char** argv) {
    Options opt;
    example::Args args(argc, argv);
    while (!args.done()) {
        std::string a = args.next();
        if (a == "--chunk-size") {
            opt.chunk_size = args.number<std::size_t>(1);
        } else if (a == "--url") {
            opt.url = args.value();
        } else if (a == "--delay-ms") {
            opt.delay = args.milliseconds();
        } else if (a == "--") {
            while (!args.done()) opt.chunks.push_back(args.next());
        } else if (a.rfind("--", 0) == 0) {
            args.unknown(kUsage);
        } else {
            opt.chunks.push_back(a);
        }
    }
    if (opt.chunk_size != 0 && opt.url.empty()) {  // re-cut the text into chunks of chunk_size bytes
        std::string text;
        for (const auto& c : opt.chunks) text += c;
        opt.chunks.clear();
        for (std::size_t at = 0; at < text.size(); at += opt.chunk_size)
            opt.chunks.push_back(text.substr(at, opt.chunk_size));
    }
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
