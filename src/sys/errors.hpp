#pragma once
// The one place errno becomes an exception of the OSError family.

#include <string>

namespace aio::sys {

/// Throws the aio exception matching `err` (an errno value), e.g.
/// TimeoutError for ETIMEDOUT, OSError otherwise.
[[noreturn]] void raise_os_error(int err, const std::string& what);

}  // namespace aio::sys
