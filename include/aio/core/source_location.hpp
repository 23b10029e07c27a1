#pragma once
/// aio::SourceLocation — where a task was created. std::source_location is
/// not usable with clang 14 on libstdc++ 12 (it needs a builtin clang 15
/// added), so aio uses the builtins both compilers have.

namespace aio {

struct SourceLocation {
    static constexpr SourceLocation current(const char* file = __builtin_FILE(),
                                            unsigned line = __builtin_LINE(),
                                            const char* function = __builtin_FUNCTION()) noexcept {
        return SourceLocation{file, function, line};
    }
    constexpr const char* file_name() const noexcept { return file_; }
    constexpr const char* function_name() const noexcept { return function_; }
    constexpr unsigned line() const noexcept { return line_; }

    const char* file_ = "";
    const char* function_ = "";
    unsigned line_ = 0;
};

}  // namespace aio
