#pragma once
/// The OSError family of Python, for the errno values the I/O layer meets. Each carries its errno
/// (`errno_code()`); `aio::sys::raise_os_error` picks the most specific class.
///
/// ```
/// try { co_await aio::open_connection("127.0.0.1", port); }
/// catch (const aio::ConnectionRefusedError&) {}   // nothing listens there
/// catch (const aio::OSError& e) {}   // any other OS failure: e.errno_code()
/// ```

#include <string>
#include <system_error>

#include "aio/core/exceptions.hpp"

namespace aio {

/// Python's ConnectionError: the base of the connection failures below.
class ConnectionError : public OSError {
public:
    using OSError::OSError;
};
/// EPIPE / ESHUTDOWN: writing to a connection whose peer has gone.
class BrokenPipeError : public ConnectionError {
public:
    using ConnectionError::ConnectionError;
};
/// ECONNABORTED.
class ConnectionAbortedError : public ConnectionError {
public:
    using ConnectionError::ConnectionError;
};
/// ECONNREFUSED: nothing listens at the address.
class ConnectionRefusedError : public ConnectionError {
public:
    using ConnectionError::ConnectionError;
};
/// ECONNRESET: the peer reset the connection.
class ConnectionResetError : public ConnectionError {
public:
    using ConnectionError::ConnectionError;
};
/// ENOENT.
class FileNotFoundError : public OSError {
public:
    using OSError::OSError;
};
/// EEXIST.
class FileExistsError : public OSError {
public:
    using OSError::OSError;
};
/// EACCES / EPERM.
class PermissionError : public OSError {
public:
    using OSError::OSError;
};
/// ECHILD.
class ChildProcessError : public OSError {
public:
    using OSError::OSError;
};
/// ESRCH: the process is gone.
class ProcessLookupError : public OSError {
public:
    using OSError::OSError;
};
/// EINTR surfacing to the user (aio retries it internally, so it should not).
class InterruptedError : public OSError {
public:
    using OSError::OSError;
};
/// EISDIR: reading a directory as a file or a stream (stdin redirected from one, say).
class IsADirectoryError : public OSError {
public:
    using OSError::OSError;
};

/// The category of getaddrinfo's and getnameinfo's EAI_* codes; message() is gai_strerror().
const std::error_category& gai_category() noexcept;

/// A name that does not resolve (Python's socket.gaierror).
///
/// what() reads "getaddrinfo(no-such-host.invalid): Name or service not known". `eai_code()` is
/// the EAI_* value (negative on glibc, as getaddrinfo returns it) and `code()` is that value in
/// gai_category(). `errno_code()` stays an errno, as for the whole OSError family, so it is 0:
/// no errno applies, except with EAI_SYSTEM, where a system call failed; then `errno_code()`
/// and `code()` are that call's errno (generic_category) and what() ends with its strerror.
/// (Python's gaierror.errno is the EAI code; in aio that is `eai_code()`.)
///
/// ```
/// catch (const aio::GaiError& e) { if (e.eai_code() == EAI_NONAME) ...; }
/// ```
class GaiError : public OSError {
public:
    /// `what` names the call ("getaddrinfo(example.org)"); `sys_errno` is errno after an
    /// EAI_SYSTEM failure, ignored for any other code.
    GaiError(int eai, const std::string& what, int sys_errno = 0);
    int eai_code() const noexcept { return eai_; }

private:
    int eai_;
};

}  // namespace aio
