// http_parse: parses raw HTTP/1.1 messages and prints each as one JSON line.
//
//   example_http_parse [--response [--method METHOD]] [FILE]
//
// Reads FILE (or stdin) to the end, then prints a line per message: the start line's parts,
// version, headers as [name, value] pairs in wire order, framing, body, keep_alive, upgrade.
// At the first refusal it prints {"error": NAME} (the ParseError's name) and exits with 1.

#include <cstdio>
#include <cstring>
#include <iostream>
#include <iterator>
#include <fstream>

#include "message_reader.hpp"

int main(int argc, char** argv) {
    http_parse::ReaderOptions options;
    const char* path = nullptr;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--response") == 0) {
            options.response = true;
        } else if (std::strcmp(argv[i], "--method") == 0 && i + 1 < argc) {
            options.request_method = argv[++i];
        } else if (argv[i][0] != '-' && path == nullptr) {
            path = argv[i];
        } else {
            std::cerr << "usage: " << argv[0] << " [--response [--method METHOD]] [FILE]\n";
            return 2;
        }
    }
    std::ifstream file;
    if (path != nullptr) {
        file.open(path, std::ios::binary);
        if (!file) {
            std::cerr << argv[0] << ": cannot open " << path << ": " << std::strerror(errno) << "\n";
            return 2;
        }
    }
    std::istream& in = path != nullptr ? file : std::cin;
    const std::string input((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());

    http_parse::MessageReader reader(options);
    reader.feed(input);
    reader.finish();
    for (const nlohmann::json& message : reader.messages()) std::cout << message.dump() << "\n";
    return reader.failed() ? 1 : 0;
}
