#include "sys/errors.hpp"

#include <cerrno>
#include <cstring>

#include "aio/core/exceptions.hpp"
#include "aio/core/os_errors.hpp"

namespace aio::sys {

void raise_os_error(int err, const std::string& what) {
    std::string msg = what + ": " + std::strerror(err);
    switch (err) {
        case ETIMEDOUT:
            throw TimeoutError(msg);
        case EPIPE:
        case ESHUTDOWN:
            throw BrokenPipeError(err, msg);
        case ECONNABORTED:
            throw ConnectionAbortedError(err, msg);
        case ECONNREFUSED:
            throw ConnectionRefusedError(err, msg);
        case ECONNRESET:
            throw ConnectionResetError(err, msg);
        case ENOENT:
            throw FileNotFoundError(err, msg);
        case EEXIST:
            throw FileExistsError(err, msg);
        case EACCES:
        case EPERM:
            throw PermissionError(err, msg);
        case ECHILD:
            throw ChildProcessError(err, msg);
        case ESRCH:
            throw ProcessLookupError(err, msg);
        case EINTR:
            throw InterruptedError(err, msg);
        default:
            throw OSError(err, msg);
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
