// GracefulShutdown: the seed 003 sequence (steps, cancel everything, drain, stop) behind signal
// handlers. The state is shared with the shutdown task and the handlers' callbacks, so the object
// may go away while the sequence runs.

#include "aio/io/graceful_shutdown.hpp"

#include <algorithm>
#include <string>

#include "aio/core/exceptions.hpp"
#include "aio/core/task.hpp"
#include "aio/io/signals.hpp"
#include "aio/sync/event.hpp"
#include "aio/tasks/wait.hpp"

namespace aio {

struct GracefulShutdown::State {
    EventLoop* loop;
    GracefulShutdownOptions options;
    std::vector<std::function<Coro<void>()>> steps;
    std::vector<int> installed;
    std::vector<std::exception_ptr> errors;
    std::vector<AnyTask> waiting;  // tasks inside wait(): never cancelled by the sequence
    std::optional<int> signal;
    std::optional<Task<void>> runner;
    Event finished;
    bool requested = false;
    bool done = false;

    void remove_handlers() noexcept {
        if (loop->is_closed()) return;
        for (int sig : installed) {
            try {
                remove_signal_handler(*loop, sig);
            } catch (...) {
            }
        }
        installed.clear();
    }
    bool is_waiting(const AnyTask& t) const {
        return std::find(waiting.begin(), waiting.end(), t) != waiting.end();
    }
};

namespace {

Coro<void> run_sequence(std::shared_ptr<GracefulShutdown::State> s) {
    AnyTask self = current_task();
    // 1. The program's steps, in order.
    auto steps = s->steps;
    for (auto& step : steps) {
        try {
            co_await step();
        } catch (...) {
            if (self.cancelling() > 0) throw;  // the sequence itself is being cancelled
            s->errors.push_back(std::current_exception());
        }
    }
    // 2-3. Cancel every other task and drain, in rounds (a cancelled task may start others).
    std::optional<TimePoint> deadline;
    if (s->options.grace) deadline = s->loop->time() + *s->options.grace;
    for (int round = 0; round < 16; ++round) {
        std::vector<AnyTask> victims;
        for (auto& t : s->loop->all_tasks())
            if (!(t == self) && !t.done() && !s->is_waiting(t)) victims.push_back(t);
        if (victims.empty()) break;
        for (auto& t : victims) t.cancel();
        std::optional<Duration> left;
        if (deadline) left = std::max(Duration::zero(), *deadline - s->loop->time());
        auto result = co_await aio::wait(std::move(victims), ALL_COMPLETED, left);
        for (auto& t : result.done)
            if (!t.cancelled())
                if (auto e = t.exception()) s->errors.push_back(e);
        if (!result.pending.empty()) {
            s->errors.push_back(std::make_exception_ptr(TimeoutError(
                std::to_string(result.pending.size()) + " task(s) still running after the shutdown grace period")));
            break;
        }
    }
    // 4. Done.
    s->remove_handlers();
    s->done = true;
    s->finished.set();
    if (s->options.stop_loop) s->loop->stop();
}

void start(const std::shared_ptr<GracefulShutdown::State>& s, int signum) {
    if (s->requested) return;  // a signal during the sequence: ignored
    s->requested = true;
    s->signal = signum;
    s->runner = s->loop->create_task(run_sequence(s), "graceful shutdown");
}

}  // namespace

GracefulShutdown::GracefulShutdown(EventLoop& loop, GracefulShutdownOptions options)
    : s_(std::make_shared<State>()) {
    s_->loop = &loop;
    s_->options = std::move(options);
    try {
        for (int sig : s_->options.signals) {
            add_signal_handler(loop, sig, [w = std::weak_ptr<State>(s_), sig] {
                if (auto s = w.lock()) start(s, sig);
            });
            s_->installed.push_back(sig);
        }
    } catch (...) {
        s_->remove_handlers();
        throw;
    }
}

GracefulShutdown::GracefulShutdown(GracefulShutdownOptions options)
    : GracefulShutdown(get_running_loop(), std::move(options)) {}

GracefulShutdown::~GracefulShutdown() { s_->remove_handlers(); }

void GracefulShutdown::on_shutdown(std::function<Coro<void>()> step) {
    if (!step) throw ValueError("on_shutdown(): empty step");
    s_->steps.push_back(std::move(step));
}

void GracefulShutdown::trigger(int signum) { start(s_, signum); }

Coro<void> GracefulShutdown::wait() {
    auto s = s_;
    if (s->done) co_return;
    AnyTask me = current_task();
    s->waiting.push_back(me);
    try {
        co_await s->finished.wait();
    } catch (...) {
        s->waiting.erase(std::find(s->waiting.begin(), s->waiting.end(), me));
        throw;
    }
    s->waiting.erase(std::find(s->waiting.begin(), s->waiting.end(), me));
}

bool GracefulShutdown::requested() const noexcept { return s_->requested; }
bool GracefulShutdown::done() const noexcept { return s_->done; }
std::optional<int> GracefulShutdown::signal() const noexcept { return s_->signal; }
const std::vector<std::exception_ptr>& GracefulShutdown::errors() const noexcept { return s_->errors; }

}  // namespace aio
