// aio::TaskGroup against asyncio 3.12's TaskGroup: cancellation of the parent
// task from outside, and the parent's cancel count. The behaviour of
// test_taskgroups.py's test_cancellation, test_taskgroup_07/_08/_15/_16/_17/_18/_22,
// test_cancellation_in_body, test_cancelling_level_preserved,
// test_nested_groups_both_cancelled and test_error_and_cancel. The last three pin
// the rules of gh-116720 (asyncio 3.12.3+): the group's own cancellation of its
// parent is undone after the children are done, and an outside cancellation that
// an ExceptionGroup replaces is re-armed for the parent's next await.

#include <exception>
#include <string>

#include "tasks_support.hpp"

namespace aio_tasks_test {
namespace {

class TaskGroupCancelTest : public LoopTest {};

// ---- cancellation from outside --------------------------------------------------------------

TEST_F(TaskGroupCancelTest, ExternalCancellationCancelsTheChildrenAndPropagatesCancelledError) {
    // test_cancellation / test_taskgroup_22
    run([]() -> aio::Coro<> {
        int cancelled = 0;
        auto runner = [&]() -> aio::Coro<> {
            co_await aio::task_group([&](aio::TaskGroup& g) -> aio::Coro<> {
                for (int i = 0; i < 5; ++i)
                    g.create_task(counted_sleep(5s, i, &cancelled, nullptr));
                co_return;
            });
        };
        auto r = aio::create_task(runner());
        co_await aio::sleep(100ms);
        EXPECT_FALSE(r.done());
        r.cancel("test");
        auto err = co_await caught<aio::CancelledError>(r);  // not an ExceptionGroup
        CO_ASSERT_TRUE(err);
        EXPECT_EQ(err->message(), "test");
        EXPECT_TRUE(r.cancelled());  // the parent task ends cancelled
        EXPECT_EQ(cancelled, 5);
    }());
}

TEST_F(TaskGroupCancelTest, ExternalCancellationAlsoCancelsTheBody) {
    // test_taskgroup_07
    run([]() -> aio::Coro<> {
        int num = 0;
        auto runner = [&]() -> aio::Coro<> {
            co_await aio::task_group([&](aio::TaskGroup& g) -> aio::Coro<> {
                for (int i = 0; i < 5; ++i) g.create_task(counted_sleep(5s, i, &num, nullptr));
                try {
                    co_await aio::sleep(10s);
                } catch (const aio::CancelledError&) {
                    num += 10;
                    throw;
                }
            });
        };
        auto r = aio::create_task(runner());
        co_await aio::sleep(100ms);
        r.cancel();
        EXPECT_TRUE(co_await caught<aio::CancelledError>(r));
        EXPECT_TRUE(r.cancelled());
        EXPECT_EQ(num, 15);
    }());
}

TEST_F(TaskGroupCancelTest, ExternalCancellationOfAGroupWithoutChildrenCancelsTheBody) {
    // test_taskgroup_17
    run([]() -> aio::Coro<> {
        int num = 0;
        auto runner = [&]() -> aio::Coro<> {
            co_await aio::task_group([&](aio::TaskGroup&) -> aio::Coro<> {
                try {
                    co_await aio::sleep(10s);
                } catch (const aio::CancelledError&) {
                    num += 10;
                    throw;
                }
            });
        };
        auto r = aio::create_task(runner());
        co_await aio::sleep(100ms);
        r.cancel();
        EXPECT_TRUE(co_await caught<aio::CancelledError>(r));
        EXPECT_EQ(num, 10);
    }());
}

TEST_F(TaskGroupCancelTest,
       AnOutsideCancellationBeforeTheChildrenFailCancelsThemAndPropagatesCancelledError) {
    // test_cancellation_in_body: children would fail later, but the outside
    // cancellation comes first and cancels them.
    run([]() -> aio::Coro<> {
        auto runner = [&]() -> aio::Coro<> {
            co_await aio::task_group([&](aio::TaskGroup& g) -> aio::Coro<> {
                for (int i = 0; i < 5; ++i) g.create_task(fail_after(200ms, "late"));
                co_await aio::sleep(10s);
            });
        };
        auto r = aio::create_task(runner());
        co_await aio::sleep(100ms);
        r.cancel("test");
        auto err = co_await caught<aio::CancelledError>(r);
        CO_ASSERT_TRUE(err);
        EXPECT_EQ(err->message(), "test");
    }());
}

TEST_F(TaskGroupCancelTest,
       ChildrenFailingWhileTheGroupIsCancelledTurnTheCancellationIntoExceptionGroup) {
    // test_taskgroup_08: other errors win over CancelledError.
    run([]() -> aio::Coro<> {
        auto runner = [&]() -> aio::Coro<> {
            co_await aio::task_group([&](aio::TaskGroup& g) -> aio::Coro<> {
                for (int i = 0; i < 5; ++i) g.create_task(fail_when_cancelled(10s, "finally"));
                co_await aio::sleep(10s);
            });
        };
        auto r = aio::create_task(runner());
        co_await aio::sleep(100ms);
        r.cancel();
        auto err = co_await caught<aio::ExceptionGroup>(r);
        CO_ASSERT_TRUE(err);
        EXPECT_EQ(err->exceptions().size(), 5u);
        EXPECT_EQ(count_of<Boom>(*err), 5u);
    }());
}

TEST_F(TaskGroupCancelTest, ABodyTurningItsCancellationIntoAnErrorGivesExceptionGroup) {
    // test_taskgroup_18
    run([]() -> aio::Coro<> {
        int num = 0;
        auto runner = [&]() -> aio::Coro<> {
            co_await aio::task_group([&](aio::TaskGroup&) -> aio::Coro<> {
                try {
                    co_await aio::sleep(10s);
                } catch (const aio::CancelledError&) {
                    num += 10;
                    throw Boom("my exc");
                }
            });
        };
        auto r = aio::create_task(runner());
        co_await aio::sleep(100ms);
        r.cancel();
        auto err = co_await caught<aio::ExceptionGroup>(r);
        CO_ASSERT_TRUE(err);
        EXPECT_EQ(whats(*err), vec<std::string>(std::string("my exc")));
        EXPECT_EQ(num, 10);
    }());
}

TEST_F(TaskGroupCancelTest,
       AChildFailingWhileTheBodyHandlesAnOutsideCancellationGivesExceptionGroup) {
    // test_taskgroup_15 and, one task deeper, test_taskgroup_16.
    auto nested_runner = []() -> aio::Coro<> {
        co_await aio::task_group([&](aio::TaskGroup& g) -> aio::Coro<> {
            g.create_task(fail_after(300ms, "zero division"));
            std::exception_ptr cancelled;
            try {
                co_await aio::sleep(10s);
            } catch (const aio::CancelledError&) {
                cancelled = std::current_exception();
            }
            if (cancelled) {
                co_await aio::sleep(500ms);  // cancelled again by the group at 300ms
                std::rethrow_exception(cancelled);
            }
        });
    };
    run([&]() -> aio::Coro<> {
        auto r = aio::create_task(nested_runner());
        co_await aio::sleep(100ms);
        r.cancel();
        auto err = co_await caught<aio::ExceptionGroup>(r);
        CO_ASSERT_TRUE(err);
        EXPECT_EQ(whats(*err), vec<std::string>(std::string("zero division")));
    }());
    run([&]() -> aio::Coro<> {
        auto runner = [&]() -> aio::Coro<> { co_await aio::create_task(nested_runner()); };
        auto r = aio::create_task(runner());
        co_await aio::sleep(100ms);
        r.cancel();
        auto err = co_await caught<aio::ExceptionGroup>(r);
        CO_ASSERT_TRUE(err);
        EXPECT_EQ(whats(*err), vec<std::string>(std::string("zero division")));
    }());
}

TEST_F(TaskGroupCancelTest, ChildrenThatSwallowAnOutsideCancellationStillLeaveTheParentCancelled) {
    run([]() -> aio::Coro<> {
        int saw_cancel = 0;
        aio::Task<int> a;
        auto runner = [&]() -> aio::Coro<> {
            co_await aio::task_group([&](aio::TaskGroup& g) -> aio::Coro<> {
                a = g.create_task(swallow_cancel(10s, 1, &saw_cancel));
                co_return;
            });
        };
        auto r = aio::create_task(runner());
        co_await aio::sleep(100ms);
        r.cancel();
        EXPECT_TRUE(co_await caught<aio::CancelledError>(r));
        EXPECT_TRUE(r.cancelled());
        EXPECT_EQ(saw_cancel, 1);
        EXPECT_EQ(a.result(), 1);
    }());
}

// ---- the parent's cancel count --------------------------------------------------------------

TEST_F(TaskGroupCancelTest, CodeAfterAGroupThatAbortedTheBodyKeepsRunning) {
    // The group cancels its parent task to stop the body, and takes that
    // cancellation back (uncancel) once it is done: `except Exception: pass`
    // after the group, then more awaits, works.
    run([]() -> aio::Coro<> {
        bool body_cancelled = false;
        auto err = co_await caught<aio::ExceptionGroup>(
            aio::task_group([&](aio::TaskGroup& tg) -> aio::Coro<> {
                tg.create_task(fail_after(10ms, "crash soon"));
                try {
                    co_await aio::sleep(10s);
                } catch (const aio::CancelledError&) {
                    body_cancelled = true;
                    throw;
                }
            }));
        EXPECT_TRUE(err);
        EXPECT_TRUE(body_cancelled);
        EXPECT_EQ(aio::current_task().cancelling(), 0);
        auto t0 = now();
        co_await aio::sleep(50ms);  // not cancelled
        EXPECT_EQ(ms_since(t0), 50);
        EXPECT_EQ(co_await aio::create_task(value_after(10ms, 3)), 3);
    }());
}

TEST_F(TaskGroupCancelTest, TheParentCancelCountIsRestoredWhenAChildFailsAfterTheBodyFinished) {
    // test_cancelling_level_preserved: the child fails while the group waits in
    // its exit, not while the body runs.
    run([]() -> aio::Coro<> {
        auto err = co_await caught<aio::ExceptionGroup>(
            aio::task_group([&](aio::TaskGroup& tg) -> aio::Coro<> {
                tg.create_task(fail_after(0s, "runtime error"));
                co_return;
            }));
        EXPECT_TRUE(err);
        // The group cancelled this task while waiting in its exit; it takes
        // that back after the wait (gh-116720), not before it.
        EXPECT_EQ(aio::current_task().cancelling(), 0);
        auto t0 = now();
        co_await aio::sleep(50ms);
        EXPECT_EQ(ms_since(t0), 50);
    }());
}

TEST_F(TaskGroupCancelTest, NestedGroupsBothFailingRestoreTheCancelCountLevelByLevel) {
    // test_nested_groups_both_cancelled
    run([]() -> aio::Coro<> {
        auto outer = co_await caught<aio::ExceptionGroup>(
            aio::task_group([&](aio::TaskGroup& outer_tg) -> aio::Coro<> {
                auto inner = co_await caught<aio::ExceptionGroup>(
                    aio::task_group([&](aio::TaskGroup& inner_tg) -> aio::Coro<> {
                        inner_tg.create_task(fail_after(0s, "runtime error"));
                        outer_tg.create_task(fail_after(0s, "value error"));
                        co_return;
                    }));
                EXPECT_TRUE(inner);
                if (inner) {
                    EXPECT_EQ(whats(*inner), vec<std::string>(std::string("runtime error")));
                }
                // The outer group's request to cancel this task is still pending;
                // the inner group's request was taken back.
                EXPECT_EQ(aio::current_task().cancelling(), 1);
            }));
        EXPECT_TRUE(outer);
        if (outer) {
            EXPECT_EQ(whats(*outer), vec<std::string>(std::string("value error")));
        }
        EXPECT_EQ(aio::current_task().cancelling(), 0);
    }());
}

TEST_F(TaskGroupCancelTest, AnOutsideCancellationIsNotLostWhenTheGroupRaisesExceptionGroupInstead) {
    // test_error_and_cancel: the parent is cancelled from outside while a child
    // fails. The group raises ExceptionGroup (errors win), and re-arms the
    // outside cancellation: the parent's next await raises CancelledError.
    run([]() -> aio::Coro<> {
        auto started = aio::get_running_loop().create_future<void>();
        bool slept_after_group = false;
        auto raise_error = [](aio::Future<void> s) -> aio::Coro<> {
            s.set_result();
            co_await aio::sleep(0s);
            throw Boom("runtime error");
        };
        auto inner = [&]() -> aio::Coro<> {
            auto err = co_await caught<aio::ExceptionGroup>(
                aio::task_group([&](aio::TaskGroup& tg) -> aio::Coro<> {
                    tg.create_task(raise_error(started));
                    co_await aio::sleep(1s);
                    ADD_FAILURE() << "the sleep in the group should have been cancelled";
                }));
            EXPECT_TRUE(err);
            EXPECT_EQ(aio::current_task().cancelling(), 1);
            co_await aio::sleep(1s);
            slept_after_group = true;
        };
        auto t = aio::create_task(inner());
        co_await started;
        EXPECT_EQ(t.cancelling(), 0);
        t.cancel();
        EXPECT_EQ(t.cancelling(), 1);
        EXPECT_TRUE(co_await caught<aio::CancelledError>(t));
        // The outside cancellation, consumed by the body and replaced by the
        // ExceptionGroup, was re-armed (uncancel() + cancel()).
        EXPECT_FALSE(slept_after_group) << "the sleep after the group should have been cancelled";
        EXPECT_TRUE(t.cancelled());
    }());
}

TEST_F(TaskGroupCancelTest, AnOutsideCancellationReplacedByChildErrorsIsReArmed) {
    // The test_taskgroup_08 scenario seen from the parent: it catches the
    // ExceptionGroup, and its next await still raises the pending CancelledError.
    run([]() -> aio::Coro<> {
        bool slept_after_group = false;
        auto runner = [&]() -> aio::Coro<> {
            auto err = co_await caught<aio::ExceptionGroup>(
                aio::task_group([&](aio::TaskGroup& g) -> aio::Coro<> {
                    g.create_task(fail_when_cancelled(10s, "finally"));
                    co_await aio::sleep(10s);
                }));
            EXPECT_TRUE(err);
            co_await aio::sleep(1s);
            slept_after_group = true;
        };
        auto r = aio::create_task(runner());
        co_await aio::sleep(100ms);
        r.cancel();
        EXPECT_TRUE(co_await caught<aio::CancelledError>(r));
        EXPECT_FALSE(slept_after_group);
        EXPECT_TRUE(r.cancelled());
    }());
}

TEST_F(TaskGroupCancelTest,
       AnOutsideCancellationDuringTheGroupsOwnAbortIsReArmedAfterTheExceptionGroup) {
    // A child failed and the group is waiting for a sibling's slow cleanup when
    // the parent is cancelled from outside. The group still raises the
    // ExceptionGroup (errors win) and the outside request stays pending: it is
    // neither lost nor counted twice.
    run([]() -> aio::Coro<> {
        bool slept_after_group = false;
        int cancelling_after_group = -1;
        auto slow_cleanup = []() -> aio::Coro<> {
            std::exception_ptr cancelled;
            try {
                co_await aio::sleep(10s);
            } catch (const aio::CancelledError&) {
                cancelled = std::current_exception();
            }
            co_await aio::sleep(100ms);
            if (cancelled) std::rethrow_exception(cancelled);
        };
        auto runner = [&]() -> aio::Coro<> {
            auto err = co_await caught<aio::ExceptionGroup>(
                aio::task_group([&](aio::TaskGroup& g) -> aio::Coro<> {
                    g.create_task(fail_after(10ms, "child"));
                    g.create_task(slow_cleanup());
                    co_return;
                }));
            EXPECT_TRUE(err);
            if (err) {
                EXPECT_EQ(whats(*err), vec<std::string>(std::string("child")));
            }
            cancelling_after_group = aio::current_task().cancelling();
            co_await aio::sleep(1s);
            slept_after_group = true;
        };
        auto r = aio::create_task(runner());
        co_await aio::sleep(50ms);  // the group is aborting: slow_cleanup runs until ~110ms
        r.cancel();
        EXPECT_TRUE(co_await caught<aio::CancelledError>(r));
        EXPECT_EQ(cancelling_after_group, 1);
        EXPECT_FALSE(slept_after_group);
        EXPECT_TRUE(r.cancelled());
    }());
}

}  // namespace
}  // namespace aio_tasks_test
