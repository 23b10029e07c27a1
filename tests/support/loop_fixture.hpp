#pragma once
// Shared helpers for aio's unit tests: a loop on a virtual clock that records what reaches its
// exception handler, and fails the test if a task is left pending or a report nobody looked at
// remains (libuv's MAKE_VALGRIND_HAPPY, for tasks).
//
// Lifetime rule for tests: a coroutine lambda must outlive the coroutine it creates. Name the
// lambda (`auto body = [&]() -> aio::Coro<int> {...};`) and call it where it stays alive;
// `create_task([&]{...}())` on a temporary lambda leaves the task reading a dead closure.

#include <gtest/gtest.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aio/core/dump_tasks.hpp"
#include "aio/core/event_loop.hpp"
#include "aio/core/exceptions.hpp"
#include "aio/core/task.hpp"
#include "aio/testing/virtual_clock.hpp"

namespace aio_test {

/// What reached a loop's exception handler, in order.
class ReportLog {
public:
    aio::EventLoop::ExceptionHandler handler() {
        return
            [this](aio::EventLoop&, const aio::ExceptionContext& ctx) { reports_.push_back(ctx); };
    }
    std::size_t size() const noexcept { return reports_.size(); }
    bool empty() const noexcept { return reports_.empty(); }
    const aio::ExceptionContext& operator[](std::size_t i) const { return reports_.at(i); }
    const std::vector<aio::ExceptionContext>& all() const noexcept { return reports_; }
    /// How many reports have `part` in their message.
    std::size_t count_containing(std::string_view part) const {
        std::size_t n = 0;
        for (const auto& r : reports_)
            if (r.message.find(part) != std::string::npos) ++n;
        return n;
    }
    void clear() noexcept { reports_.clear(); }
    /// One line per report, for failure messages.
    std::string describe() const {
        std::string out;
        for (const auto& r : reports_) {
            out += "  '" + r.message + "'";
            if (!r.task.empty()) out += " task=" + r.task;
            if (r.exception) out += " exception=" + aio::describe_exception(r.exception);
            out += "\n";
        }
        return out;
    }

private:
    std::vector<aio::ExceptionContext> reports_;
};

/// The message of the exception in `e` (what() or CancelledError's message).
inline std::string message_of(const std::exception_ptr& e) { return aio::describe_exception(e); }

/// A test with its own EventLoop on a virtual clock. Tests that expect reports check them and
/// call `reports.clear()`; whatever is left at the end fails the test, and so does a pending task.
class VirtualLoopTest : public ::testing::Test {
protected:
    VirtualLoopTest() : loop(clock) {
        loop.set_exception_handler(reports.handler());
        start = loop.time();
    }

    void TearDown() override {
        if (!loop.is_closed()) {
            EXPECT_TRUE(loop.all_tasks().empty()) << "the test left tasks pending:\n"
                                                  << aio::format_tasks(loop);
        }
        EXPECT_TRUE(reports.empty()) << "unexpected exception-handler reports:\n"
                                     << reports.describe();
    }

    /// loop.run_until_complete(c).
    template <class T>
    T run(aio::Coro<T> c) {
        return loop.run_until_complete(std::move(c));
    }
    /// Runs exactly one loop iteration (asyncio's `loop.stop(); loop.run_forever()` idiom).
    void run_once() {
        loop.stop();
        loop.run_forever();
    }
    /// Loop time since the fixture was built.
    aio::Duration elapsed() const { return loop.time() - start; }

    // Declaration order matters: the log outlives the loop (closing a loop may report), and the
    // clock outlives the loop that reads it.
    ReportLog reports;
    aio::testing::VirtualClock clock;
    aio::EventLoop loop;
    aio::TimePoint start;
};

}  // namespace aio_test
