#include "sys/errors.hpp"

#include <cerrno>
#include <cstring>

#include "aio/core/exceptions.hpp"

namespace aio::sys {

void raise_os_error(int err, const std::string& what) {
    std::string msg = what + ": " + std::strerror(err);
    switch (err) {
        case ETIMEDOUT:
            throw TimeoutError(msg);
        default:
            throw OSError(err, msg);
    }
}

}  // namespace aio::sys
