#pragma once
/// aio::gather / aio::gather_settled — asyncio.gather.
///
/// ```
/// auto [a, b] = co_await aio::gather(fetch(x), fetch(y));      // tuple, argument order
/// std::vector<int> all = co_await aio::gather(std::move(coros)); // vector form
/// auto outcomes = co_await aio::gather_settled(fetch(x), fetch(y)); // return_exceptions=True
/// ```
/// Each coroutine argument becomes a task when gather() is called, as asyncio's gather wraps
/// each one with ensure_future: the children start on the next loop iteration, whether the
/// gather is awaited at once, held in a task, or never awaited. Task arguments are used as they
/// are; a Future (run_in_executor's) is awaited by a task of gather's own, so cancelling the
/// gather cancels the future too. Results come in argument order (void -> std::monostate). The
/// first exception propagates to the awaiter while the other children keep running (so what
/// they refer to must outlive them, not just the gather: cancel and await them, or use
/// aio::TaskGroup, when they use the caller's locals). Cancelling
/// the awaiting task cancels every child. Cancel safety: children are tasks owned by the loop;
/// none is lost.
///
/// So code ported from asyncio that holds the gather and cancels it behaves the same:
/// ```
/// // t = asyncio.gather(child("a"), child("b"))       # children scheduled here
/// // await asyncio.sleep(0)                           # both run up to their first await
/// // t.cancel()                                       # both see CancelledError there
/// auto t = aio::create_task(aio::gather(child("a"), child("b")));
/// co_await aio::sleep(0s);
/// t.cancel();
/// ```
/// Called with no loop running (`aio::run(aio::gather(a(), b()))`), gather() cannot make tasks
/// yet: the children become tasks when the loop starts the gather.

#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "aio/core/future.hpp"
#include "aio/core/task.hpp"
#include "aio/tasks/detail/gather_waiter.hpp"
#include "aio/tasks/outcome.hpp"

namespace aio {

namespace detail {

template <class A>
struct GatherArg;
template <class T>
struct GatherArg<Coro<T>> {
    using value = T;
    static Task<T> to_task(Coro<T>&& c) { return get_running_loop().create_task(std::move(c)); }
    static constexpr bool owned = true;  // gather made the task: results may be moved out
};
template <class T>
struct GatherArg<Task<T>> {
    using value = T;
    static Task<T> to_task(Task<T>&& t) { return std::move(t); }
    static constexpr bool owned = false;
};
// The caller may hold a copy of the future: its value is copied out, and moved
// only when it cannot be copied.
template <class T>
Coro<T> await_future(Future<T> f) {
    if constexpr (std::is_void_v<T> || std::is_copy_constructible_v<T>)
        co_return co_await f;
    else
        co_return co_await std::move(f);
}
template <class T>
struct GatherArg<Future<T>> {
    using value = T;
    static Task<T> to_task(Future<T>&& f) {
        return get_running_loop().create_task(await_future(std::move(f)));
    }
    static constexpr bool owned = true;  // the awaiting task is gather's own
};

template <class T, bool Owned>
Stored<T> take_value(Task<T>& t) {
    if constexpr (std::is_void_v<T>) {
        t.result();
        return {};
    } else if constexpr (Owned) {
        t.state()->check_result();
        return std::move(*t.state()->value_);
    } else {
        return t.result();
    }
}

template <class T, bool Owned>
Outcome<T> take_outcome(Task<T>& t) {
    if (t.cancelled()) return Outcome<T>(std::make_exception_ptr(t.state()->make_cancelled_error()));
    if (auto e = t.state()->peek_exception()) return Outcome<T>(e);
    return Outcome<T>(std::in_place, take_value<T, Owned>(t));
}

template <class... Ts>
std::vector<Ref<TaskBase>> task_refs(std::tuple<Task<Ts>...>& tasks) {
    return std::apply([](auto&... t) { return std::vector<Ref<TaskBase>>{Ref<TaskBase>(t.state())...}; }, tasks);
}

template <class... As>
using GatherValues = std::tuple<Stored<typename GatherArg<As>::value>...>;
template <class... As>
using GatherOutcomes = std::tuple<Outcome<typename GatherArg<As>::value>...>;
template <bool Settled, class... As>
using GatherTuple = std::conditional_t<Settled, GatherOutcomes<As...>, GatherValues<As...>>;
template <class... As>
using GatherTasks = std::tuple<Task<typename GatherArg<As>::value>...>;

// What one child gives the awaiter: its value, or with Settled its outcome.
template <bool Settled, class A>
auto collect(Task<typename GatherArg<A>::value>& t) {
    if constexpr (Settled)
        return take_outcome<typename GatherArg<A>::value, GatherArg<A>::owned>(t);
    else
        return take_value<typename GatherArg<A>::value, GatherArg<A>::owned>(t);
}

// The gather once its children are tasks.
template <bool Settled, class... As>
Coro<GatherTuple<Settled, As...>> gather_tasks(GatherTasks<As...> tasks) {
    co_await GatherWaiter(task_refs(tasks), Settled);
    co_return [&]<std::size_t... I>(std::index_sequence<I...>) {
        return GatherTuple<Settled, As...>{collect<Settled, As>(std::get<I>(tasks))...};
    }(std::index_sequence_for<As...>{});
}

// No loop is running yet: the children become tasks when the loop starts the gather.
template <bool Settled, class... As>
Coro<GatherTuple<Settled, As...>> gather_later(As... args) {
    GatherTasks<As...> tasks{GatherArg<As>::to_task(std::move(args))...};  // named: g++ 12
    co_return co_await gather_tasks<Settled, As...>(std::move(tasks));
}

// Not a coroutine: the tasks are made now, in argument order (a braced list is evaluated left
// to right), as asyncio's gather() does.
template <bool Settled, class... As>
Coro<GatherTuple<Settled, As...>> start_gather(As&&... args) {
    if (!t_running_loop) return gather_later<Settled, As...>(std::move(args)...);
    return gather_tasks<Settled, As...>(
        GatherTasks<As...>{GatherArg<As>::to_task(std::move(args))...});
}

}  // namespace detail

template <class... As>
Coro<detail::GatherValues<As...>> gather(As... args) {
    return detail::start_gather<false, As...>(std::move(args)...);
}

template <class... As>
Coro<detail::GatherOutcomes<As...>> gather_settled(As... args) {
    return detail::start_gather<true, As...>(std::move(args)...);
}

namespace detail {

template <class A>
std::vector<Task<typename GatherArg<A>::value>> to_tasks(std::vector<A>& args) {
    std::vector<Task<typename GatherArg<A>::value>> tasks;
    tasks.reserve(args.size());
    for (auto& a : args) tasks.push_back(GatherArg<A>::to_task(std::move(a)));
    return tasks;
}
template <class T>
std::vector<Ref<TaskBase>> task_refs(std::vector<Task<T>>& tasks) {
    std::vector<Ref<TaskBase>> refs;
    refs.reserve(tasks.size());
    for (auto& t : tasks) refs.emplace_back(t.state());
    return refs;
}

template <bool Settled, class A>
using GatherVector = std::vector<std::conditional_t<Settled, Outcome<typename GatherArg<A>::value>,
                                                    Stored<typename GatherArg<A>::value>>>;

template <bool Settled, class A>
Coro<GatherVector<Settled, A>> gather_vector_tasks(
    std::vector<Task<typename GatherArg<A>::value>> tasks) {
    co_await GatherWaiter(task_refs(tasks), Settled);
    GatherVector<Settled, A> out;
    out.reserve(tasks.size());
    for (auto& t : tasks) out.push_back(collect<Settled, A>(t));
    co_return out;
}

template <bool Settled, class A>
Coro<GatherVector<Settled, A>> gather_vector_later(std::vector<A> args) {
    auto tasks = to_tasks(args);
    co_return co_await gather_vector_tasks<Settled, A>(std::move(tasks));
}

template <bool Settled, class A>
Coro<GatherVector<Settled, A>> start_gather_vector(std::vector<A>&& args) {
    if (!t_running_loop) return gather_vector_later<Settled, A>(std::move(args));
    return gather_vector_tasks<Settled, A>(to_tasks(args));
}

}  // namespace detail

/// The vector form: a vector of Coro<T> or Task<T> -> std::vector<T>.
template <class A>
Coro<detail::GatherVector<false, A>> gather(std::vector<A> args) {
    return detail::start_gather_vector<false, A>(std::move(args));
}

template <class A>
Coro<detail::GatherVector<true, A>> gather_settled(std::vector<A> args) {
    return detail::start_gather_vector<true, A>(std::move(args));
}

}  // namespace aio
