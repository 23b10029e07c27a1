#pragma once
// Helpers shared by the sync layer's tests.

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "aio/core/future.hpp"
#include "aio/core/run.hpp"
#include "aio/core/task.hpp"
#include "aio/sync/barrier.hpp"
#include "aio/sync/condition.hpp"
#include "aio/sync/event.hpp"
#include "aio/sync/lock.hpp"
#include "aio/sync/semaphore.hpp"
#include "aio/tasks/gather.hpp"
#include "aio/testing/virtual_clock.hpp"
#include "aio/time/sleep.hpp"
#include "aio/time/timeout.hpp"
#include "aio/time/wait_for.hpp"

namespace synctest {

using namespace std::chrono_literals;

/// One loop iteration for the current task: asyncio's `await asyncio.sleep(0)`.
inline aio::detail::SleepAwaiter tick() { return aio::sleep(0s); }

/// Runs `body()` (a coroutine factory) on a fresh loop with a virtual clock.
template <class F>
void run(F body) {
    aio::testing::run_virtual(body());
}

/// Awaits `t`; true if it ended with CancelledError.
inline aio::Coro<bool> ended_cancelled(aio::AnyTask t) {
    try {
        co_await t;
    } catch (const aio::CancelledError&) {
        co_return true;
    }
    co_return false;
}

}  // namespace synctest
