// Does this compiler destroy temporaries written inside a co_await expression twice?
// Exit 0: no. Exit 1: it does (g++ 10-12, GCC PR 100611). Run at configure time by
// cmake/AioToolchain.cmake, for aio's own build and for every find_package(aio) consumer.
// Standalone on purpose (no aio header): it must build wherever a C++20 compiler does.
#include <coroutine>
#include <exception>
#include <string>
#include <utility>

static int constructed = 0, destroyed = 0;
struct Counted {
    int s = 64;
    Counted() { ++constructed; }
    Counted(const Counted& o) : s(o.s) { ++constructed; }
    Counted(Counted&& o) noexcept : s(o.s) { ++constructed; }
    ~Counted() { ++destroyed; }
};
struct Options { Counted c; };

struct Task {
    struct promise_type {
        Task get_return_object() { return Task{std::coroutine_handle<promise_type>::from_promise(*this)}; }
        std::suspend_always initial_suspend() noexcept { return {}; }
        std::suspend_always final_suspend() noexcept { return {}; }
        void return_value(int v) { value = v; }
        void unhandled_exception() { std::terminate(); }
        int value = 0;
    };
    std::coroutine_handle<promise_type> h;
    explicit Task(std::coroutine_handle<promise_type> h) : h(h) {}
    Task(Task&& o) noexcept : h(std::exchange(o.h, {})) {}
    ~Task() { if (h) h.destroy(); }
    bool await_ready() { return false; }
    std::coroutine_handle<> await_suspend(std::coroutine_handle<> c) { cont = c; h.promise(); return h; }
    int await_resume() { return h.promise().value; }
    std::coroutine_handle<> cont;
};

Task take(const Options& o) { co_return static_cast<int>(o.c.s); }
template <class F> Task call(F f) { co_return f(); }

Task outer() {
    int a = co_await take(Options{});
    Counted c;
    int b = co_await call([c] { return static_cast<int>(c.s); });
    co_return a + b;
}

int main() {
    {
        Task t = outer();
        t.h.resume();
        while (!t.h.done()) t.h.resume();
    }
    return constructed == destroyed ? 0 : 1;
}
