#include "aio/core/exceptions.hpp"

#include <cerrno>

namespace aio {

TimeoutError::TimeoutError() : OSError(ETIMEDOUT, "timed out") {}
TimeoutError::TimeoutError(const std::string& what) : OSError(ETIMEDOUT, what) {}

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
