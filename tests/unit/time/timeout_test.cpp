// aio::timeout / aio::timeout_at: asyncio.timeout, asyncio.timeout_at (CPython
// Lib/test/test_asyncio/test_timeouts.py), on the virtual clock: expiry cancels and finishes the
// inner work before TimeoutError, rescheduling, nesting (3.12's counting rule), and outside
// cancellation passing through.

#include "aio/time/timeout.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "aio/core/future.hpp"
#include "aio/core/task.hpp"
#include "aio/time/sleep.hpp"
#include "support/loop_fixture.hpp"
#include "support/sleepers.hpp"

using namespace std::chrono_literals;

namespace {

using aio_test::value_after;
using aio_test::sleep_forever;

using Timeouts = aio_test::VirtualLoopTest;
using Log = std::vector<std::string>;

/// Sleeps for `d`; on cancellation logs, cleans up for `cleanup` (awaiting), logs, rethrows.
aio::Coro<void> cancellable_work(Log* log, aio::Duration d, aio::Duration cleanup) {
    bool cancelled = false;
    try {
        co_await aio::sleep(d);
        log->push_back("work finished");
    } catch (const aio::CancelledError&) {
        cancelled = true;
        log->push_back("work cancelled");
    }
    if (cancelled) {
        co_await aio::sleep(cleanup);
        log->push_back("cleanup finished");
        throw aio::CancelledError();
    }
}

}  // namespace

// ---- basics --------------------------------------------------------------------------------

TEST_F(Timeouts, ATimeoutThatDoesNotExpireReturnsTheValue) {
    auto body = []() -> aio::Coro<int> {
        co_return co_await aio::timeout(1s, value_after(5, 10ms));
    };
    EXPECT_EQ(run(body()), 5);
    EXPECT_EQ(elapsed(), 10ms);
}

TEST_F(Timeouts, ATimeoutThatDoesNotExpireLeavesNoTimerRunning) {
    auto body = []() -> aio::Coro<int> {
        co_return co_await aio::timeout(1h, value_after(5, 10ms));
    };
    EXPECT_EQ(run(body()), 5);
    bool fired = false;
    loop.call_later(2h, [&] {
        fired = true;
        loop.stop();
    });
    loop.run_forever();  // would cancel a finished task if the timeout's timer were left behind
    EXPECT_TRUE(fired);
}

TEST_F(Timeouts, ExpiryRaisesTimeoutError) {
    auto body = []() -> aio::Coro<void> { co_await aio::timeout(10ms, sleep_forever()); };
    EXPECT_THROW(run(body()), aio::TimeoutError);
    EXPECT_EQ(elapsed(), 10ms);
}

TEST_F(Timeouts, TimeoutErrorIsAnOSErrorWithEtimedout) {
    auto body = []() -> aio::Coro<int> {
        try {
            co_await aio::timeout(1ms, sleep_forever());
        } catch (const aio::OSError& e) {
            co_return e.errno_code();
        }
        co_return 0;
    };
    EXPECT_EQ(run(body()), ETIMEDOUT);
}

TEST_F(Timeouts, OnExpiryTheInnerWorkIsCancelledAndFinishedBeforeTimeoutErrorIsRaised) {
    Log log;
    auto body = [&]() -> aio::Coro<void> {
        try {
            co_await aio::timeout(10ms, cancellable_work(&log, 1h, 5ms));
        } catch (const aio::TimeoutError&) {
            log.push_back("TimeoutError");
        }
    };
    run(body());
    EXPECT_EQ(log, (Log{"work cancelled", "cleanup finished", "TimeoutError"}));
    EXPECT_EQ(elapsed(), 15ms);
}

TEST_F(Timeouts, TheTaskThatCaughtTheTimeoutErrorIsNotCancelled) {
    // test_timeouts.test_outer_task_is_not_cancelled
    auto body = []() -> aio::Coro<int> {
        try {
            co_await aio::timeout(1ms, sleep_forever());
        } catch (const aio::TimeoutError&) {
        }
        co_await aio::sleep(1ms);  // the task can still await
        co_return aio::current_task().cancelling();
    };
    auto t = loop.create_task(body());
    EXPECT_EQ(loop.run_until_complete(t), 0) << "the timeout's cancel request was withdrawn";
    EXPECT_TRUE(t.done());
    EXPECT_FALSE(t.cancelled());
}

TEST_F(Timeouts, TheCallableFormGetsTheTimeoutAndReturnsItsValue) {
    bool expired_before = true;
    auto body = [&]() -> aio::Coro<std::string> {
        co_return co_await aio::timeout(1s, [&](aio::Timeout& cm) -> aio::Coro<std::string> {
            expired_before = cm.expired();
            EXPECT_TRUE(cm.when().has_value());
            co_await aio::sleep(10ms);
            co_return "in time";
        });
    };
    EXPECT_EQ(run(body()), "in time");
    EXPECT_FALSE(expired_before);
}

TEST_F(Timeouts, ExpiredIsTrueOnceTheDeadlineHasPassed) {
    bool expired_when_cancelled = false;
    auto body = [&]() -> aio::Coro<void> {
        co_await aio::timeout(10ms, [&](aio::Timeout& cm) -> aio::Coro<void> {
            try {
                co_await aio::sleep(1h);
            } catch (const aio::CancelledError&) {
                expired_when_cancelled = cm.expired();
                throw;
            }
        });
    };
    EXPECT_THROW(run(body()), aio::TimeoutError);
    EXPECT_TRUE(expired_when_cancelled);
}

TEST_F(Timeouts, TimeoutAtReportsItsDeadline) {
    aio::TimePoint deadline = loop.time() + 10ms;
    std::optional<aio::TimePoint> seen;
    auto body = [&]() -> aio::Coro<void> {
        co_await aio::timeout_at(deadline, [&](aio::Timeout& cm) -> aio::Coro<void> {
            seen = cm.when();
            co_await aio::sleep(1h);
        });
    };
    EXPECT_THROW(run(body()), aio::TimeoutError);
    ASSERT_TRUE(seen.has_value());
    EXPECT_EQ(*seen, deadline);
    EXPECT_EQ(loop.time(), deadline);
}

TEST_F(Timeouts, ATimeoutOfNulloptNeverExpires) {
    bool has_deadline = true, expired = true;
    auto body = [&]() -> aio::Coro<int> {
        co_return co_await aio::timeout(std::nullopt, [&](aio::Timeout& cm) -> aio::Coro<int> {
            has_deadline = cm.when().has_value();
            co_await aio::sleep(5h);
            expired = cm.expired();
            co_return 3;
        });
    };
    EXPECT_EQ(run(body()), 3);
    EXPECT_FALSE(has_deadline);
    EXPECT_FALSE(expired);
    EXPECT_EQ(elapsed(), 5h);
}

TEST_F(Timeouts, TimeoutAtNulloptNeverExpires) {
    auto body = []() -> aio::Coro<int> {
        co_return co_await aio::timeout_at(std::nullopt, value_after(4, 3h));
    };
    EXPECT_EQ(run(body()), 4);
}

TEST_F(Timeouts, AnExceptionFromTheInnerWorkPassesThroughUnchanged) {
    // test_timeouts.test_foreign_exception_passed
    bool expired = true;
    auto body = [&]() -> aio::Coro<void> {
        co_await aio::timeout(10ms, [&](aio::Timeout& cm) -> aio::Coro<void> {
            co_await aio::sleep(1ms);
            expired = cm.expired();
            throw std::invalid_argument("key error");
        });
    };
    EXPECT_THROW(run(body()), std::invalid_argument);
    EXPECT_FALSE(expired);
}

TEST_F(Timeouts, AnExceptionRaisedWhileTheWorkIsBeingCancelledReplacesTheTimeout) {
    // test_timeouts.test_foreign_exception_on_timeout
    auto crash = []() -> aio::Coro<void> {
        try {
            co_await aio::sleep(1s);
        } catch (const aio::CancelledError&) {
            throw std::domain_error("crash in cleanup");
        }
    };
    auto body = [&]() -> aio::Coro<void> { co_await aio::timeout(10ms, crash()); };
    EXPECT_THROW(run(body()), std::domain_error);
}

TEST_F(Timeouts, WorkThatSwallowsTheCancellationEndsTheScopeWithItsValue) {
    auto stubborn = []() -> aio::Coro<int> {
        try {
            co_await aio::sleep(1h);
        } catch (const aio::CancelledError&) {
            co_return 42;
        }
        co_return 0;
    };
    auto body = [&]() -> aio::Coro<int> { co_return co_await aio::timeout(10ms, stubborn()); };
    auto t = loop.create_task(body());
    EXPECT_EQ(loop.run_until_complete(t), 42);
    EXPECT_FALSE(t.cancelled());
    EXPECT_EQ(t.cancelling(), 0);
}

TEST_F(Timeouts, ATimeoutAroundATaskCancelsThatTask) {
    aio::Task<void> inner;
    auto body = [&]() -> aio::Coro<void> {
        inner = aio::create_task(sleep_forever());
        co_await aio::timeout(10ms, inner);
    };
    EXPECT_THROW(run(body()), aio::TimeoutError);
    ASSERT_TRUE(inner.done());
    EXPECT_TRUE(inner.cancelled());
}

TEST_F(Timeouts, LeavesTheResultOfATaskItWasGivenInPlace) {
    // timeout_at(when, X x) holds its own copy of the handle; awaiting it must not consume the
    // result the caller's handle shares.
    aio::Task<std::string> t;
    auto body = [&]() -> aio::Coro<std::string> {
        t = aio::create_task([]() -> aio::Coro<std::string> {
            co_await aio::sleep(1ms);
            co_return std::string(64, 't');
        }());
        co_return co_await aio::timeout(1s, t);
    };
    EXPECT_EQ(run(body()), std::string(64, 't'));
    EXPECT_EQ(t.result(), std::string(64, 't')) << "the task's own result was consumed";
}

TEST_F(Timeouts, ATimeoutAroundATaskThatIsAlreadyDoneReturnsItsValue) {
    auto body = []() -> aio::Coro<int> {
        auto t = aio::create_task(value_after(4, 1ms));
        co_await aio::sleep(2ms);
        co_return co_await aio::timeout(0s, t);
    };
    EXPECT_EQ(run(body()), 4);
}

// ---- zero and past deadlines ------------------------------------------------------------------

TEST_F(Timeouts, AZeroTimeoutExpiresAtTheFirstSuspension) {
    // test_timeouts.test_timeout_zero
    auto body = []() -> aio::Coro<void> { co_await aio::timeout(0s, sleep_forever()); };
    EXPECT_THROW(run(body()), aio::TimeoutError);
    EXPECT_EQ(elapsed(), 0s);
}

TEST_F(Timeouts, AZeroTimeoutExpiresEvenIfTheWorkOnlyYieldsOnce) {
    // test_timeouts.test_timeout_zero_sleep_zero: the expiry is queued with call_soon, ahead
    // of the task's own wake-up after sleep(0).
    auto body = []() -> aio::Coro<void> { co_await aio::timeout(0s, aio::sleep(0s)); };
    EXPECT_THROW(run(body()), aio::TimeoutError);
}

TEST_F(Timeouts, ADeadlineInThePastExpiresEvenIfTheWorkOnlyYieldsOnce) {
    // test_timeouts.test_timeout_in_the_past_sleep_zero
    auto body = []() -> aio::Coro<void> { co_await aio::timeout(-11s, aio::sleep(0s)); };
    EXPECT_THROW(run(body()), aio::TimeoutError);
}

TEST_F(Timeouts, AZeroTimeoutAroundWorkThatNeverSuspendsDoesNotExpire) {
    auto body = []() -> aio::Coro<int> {
        co_return co_await aio::timeout(0s, []() -> aio::Coro<int> { co_return 9; }());
    };
    EXPECT_EQ(run(body()), 9);
}

// ---- reschedule ----------------------------------------------------------------------------

TEST_F(Timeouts, ReschedulingLaterLetsTheWorkFinish) {
    auto body = [&]() -> aio::Coro<int> {
        co_return co_await aio::timeout(10ms, [&](aio::Timeout& cm) -> aio::Coro<int> {
            co_await aio::sleep(5ms);
            cm.reschedule(*cm.when() + 100ms);
            EXPECT_EQ(*cm.when(), start + 110ms);
            co_await aio::sleep(50ms);
            co_return 1;
        });
    };
    EXPECT_EQ(run(body()), 1);
    EXPECT_EQ(elapsed(), 55ms);
}

TEST_F(Timeouts, ReschedulingEarlierExpiresAtTheNewDeadline) {
    auto body = [&]() -> aio::Coro<void> {
        co_await aio::timeout(1h, [&](aio::Timeout& cm) -> aio::Coro<void> {
            cm.reschedule(loop.time() + 10ms);
            co_await aio::sleep(1h);
        });
    };
    EXPECT_THROW(run(body()), aio::TimeoutError);
    EXPECT_EQ(elapsed(), 10ms);
}

TEST_F(Timeouts, ReschedulingToNulloptRemovesTheDeadline) {
    bool expired = true;
    auto body = [&]() -> aio::Coro<int> {
        co_return co_await aio::timeout(10ms, [&](aio::Timeout& cm) -> aio::Coro<int> {
            cm.reschedule(std::nullopt);
            EXPECT_FALSE(cm.when().has_value());
            co_await aio::sleep(1h);
            expired = cm.expired();
            co_return 2;
        });
    };
    EXPECT_EQ(run(body()), 2);
    EXPECT_FALSE(expired);
    EXPECT_EQ(elapsed(), 1h);
}

TEST_F(Timeouts, ReschedulingIntoThePastExpiresWithoutWaiting) {
    auto body = [&]() -> aio::Coro<void> {
        co_await aio::timeout(1h, [&](aio::Timeout& cm) -> aio::Coro<void> {
            co_await aio::sleep(5ms);
            cm.reschedule(loop.time() - 1s);
            co_await aio::sleep(1h);
        });
    };
    EXPECT_THROW(run(body()), aio::TimeoutError);
    EXPECT_EQ(elapsed(), 5ms);
}

TEST_F(Timeouts, AnotherTaskCanRescheduleATimeout) {
    // test_timeouts.test_reschedule
    auto published = loop.create_future<aio::Timeout*>();
    aio::TimePoint deadline1 = loop.time() + 10s;
    aio::TimePoint deadline2 = deadline1 + 20s;
    bool expired = true;
    auto f = [&]() -> aio::Coro<void> {
        co_await aio::timeout_at(deadline1, [&](aio::Timeout& cm) -> aio::Coro<void> {
            published.set_result(&cm);
            try {
                co_await aio::sleep(50s);
            } catch (const aio::CancelledError&) {
                expired = cm.expired();
                throw;
            }
        });
    };
    auto main = [&]() -> aio::Coro<void> {
        auto task = aio::create_task(f());
        aio::Timeout* cm = co_await published;
        EXPECT_EQ(cm->when(), deadline1);
        cm->reschedule(deadline2);
        EXPECT_EQ(cm->when(), deadline2);
        cm->reschedule(std::nullopt);
        EXPECT_FALSE(cm->when().has_value());
        task.cancel();
        EXPECT_THROW(co_await task, aio::CancelledError);
        EXPECT_TRUE(task.cancelled());
    };
    run(main());
    EXPECT_FALSE(expired);
    EXPECT_EQ(elapsed(), 0s);
}

TEST_F(Timeouts, ReschedulingAnExpiringTimeoutThrowsRuntimeError) {
    bool threw = false;
    auto body = [&]() -> aio::Coro<void> {
        co_await aio::timeout(10ms, [&](aio::Timeout& cm) -> aio::Coro<void> {
            try {
                co_await aio::sleep(1h);
            } catch (const aio::CancelledError&) {
                try {
                    cm.reschedule(loop.time() + 1h);
                } catch (const aio::RuntimeError&) {
                    threw = true;
                }
                throw;
            }
        });
    };
    EXPECT_THROW(run(body()), aio::TimeoutError);
    EXPECT_TRUE(threw);
}

TEST_F(Timeouts, ATimeoutCannotBeEnteredTwice) {
    // test_timeouts.test_timeout_double_enter
    auto body = []() -> aio::Coro<bool> {
        aio::Timeout cm(std::nullopt);
        cm.enter();
        bool threw = false;
        try {
            cm.enter();
        } catch (const aio::RuntimeError&) {
            threw = true;
        }
        cm.exit(false);
        co_return threw;
    };
    EXPECT_TRUE(run(body()));
}

TEST_F(Timeouts, ReschedulingATimeoutThatWasNotEnteredThrowsRuntimeError) {
    aio::Timeout cm(std::nullopt);
    EXPECT_THROW(cm.reschedule(loop.time()), aio::RuntimeError);
}

TEST_F(Timeouts, EnteringATimeoutOutsideATaskThrowsRuntimeError) {
    aio::Timeout cm(std::nullopt);
    EXPECT_THROW(cm.enter(), aio::RuntimeError);
}

// ---- nesting -------------------------------------------------------------------------------

TEST_F(Timeouts, WhenTheInnerTimeoutExpiresOnlyTheInnerScopeRaisesTimeoutError) {
    bool inner_timed_out = false, outer_expired = true;
    auto body = [&]() -> aio::Coro<int> {
        co_return co_await aio::timeout(1s, [&](aio::Timeout& outer) -> aio::Coro<int> {
            try {
                co_await aio::timeout(10ms, sleep_forever());
            } catch (const aio::TimeoutError&) {
                inner_timed_out = true;
            }
            outer_expired = outer.expired();
            co_await aio::sleep(10ms);  // the outer scope is still in force, and not expired
            co_return 7;
        });
    };
    auto t = loop.create_task(body());
    EXPECT_EQ(loop.run_until_complete(t), 7);
    EXPECT_TRUE(inner_timed_out);
    EXPECT_FALSE(outer_expired);
    EXPECT_EQ(elapsed(), 20ms);
    EXPECT_EQ(t.cancelling(), 0);
}

TEST_F(Timeouts, WhenTheOuterTimeoutExpiresTheInnerScopeSeesCancelledErrorAndTheOuterRaises) {
    Log log;
    auto body = [&]() -> aio::Coro<void> {
        try {
            co_await aio::timeout(10ms, [&](aio::Timeout&) -> aio::Coro<void> {
                try {
                    co_await aio::timeout(1s, sleep_forever());
                } catch (const aio::TimeoutError&) {
                    log.push_back("inner TimeoutError");
                    throw;
                } catch (const aio::CancelledError&) {
                    log.push_back("inner CancelledError");
                    throw;
                }
            });
        } catch (const aio::TimeoutError&) {
            log.push_back("outer TimeoutError");
        }
    };
    run(body());
    EXPECT_EQ(log, (Log{"inner CancelledError", "outer TimeoutError"}));
    EXPECT_EQ(elapsed(), 10ms);
}

TEST_F(Timeouts, WhenBothTimeoutsExpireAtTheSameTimeTheOuterOneReports) {
    // test_timeouts.test_nested_timeouts (3.12's counting rule).
    Log log;
    bool inner_expired = false, outer_expired = false;
    aio::TimePoint deadline = loop.time() + 10ms;
    auto body = [&]() -> aio::Coro<void> {
        try {
            co_await aio::timeout_at(deadline, [&](aio::Timeout& outer) -> aio::Coro<void> {
                try {
                    co_await aio::timeout_at(deadline, [&](aio::Timeout& inner) -> aio::Coro<void> {
                        try {
                            co_await sleep_forever();
                        } catch (const aio::CancelledError&) {
                            inner_expired = inner.expired();
                            outer_expired = outer.expired();
                            throw;
                        }
                    });
                } catch (const aio::TimeoutError&) {
                    log.push_back("inner TimeoutError");
                    throw;
                } catch (const aio::CancelledError&) {
                    log.push_back("inner CancelledError");
                    throw;
                }
            });
        } catch (const aio::TimeoutError&) {
            log.push_back("outer TimeoutError");
        }
    };
    auto t = loop.create_task(body());
    loop.run_until_complete(t);
    EXPECT_EQ(log, (Log{"inner CancelledError", "outer TimeoutError"}));
    EXPECT_TRUE(inner_expired);
    EXPECT_TRUE(outer_expired);
    EXPECT_FALSE(t.cancelled());
    EXPECT_EQ(t.cancelling(), 0);
}

TEST_F(Timeouts, AnOuterTimeoutThatExpiresDuringABusyStepIsReportedByTheOuterScope) {
    // test_timeouts.test_nested_timeouts_concurrent: the outer deadline passes while the task
    // crunches numbers (the virtual clock is moved by hand), the inner one does not.
    Log log;
    auto body = [&]() -> aio::Coro<void> {
        try {
            co_await aio::timeout(2ms, [&](aio::Timeout&) -> aio::Coro<void> {
                try {
                    co_await aio::timeout(100ms, [&](aio::Timeout&) -> aio::Coro<void> {
                        clock.advance(10ms);
                        co_await aio::sleep(1s);
                    });
                } catch (const aio::TimeoutError&) {
                    log.push_back("inner TimeoutError");
                    throw;
                } catch (const aio::CancelledError&) {
                    log.push_back("inner CancelledError");
                    throw;
                }
            });
        } catch (const aio::TimeoutError&) {
            log.push_back("outer TimeoutError");
        }
    };
    run(body());
    EXPECT_EQ(log, (Log{"inner CancelledError", "outer TimeoutError"}));
    EXPECT_EQ(elapsed(), 10ms);
}

TEST_F(Timeouts, ANestedTimeoutInsideCleanupAfterExpiryWorks) {
    // test_timeouts.test_nested_timeout_in_finally
    Log log;
    auto body = [&]() -> aio::Coro<void> {
        co_await aio::timeout(10ms, [&](aio::Timeout&) -> aio::Coro<void> {
            std::exception_ptr pending;
            try {
                co_await aio::sleep(1s);
            } catch (const aio::CancelledError&) {
                pending = std::current_exception();
            }
            // "finally": a cleanup with its own timeout.
            try {
                co_await aio::timeout(10ms, sleep_forever());
            } catch (const aio::TimeoutError&) {
                log.push_back("cleanup timed out");
            }
            if (pending) std::rethrow_exception(pending);
        });
    };
    EXPECT_THROW(run(body()), aio::TimeoutError);
    EXPECT_EQ(log, (Log{"cleanup timed out"}));
    EXPECT_EQ(elapsed(), 20ms);
}

// ---- cancellation from outside -------------------------------------------------------------

TEST_F(Timeouts, ACancellationFromOutsidePropagatesAsCancelledErrorNotTimeoutError) {
    bool expired = true;
    auto body = [&]() -> aio::Coro<void> {
        co_await aio::timeout(1h, [&](aio::Timeout& cm) -> aio::Coro<void> {
            try {
                co_await aio::sleep(2h);
            } catch (const aio::CancelledError&) {
                expired = cm.expired();
                throw;
            }
        });
    };
    auto t = loop.create_task(body());
    loop.call_later(10ms, [&] { t.cancel("from outside"); });
    try {
        loop.run_until_complete(t);
        FAIL() << "expected CancelledError";
    } catch (const aio::CancelledError& e) {
        EXPECT_EQ(e.message(), "from outside");
    } catch (const aio::TimeoutError&) {
        FAIL() << "an outside cancellation must not turn into TimeoutError";
    }
    EXPECT_TRUE(t.cancelled());
    EXPECT_FALSE(expired);
    EXPECT_EQ(elapsed(), 10ms);
}

TEST_F(Timeouts, AnOutsideCancelDuringTheCleanupAfterExpiryPropagatesAsCancelledError) {
    Log log;
    auto body = [&]() -> aio::Coro<void> {
        co_await aio::timeout(10ms, cancellable_work(&log, 1h, 50ms));
    };
    auto t = loop.create_task(body());
    loop.call_later(20ms, [&] { t.cancel(); });  // the timeout expired; the cleanup is running
    try {
        loop.run_until_complete(t);
        FAIL() << "expected CancelledError";
    } catch (const aio::CancelledError&) {
    } catch (const aio::TimeoutError&) {
        FAIL() << "the outside cancellation must win over the expiry";
    }
    EXPECT_TRUE(t.cancelled());
    EXPECT_EQ(log, (Log{"work cancelled"})) << "the cleanup's own sleep was cancelled";
    EXPECT_EQ(elapsed(), 20ms);
}

TEST_F(Timeouts, ASelfCancelInsideATimeoutThatHasNotExpiredIsACancellation) {
    // test_timeouts.test_foreign_cancel_doesnt_timeout_if_not_expired
    auto body = []() -> aio::Coro<void> {
        co_await aio::timeout(10s, [](aio::Timeout&) -> aio::Coro<void> {
            aio::current_task().cancel();
            co_await aio::sleep(10s);
        });
    };
    auto t = loop.create_task(body());
    EXPECT_THROW(loop.run_until_complete(t), aio::CancelledError);
    EXPECT_TRUE(t.cancelled());
}

TEST_F(Timeouts, AnOutsideCancellationThatArrivesTogetherWithTheExpiryIsNotSwallowed) {
    // The deadline and an outside cancel() hit the task in the same iteration: after the scope
    // withdraws its own request the count is still above its entry level, so the
    // CancelledError propagates (asyncio's timeouts.py: uncancel() <= cancelling at entry).
    auto body = []() -> aio::Coro<void> { co_await aio::timeout(10ms, sleep_forever()); };
    auto t = loop.create_task(body());
    loop.call_later(10ms, [&] { t.cancel("outside"); });  // same deadline as the timeout
    EXPECT_THROW(loop.run_until_complete(t), aio::CancelledError);
    EXPECT_TRUE(t.cancelled());
}

TEST_F(Timeouts, ATimeoutStillWorksAfterTheTaskSwallowedACancellation) {
    // test_timeouts.test_timeout_after_cancellation
    auto body = []() -> aio::Coro<bool> {
        try {
            aio::current_task().cancel();
            co_await aio::sleep(1s);
        } catch (const aio::CancelledError&) {
        }
        try {
            co_await aio::timeout(0s, aio::sleep(1s));
        } catch (const aio::TimeoutError&) {
            co_return true;
        }
        co_return false;
    };
    EXPECT_TRUE(run(body()));
}

TEST_F(Timeouts, ACancelInsideATimeoutAfterASwallowedCancellationStillCancels) {
    // test_timeouts.test_cancel_in_timeout_after_cancellation
    auto body = []() -> aio::Coro<bool> {
        try {
            aio::current_task().cancel();
            co_await aio::sleep(1s);
        } catch (const aio::CancelledError&) {
        }
        try {
            co_await aio::timeout(1s, [](aio::Timeout&) -> aio::Coro<void> {
                aio::current_task().cancel();
                co_await aio::sleep(2s);
            });
        } catch (const aio::CancelledError&) {
            co_return true;
        }
        co_return false;
    };
    EXPECT_TRUE(run(body()));
}
