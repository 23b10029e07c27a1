#include "aio/tasks/detail/wait_waiter.hpp"

namespace aio::detail {

WaitWaiter::WaitWaiter(std::vector<Ref<FutureBase>> futures, ReturnWhen when, std::optional<TimePoint> deadline)
    : futures_(std::move(futures)), children_(futures_.size()), deadline_(deadline), return_when_(when) {
    for (auto& c : children_) c.owner = this;
}

WaitWaiter::~WaitWaiter() { stop_waiting(); }

bool WaitWaiter::satisfied() const noexcept {
    std::size_t done = 0;
    for (auto& f : futures_) {
        if (!f->done()) continue;
        ++done;
        if (return_when_ == ReturnWhen::first_completed) return true;
        if (return_when_ == ReturnWhen::first_exception && !f->cancelled() && f->peek_exception()) return true;
    }
    return done == futures_.size();
}

void WaitWaiter::await_suspend(std::coroutine_handle<> h) {
    suspend_here(h);
    for (std::size_t i = 0; i < futures_.size(); ++i) futures_[i]->add_listener(&children_[i]);
    if (deadline_) {
        when_ = *deadline_;
        LoopAccess::add_timer(*task_->loop(), this);
    }
}

void WaitWaiter::await_resume() {
    stop_waiting();
    resume_check();
    if (abandoned_) throw task_->make_cancelled_error();
}

void WaitWaiter::stop_waiting() noexcept {
    for (auto& c : children_) c.unlink();
    if (in_heap() && task_) LoopAccess::remove_timer(*task_->loop(), this);
}

void WaitWaiter::child_done(FutureBase&) noexcept {
    if (woken_ || !satisfied()) return;
    woken_ = true;
    stop_waiting();
    task_->wake();
}

void WaitWaiter::fire() noexcept {
    if (woken_) return;
    woken_ = true;
    stop_waiting();
    task_->wake();
}

bool WaitWaiter::cancel_wait(const std::string&) noexcept {
    if (woken_) return false;
    woken_ = true;
    abandoned_ = true;
    stop_waiting();
    task_->wake();
    return true;
}

std::string WaitWaiter::describe_wait() const {
    std::size_t done = 0;
    for (auto& f : futures_) done += f->done();
    return "wait on " + std::to_string(futures_.size()) + " (" + std::to_string(done) + " done)";
}

}  // namespace aio::detail
