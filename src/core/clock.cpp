#include "aio/core/clock.hpp"

namespace aio {

SteadyClock& SteadyClock::instance() noexcept {
    static SteadyClock clock;
    return clock;
}

}  // namespace aio
