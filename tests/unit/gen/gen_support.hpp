#pragma once
// Shared by the async generator tests: a fixture that runs a test body with aio::run on a
// virtual clock (sleeps take no real time and every run takes the same path) and fails on
// unexpected exception-handler reports, and frame probes that count destructions.

#include <gtest/gtest.h>

#include <chrono>
#include <exception>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "aio/core/run.hpp"
#include "aio/core/task.hpp"
#include "aio/gen/async_generator.hpp"
#include "aio/testing/virtual_clock.hpp"
#include "aio/time/sleep.hpp"

namespace aio_gen_test {

using namespace std::chrono_literals;

/// A failure of the test's own making.
struct Boom : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// Counts its destructions into `*counter` (a local of a generator body tells whether the
/// frame was destroyed).
struct Probe {
    int* counter;
    explicit Probe(int* c) : counter(c) {}
    Probe(const Probe&) = delete;
    ~Probe() { ++*counter; }
};

template <class Aw>
aio::Coro<std::exception_ptr> outcome_of(Aw aw) {
    try {
        co_await std::move(aw);
    } catch (...) {
        co_return std::current_exception();
    }
    co_return nullptr;
}

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

/// Drains `gen` into a vector.
template <class T>
aio::Coro<std::vector<T>> collect(aio::AsyncGenerator<T>& gen) {
    std::vector<T> out;
    while (auto v = co_await gen.next()) out.push_back(std::move(*v));
    co_return out;
}

class GenTest : public ::testing::Test {
protected:
    template <class T>
    T run(aio::Coro<T> main) {
        aio::RunOptions options;
        options.clock = &clock_;
        options.exception_handler = [this](aio::EventLoop&, const aio::ExceptionContext& ctx) {
            reports_.push_back(ctx);
        };
        return aio::run(std::move(main), std::move(options));
    }
    std::vector<aio::ExceptionContext> take_reports() { return std::exchange(reports_, {}); }
    void TearDown() override {
        for (const auto& r : reports_)
            ADD_FAILURE() << "unexpected report to the exception handler: " << r.message << " "
                          << (r.exception ? aio::describe_exception(r.exception) : std::string());
    }
    /// Virtual time since the clock was made.
    aio::Duration elapsed() const { return clock_.now() - start_; }

    aio::testing::VirtualClock clock_;
    aio::TimePoint start_ = clock_.now();
    std::vector<aio::ExceptionContext> reports_;
};

}  // namespace aio_gen_test
