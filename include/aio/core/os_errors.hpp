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
/// A name that does not resolve (Python's socket.gaierror). `errno_code()` is the EAI_* value
/// (negative, as getaddrinfo returns it), not an errno.
class GaiError : public OSError {
public:
    GaiError(int eai, const std::string& what) : OSError(eai, what), eai_(eai) {}
    int eai_code() const noexcept { return eai_; }

private:
    int eai_;
};

}  // namespace aio
