#include "aio/core/detail/future_base.hpp"

#include <algorithm>
#include <cstdio>

#include "aio/core/event_loop.hpp"

namespace aio::detail {

FutureBase::~FutureBase() {
    if (--anchor_->states == 0) delete anchor_;  // the loop is gone and this was its last future
    if (has_extra_) delete extra_;
}

bool FutureBase::cancel(const std::string& msg) {
    if (done()) return false;
    set_cancel_message(msg);
    finish(FutureStatus::cancelled);
    return true;
}

void FutureBase::set_exception(std::exception_ptr e) {
    if (done()) throw InvalidStateError("set_exception() on a future that is done");
    if (!e) throw InvalidStateError("set_exception() needs an exception");
    if (is_cancelled_error(e)) {
        // asyncio refuses this too: a CancelledError result would look like cancel().
        throw RuntimeError("CancelledError cannot be set as a future's exception; use cancel()");
    }
    store_exception(std::move(e));
    finish(FutureStatus::finished);
}

const std::exception_ptr& FutureBase::peek_exception() const noexcept {
    static const std::exception_ptr none;
    return has_extra_ ? extra_->exception : none;
}

void FutureBase::check_result_slow() {
    switch (status_) {
        case FutureStatus::pending:
            throw InvalidStateError("result is not ready");
        case FutureStatus::cancelled:
            throw make_cancelled_error();
        case FutureStatus::finished:
            exception_retrieved_ = true;
            if (has_exception()) std::rethrow_exception(extra_->exception);
    }
}

std::exception_ptr FutureBase::exception() {
    if (status_ == FutureStatus::pending) throw InvalidStateError("exception is not set");
    if (status_ == FutureStatus::cancelled) throw make_cancelled_error();
    exception_retrieved_ = true;
    return peek_exception();
}

const std::string& FutureBase::cancel_message() const noexcept {
    static const std::string empty;
    return has_extra_ ? extra_->cancel_message : empty;
}

void FutureBase::set_cancel_message(const std::string& msg) {
    if (!msg.empty() || has_extra_) extra().cancel_message = msg;
}

FutureExtra& FutureBase::extra() {
    if (!has_extra_) {
        auto* x = new FutureExtra;
        x->listeners = listeners_;
        if (x->listeners) x->listeners->pprev_ = &x->listeners;
        extra_ = x;
        has_extra_ = true;
    }
    return *extra_;
}

void FutureBase::add_listener(DoneListener* l) noexcept {
    DoneListener*& head = listener_head();
    l->next_ = head;
    l->pprev_ = &head;
    if (head) head->pprev_ = &l->next_;
    head = l;
}

CallbackId FutureBase::add_callback(std::function<void()> fn) {
    static thread_local CallbackId next_id = 0;
    CallbackId id = ++next_id;
    if (done()) {
        if (EventLoop* loop = this->loop()) loop->call_soon(std::move(fn));
    } else {
        extra().callbacks.push_back(DoneCallback{id, std::move(fn)});
    }
    return id;
}

std::size_t FutureBase::remove_callback(CallbackId id) noexcept {
    if (!has_extra_) return 0;
    auto& cbs = extra_->callbacks;
    auto it = std::find_if(cbs.begin(), cbs.end(), [id](const DoneCallback& c) { return c.id == id; });
    if (it == cbs.end()) return 0;
    cbs.erase(it);
    return 1;
}

void FutureBase::finish(FutureStatus s) noexcept {
    status_ = s;
    DoneListener*& head = listener_head();
    if (DoneListener* l = head; l && !l->next_) {
        l->unlink();  // one listener (an awaiting task): nothing to reorder
        l->on_done(*this);
    } else if (l) {
        // Listeners are registered last-first; wake them in registration order so
        // waiters resume FIFO, as asyncio's callback list does.
        DoneListener* reversed = nullptr;
        while ((l = head)) {
            l->unlink();
            l->next_ = reversed;
            reversed = l;
        }
        while ((l = reversed)) {
            reversed = l->next_;
            l->next_ = nullptr;
            l->on_done(*this);
        }
    }
    if (has_extra_ && !extra_->callbacks.empty()) {
        auto callbacks = std::move(extra_->callbacks);
        extra_->callbacks.clear();
        EventLoop* loop = this->loop();
        if (!loop || loop->is_closed()) return;
        for (auto& cb : callbacks) {
            try {
                loop->call_soon(std::move(cb.fn));
            } catch (...) {
                loop->call_exception_handler({"could not schedule a done callback", std::current_exception(), {}, {}});
            }
        }
    }
}

std::string FutureBase::describe() const {
    const char* st = status_ == FutureStatus::pending ? "pending"
                     : status_ == FutureStatus::cancelled ? "cancelled"
                                                          : "finished";
    return std::string("<Future ") + st + ">";
}

void FutureBase::last_ref_dropped() noexcept {
    if (status_ == FutureStatus::finished && has_exception() && !exception_retrieved_) {
        ExceptionContext ctx;
        ctx.message = std::string(kind()) + " exception was never retrieved";
        ctx.exception = extra_->exception;
        ctx.task = describe();
        if (EventLoop* loop = this->loop()) {
            loop->call_exception_handler(ctx);
        } else {
            std::fprintf(stderr, "aio: %s: %s\n", ctx.message.c_str(), describe_exception(extra_->exception).c_str());
        }
    }
    delete this;
}

}  // namespace aio::detail
