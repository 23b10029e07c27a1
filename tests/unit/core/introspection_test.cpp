// Debug mode and introspection: slow-callback warnings that name the task, and format_tasks(),
// aio's `ps` for tasks (name, creation site, what each task awaits).

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "aio/core/dump_tasks.hpp"
#include "aio/core/future.hpp"
#include "aio/core/task.hpp"
#include "aio/time/sleep.hpp"
#include "support/loop_fixture.hpp"

using namespace std::chrono_literals;

namespace {

using DebugMode = aio_test::VirtualLoopTest;
using Introspection = aio_test::VirtualLoopTest;

/// Burns real time: a slow step as the loop sees it (the loop's clock is virtual, but the
/// slow-callback check measures the real step duration).
void busy_wait(std::chrono::steady_clock::duration d) {
    auto end = std::chrono::steady_clock::now() + d;
    while (std::chrono::steady_clock::now() < end) {
    }
}

bool contains(const std::string& s, const std::string& part) {
    return s.find(part) != std::string::npos;
}

}  // namespace

TEST_F(DebugMode, ASlowTaskStepProducesAWarningNamingTheTask) {
    std::vector<std::string> warnings;
    loop.set_warning_handler([&](std::string_view w) { warnings.emplace_back(w); });
    loop.set_debug(true);
    loop.set_slow_callback_duration(5ms);
    EXPECT_TRUE(loop.get_debug());
    EXPECT_EQ(loop.slow_callback_duration(), 5ms);

    auto slow = []() -> aio::Coro<void> {
        co_await aio::sleep(0s);
        busy_wait(20ms);
    };
    auto t = loop.create_task(slow(), "slowpoke");
    loop.run_until_complete(t);

    bool named = false;
    for (auto& w : warnings) named = named || contains(w, "slowpoke");
    EXPECT_TRUE(named) << "warnings: " << ::testing::PrintToString(warnings);
}

TEST_F(DebugMode, ASlowCallbackProducesAWarning) {
    std::vector<std::string> warnings;
    loop.set_warning_handler([&](std::string_view w) { warnings.emplace_back(w); });
    loop.set_debug(true);
    loop.set_slow_callback_duration(5ms);
    loop.call_soon([] { busy_wait(20ms); });
    run_once();
    ASSERT_FALSE(warnings.empty());
    EXPECT_TRUE(contains(warnings[0], "Handle")) << warnings[0];
}

TEST_F(DebugMode, NoSlowCallbackWarningsWhenDebugModeIsOff) {
    std::vector<std::string> warnings;
    loop.set_warning_handler([&](std::string_view w) { warnings.emplace_back(w); });
    loop.set_slow_callback_duration(1ns);
    loop.call_soon([] { busy_wait(2ms); });
    run_once();
    EXPECT_TRUE(warnings.empty()) << ::testing::PrintToString(warnings);
}

TEST_F(Introspection, FormatTasksListsAPendingTasksNameCreationSiteAndSleep) {
    // clang-format off
    auto t = loop.create_task([]() -> aio::Coro<void> { co_await aio::sleep(1h); }(), "sleeper"); const unsigned line = __LINE__;
    // clang-format on
    run_once();  // the task starts and sleeps
    std::string out = aio::format_tasks(loop);
    EXPECT_TRUE(contains(out, "sleeper")) << out;
    EXPECT_TRUE(contains(out, "introspection_test.cpp:" + std::to_string(line))) << out;
    EXPECT_TRUE(contains(out, "awaiting sleep")) << out;
    t.cancel();
    EXPECT_THROW(loop.run_until_complete(t), aio::CancelledError);
    EXPECT_FALSE(contains(aio::format_tasks(loop), "sleeper")) << "a finished task is not listed";
}

TEST_F(Introspection, FormatTasksShowsWhatATaskAwaitsAndItsCancellingCount) {
    auto fut = loop.create_future<int>();
    auto body = [&]() -> aio::Coro<int> { co_return co_await fut; };
    auto t = loop.create_task(body(), "future-waiter");
    run_once();
    EXPECT_FALSE(t.awaiting().empty());
    std::string out = aio::format_tasks(loop);
    EXPECT_TRUE(contains(out, "future-waiter")) << out;
    EXPECT_TRUE(contains(out, "awaiting")) << out;
    fut.set_result(1);
    EXPECT_EQ(loop.run_until_complete(t), 1);
    EXPECT_TRUE(t.awaiting().empty());
}

TEST_F(Introspection, AwaitingIsEmptyForATaskThatIsReadyToRun) {
    auto body = []() -> aio::Coro<void> { co_return; };
    auto t = loop.create_task(body(), "ready");
    EXPECT_TRUE(t.awaiting().empty());
    EXPECT_TRUE(contains(aio::format_tasks(loop), "ready")) << aio::format_tasks(loop);
    loop.run_until_complete(t);
}

TEST_F(Introspection, DumpTasksWritesTheListToStderr) {
    auto body = []() -> aio::Coro<void> {
        testing::internal::CaptureStderr();
        aio::dump_tasks();
        std::string err = testing::internal::GetCapturedStderr();
        EXPECT_TRUE(contains(err, "dumper")) << err;
        co_return;
    };
    loop.run_until_complete(loop.create_task(body(), "dumper"));
}
