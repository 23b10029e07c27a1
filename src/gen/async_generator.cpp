#include "aio/gen/async_generator.hpp"

#include <memory>
#include <string>

#include "aio/core/coro.hpp"
#include "aio/core/detail/loop_extension.hpp"
#include "aio/core/event_loop.hpp"

namespace aio::detail {

// The loop's started, unfinished generators (asyncio's BaseEventLoop._asyncgens), aclose()d by
// the loop's shutdown (asyncio's shutdown_asyncgens). A loop extension of order 0: the first to
// shut down, as in asyncio.run. Loop thread only.
class AsyncGenRegistry final : public LoopExtension {
public:
    static AsyncGenRegistry& of(EventLoop& loop) {
        static const LoopExtensionKey key(0);
        return loop_extension<AsyncGenRegistry>(
            loop, key, [] { return std::make_unique<AsyncGenRegistry>(); });
    }
    // The loop closed without shutting down: the generators still alive (held outside any task)
    // forget it, and are never finalised by it.
    ~AsyncGenRegistry() override {
        while (AsyncGenPromiseBase* p = head_) remove(p);
    }

    void add(AsyncGenPromiseBase* p) noexcept {
        p->registry_ = this;
        p->reg_prev_ = nullptr;
        p->reg_next_ = head_;
        if (head_) head_->reg_prev_ = p;
        head_ = p;
    }
    void remove(AsyncGenPromiseBase* p) noexcept {
        if (p->reg_prev_)
            p->reg_prev_->reg_next_ = p->reg_next_;
        else
            head_ = p->reg_next_;
        if (p->reg_next_) p->reg_next_->reg_prev_ = p->reg_prev_;
        p->reg_prev_ = p->reg_next_ = nullptr;
        p->registry_ = nullptr;
    }

    void shutdown(EventLoop& loop) noexcept override {
        if (!head_) return;
        try {
            loop.run_until_complete(close_all(loop));
        } catch (...) {
            loop.call_exception_handler(
                {"error while closing asynchronous generators", std::current_exception(), {}, {}});
        }
    }

private:
    // One at a time, taking the head each round: a generator destroyed meanwhile has already
    // left the list.
    Coro<void> close_all(EventLoop& loop) {
        while (AsyncGenPromiseBase* p = head_) {
            remove(p);
            if (p->running_) continue;  // its consumer is still inside next(): leave it alone
            try {
                co_await AsyncGenClose(p->self_, p);
            } catch (...) {
                loop.call_exception_handler(
                    {"an error occurred during closing of asynchronous generator",
                     std::current_exception(),
                     {},
                     {}});
            }
        }
    }

    AsyncGenPromiseBase* head_ = nullptr;
};

// ---- AsyncGenPromiseBase ------------------------------------------------------------------------

void AsyncGenPromiseBase::check_not_running(const char* what) const {
    if (running_)
        throw RuntimeError(std::string(what) + ": asynchronous generator is already running");
}

void AsyncGenPromiseBase::register_with_loop() {
    if (EventLoop* loop = running_loop()) AsyncGenRegistry::of(*loop).add(this);
}

void AsyncGenPromiseBase::unregister() noexcept {
    if (registry_) registry_->remove(this);
}

bool AsyncGenPromiseBase::resume_body(std::coroutine_handle<> self,
                                      std::coroutine_handle<> consumer) {
    if (!started_) {
        register_with_loop();  // Python's firstiter hook
        started_ = true;
    }
    continuation_ = consumer;
    running_ = true;
    inline_ = true;
    self.resume();
    inline_ = false;
    // Yielded or ended within the call: the consumer goes on at once. Otherwise the body is
    // suspended on an awaitable and will hand control back by symmetric transfer.
    return !(yielded_ || self.done());
}

void AsyncGenPromiseBase::rethrow_if_failed() {
    if (exception_) {
        closed_ = true;
        std::rethrow_exception(std::exchange(exception_, nullptr));
    }
}

// ---- AsyncGenClose ------------------------------------------------------------------------------

bool AsyncGenClose::await_ready() {
    if (!p_) return true;
    if (h_.done() || !p_->started_ || p_->closed_) {
        p_->closed_ = true;  // a generator never started never runs
        return true;
    }
    p_->closing_ = true;
    return false;
}

void AsyncGenClose::await_resume() {
    if (!p_ || !p_->running_) return;  // nothing ran
    p_->running_ = false;
    p_->closed_ = true;
    if (!h_.done()) {
        // It yielded instead of finishing. Its value is never delivered.
        p_->yielded_ = false;
        throw RuntimeError("async generator ignored GeneratorExit");
    }
    if (auto e = std::exchange(p_->exception_, nullptr)) {
        try {
            std::rethrow_exception(e);
        } catch (const GeneratorExit&) {  // the expected way to end
        }
    }
}

}  // namespace aio::detail
