// Nested aio::TaskGroups against asyncio 3.12: test_taskgroups.py's
// test_taskgroup_11 ... _14.

#include <optional>
#include <string>

#include "tasks_support.hpp"

namespace aio_tasks_test {
namespace {

class TaskGroupNestedTest : public LoopTest {};

// ---- nested groups --------------------------------------------------------------------------

TEST_F(TaskGroupNestedTest, AFailingInnerGroupIsNestedInTheOuterGroupsExceptionGroup) {
    // test_taskgroup_14
    run([]() -> aio::Coro<> {
        auto err = co_await caught<aio::ExceptionGroup>(
            aio::task_group([&](aio::TaskGroup& g1) -> aio::Coro<> {
                g1.create_task(fail_after(10s, "outer child"));
                co_await aio::task_group([&](aio::TaskGroup& g2) -> aio::Coro<> {
                    g2.create_task(fail_after(100ms, "inner child"));
                    co_return;
                });
            }));
        CO_ASSERT_TRUE(err);
        std::optional<aio::ExceptionGroup> keep;
        const aio::ExceptionGroup* inner = nested_group(*err, keep);
        CO_ASSERT_TRUE(inner);
        EXPECT_EQ(whats(*inner), vec<std::string>(std::string("inner child")));
    }());
}

TEST_F(TaskGroupNestedTest,
       AnOuterChildFailureCancelsAnInnerGroupWhichPropagatesOnlyTheCancellation) {
    // test_taskgroup_13
    run([]() -> aio::Coro<> {
        int inner_cancelled = 0;
        auto err = co_await caught<aio::ExceptionGroup>(
            aio::task_group([&](aio::TaskGroup& g1) -> aio::Coro<> {
                g1.create_task(fail_after(100ms, "outer child"));
                co_await aio::task_group([&](aio::TaskGroup& g2) -> aio::Coro<> {
                    g2.create_task(counted_sleep(10s, 0, &inner_cancelled, nullptr));
                    co_return;
                });
            }));
        CO_ASSERT_TRUE(err);
        EXPECT_EQ(whats(*err), vec<std::string>(std::string("outer child")));
        EXPECT_EQ(inner_cancelled, 1);
    }());
}

TEST_F(TaskGroupNestedTest, ExternalCancellationOfNestedGroupsWithFailingCleanupNestsTheErrors) {
    // test_taskgroup_11 / _12
    run([]() -> aio::Coro<> {
        auto runner = [&]() -> aio::Coro<> {
            co_await aio::task_group([&](aio::TaskGroup& g1) -> aio::Coro<> {
                g1.create_task(nothing_after(10s));
                co_await aio::task_group([&](aio::TaskGroup& g2) -> aio::Coro<> {
                    for (int i = 0; i < 5; ++i) g2.create_task(fail_when_cancelled(10s, "finally"));
                    co_await aio::sleep(10s);
                });
            });
        };
        auto r = aio::create_task(runner());
        co_await aio::sleep(100ms);
        r.cancel();
        auto err = co_await caught<aio::ExceptionGroup>(r);
        CO_ASSERT_TRUE(err);
        std::optional<aio::ExceptionGroup> keep;
        const aio::ExceptionGroup* inner = nested_group(*err, keep);
        CO_ASSERT_TRUE(inner);
        EXPECT_EQ(count_of<Boom>(*inner), 5u);
    }());
}

TEST_F(TaskGroupNestedTest, ExternalCancellationOfNestedGroupsPropagatesCancelledError) {
    run([]() -> aio::Coro<> {
        int cancelled = 0;
        auto runner = [&]() -> aio::Coro<> {
            co_await aio::task_group([&](aio::TaskGroup& g1) -> aio::Coro<> {
                g1.create_task(counted_sleep(10s, 0, &cancelled, nullptr));
                co_await aio::task_group([&](aio::TaskGroup& g2) -> aio::Coro<> {
                    g2.create_task(counted_sleep(10s, 0, &cancelled, nullptr));
                    co_await aio::sleep(10s);
                });
            });
        };
        auto r = aio::create_task(runner());
        co_await aio::sleep(100ms);
        r.cancel();
        EXPECT_TRUE(co_await caught<aio::CancelledError>(r));
        EXPECT_TRUE(r.cancelled());
        EXPECT_EQ(cancelled, 2);
    }());
}

TEST_F(TaskGroupNestedTest, AnInnerGroupErrorCaughtInTheOuterBodyLeavesTheOuterGroupRunning) {
    run([]() -> aio::Coro<> {
        aio::Task<int> outer_child;
        bool caught_inner = false;
        co_await aio::task_group([&](aio::TaskGroup& g1) -> aio::Coro<> {
            outer_child = g1.create_task(value_after(200ms, 5));
            auto inner = co_await caught<aio::ExceptionGroup>(
                aio::task_group([&](aio::TaskGroup& g2) -> aio::Coro<> {
                    g2.create_task(fail_after(10ms, "inner"));
                    co_return;
                }));
            caught_inner = bool(inner);
            co_await aio::sleep(10ms);  // the body still runs: nobody cancels it
        });
        EXPECT_TRUE(caught_inner);
        EXPECT_EQ(outer_child.result(), 5);
    }());
}

}  // namespace
}  // namespace aio_tasks_test
