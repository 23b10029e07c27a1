// http_parse: parses raw HTTP/1.1 messages and prints each as one JSON line.
//
//   example_http_parse [--response] [--method METHOD] [--max-body BYTES] [FILE]
//
// Reads FILE (or stdin) to its end, then prints a line per message: the start line's parts,
// version, headers as [name, value] pairs in wire order, framing, body, keep_alive, upgrade.
// At the first refusal it prints {"error": NAME} (the ParseError's name) and exits with 1.

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>

#include "common/args.hpp"
#include "message_reader.hpp"

namespace {

constexpr const char* usage =
    "example_http_parse [--response] [--method METHOD] [--max-body BYTES] [FILE]";

// The whole of `fd`, or a message naming what failed.
bool read_all(int fd, std::string& out, std::string& error) {
    char chunk[64 * 1024];
    while (true) {
        const ssize_t n = ::read(fd, chunk, sizeof chunk);
        if (n > 0) {
            out.append(chunk, static_cast<std::size_t>(n));
        } else if (n == 0) {
            return true;
        } else if (errno != EINTR) {
            error = std::strerror(errno);
            return false;
        }
    }
}

}  // namespace

int main(int argc, char** argv) {
    http_parse::ReaderOptions options;
    std::string path;
    try {
        example::Args args(argc, argv);
        while (!args.done()) {
            const std::string arg = args.next();
            if (arg == "--response")
                options.response = true;
            else if (arg == "--method")
                options.request_method = args.value();
            else if (arg == "--max-body")
                options.max_body_size = args.number<std::uint64_t>(0);
            else if (arg.empty() || arg[0] == '-' || !path.empty())
                args.unknown(usage);
            else
                path = arg;
        }
    } catch (const example::UsageError& e) {
        return example::usage_error(argv[0], e);
    }

    std::string input;
    std::string error;
    const int fd = path.empty() ? 0 : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    const std::string source = path.empty() ? "stdin" : path;
    if (fd < 0 || !read_all(fd, input, error)) {
        if (fd < 0) error = std::strerror(errno);
        std::fprintf(stderr, "example_http_parse: %s: %s\n", source.c_str(), error.c_str());
        return 1;
    }
    if (fd != 0) ::close(fd);

    http_parse::MessageReader reader(options);
    reader.feed(input);
    reader.finish();
    for (const nlohmann::json& message : reader.messages()) std::cout << message.dump() << "\n";
    return reader.failed() ? 1 : 0;
}
