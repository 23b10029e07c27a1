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

/// An OS-level failure carrying errno; the root of the OSError family (Python's OSError).
///
/// what() names what failed and why, each once: "connect(127.0.0.1:1): Connection refused"
/// (Python prints "[Errno 111] Connection refused"; the operation is the more useful half).
/// `code()` is the errno in std::generic_category(), so `e.code() == std::errc::timed_out`
/// works, and `catch (const std::system_error&)` catches the family.
class OSError : public std::system_error {
public:
    /// what() is "<what>: <strerror(err)>"; only `what` when `err` is 0 (no errno applies), only
    /// strerror(err) when `what` is empty.
    OSError(int err, const std::string& what);
    /// The errno value; 0 when no errno applies (most GaiErrors). SSLError is the exception: it
    /// reports OpenSSL's SSL_ERROR_* value here, as Python's ssl.SSLError.errno does.
    int errno_code() const noexcept { return errno_; }

protected:
    /// For the family's members that word or number their failure themselves: `code` is
    /// code() (getaddrinfo's EAI_* codes have their own category), `err` is errno_code() (0 if
    /// no errno applies) and `text` is what(), as given.
    OSError(std::error_code code, int err, const std::string& text);

private:
    int errno_;
};

/// A deadline passed (`wait_for`, `timeout`, `wait`). Like Python's builtin
/// TimeoutError it belongs to the OSError family, with errno ETIMEDOUT.
class TimeoutError : public OSError {
public:
    /// what() is "timed out".
    TimeoutError();
    /// what() is `what`, as given: the message says which deadline passed ("SSL shutdown timed
    /// out"), so strerror(ETIMEDOUT) is not appended. A connect() that timed out in the kernel
    /// reads "connect(10.0.0.1:80): Connection timed out" (aio::sys::raise_os_error).
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
