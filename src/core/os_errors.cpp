#include "aio/core/os_errors.hpp"

#include <netdb.h>

namespace aio {

namespace {

class GaiCategory final : public std::error_category {
public:
    const char* name() const noexcept override { return "getaddrinfo"; }
    std::string message(int eai) const override { return ::gai_strerror(eai); }
};

std::error_code gai_code(int eai, int sys_errno) {
    if (eai == EAI_SYSTEM && sys_errno != 0) return {sys_errno, std::generic_category()};
    return {eai, gai_category()};
}

std::string gai_text(const std::string& what, const std::error_code& code) {
    return what.empty() ? code.message() : what + ": " + code.message();
}

}  // namespace

const std::error_category& gai_category() noexcept {
    static const GaiCategory category;
    return category;
}

GaiError::GaiError(int eai, const std::string& what, int sys_errno)
    : OSError(gai_code(eai, sys_errno), eai == EAI_SYSTEM ? sys_errno : 0, gai_text(what, gai_code(eai, sys_errno))),
      eai_(eai) {}

}  // namespace aio
