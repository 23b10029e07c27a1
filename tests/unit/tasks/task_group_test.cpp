// aio::TaskGroup / aio::task_group against asyncio 3.12's TaskGroup: waiting for
// the children, a failing child or body, entering and finishing. The behaviour of
// Lib/test/test_asyncio/test_taskgroups.py (test_taskgroup_01 ... _25,
// test_cancel_children_on_child_error, test_taskgroup_no_create_task_after_failure,
// test_taskgroup_context_manager_exit_raises, _already_entered, _double_enter,
// _finished, _not_entered, _without_parent_task). Cancellation from outside and
// the parent's cancel count: task_group_cancel_test.cpp; nested groups:
// task_group_nested_test.cpp.
//
// `async with TaskGroup() as tg: ...` is spelled
// `co_await aio::task_group([&](aio::TaskGroup& tg) -> aio::Coro<> { ... });`

#include <string>
#include <vector>

#include "tasks_support.hpp"

namespace aio_tasks_test {
namespace {

class TaskGroupTest : public LoopTest {};

// ---- waiting for the children ---------------------------------------------------------------

TEST_F(TaskGroupTest, WaitsForAllChildrenAndKeepsTheirResults) {
    run([]() -> aio::Coro<> {
        aio::Task<int> t1, t2;
        auto t0 = now();
        co_await aio::task_group([&](aio::TaskGroup& tg) -> aio::Coro<> {
            t1 = tg.create_task(value_after(100ms, 42));
            t2 = tg.create_task(value_after(200ms, 11));
            co_return;
        });
        EXPECT_EQ(ms_since(t0), 200);
        EXPECT_EQ(t1.result(), 42);
        EXPECT_EQ(t2.result(), 11);
    }());
}

TEST_F(TaskGroupTest, ArgumentsAfterTheBodyAreCopiedIntoTheGroupAndPassedToIt) {
    // The spelling that needs no capturing lambda (safe with g++ 12): body(tg, args...).
    run([]() -> aio::Coro<> {
        std::string host = std::string(64, 'h');  // on the heap: a double free would show
        std::vector<std::string> seen;
        co_await aio::task_group(
            [](aio::TaskGroup& tg, const std::string& h, int port, std::vector<std::string>* out) -> aio::Coro<> {
                tg.create_task(value_after(10ms, 1));
                out->push_back(h + ":" + std::to_string(port));
                co_return;
            },
            host, 80, &seen);
        EXPECT_EQ(seen, std::vector<std::string>{host + ":80"});
    }());
}

TEST_F(TaskGroupTest, ChildrenCanBeAddedWhileTheBodyRuns) {
    run([]() -> aio::Coro<> {
        aio::Task<int> t1, t2;
        auto t0 = now();
        co_await aio::task_group([&](aio::TaskGroup& tg) -> aio::Coro<> {
            t1 = tg.create_task(value_after(100ms, 42));
            co_await aio::sleep(150ms);
            t2 = tg.create_task(value_after(200ms, 11));
        });
        EXPECT_EQ(ms_since(t0), 350);
        EXPECT_EQ(t1.result(), 42);
        EXPECT_EQ(t2.result(), 11);
    }());
}

TEST_F(TaskGroupTest, AChildCancelledExplicitlyDoesNotDisturbTheGroup) {
    run([]() -> aio::Coro<> {
        aio::Task<int> t1, t2;
        co_await aio::task_group([&](aio::TaskGroup& tg) -> aio::Coro<> {
            t1 = tg.create_task(value_after(1s, 42));
            co_await aio::sleep(150ms);
            t1.cancel();
            t2 = tg.create_task(value_after(200ms, 11));
        });
        EXPECT_TRUE(t1.cancelled());
        EXPECT_EQ(t2.result(), 11);
    }());
}

TEST_F(TaskGroupTest, FinishedChildrenLeaveTheGroupWhileTheBodyRuns) {
    run([]() -> aio::Coro<> {
        co_await aio::task_group([&](aio::TaskGroup& tg) -> aio::Coro<> {
            for (int i = 0; i < 10; ++i) {
                co_await aio::sleep(100ms);
                tg.create_task(nothing_after(300ms));
                if (i == 5) {
                    EXPECT_LT(tg.size(), 5u);
                }
            }
            co_await aio::sleep(1350ms);
            EXPECT_EQ(tg.size(), 0u);
        });
    }());
}

TEST_F(TaskGroupTest, ChildrenCanCreateMoreChildren) {
    run([]() -> aio::Coro<> {
        auto root = [](aio::TaskGroup& g, int* done) -> aio::Coro<> {
            co_await aio::sleep(100ms);
            g.create_task(counted_sleep(100ms, 0, nullptr, done));
            g.create_task(counted_sleep(200ms, 0, nullptr, done));
        };
        int done = 0;
        auto t0 = now();
        co_await aio::task_group([&](aio::TaskGroup& tg) -> aio::Coro<> {
            tg.create_task(root(tg, &done));
            co_return;
        });
        // The group waited for the grandchildren too.
        EXPECT_EQ(done, 2);
        EXPECT_EQ(ms_since(t0), 300);
    }());
}

TEST_F(TaskGroupTest, ChildrenMultiplyingUntilASiblingFailsAreAllStopped) {
    // test_taskgroup_25 ("hydra"/"hercules").
    run([]() -> aio::Coro<> {
        struct Hydra {
            static aio::Coro<> grow(aio::TaskGroup& g, int* heads) {
                ++*heads;
                co_await aio::sleep(10ms);
                if (*heads > 1000) co_return;  // bounded, should hercules never come
                g.create_task(grow(g, heads));
                g.create_task(grow(g, heads));
            }
        };
        auto hercules = [](int* heads) -> aio::Coro<> {
            while (*heads < 10) co_await aio::sleep(15ms);
            throw Boom("hercules");
        };
        int heads = 0;
        auto err = co_await caught<aio::ExceptionGroup>(
            aio::task_group([&](aio::TaskGroup& tg) -> aio::Coro<> {
                tg.create_task(Hydra::grow(tg, &heads));
                tg.create_task(hercules(&heads));
                co_return;
            }));
        CO_ASSERT_TRUE(err);
        EXPECT_EQ(whats(*err), vec<std::string>(std::string("hercules")));
        EXPECT_GE(heads, 10);
    }());
}

TEST_F(TaskGroupTest, AChildKeepsTheNameItWasCreatedWith) {
    run([]() -> aio::Coro<> {
        co_await aio::task_group([&](aio::TaskGroup& tg) -> aio::Coro<> {
            auto t = tg.create_task(nothing_after(0s), "yolo");
            EXPECT_EQ(t.get_name(), "yolo");
            co_return;
        });
    }());
}

// ---- a child fails --------------------------------------------------------------------------

TEST_F(TaskGroupTest, AChildFailureCancelsTheSiblingsAndRaisesExceptionGroup) {
    run([]() -> aio::Coro<> {
        int num = 0, t2_cancelled = 0;
        aio::Task<int> t2;
        auto runner = [&]() -> aio::Coro<> {
            co_await aio::task_group([&](aio::TaskGroup& g) -> aio::Coro<> {
                g.create_task(fail_after(100ms, "zero division"));
                t2 = g.create_task(counted_sleep(1s, 0, &t2_cancelled, &num));
                co_return;
            });
            num += 10;  // not reached
        };
        auto r = aio::create_task(runner());
        auto err = co_await caught<aio::ExceptionGroup>(r);
        CO_ASSERT_TRUE(err);
        EXPECT_EQ(err->message(), "unhandled errors in a TaskGroup");
        EXPECT_EQ(whats(*err), vec<std::string>(std::string("zero division")));
        EXPECT_EQ(num, 0);
        EXPECT_EQ(t2_cancelled, 1);
        EXPECT_TRUE(t2.cancelled());
    }());
}

TEST_F(TaskGroupTest, AChildFailureCancelsTheBody) {
    // test_cancel_children_on_child_error
    run([]() -> aio::Coro<> {
        int num = 0, t2_cancelled = 0;
        bool body_cancelled = false;
        auto runner = [&]() -> aio::Coro<> {
            co_await aio::task_group([&](aio::TaskGroup& g) -> aio::Coro<> {
                g.create_task(fail_after(100ms, "zero division"));
                g.create_task(fail_after(100ms, "zero division"));
                g.create_task(fail_after(100ms, "zero division"));
                g.create_task(counted_sleep(5s, 0, &t2_cancelled, &num));
                try {
                    co_await aio::sleep(10s);
                } catch (const aio::CancelledError&) {
                    body_cancelled = true;
                    throw;
                }
            });
            num += 10;
        };
        auto t0 = now();
        auto err = co_await caught<aio::ExceptionGroup>(aio::create_task(runner()));
        CO_ASSERT_TRUE(err);
        EXPECT_EQ(ms_since(t0), 100);
        EXPECT_GE(err->exceptions().size(), 1u);
        EXPECT_EQ(count_of<Boom>(*err), err->exceptions().size());
        EXPECT_EQ(num, 0);
        EXPECT_EQ(t2_cancelled, 1);
        EXPECT_TRUE(body_cancelled);
    }());
}

TEST_F(TaskGroupTest, TwoChildrenFailingInTheSameLoopTurnAreBothReported) {
    // In asyncio both children run their first step in the same loop turn
    // before the group's done callbacks run, so
    //     async with TaskGroup() as tg: tg.create_task(fail("a")); tg.create_task(fail("b"))
    // raises ExceptionGroup("unhandled errors in a TaskGroup (2 sub-exceptions)").
    run([]() -> aio::Coro<> {
        auto err = co_await caught<aio::ExceptionGroup>(
            aio::task_group([&](aio::TaskGroup& tg) -> aio::Coro<> {
                tg.create_task(fail_now("a"));
                tg.create_task(fail_now("b"));
                co_return;
            }));
        CO_ASSERT_TRUE(err);
        // The group reacts to a child's end on a later turn (a done callback),
        // not inside the child's completion: "b" must not be cancelled before its
        // first step because "a" failed earlier in the same turn.
        EXPECT_EQ(whats(*err), vec<std::string>(std::string("a"), std::string("b")));

        // The same when they fail after a sleep that ends at the same instant.
        auto err2 = co_await caught<aio::ExceptionGroup>(
            aio::task_group([&](aio::TaskGroup& tg) -> aio::Coro<> {
                tg.create_task(fail_after(10ms, "c"));
                tg.create_task(fail_after(10ms, "d"));
                co_return;
            }));
        CO_ASSERT_TRUE(err2);
        EXPECT_EQ(whats(*err2), vec<std::string>(std::string("c"), std::string("d")));
    }());
}

TEST_F(TaskGroupTest, AChildFailingWhileBeingCancelledAddsItsErrorToTheGroup) {
    run([]() -> aio::Coro<> {
        auto err = co_await caught<aio::ExceptionGroup>(
            aio::task_group([&](aio::TaskGroup& tg) -> aio::Coro<> {
                tg.create_task(fail_after(10ms, "first"));
                tg.create_task(fail_when_cancelled(10s, "second"));
                co_return;
            }));
        CO_ASSERT_TRUE(err);
        EXPECT_EQ(err->exceptions().size(), 2u);
        EXPECT_EQ(whats(*err), vec<std::string>(std::string("first"), std::string("second")));
    }());
}

TEST_F(TaskGroupTest, AChildThatCatchesItsCancellationFinishesCleanly) {
    run([]() -> aio::Coro<> {
        int saw_cancel = 0;
        aio::Task<int> polite;
        auto err = co_await caught<aio::ExceptionGroup>(
            aio::task_group([&](aio::TaskGroup& tg) -> aio::Coro<> {
                polite = tg.create_task(swallow_cancel(10s, 7, &saw_cancel));
                tg.create_task(fail_after(10ms, "boom"));
                co_return;
            }));
        CO_ASSERT_TRUE(err);
        EXPECT_EQ(whats(*err), vec<std::string>(std::string("boom")));
        EXPECT_EQ(saw_cancel, 1);
        EXPECT_FALSE(polite.cancelled());
        EXPECT_EQ(polite.result(), 7);
    }());
}

TEST_F(TaskGroupTest, CreateTaskWhileShuttingDownRaisesRuntimeErrorAndNeverRunsTheCoroutine) {
    // test_taskgroup_no_create_task_after_failure
    run([]() -> aio::Coro<> {
        int frames_destroyed = 0;
        bool ran = false, refused = false;
        auto late_spawner = [&](aio::TaskGroup& g) -> aio::Coro<> {
            try {
                co_await aio::sleep(1s);
            } catch (const aio::CancelledError&) {
                try {
                    g.create_task(probed(FrameProbe(&frames_destroyed), &ran));
                } catch (const aio::RuntimeError& e) {
                    refused = std::string(e.what()).find("shutting down") != std::string::npos;
                }
            }
        };
        auto err = co_await caught<aio::ExceptionGroup>(
            aio::task_group([&](aio::TaskGroup& tg) -> aio::Coro<> {
                tg.create_task(fail_after(1ms, "zero division"));
                tg.create_task(late_spawner(tg));
                co_return;
            }));
        CO_ASSERT_TRUE(err);
        EXPECT_EQ(whats(*err), vec<std::string>(std::string("zero division")));
        EXPECT_TRUE(refused);
        EXPECT_FALSE(ran);
        EXPECT_EQ(frames_destroyed, 1);  // the coroutine was dropped, not leaked
    }());
}

TEST_F(TaskGroupTest, TheBodyCannotCreateTasksOnceAChildFailed) {
    run([]() -> aio::Coro<> {
        bool refused = false;
        auto err = co_await caught<aio::ExceptionGroup>(
            aio::task_group([&](aio::TaskGroup& tg) -> aio::Coro<> {
                tg.create_task(fail_after(1ms, "zero division"));
                try {
                    co_await aio::sleep(1s);
                } catch (const aio::CancelledError&) {
                    try {
                        tg.create_task(value_after(1ms, 1));
                    } catch (const aio::RuntimeError&) {
                        refused = true;
                    }
                    throw;
                }
            }));
        EXPECT_TRUE(err);
        EXPECT_TRUE(refused);
    }());
}

// ---- the body fails -------------------------------------------------------------------------

TEST_F(TaskGroupTest, ABodyErrorCancelsTheChildrenAndIsRaisedInTheExceptionGroup) {
    // test_taskgroup_09
    run([]() -> aio::Coro<> {
        aio::Task<int> t1, t2;
        auto err = co_await caught<aio::ExceptionGroup>(
            aio::task_group([&](aio::TaskGroup& g) -> aio::Coro<> {
                t1 = g.create_task(value_after(1s, 42));
                t2 = g.create_task(value_after(2s, 11));
                co_await aio::sleep(100ms);
                throw Boom("body");
            }));
        CO_ASSERT_TRUE(err);
        EXPECT_EQ(whats(*err), vec<std::string>(std::string("body")));
        EXPECT_TRUE(t1.cancelled());
        EXPECT_TRUE(t2.cancelled());
    }());
}

TEST_F(TaskGroupTest, ABodyErrorBeforeAnyChildStartedCancelsThemBeforeTheyRun) {
    // test_taskgroup_10
    run([]() -> aio::Coro<> {
        aio::Task<int> t1, t2;
        bool ran = false;
        int frames_destroyed = 0;
        auto err = co_await caught<aio::ExceptionGroup>(
            aio::task_group([&](aio::TaskGroup& g) -> aio::Coro<> {
                t1 = g.create_task(probed(FrameProbe(&frames_destroyed), &ran));
                t2 = g.create_task(value_after(2s, 11));
                if (t1) throw Boom("body");
                co_return;
            }));
        CO_ASSERT_TRUE(err);
        EXPECT_EQ(whats(*err), vec<std::string>(std::string("body")));
        EXPECT_TRUE(t1.cancelled());
        EXPECT_TRUE(t2.cancelled());
        EXPECT_FALSE(ran);
        EXPECT_EQ(frames_destroyed, 1);
    }());
}

TEST_F(TaskGroupTest, BodyErrorAndChildErrorsAreAllReported) {
    // test_taskgroup_19: the child's failure cancels the body, whose cleanup raises.
    run([]() -> aio::Coro<> {
        auto nested = []() -> aio::Coro<> {
            try {
                co_await aio::sleep(10s);
            } catch (const aio::CancelledError&) {
                throw OtherBoom("body cleanup");
            }
        };
        auto runner = [&]() -> aio::Coro<> {
            co_await aio::task_group([&](aio::TaskGroup& g) -> aio::Coro<> {
                g.create_task(fail_after(100ms, "child"));
                co_await nested();
            });
        };
        auto err = co_await caught<aio::ExceptionGroup>(aio::create_task(runner()));
        CO_ASSERT_TRUE(err);
        EXPECT_EQ(err->exceptions().size(), 2u);
        EXPECT_EQ(count_of<Boom>(*err), 1u);
        EXPECT_EQ(count_of<OtherBoom>(*err), 1u);
    }());
}

TEST_F(TaskGroupTest, ErrorsOfABodyAndAChildBothReachTheGroupAndTheCancelCountIsRestored) {
    // test_taskgroup_context_manager_exit_raises (gh-95289)
    run([]() -> aio::Coro<> {
        auto raise_now = []() -> aio::Coro<> {
            if (true) throw Boom("child");
            co_return;
        };
        auto main_body = [&]() -> aio::Coro<> {
            auto err = co_await caught<aio::ExceptionGroup>(
                aio::task_group([&](aio::TaskGroup& tg) -> aio::Coro<> {
                    // A "database" scope whose cleanup raises when the group cancels the body.
                    try {
                        tg.create_task(raise_now());
                        co_await aio::sleep(1s);
                    } catch (...) {
                        throw Boom("database");
                    }
                }));
            EXPECT_TRUE(err);
            if (err) {
                EXPECT_EQ(whats(*err),
                          vec<std::string>(std::string("child"), std::string("database")));
            }
            EXPECT_EQ(aio::current_task().cancelling(), 0);
        };
        co_await aio::create_task(main_body());
    }());
}

// ---- no child outlives the group ------------------------------------------------------------

TEST_F(TaskGroupTest, NoChildOutlivesTheGroup) {
    run([]() -> aio::Coro<> {
        std::vector<aio::AnyTask> children;
        int saw_cancel = 0;
        // Normal exit.
        co_await aio::task_group([&](aio::TaskGroup& tg) -> aio::Coro<> {
            for (int i = 1; i <= 3; ++i)
                children.push_back(tg.create_task(value_after(i * 10ms, i)));
            co_return;
        });
        // Exit by a child failure, with a child that takes its time to stop.
        co_await caught<aio::ExceptionGroup>(
            aio::task_group([&](aio::TaskGroup& tg) -> aio::Coro<> {
                children.push_back(tg.create_task(fail_after(10ms, "x")));
                children.push_back(tg.create_task([](int* saw) -> aio::Coro<> {
                    std::exception_ptr cancelled;
                    try {
                        co_await aio::sleep(10s);
                    } catch (const aio::CancelledError&) {
                        ++*saw;
                        cancelled = std::current_exception();
                    }
                    co_await aio::sleep(500ms);  // slow cleanup: the group waits for it
                    if (cancelled) std::rethrow_exception(cancelled);
                }(&saw_cancel)));
                co_return;
            }));
        // Exit by a body error.
        co_await caught<aio::ExceptionGroup>(
            aio::task_group([&](aio::TaskGroup& tg) -> aio::Coro<> {
                children.push_back(tg.create_task(value_after(10s, 1)));
                co_await aio::sleep(1ms);
                throw Boom("body");
            }));
        for (auto& c : children) EXPECT_TRUE(c.done()) << c.get_name();
        EXPECT_EQ(saw_cancel, 1);
        EXPECT_EQ(aio::all_tasks().size(), 1u);  // only this test's own task
    }());
}

// ---- entering, finishing --------------------------------------------------------------------

TEST_F(TaskGroupTest, CreateTaskAfterTheGroupFinishedRaisesRuntimeErrorAndDropsTheCoroutine) {
    // test_taskgroup_finished, with asyncio's __aenter__/__aexit__ driven by hand.
    run([]() -> aio::Coro<> {
        aio::TaskGroup tg;
        tg.enter();
        co_await tg.exit(nullptr);
        int frames_destroyed = 0;
        bool ran = false;
        try {
            tg.create_task(probed(FrameProbe(&frames_destroyed), &ran));
            ADD_FAILURE() << "create_task() after the group finished did not throw";
        } catch (const aio::RuntimeError& e) {
            EXPECT_NE(std::string(e.what()).find("is finished"), std::string::npos) << e.what();
        }
        co_await aio::sleep(1ms);
        EXPECT_FALSE(ran);
        EXPECT_EQ(frames_destroyed, 1);
    }());
}

TEST_F(TaskGroupTest, CreateTaskBeforeEnteringRaisesRuntimeError) {
    run([]() -> aio::Coro<> {
        aio::TaskGroup tg;
        try {
            tg.create_task(value_after(0s, 1));
            ADD_FAILURE() << "create_task() before enter() did not throw";
        } catch (const aio::RuntimeError& e) {
            EXPECT_NE(std::string(e.what()).find("has not been entered"), std::string::npos)
                << e.what();
        }
        co_return;
    }());
}

TEST_F(TaskGroupTest, EnteringAGroupTwiceRaisesRuntimeError) {
    // test_taskgroup_already_entered / _double_enter
    run([]() -> aio::Coro<> {
        aio::TaskGroup tg;
        tg.enter();
        EXPECT_THROW(tg.enter(), aio::RuntimeError);
        co_await tg.exit(nullptr);
        EXPECT_THROW(tg.enter(), aio::RuntimeError);
    }());
}

TEST_F(TaskGroupTest, EnteringOutsideATaskRaisesRuntimeError) {
    // test_taskgroup_without_parent_task
    aio::TaskGroup tg;
    EXPECT_THROW(tg.enter(), aio::RuntimeError);
    aio::EventLoop loop(clock_);
    bool ran = false;
    loop.call_soon([&] {
        // A plain callback on a running loop has no parent task either.
        aio::TaskGroup tg2;
        EXPECT_THROW(tg2.enter(), aio::RuntimeError);
        ran = true;
        loop.stop();
    });
    loop.run_forever();
    EXPECT_TRUE(ran);
}

}  // namespace
}  // namespace aio_tasks_test
