#pragma once
/// aio's exception types, mirroring asyncio's.
///
/// `CancelledError` deliberately does not derive from `std::exception`, so a
/// `catch (const std::exception&)` never swallows a cancellation (asyncio made
/// the same move in Python 3.8, when CancelledError left Exception).

#include <exception>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

namespace aio {

/// Raised at the `co_await` where a task is cancelled. Catch it only to clean
/// up, then rethrow (or call `uncancel()` when you really mean to swallow it).
class CancelledError {
public:
    CancelledError() = default;
    explicit CancelledError(std::string message) : message_(std::move(message)) {}
    /// The message given to `cancel(msg)`, empty when none was.
    const std::string& message() const noexcept { return message_; }
    const char* what() const noexcept { return message_.empty() ? "CancelledError" : message_.c_str(); }

private:
    std::string message_;
};

/// An operation on a future or task in the wrong state (asyncio.InvalidStateError).
class InvalidStateError : public std::logic_error {
public:
    using std::logic_error::logic_error;
};

/// A value out of range: a negative Semaphore value, a Barrier of no parties,
/// too many task_done() calls (Python's ValueError). Catchable as
/// `std::invalid_argument`.
class ValueError : public std::invalid_argument {
public:
    using std::invalid_argument::invalid_argument;
};

/// Misuse of the loop, like asyncio's RuntimeError ("no running event loop",
/// "This event loop is already running", ...).
class RuntimeError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// An OS-level failure carrying errno; the root of the OSError family.
class OSError : public std::system_error {
public:
    OSError(int err, const std::string& what) : std::system_error(err, std::generic_category(), what) {}
    int errno_code() const noexcept { return code().value(); }
};

/// A deadline passed (`wait_for`, `timeout`, `wait`). Like Python's builtin
/// TimeoutError it belongs to the OSError family, with errno ETIMEDOUT.
class TimeoutError : public OSError {
public:
    TimeoutError();
    explicit TimeoutError(const std::string& what);
};

/// Several errors at once, raised by `TaskGroup` (Python's ExceptionGroup).
class ExceptionGroup : public std::exception {
public:
    ExceptionGroup(std::string message, std::vector<std::exception_ptr> exceptions);
    const char* what() const noexcept override { return what_.c_str(); }
    const std::string& message() const noexcept { return message_; }
    const std::vector<std::exception_ptr>& exceptions() const noexcept { return exceptions_; }

private:
    std::string message_;
    std::string what_;
    std::vector<std::exception_ptr> exceptions_;
};

/// A human-readable description of any exception, CancelledError included.
std::string describe_exception(const std::exception_ptr& e);

/// True if `e` holds a CancelledError.
bool is_cancelled_error(const std::exception_ptr& e) noexcept;

}  // namespace aio
