#pragma once
// Coroutines that the core, time and task tests wait on: a value after a (virtual) delay, and a
// sleep that only a cancellation ends.

#include <chrono>

#include "aio/core/coro.hpp"
#include "aio/time/sleep.hpp"

namespace aio_test {

inline aio::Coro<int> value_after(int v, aio::Duration delay) {
    co_await aio::sleep(delay);
    co_return v;
}

inline aio::Coro<void> sleep_forever() { co_await aio::sleep(std::chrono::hours(24)); }

}  // namespace aio_test
