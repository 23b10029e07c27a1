#pragma once
// The one place errno becomes an exception of the OSError family.

#include <exception>
#include <string>

namespace aio::sys {

/// Throws the aio exception matching `err` (an errno value), e.g.
/// TimeoutError for ETIMEDOUT, ConnectionResetError for ECONNRESET, OSError otherwise.
/// `what` names the operation ("connect(127.0.0.1:1)"), without the reason: what() becomes
/// "connect(127.0.0.1:1): Connection refused".
[[noreturn]] void raise_os_error(int err, const std::string& what);

/// The same exception, as an exception_ptr (for connection_lost and futures).
std::exception_ptr make_os_error(int err, const std::string& what);

}  // namespace aio::sys
