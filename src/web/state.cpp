// aio::web's typed state keys and KeyError.

#include "aio/web/state.hpp"

namespace aio::web::detail {

std::uint64_t next_state_key_id() noexcept {
    static std::atomic<std::uint64_t> next{1};
    return next.fetch_add(1, std::memory_order_relaxed);
}

void throw_missing_key(std::string_view kind, std::string_view name) {
    std::string what(kind);
    what += " '";
    what += name;
    what += "' is not set";
    throw KeyError(what);
}

}  // namespace aio::web::detail
