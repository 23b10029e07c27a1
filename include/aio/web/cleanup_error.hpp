#pragma once
/// aio::web::CleanupError — several clean-up steps failed (aiohttp's `web.CleanupError`): what
/// Application::cleanup() and AppRunner::cleanup() throw when more than one hook or
/// `cleanup_ctx` tear-down threw. One failure alone is thrown as it is.

#include <exception>
#include <string>
#include <vector>

#include "aio/core/exceptions.hpp"

namespace aio::web {

class CleanupError : public ExceptionGroup {
public:
    using ExceptionGroup::ExceptionGroup;
};

namespace detail {
/// Throws nothing for no error, the error itself for one, a CleanupError for several.
void throw_cleanup_errors(std::vector<std::exception_ptr> errors);
}  // namespace detail

}  // namespace aio::web
