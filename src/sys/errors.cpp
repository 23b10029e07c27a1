#include "sys/errors.hpp"

#include <cerrno>
#include <cstring>

#include "aio/core/exceptions.hpp"
#include "aio/core/os_errors.hpp"

namespace aio::sys {

// Each class appends strerror(err) to `what` itself (OSError's constructor), so `what` is only
// the operation: "connect(127.0.0.1:1)" becomes "connect(127.0.0.1:1): Connection refused".
void raise_os_error(int err, const std::string& what) {
    switch (err) {
        case ETIMEDOUT:  // TimeoutError's text is taken as given (its deadlines word their own)
            throw TimeoutError(what.empty() ? std::strerror(err) : what + ": " + std::strerror(err));
        case EPIPE:
        case ESHUTDOWN:
            throw BrokenPipeError(err, what);
        case ECONNABORTED:
            throw ConnectionAbortedError(err, what);
        case ECONNREFUSED:
            throw ConnectionRefusedError(err, what);
        case ECONNRESET:
            throw ConnectionResetError(err, what);
        case ENOENT:
            throw FileNotFoundError(err, what);
        case EEXIST:
            throw FileExistsError(err, what);
        case EACCES:
        case EPERM:
            throw PermissionError(err, what);
        case ECHILD:
            throw ChildProcessError(err, what);
        case ESRCH:
            throw ProcessLookupError(err, what);
        case EINTR:
            throw InterruptedError(err, what);
        case EISDIR:
            throw IsADirectoryError(err, what);
        default:
            throw OSError(err, what);
    }
}

std::exception_ptr make_os_error(int err, const std::string& what) {
    try {
        raise_os_error(err, what);
    } catch (...) {
        return std::current_exception();
    }
}

}  // namespace aio::sys
