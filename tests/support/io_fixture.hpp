#pragma once
// Shared helpers for the I/O tests: a loop on the real clock (sockets need real time), a guard
// that bounds every test body, and a check that no file descriptor or epoll registration leaks.

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "aio/aio.hpp"
#include "backend/backend.hpp"
#include "io/fd_wait.hpp"
#include "support/loop_fixture.hpp"
#include "support/real_loop_fixture.hpp"

namespace aio_io_test {

using namespace std::chrono_literals;

class IoTest : public ::testing::Test {
protected:
    IoTest() {
        loop.set_exception_handler(reports.handler());
        fds_at_start = aio_test::count_open_fds();
    }

    void TearDown() override {
        if (!loop.is_closed()) {
            EXPECT_TRUE(loop.all_tasks().empty()) << "the test left tasks pending:\n" << aio::format_tasks(loop);
            // Deliver pending connection_lost callbacks, join the default executor, then count.
            for (int i = 0; i < 3; ++i) run_once();
            loop.run_shutdown_hooks();
            EXPECT_EQ(watched(), 0u) << "the test left fds registered with the backend";
        }
        EXPECT_TRUE(reports.empty()) << "unexpected exception-handler reports:\n" << reports.describe();
        EXPECT_EQ(aio_test::count_open_fds(), fds_at_start) << "the test leaked file descriptors";
    }

    /// Runs `c` with a 30 s guard, so that a bug shows up as a failure, not a hang.
    template <class T>
    T run(aio::Coro<T> c) {
        auto guarded = [](aio::Coro<T> inner) -> aio::Coro<T> {
            try {
                co_return co_await aio::wait_for(std::move(inner), 30s);
            } catch (const aio::TimeoutError&) {
                ADD_FAILURE() << "the test body hung; tasks:\n" << aio::format_tasks(aio::get_running_loop());
                throw;
            }
        };
        return loop.run_until_complete(guarded(std::move(c)));
    }
    void run_once() {
        loop.stop();
        loop.run_forever();
    }
    std::size_t watched() { return aio::io::backend_of(loop).watched(); }

    aio_test::ReportLog reports;
    aio::EventLoop loop;
    int fds_at_start = 0;
};

}  // namespace aio_io_test
