#pragma once
// Shared by the tasks-layer tests: a fixture that runs a test body on a fresh
// loop with a virtual clock (sleeps take no real time, and every run takes the
// same path), records everything that reaches the loop's exception handler,
// fails a test that leaks a task, and small child coroutines.

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <exception>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "aio/aio.hpp"
#include "aio/testing/virtual_clock.hpp"

#include "support/co_assert.hpp"

namespace aio_tasks_test {

using namespace std::chrono_literals;

/// A failure of the test's own making, so it is never confused with anything aio throws.
struct Boom : std::runtime_error {
    using std::runtime_error::runtime_error;
};
/// A second kind of failure, for tests that tell errors apart by type.
struct OtherBoom : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// Virtual time after which a test counts as hung: the loop then stops and the
/// test fails instead of blocking. Far beyond every sleep the tests use.
inline constexpr auto kWatchdog = std::chrono::hours(24);

/// A vector of `xs`. (g++ 12 miscompiles braced std::initializer_list
/// construction inside coroutines, "array used as initializer".)
template <class T, class... Ts>
std::vector<T> vec(Ts... xs) {
    std::vector<T> v;
    v.reserve(sizeof...(xs));
    (v.push_back(std::move(xs)), ...);
    return v;
}

/// Loop time now.
inline aio::TimePoint now() { return aio::get_running_loop().time(); }
/// Whole milliseconds of loop time since `t0` (easy to compare and to print).
inline long long ms_since(aio::TimePoint t0) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(now() - t0).count();
}

/// Awaits `aw` and returns the exception of type E it raised, or nullopt if it
/// completed. Any other exception propagates (and fails the test).
template <class E, class Aw>
aio::Coro<std::optional<E>> caught(Aw aw) {
    try {
        co_await std::move(aw);
    } catch (const E& e) {
        co_return e;
    }
    co_return std::nullopt;
}

/// The what() of the std::exception held by `e` ("" if none; "CancelledError" for one).
inline std::string what_of(const std::exception_ptr& e) {
    if (!e) return {};
    try {
        std::rethrow_exception(e);
    } catch (const aio::CancelledError& c) {
        return c.what();
    } catch (const std::exception& x) {
        return x.what();
    } catch (...) {
        return "unknown";
    }
}

/// True if `e` holds an exception of type E.
template <class E>
bool holds(const std::exception_ptr& e) {
    if (!e) return false;
    try {
        std::rethrow_exception(e);
    } catch (const E&) {
        return true;
    } catch (...) {
        return false;
    }
}

// ---- children -------------------------------------------------------------------------------
// Free functions taking everything by value (or by pointer to state the test
// body outlives), as DESIGN.md's lifetime rules ask of coroutines run as tasks.

inline aio::Coro<int> value_after(aio::Duration d, int v) {
    co_await aio::sleep(d);
    co_return v;
}

inline aio::Coro<void> nothing_after(aio::Duration d) { co_await aio::sleep(d); }

inline aio::Coro<int> fail_after(aio::Duration d, std::string what) {
    co_await aio::sleep(d);
    throw Boom(what);
}

/// Sleeps `d`; counts into `*cancelled` if the sleep is cancelled (and rethrows),
/// into `*finished` if it completes.
inline aio::Coro<int> counted_sleep(aio::Duration d, int v, int* cancelled, int* finished) {
    try {
        co_await aio::sleep(d);
    } catch (const aio::CancelledError&) {
        if (cancelled) ++*cancelled;
        throw;
    }
    if (finished) ++*finished;
    co_return v;
}

/// Logs "<name> started" when its body runs, then sleeps `d`; logs "<name> cancelled" (and
/// rethrows) if the sleep is cancelled, "<name> finished" if it completes. asyncio's
/// `log.append(...); try: await sleep(d) except CancelledError: log.append(...); raise`.
inline aio::Coro<int> logged_sleep(std::string name, aio::Duration d,
                                   std::vector<std::string>* log) {
    log->push_back(name + " started");
    try {
        co_await aio::sleep(d);
    } catch (const aio::CancelledError&) {
        log->push_back(name + " cancelled");
        throw;
    }
    log->push_back(name + " finished");
    co_return 0;
}

/// Counts its destructions: a coroutine parameter of this type tells whether
/// the coroutine's frame was destroyed.
struct FrameProbe {
    int* destroyed;
    explicit FrameProbe(int* d) : destroyed(d) {}
    FrameProbe(FrameProbe&& o) noexcept : destroyed(std::exchange(o.destroyed, nullptr)) {}
    FrameProbe(const FrameProbe&) = delete;
    ~FrameProbe() {
        if (destroyed) ++*destroyed;
    }
};

inline aio::Coro<int> probed(FrameProbe probe, bool* ran) {
    (void)probe;
    *ran = true;
    co_await aio::sleep(0s);
    co_return 1;
}

// ---- errors of task groups and children -----------------------------------------------------

/// The what() of each sub-exception, sorted (the group's order is not specified).
inline std::vector<std::string> whats(const aio::ExceptionGroup& eg) {
    std::vector<std::string> out;
    for (const auto& e : eg.exceptions()) out.push_back(what_of(e));
    std::sort(out.begin(), out.end());
    return out;
}

template <class E>
std::size_t count_of(const aio::ExceptionGroup& eg) {
    return std::count_if(eg.exceptions().begin(), eg.exceptions().end(),
                         [](const std::exception_ptr& e) { return holds<E>(e); });
}

/// The single sub-exception of `eg` as an ExceptionGroup (null if it is not one).
inline const aio::ExceptionGroup* nested_group(const aio::ExceptionGroup& eg,
                                               std::optional<aio::ExceptionGroup>& keep) {
    if (eg.exceptions().size() != 1) return nullptr;
    try {
        std::rethrow_exception(eg.exceptions()[0]);
    } catch (const aio::ExceptionGroup& inner) {
        keep.emplace(inner);
        return &*keep;
    } catch (...) {
    }
    return nullptr;
}

inline aio::Coro<int> fail_now(std::string what) {
    if (!what.empty()) throw Boom(what);  // before any suspension
    co_return 0;
}

// Raises `what` from its cancellation handler (asyncio's `finally: 1 / 0`).
inline aio::Coro<> fail_when_cancelled(aio::Duration d, std::string what) {
    try {
        co_await aio::sleep(d);
    } catch (const aio::CancelledError&) {
        throw Boom(what);
    }
}

// Catches its cancellation and finishes cleanly with `v`.
inline aio::Coro<int> swallow_cancel(aio::Duration d, int v, int* saw_cancel) {
    try {
        co_await aio::sleep(d);
    } catch (const aio::CancelledError&) {
        ++*saw_cancel;
    }
    co_return v;
}

// ---- the fixture ----------------------------------------------------------------------------

class LoopTest : public ::testing::Test {
protected:
    /// Runs `main` with aio::run on a virtual clock and returns its result.
    template <class T>
    T run(aio::Coro<T> main) {
        aio::RunOptions options;
        options.clock = &clock_;
        options.exception_handler = [this](aio::EventLoop&, const aio::ExceptionContext& ctx) {
            reports_.push_back(ctx);
        };
        try {
            return aio::run(guarded(std::move(main)), std::move(options));
        } catch (const aio::CancelledError& e) {
            // Not a std::exception: gtest would only say "unknown C++ exception".
            ADD_FAILURE() << "the test body ended with CancelledError (" << e.what()
                          << "): its task was cancelled by something it did not expect";
            if constexpr (!std::is_void_v<T>) throw;
        }
    }

    /// What reached the loop's exception handler so far; clears the record.
    std::vector<aio::ExceptionContext> take_reports() { return std::exchange(reports_, {}); }

    /// A test fails if anything it did not take reached the exception handler.
    void TearDown() override {
        for (const auto& r : reports_)
            ADD_FAILURE() << "unexpected report to the exception handler: " << r.message
                          << (r.exception ? " (" + what_of(r.exception) + ")" : std::string())
                          << (r.task.empty() ? std::string() : " task " + r.task);
    }

    aio::testing::VirtualClock clock_;
    std::vector<aio::ExceptionContext> reports_;

private:
    // Bounds the test in (virtual) time and fails it if a task is left pending.
    template <class T>
    static aio::Coro<T> guarded(aio::Coro<T> main) {
        aio::EventLoop& loop = aio::get_running_loop();
        aio::TimerHandle watchdog = loop.call_later(kWatchdog, [&loop] {
            ADD_FAILURE() << "the test hung: nothing left to run before the watchdog";
            loop.stop();
        });
        struct Disarm {
            aio::TimerHandle& h;
            ~Disarm() { h.cancel(); }
        } disarm{watchdog};
        if constexpr (std::is_void_v<T>) {
            co_await std::move(main);
            expect_no_leftover_tasks();
        } else {
            T r = co_await std::move(main);
            expect_no_leftover_tasks();
            co_return r;
        }
    }
    static void expect_no_leftover_tasks() {
        auto tasks = aio::all_tasks();
        // Only the task running this test body is left.
        EXPECT_EQ(tasks.size(), 1u) << "the test leaves tasks pending:\n"
                                    << aio::format_tasks(aio::get_running_loop());
    }
};

}  // namespace aio_tasks_test
