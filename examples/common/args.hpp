#pragma once
// What the examples share for their command lines: flags read strictly, with a usage error that
// names the flag (atoi took "-5", "10x" and "ten" without a word), and the usage-error exit of
// main. Not part of aio: parsing arguments is each program's own business. An exception that
// escapes aio::run is aio's business: see aio::run_main.
//
//   example::Args args(argc, argv);
//   while (!args.done()) {
//       std::string a = args.next();
//       if (a == "--delay-ms") opt.delay = args.milliseconds();
//       else args.unknown(kUsage);
//   }

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>

namespace example {

/// A bad command line; what() names the flag and says what was wrong.
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// argv, one argument at a time.
class Args {
public:
    Args(int argc, char** argv) : argc_(argc), argv_(argv) {}

    bool done() const { return i_ + 1 >= argc_; }

    /// The next argument: a flag, whose value the calls below read, or an operand.
    std::string next() {
        flag_ = argv_[++i_];
        return flag_;
    }

    /// The value of the flag next() returned. UsageError "--port: missing value" if none follows.
    const char* value() {
        if (done()) throw UsageError(flag_ + ": missing value");
        return argv_[++i_];
    }

    /// The value as a whole number in [min, max]. UsageError "--workers: expected a whole number
    /// >= 1, got '0'" for anything else ("", "ten", "10x", "-5" below a min of 0, ...).
    template <class T = int>
    T number(T min, T max = std::numeric_limits<T>::max()) {
        std::string flag = flag_;
        return to_number(flag, value(), min, max);
    }

    /// The argument next() returned, an operand called `name` in the usage, as a number.
    template <class T = int>
    T operand_number(const char* name, T min, T max = std::numeric_limits<T>::max()) const {
        return to_number(name, flag_.c_str(), min, max);
    }

    /// The value as a duration in milliseconds, >= 0: a negative delay is refused, not taken as 0.
    std::chrono::milliseconds milliseconds() { return std::chrono::milliseconds(number<long>(0)); }

    /// The value as a decimal number in (0, max]: "--interval: expected seconds > 0 (at most
    /// 86400), got 'soon'" (`what` names it) for anything else: "", "0", "-1", "3s", "nan".
    double positive(double max, const char* what = "a number") {
        std::string flag = flag_;
        const char* text = value();
        char* end = nullptr;
        errno = 0;
        const double v = std::strtod(text, &end);
        if (end == text || *end != '\0' || errno == ERANGE || !(v > 0) || v > max) {
            char limit[32];
            std::snprintf(limit, sizeof limit, "%g", max);
            throw UsageError(flag + ": expected " + what + " > 0 (at most " + limit + "), got '" + text + "'");
        }
        return v;
    }

    /// For a program that takes no arguments: UsageError for the first one, if any.
    void none(const char* usage) {
        if (done()) return;
        next();
        unknown(usage);
    }

    /// The argument next() returned is not one the program knows.
    [[noreturn]] void unknown(const char* usage) const {
        throw UsageError("unknown argument '" + flag_ + "' (usage: " + usage + ")");
    }

private:
    template <class T>
    static T to_number(const std::string& name, const char* text, T min, T max) {
        const char* end = text + std::strlen(text);
        T v{};
        auto [stop, err] = std::from_chars(text, end, v);
        if (err != std::errc() || stop != end || text == end || v < min || v > max) {
            std::string range = max == std::numeric_limits<T>::max()
                                    ? ">= " + std::to_string(min)
                                    : "from " + std::to_string(min) + " to " + std::to_string(max);
            throw UsageError(name + ": expected a whole number " + range + ", got '" + text + "'");
        }
        return v;
    }

    int argc_;
    char** argv_;
    int i_ = 0;
    std::string flag_;
};

/// For main: prints "<program>: <what>" on stderr, one line, and returns 2 (a usage error's
/// exit status, as for Python's argparse).
inline int usage_error(const char* argv0, const UsageError& e) {
    const char* program = std::strrchr(argv0, '/') ? std::strrchr(argv0, '/') + 1 : argv0;
    std::fprintf(stderr, "%s: %s\n", program, e.what());
    return 2;
}

}  // namespace example
