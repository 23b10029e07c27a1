#include "aio/redis/command.hpp"

#include <charconv>
#include <cstdio>

namespace aio::redis {

CommandBuilder& CommandBuilder::arg(std::string_view s) {
    body_ += '$';
    body_ += std::to_string(s.size());
    body_ += "\r\n";
    body_ += s;
    body_ += "\r\n";
    ++count_;
    return *this;
}

CommandBuilder& CommandBuilder::arg(std::int64_t v) {
    char digits[24];
    auto [end, ec] = std::to_chars(digits, digits + sizeof digits, v);
    (void)ec;
    return arg(std::string_view(digits, static_cast<std::size_t>(end - digits)));
}

CommandBuilder& CommandBuilder::arg(double v) {
    char text[32];
    int n = std::snprintf(text, sizeof text, "%.17g", v);
    return arg(std::string_view(text, static_cast<std::size_t>(n)));
}

std::string CommandBuilder::finish() {
    // Appended piece by piece: g++ 12 -O3 warns (-Wrestrict, a false positive) on
    // `"*" + std::to_string(n)`, and users' Release builds must stay warning-free.
    std::string out;
    out.reserve(body_.size() + 24);
    out += '*';
    out += std::to_string(count_);
    out += "\r\n";
    out += body_;
    body_.clear();
    count_ = 0;
    return out;
}

}  // namespace aio::redis
