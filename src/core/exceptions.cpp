#include "aio/core/exceptions.hpp"

#include <cerrno>

namespace aio {

OSError::OSError(int err, const std::string& what)
    : OSError(std::error_code(err, std::generic_category()), err,
              err == 0       ? what
              : what.empty() ? std::generic_category().message(err)
                             : what + ": " + std::generic_category().message(err)) {}

OSError::OSError(std::error_code code, int err, const std::string& text) : std::system_error(code), errno_(err) {
    // std::system_error's own text is "<what>: <code().message()>", always; OSError words its
    // what() itself, so the message is set on the runtime_error base. This keeps what() in the
    // base's reference-counted string, and copying the exception cannot throw.
    static_cast<std::runtime_error&>(*this) = std::runtime_error(text);
}

TimeoutError::TimeoutError() : TimeoutError("timed out") {}
TimeoutError::TimeoutError(const std::string& what)
    : OSError(std::error_code(ETIMEDOUT, std::generic_category()), ETIMEDOUT, what) {}

ExceptionGroup::ExceptionGroup(std::string message, std::vector<std::exception_ptr> exceptions)
    : message_(std::move(message)), exceptions_(std::move(exceptions)) {
    what_ = message_ + " (" + std::to_string(exceptions_.size()) + " sub-exception" +
            (exceptions_.size() == 1 ? "" : "s") + ")";
    for (const auto& e : exceptions_) what_ += "\n  - " + describe_exception(e);
}

std::string describe_exception(const std::exception_ptr& e) {
    if (!e) return "no exception";
    try {
        std::rethrow_exception(e);
    } catch (const CancelledError& c) {
        return c.message().empty() ? "CancelledError" : "CancelledError: " + c.message();
    } catch (const TimeoutError& t) {
        return std::string("TimeoutError: ") + t.what();
    } catch (const std::exception& x) {
        return x.what();
    } catch (...) {
        return "unknown exception";
    }
}

bool is_cancelled_error(const std::exception_ptr& e) noexcept {
    if (!e) return false;
    try {
        std::rethrow_exception(e);
    } catch (const CancelledError&) {
        return true;
    } catch (...) {
        return false;
    }
}

}  // namespace aio
