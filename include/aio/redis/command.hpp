#pragma once
/// How command arguments become RESP: each argument is a bulk string, so any bytes pass
/// (redis-py's `Encoder`). Integers are written in decimal, doubles with 17 significant digits.

#include <concepts>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace aio::redis {

/// A command being written: `CommandBuilder b; b.arg("SET").arg("k").arg(5); b.finish()`.
class CommandBuilder {
public:
    CommandBuilder& arg(std::string_view s);
    CommandBuilder& arg(std::int64_t v);
    CommandBuilder& arg(double v);
    template <class T>
        requires(std::integral<T> && !std::same_as<T, bool> && !std::same_as<T, std::int64_t>)
    CommandBuilder& arg(T v) {
        return arg(static_cast<std::int64_t>(v));
    }
    CommandBuilder& arg(const char* s) { return arg(std::string_view(s)); }
    CommandBuilder& arg(const std::string& s) { return arg(std::string_view(s)); }
    template <class T>
    CommandBuilder& arg(const std::vector<T>& many) {
        for (const auto& a : many) arg(a);
        return *this;
    }
    template <class... A>
    CommandBuilder& args(const A&... a) {
        (arg(a), ...);
        return *this;
    }
    std::size_t size() const noexcept { return count_; }
    /// The RESP array: `*<n>\r\n` then the arguments. The builder is empty afterwards.
    std::string finish();

private:
    std::string body_;
    std::size_t count_ = 0;
};

/// Encodes one command: `encode_command("SET", "k", 1)` is `*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\n1\r\n`.
template <class... A>
std::string encode_command(const A&... a) {
    CommandBuilder b;
    b.args(a...);
    return b.finish();
}

}  // namespace aio::redis
