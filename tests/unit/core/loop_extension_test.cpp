// The loop's extension slots (aio/core/detail/loop_extension.hpp): the per-loop state of the
// layers above core (async generators, the default executor, signals, children) lives in its
// loop and dies with it. Each loop has its own slots, whatever thread it runs on and wherever it
// was allocated; an extension is shut down (aio::run's order) or, failing that, destroyed by
// close(), and its destructor runs exactly once.

#include "aio/core/detail/loop_extension.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <latch>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "aio/core/event_loop.hpp"
#include "aio/core/exceptions.hpp"
#include "aio/core/task.hpp"
#include "aio/time/sleep.hpp"

using namespace std::chrono_literals;
using aio::detail::LoopExtension;
using aio::detail::LoopExtensionKey;
using Log = std::vector<std::string>;

namespace {

// Two kinds of extension, as two layers would declare them; `early` shuts down first.
const LoopExtensionKey& early() {
    static const LoopExtensionKey key(0);
    return key;
}
const LoopExtensionKey& late() {
    static const LoopExtensionKey key(1);
    return key;
}

// Writes what happens to it into a log the test owns.
class Recorder final : public LoopExtension {
public:
    Recorder(std::string name, Log* log, int value = 0)
        : name_(std::move(name)), log_(log), value(value) {}
    ~Recorder() override { log_->push_back(name_ + " destroyed"); }
    void shutdown(aio::EventLoop& loop) noexcept override {
        log_->push_back(name_ + " shut down");
        if (on_shutdown) on_shutdown(loop);
    }

    std::string name_;
    Log* log_;
    int value;
    std::function<void(aio::EventLoop&)> on_shutdown;
};

Recorder& recorder(aio::EventLoop& loop, const LoopExtensionKey& key, std::string name, Log& log,
                   int value = 0) {
    return aio::detail::loop_extension<Recorder>(
        loop, key, [&] { return std::make_unique<Recorder>(name, &log, value); });
}

Recorder* find(aio::EventLoop& loop, const LoopExtensionKey& key) {
    return static_cast<Recorder*>(aio::detail::find_loop_extension(loop, key));
}

}  // namespace

TEST(LoopExtension, IsMadeOnFirstUseAndFoundAfterwards) {
    Log log;  // before the loop: the extension writes to it when the loop destroys it
    aio::EventLoop loop;
    EXPECT_EQ(find(loop, early()), nullptr);
    Recorder& first = recorder(loop, early(), "a", log, 1);
    Recorder& again = recorder(loop, early(), "not made", log, 2);
    EXPECT_EQ(&again, &first);
    EXPECT_EQ(again.value, 1);
    EXPECT_EQ(find(loop, early()), &first);
    EXPECT_EQ(find(loop, late()), nullptr);  // another kind, another slot
}

TEST(LoopExtension, IsDestroyedWithItsLoop) {
    Log log;
    {
        aio::EventLoop loop;
        recorder(loop, early(), "a", log);
        EXPECT_TRUE(log.empty());
    }
    EXPECT_EQ(log, (Log{"a destroyed"}));  // never shut down: nobody ran the shutdown hooks
}

TEST(LoopExtension, CloseDestroysItAndTheLoopsDestructorDoesNotAgain) {
    Log log;
    {
        aio::EventLoop loop;
        recorder(loop, early(), "a", log);
        loop.close();
        EXPECT_EQ(log, (Log{"a destroyed"}));
        EXPECT_EQ(find(loop, early()), nullptr);
        loop.close();  // a second close() does nothing
    }
    EXPECT_EQ(log, (Log{"a destroyed"}));
}

TEST(LoopExtension, ShutdownGoesLowestOrderFirstAndDestroysEachRightAfterItsShutdown) {
    Log log;
    {
        aio::EventLoop loop;
        recorder(loop, late(), "executor", log);  // made first, shut down second
        recorder(loop, early(), "generators", log);
        loop.add_shutdown_hook([&](aio::EventLoop&) { log.push_back("hook"); });
        loop.run_shutdown_hooks();
        EXPECT_EQ(find(loop, early()), nullptr);
        EXPECT_EQ(find(loop, late()), nullptr);
        loop.close();
    }
    EXPECT_EQ(log, (Log{"hook", "generators shut down", "generators destroyed",
                        "executor shut down", "executor destroyed"}));
}

TEST(LoopExtension, OneMadeWhileAnotherShutsDownIsShutDownToo) {
    Log log;
    aio::EventLoop loop;
    Recorder& generators = recorder(loop, early(), "generators", log);
    // A generator's cleanup that uses the executor, as asyncio's shutdown_asyncgens may.
    generators.on_shutdown = [&](aio::EventLoop& l) { recorder(l, late(), "executor", log); };
    loop.run_shutdown_hooks();
    EXPECT_EQ(log, (Log{"generators shut down", "generators destroyed", "executor shut down",
                        "executor destroyed"}));
}

TEST(LoopExtension, AfterShutdownTheNextUseMakesAFreshOne) {
    Log log;
    aio::EventLoop loop;
    recorder(loop, early(), "first", log);
    loop.run_shutdown_hooks();
    recorder(loop, early(), "second", log);
    loop.close();
    EXPECT_EQ(log, (Log{"first shut down", "first destroyed", "second destroyed"}));
}

TEST(LoopExtension, CloseDestroysItAfterTheFramesOfThePendingTasks) {
    // A frame may point into an extension (a generator registered in it, a call it tracks):
    // close() destroys the frames first, then the extensions.
    Log log;
    aio::EventLoop loop;
    struct Guard {
        aio::EventLoop* loop;
        Log* log;
        ~Guard() {
            log->push_back(find(*loop, early()) ? "frame destroyed, extension alive"
                                                : "frame destroyed, extension gone");
        }
    };
    auto sleeper = [](Guard guard) -> aio::Coro<void> {
        (void)guard;  // destroyed with the frame
        co_await aio::sleep(1h);
    };
    auto start = [&]() -> aio::Coro<void> {
        recorder(loop, early(), "a", log);
        aio::create_task(sleeper(Guard{&loop, &log}));
        co_await aio::sleep(0s);  // the sleeper starts, then this returns
    };
    // "Task was destroyed but it is pending!" is expected here.
    loop.set_exception_handler([](aio::EventLoop&, const aio::ExceptionContext&) {});
    loop.run_until_complete(start());
    log.clear();  // the Guard temporaries moved into the frame
    loop.close();
    EXPECT_EQ(log, (Log{"frame destroyed, extension alive", "a destroyed"}));
}

TEST(LoopExtension, CallbacksItsDestructorSchedulesAreDroppedNotRun) {
    Log log;
    bool ran = false;
    {
        aio::EventLoop loop;
        recorder(loop, early(), "a", log);
        struct Scheduler final : LoopExtension {
            aio::EventLoop* loop;
            bool* ran;
            ~Scheduler() override {
                loop->call_soon([r = ran] { *r = true; });
            }
        };
        aio::detail::loop_extension<Scheduler>(loop, late(), [&] {
            auto s = std::make_unique<Scheduler>();
            s->loop = &loop;
            s->ran = &ran;
            return s;
        });
        loop.close();
        EXPECT_TRUE(loop.is_closed());
    }
    EXPECT_FALSE(ran);
    EXPECT_EQ(log, (Log{"a destroyed"}));
}

TEST(LoopExtension, AClosedLoopRefusesNewExtensionsWithoutMakingThem) {
    Log log;
    aio::EventLoop loop;
    loop.close();
    EXPECT_THROW(recorder(loop, early(), "a", log), aio::RuntimeError);
    EXPECT_TRUE(log.empty());  // never made, so never destroyed either
}

TEST(LoopExtension, TwoLoopsHaveIndependentSlots) {
    Log log;
    std::optional<aio::EventLoop> a;
    a.emplace();
    aio::EventLoop b;
    recorder(*a, early(), "a", log, 1);
    EXPECT_EQ(find(b, early()), nullptr);
    recorder(b, early(), "b", log, 2);
    EXPECT_EQ(find(*a, early())->value, 1);
    EXPECT_EQ(find(b, early())->value, 2);
    a.reset();
    EXPECT_EQ(log, (Log{"a destroyed"}));
    ASSERT_NE(find(b, early()), nullptr);
    EXPECT_EQ(find(b, early())->value, 2);
}

TEST(LoopExtension, LoopsOnTwoThreadsHaveIndependentSlots) {
    Log logs[2];
    int seen[2] = {-1, -1};
    std::latch both_installed(2);  // both loops and their extensions exist at once
    auto run = [&](int i) {
        aio::EventLoop loop;
        recorder(loop, early(), "thread " + std::to_string(i), logs[i], i);
        both_installed.arrive_and_wait();
        // Found from inside the loop, as the layers above find theirs.
        auto read = []() -> aio::Coro<int> {
            co_return find(aio::get_running_loop(), early())->value;
        };
        seen[i] = loop.run_until_complete(read());
    };
    std::thread t0(run, 0), t1(run, 1);
    t0.join();
    t1.join();
    EXPECT_EQ(seen[0], 0);
    EXPECT_EQ(seen[1], 1);
    EXPECT_EQ(logs[0], (Log{"thread 0 destroyed"}));
    EXPECT_EQ(logs[1], (Log{"thread 1 destroyed"}));
}

TEST(LoopExtension, ALoopMadeWhereADestroyedOneLivedStartsWithEmptySlots) {
    Log log;
    alignas(aio::EventLoop) unsigned char storage[sizeof(aio::EventLoop)];
    auto* first = new (storage) aio::EventLoop;
    recorder(*first, early(), "first", log, 1);
    first->~EventLoop();
    EXPECT_EQ(log, (Log{"first destroyed"}));
    auto* second = new (storage) aio::EventLoop;
    ASSERT_EQ(static_cast<void*>(second), static_cast<void*>(first));  // the same address
    EXPECT_EQ(find(*second, early()), nullptr);
    recorder(*second, early(), "second", log, 2);
    EXPECT_EQ(find(*second, early())->value, 2);
    second->~EventLoop();
    EXPECT_EQ(log, (Log{"first destroyed", "second destroyed"}));
}
