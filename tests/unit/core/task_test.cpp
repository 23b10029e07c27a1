// aio::Task<T>: asyncio.Task without cancellation (see cancel_test.cpp): scheduling, results,
// names, done callbacks, the loop's ownership of tasks, all_tasks() and current_task().

#include "aio/core/task.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "aio/core/future.hpp"
#include "aio/time/sleep.hpp"
#include "support/loop_fixture.hpp"
#include "support/sleepers.hpp"

using namespace std::chrono_literals;

namespace {

using aio_test::value_after;

using TaskTest = aio_test::VirtualLoopTest;
using Log = std::vector<std::string>;

aio::Coro<void> append_after(Log* log, std::string what, aio::Duration delay) {
    co_await aio::sleep(delay);
    log->push_back(std::move(what));
}

aio::Coro<void> append_now(Log* log, std::string what) {
    log->push_back(std::move(what));
    co_return;
}

aio::Coro<int> raise_after(aio::Duration delay, std::string what) {
    co_await aio::sleep(delay);
    throw std::runtime_error(what);
}

}  // namespace

// ---- scheduling ----------------------------------------------------------------------------

TEST_F(TaskTest, CreateTaskDoesNotRunTheCoroutineSynchronously) {
    Log log;
    auto main = [&]() -> aio::Coro<void> {
        auto t = aio::create_task(append_now(&log, "child"));
        log.push_back("after create_task");
        co_await t;
    };
    run(main());
    EXPECT_EQ(log, (Log{"after create_task", "child"}));
}

TEST_F(TaskTest, ATaskStartsOnTheNextLoopIteration) {
    std::uint64_t created_at = 0, started_at = 0;
    auto child = [&]() -> aio::Coro<void> {
        started_at = loop.iteration();
        co_return;
    };
    auto main = [&]() -> aio::Coro<void> {
        created_at = loop.iteration();
        auto t = aio::create_task(child());
        co_await t;
    };
    run(main());
    EXPECT_EQ(started_at, created_at + 1);
}

TEST_F(TaskTest, TasksStartInTheOrderTheyWereCreated) {
    Log log;
    auto main = [&]() -> aio::Coro<void> {
        std::vector<aio::Task<void>> tasks;
        for (int i = 0; i < 5; ++i)
            tasks.push_back(aio::create_task(append_now(&log, std::to_string(i))));
        for (auto& t : tasks) co_await t;
    };
    run(main());
    EXPECT_EQ(log, (Log{"0", "1", "2", "3", "4"}));
}

TEST_F(TaskTest, TasksCreatedOnAStoppedLoopStartInFifoOrderInTheFirstIteration) {
    Log log;
    auto a = loop.create_task(append_now(&log, "a"));
    auto b = loop.create_task(append_now(&log, "b"));
    loop.call_soon([&] { log.push_back("callback"); });
    auto c = loop.create_task(append_now(&log, "c"));
    run_once();
    EXPECT_EQ(log, (Log{"a", "b", "callback", "c"}));
    EXPECT_TRUE(a.done() && b.done() && c.done());
}

TEST_F(TaskTest, AnAwaitingTaskResumesAfterTheAwaitedTaskFinishes) {
    Log log;
    auto main = [&]() -> aio::Coro<void> {
        auto t = aio::create_task(append_after(&log, "child", 5ms));
        co_await t;
        log.push_back("parent");
    };
    run(main());
    EXPECT_EQ(log, (Log{"child", "parent"}));
    EXPECT_EQ(elapsed(), 5ms);
}

// ---- results -------------------------------------------------------------------------------

TEST_F(TaskTest, AwaitingATaskReturnsItsValue) {
    auto main = []() -> aio::Coro<int> {
        auto t = aio::create_task(value_after(7, 1ms));
        co_return co_await t;
    };
    EXPECT_EQ(run(main()), 7);
}

TEST_F(TaskTest, ManyAwaitersOfOneTaskAllReceiveItsValue) {
    auto main = []() -> aio::Coro<int> {
        auto shared = aio::create_task(value_after(5, 10ms));
        auto waiter = [](aio::Task<int> t) -> aio::Coro<int> { co_return co_await t; };
        auto w1 = aio::create_task(waiter(shared));
        auto w2 = aio::create_task(waiter(shared));
        int direct = co_await shared;
        co_return direct + co_await w1 + co_await w2;
    };
    EXPECT_EQ(run(main()), 15);
}

TEST_F(TaskTest, AwaitingAFailedTaskRethrowsItsException) {
    auto main = []() -> aio::Coro<std::string> {
        auto t = aio::create_task(raise_after(1ms, "child failed"));
        try {
            co_await t;
        } catch (const std::runtime_error& e) {
            co_return e.what();
        }
        co_return "no exception";
    };
    EXPECT_EQ(run(main()), "child failed");
}

TEST_F(TaskTest, ResultAndExceptionReflectTheTasksState) {
    auto ok = loop.create_task(value_after(3, 1ms));
    auto bad = loop.create_task(raise_after(1ms, "bad"));
    EXPECT_FALSE(ok.done());
    EXPECT_THROW(ok.result(), aio::InvalidStateError);
    EXPECT_THROW(ok.exception(), aio::InvalidStateError);

    loop.run_until_complete(ok);
    run_once();  // `bad` finished in the same iteration as `ok`
    ASSERT_TRUE(bad.done());

    EXPECT_TRUE(ok.done());
    EXPECT_FALSE(ok.cancelled());
    EXPECT_EQ(ok.result(), 3);
    EXPECT_EQ(ok.exception(), nullptr);

    EXPECT_FALSE(bad.cancelled());
    EXPECT_THROW(bad.result(), std::runtime_error);
    ASSERT_NE(bad.exception(), nullptr);
    EXPECT_EQ(aio_test::message_of(bad.exception()), "bad");
}

TEST_F(TaskTest, ATaskCannotAwaitItself) {
    aio::Task<void> self;
    auto body = [&]() -> aio::Coro<void> {
        co_await aio::sleep(0s);
        co_await self;
    };
    self = loop.create_task(body());
    EXPECT_THROW(loop.run_until_complete(self), aio::RuntimeError);
}

TEST_F(TaskTest, EnsureFutureWrapsACoroutineAndPassesATaskThrough) {
    auto main = []() -> aio::Coro<int> {
        aio::Task<int> t = aio::ensure_future(value_after(4, 1ms));
        aio::Task<int> same = aio::ensure_future(t);
        EXPECT_TRUE(same == t);
        co_return co_await same;
    };
    EXPECT_EQ(run(main()), 4);
}

TEST_F(TaskTest, CreateTaskOfAnEmptyCoroutineThrowsInvalidStateError) {
    aio::Coro<int> c = value_after(1, 0s);
    aio::Coro<int> moved = std::move(c);
    EXPECT_THROW(loop.create_task(std::move(c)), aio::InvalidStateError);
    loop.run_until_complete(std::move(moved));
}

TEST_F(TaskTest, CreateTaskWithoutARunningLoopThrowsRuntimeError) {
    EXPECT_THROW(aio::create_task(value_after(1, 0s)), aio::RuntimeError);
}

// ---- names ---------------------------------------------------------------------------------

TEST_F(TaskTest, ATaskIsNamedTaskNByDefaultAndCanBeRenamed) {
    auto a = loop.create_task(value_after(1, 0s));
    auto b = loop.create_task(value_after(1, 0s), "fetcher");
    EXPECT_EQ(a.get_name().rfind("Task-", 0), 0u) << a.get_name();
    EXPECT_EQ(b.get_name(), "fetcher");
    a.set_name("renamed");
    EXPECT_EQ(a.get_name(), "renamed");
    loop.run_until_complete(a);
    loop.run_until_complete(b);
}

TEST_F(TaskTest, DefaultTaskNamesCountUp) {
    auto a = loop.create_task(value_after(1, 0s));
    auto b = loop.create_task(value_after(1, 0s));
    int na = std::stoi(a.get_name().substr(5));
    int nb = std::stoi(b.get_name().substr(5));
    EXPECT_EQ(nb, na + 1);
    loop.run_until_complete(b);
    EXPECT_TRUE(a.done());
}

TEST_F(TaskTest, ATaskRemembersWhereItWasCreated) {
    // clang-format off
    auto t = loop.create_task(value_after(1, 0s)); const unsigned line = __LINE__;
    // clang-format on
    aio::SourceLocation where = t.creation_site();
    EXPECT_EQ(where.line(), line);
    EXPECT_NE(std::string(where.file_name()).find("task_test.cpp"), std::string::npos)
        << where.file_name();
    loop.run_until_complete(t);
}

TEST_F(TaskTest, ACreationSiteLineBeyondSixteenBitsIsKeptAsTheLargestItCanHold) {
    // A task keeps its creation site in one word: the file's address and a 16-bit line.
    auto near = loop.create_task(value_after(1, 0s), "", aio::SourceLocation::current("big.cpp", 65534));
    auto far = loop.create_task(value_after(1, 0s), "", aio::SourceLocation::current("big.cpp", 70000));
    EXPECT_EQ(near.creation_site().line(), 65534u);
    EXPECT_EQ(far.creation_site().line(), 65535u);
    EXPECT_STREQ(far.creation_site().file_name(), "big.cpp");
    auto nowhere = loop.create_task(value_after(1, 0s), "", aio::SourceLocation::current(nullptr, 7));
    EXPECT_STREQ(nowhere.creation_site().file_name(), "");
    EXPECT_EQ(nowhere.state()->describe().find("created at"), std::string::npos);
    loop.run_until_complete(far);
    EXPECT_TRUE(near.done() && nowhere.done());
}

TEST_F(TaskTest, AWokenTaskWaitingInTheReadyQueueAwaitsNothingAndCanStillBeCancelled) {
    // A suspended task keeps its Waiter in the ready-queue link it is not using; once woken,
    // the link is the queue's again. The task queued behind it makes that link non-null.
    auto f = loop.create_future<int>();
    auto body = [&]() -> aio::Coro<int> { co_return co_await f; };
    auto t = loop.create_task(body());
    run_once();
    EXPECT_FALSE(t.awaiting().empty());
    f.set_result(1);
    auto behind = loop.create_task(value_after(2, 0s));
    EXPECT_EQ(t.awaiting(), "");
    EXPECT_NE(t.state()->describe().find("pending"), std::string::npos);
    EXPECT_TRUE(t.cancel("woken"));
    loop.run_until_complete(behind);
    EXPECT_TRUE(t.cancelled());
}

// ---- done callbacks ------------------------------------------------------------------------

TEST_F(TaskTest, ADoneCallbackRunsOnALaterIterationNotWhenTheTaskFinishes) {
    Log log;
    auto t = loop.create_task(append_now(&log, "body"));
    t.add_done_callback([&](aio::Task<void> done) {
        EXPECT_TRUE(done.done());
        log.push_back("callback");
    });
    loop.call_soon([&] { log.push_back("queued after the task"); });
    run_once();
    // The callback is scheduled with call_soon when the task finishes, so a callback that was
    // already queued in the same iteration runs before it.
    EXPECT_EQ(log, (Log{"body", "queued after the task"}));
    run_once();
    EXPECT_EQ(log, (Log{"body", "queued after the task", "callback"}));
}

TEST_F(TaskTest, ADoneCallbackAddedToAFinishedTaskIsScheduledNotCalledAtOnce) {
    auto t = loop.create_task(value_after(9, 0s));
    loop.run_until_complete(t);
    int got = 0;
    t.add_done_callback([&](aio::Task<int> done) { got = done.result(); });
    EXPECT_EQ(got, 0);
    run_once();
    EXPECT_EQ(got, 9);
}

TEST_F(TaskTest, RemovedDoneCallbacksDoNotRun) {
    Log log;
    auto t = loop.create_task(value_after(1, 1ms));
    auto id1 = t.add_done_callback([&](aio::Task<int>) { log.push_back("1"); });
    auto id2 = t.add_done_callback([&](aio::Task<int>) { log.push_back("2"); });
    t.add_done_callback([&](aio::Task<int>) { log.push_back("3"); });
    EXPECT_EQ(t.remove_done_callback(id2), 1u);
    EXPECT_EQ(t.remove_done_callback(id2), 0u);
    (void)id1;
    loop.run_until_complete(t);
    run_once();
    EXPECT_EQ(log, (Log{"1", "3"}));
}

// ---- ownership -----------------------------------------------------------------------------

TEST_F(TaskTest, ADroppedTaskHandleDoesNotStopTheTask) {
    Log log;
    auto main = [&]() -> aio::Coro<void> {
        (void)aio::create_task(append_after(&log, "fire-and-forget done", 50ms));
        co_await aio::sleep(100ms);
        log.push_back("main done");
    };
    run(main());
    EXPECT_EQ(log, (Log{"fire-and-forget done", "main done"}));
}

TEST_F(TaskTest, ADroppedHandleOfATaskCreatedOutsideTheLoopStillRuns) {
    Log log;
    (void)loop.create_task(append_after(&log, "ran", 1s));
    loop.call_later(2s, [&] { loop.stop(); });
    loop.run_forever();
    EXPECT_EQ(log, (Log{"ran"}));
}

TEST_F(TaskTest, ATaskHandleOutlivesItsLoop) {
    aio::Task<int> t;
    {
        aio::testing::VirtualClock clock2;
        aio::EventLoop other(clock2);
        t = other.create_task(value_after(11, 1ms));
        EXPECT_EQ(other.run_until_complete(t), 11);
    }
    EXPECT_TRUE(t.done());
    EXPECT_EQ(t.result(), 11);
}

// ---- all_tasks / current_task ------------------------------------------------------------

TEST_F(TaskTest, CurrentTaskIsTheRunningTask) {
    aio::Task<bool> t;
    auto body = [&]() -> aio::Coro<bool> {
        bool before = aio::current_task() == t;
        co_await aio::sleep(1ms);
        co_return before&& aio::current_task() == t;
    };
    t = loop.create_task(body());
    EXPECT_TRUE(loop.run_until_complete(t));
}

TEST_F(TaskTest, CurrentTaskIsEmptyInAPlainCallbackAndOutsideTheLoop) {
    EXPECT_FALSE(static_cast<bool>(aio::current_task()));
    bool empty_in_callback = false;
    loop.call_soon([&] { empty_in_callback = !aio::current_task(); });
    run_once();
    EXPECT_TRUE(empty_in_callback);
}

TEST_F(TaskTest, AllTasksListsThePendingTasksInCreationOrder) {
    auto main = [&]() -> aio::Coro<void> {
        auto a = aio::create_task(value_after(1, 10ms), "a");
        auto b = aio::create_task(value_after(2, 20ms), "b");
        std::vector<std::string> names;
        for (auto& t : aio::all_tasks()) names.push_back(t.get_name());
        // The main task is pending too.
        EXPECT_EQ(names.size(), 3u);
        EXPECT_EQ(std::vector<std::string>(names.end() - 2, names.end()),
                  (std::vector<std::string>{"a", "b"}));
        EXPECT_TRUE(aio::all_tasks().front() == aio::current_task());

        co_await a;
        names.clear();
        for (auto& t : aio::all_tasks()) names.push_back(t.get_name());
        EXPECT_EQ(names.size(), 2u) << "a finished and must not be listed";
        EXPECT_EQ(names.back(), "b");
        co_await b;
        EXPECT_EQ(aio::all_tasks().size(), 1u);
    };
    run(main());
    EXPECT_TRUE(loop.all_tasks().empty());
}

TEST_F(TaskTest, AllTasksOutsideARunningLoopThrowsRuntimeError) {
    EXPECT_THROW(aio::all_tasks(), aio::RuntimeError);
}

// ---- how the loop finds its tasks --------------------------------------------------------------
// The loop keeps no list of all its tasks: a pending task is found in the ready queue, as the
// running task, or in the list of suspended tasks, from which a woken task removes itself by
// swapping the last entry into its slot (docs/core-runtime.md, "Memory").

namespace {

aio::Coro<void> wait_for_future(aio::Future<void> f) { co_await f; }

}  // namespace

TEST_F(TaskTest, AllTasksStaysExactWhileSuspendedTasksAreWokenInAnyOrder) {
    // More tasks than the suspended list holds before it first grows, woken in a scrambled
    // order so that every slot, the last one included, is vacated at some point.
    constexpr int kTasks = 300;
    std::vector<aio::Future<void>> gates;
    std::vector<aio::Task<void>> tasks;
    for (int i = 0; i < kTasks; ++i) {
        gates.push_back(loop.create_future<void>());
        tasks.push_back(loop.create_task(wait_for_future(gates.back()), "w" + std::to_string(i)));
    }
    EXPECT_EQ(loop.all_tasks().size(), std::size_t(kTasks)) << "all ready, none started";
    run_once();
    ASSERT_EQ(loop.all_tasks().size(), std::size_t(kTasks)) << "all suspended";

    std::vector<bool> released(kTasks, false);
    int left = kTasks;
    for (int step = 0; step < kTasks; ++step) {
        int i = (step * 7 + 3) % kTasks;  // 7 and 300 are coprime: a permutation
        gates[std::size_t(i)].set_result();
        released[std::size_t(i)] = true;
        run_once();  // the woken task finishes
        --left;
        auto listed = loop.all_tasks();
        ASSERT_EQ(listed.size(), std::size_t(left)) << "after waking w" << i;
        std::uint32_t previous_id = 0;
        for (const aio::AnyTask& t : listed) {
            ASSERT_FALSE(t.done());
            ASSERT_LT(previous_id, t.state()->id()) << "listed in creation order, each once";
            previous_id = t.state()->id();
            int n = std::stoi(t.get_name().substr(1));
            ASSERT_FALSE(released[std::size_t(n)]) << t.get_name() << " was woken and finished";
            ASSERT_EQ(t.awaiting().empty(), false) << t.get_name() << " is still suspended";
        }
    }
    for (auto& t : tasks) EXPECT_TRUE(t.done());
}

TEST_F(TaskTest, AllTasksListsReadyRunningAndSuspendedTasks) {
    auto main = [&]() -> aio::Coro<void> {
        auto gate = aio::get_running_loop().create_future<void>();
        auto sleeping = aio::create_task(wait_for_future(gate), "suspended");
        co_await aio::sleep(0s);  // `sleeping` starts and suspends
        auto ready = aio::create_task(wait_for_future(gate), "ready");
        std::vector<std::string> states;
        for (const aio::AnyTask& t : aio::all_tasks())
            states.push_back(t.get_name() + (t.awaiting().empty() ? "" : " (suspended)"));
        EXPECT_EQ(states.size(), 3u);
        EXPECT_TRUE(aio::all_tasks().front() == aio::current_task()) << "the running task";
        EXPECT_EQ(std::vector<std::string>(states.begin() + 1, states.end()),
                  (std::vector<std::string>{"suspended (suspended)", "ready"}));
        gate.set_result();
        co_await sleeping;
        co_await ready;
    };
    run(main());
    EXPECT_TRUE(loop.all_tasks().empty());
}

TEST_F(TaskTest, CloseDestroysTasksThatAreReadyAndTasksThatAreSuspended) {
    aio::testing::VirtualClock clock2;
    aio::EventLoop loop2(clock2);
    aio_test::ReportLog log;
    loop2.set_exception_handler(log.handler());
    auto gate = loop2.create_future<void>();
    auto suspended = loop2.create_task(wait_for_future(gate), "suspended");
    loop2.stop();
    loop2.run_forever();  // `suspended` starts and waits on the gate
    auto ready = loop2.create_task(wait_for_future(gate), "ready");  // never started
    loop2.close();
    EXPECT_TRUE(suspended.cancelled());
    EXPECT_TRUE(ready.cancelled());
    EXPECT_EQ(log.count_containing("Task was destroyed but it is pending"), 2u) << log.describe();
}

TEST_F(TaskTest, TasksAndFuturesThatOutliveTheirLoopSeeItGone) {
    std::optional<aio::Task<void>> finished, pending;
    std::optional<aio::Future<int>> future;
    {
        aio::testing::VirtualClock clock2;
        aio_test::ReportLog log;  // outlives the loop, whose closing reports `pending`
        aio::EventLoop loop2(clock2);
        loop2.set_exception_handler(log.handler());
        auto gate = loop2.create_future<void>();
        finished = loop2.create_task(wait_for_future(gate));
        pending = loop2.create_task(wait_for_future(gate));
        future = loop2.create_future<int>();
        gate.set_result();
        loop2.stop();
        loop2.run_forever();  // both start; the gate is done, so both finish
        EXPECT_TRUE(finished->done());
        EXPECT_EQ(finished->state()->loop(), &loop2);
        pending = loop2.create_task(wait_for_future(loop2.create_future<void>()));
    }  // closing destroys `pending`'s frame
    EXPECT_EQ(finished->state()->loop(), nullptr);
    EXPECT_EQ(pending->state()->loop(), nullptr);
    EXPECT_TRUE(pending->cancelled());
    EXPECT_EQ(future->state()->loop(), nullptr);
    bool called = false;
    finished->add_done_callback([&](aio::Task<void>) { called = true; });  // nowhere to schedule it
    future->set_result(7);
    EXPECT_EQ(future->result(), 7);
    EXPECT_FALSE(called);
    // The handles release the last states here; the loop's anchor goes with them (ASan's leak
    // check would report it otherwise).
}

TEST_F(TaskTest, ASpawnedTaskStateIsNineWords) {
    // What spawn_batch in bench/ measures: the state of a trivial Task<void>, beside its
    // coroutine frame. A new field here costs every task; see docs/core-runtime.md.
    static_assert(sizeof(void*) != 8 || sizeof(aio::detail::TaskState<void>) == 72);
    EXPECT_EQ(sizeof(aio::detail::TaskState<void>), 9 * sizeof(void*));
}

TEST_F(TaskTest, CancellingCountsRequestsUpTo65535) {
    auto gate = loop.create_future<void>();
    auto t = loop.create_task(wait_for_future(gate));
    for (int i = 0; i < 70'000; ++i) t.cancel();
    EXPECT_EQ(t.cancelling(), 65535);
    EXPECT_EQ(t.uncancel(), 65534);
    run_once();
    EXPECT_TRUE(t.cancelled());
}
