#pragma once
// What every parser fuzzer checks: a failed check aborts, which libFuzzer reports as a crash
// with the input that caused it.

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#define FUZZ_CHECK(cond)                                                                  \
    do {                                                                                  \
        if (!(cond)) {                                                                    \
            std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            std::abort();                                                                 \
        }                                                                                 \
    } while (0)

namespace fuzz {

inline bool inside(std::string_view view, std::string_view buffer) {
    if (view.empty()) return true;
    return view.data() >= buffer.data() &&
           view.data() + view.size() <= buffer.data() + buffer.size();
}

// The input's first two bytes choose where it is split in two pieces; the rest is the message.
struct Input {
    std::string_view bytes;
    std::size_t split = 0;
};

inline Input split_input(const unsigned char* data, std::size_t size, std::size_t header = 2) {
    Input in;
    if (size < header) return in;
    const std::size_t choice = data[0] | (static_cast<std::size_t>(data[1]) << 8);
    in.bytes = std::string_view(reinterpret_cast<const char*>(data) + header, size - header);
    in.split = in.bytes.empty() ? 0 : choice % (in.bytes.size() + 1);
    return in;
}

}  // namespace fuzz
