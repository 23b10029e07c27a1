#pragma once
/// aio::gather / aio::gather_settled — asyncio.gather.
///
/// ```
/// auto [a, b] = co_await aio::gather(fetch(x), fetch(y));      // tuple, argument order
/// std::vector<int> all = co_await aio::gather(std::move(coros)); // vector form
/// auto outcomes = co_await aio::gather_settled(fetch(x), fetch(y)); // return_exceptions=True
/// ```
/// Each coroutine argument becomes a task when the gather is awaited; Task
/// arguments are used as they are; a Future (run_in_executor's) is awaited by
/// a task of gather's own, so cancelling the gather cancels the future too.
/// Results come in argument order (void -> std::monostate). The first
/// exception propagates to the awaiter while the other children keep running.
/// Cancelling the awaiting task cancels every child. Cancel safety: children
/// are tasks owned by the loop; none is lost.

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

}  // namespace detail

template <class... As>
Coro<std::tuple<detail::Stored<typename detail::GatherArg<As>::value>...>> gather(As... args) {
    std::tuple<Task<typename detail::GatherArg<As>::value>...> tasks{
        detail::GatherArg<As>::to_task(std::move(args))...};
    co_await detail::GatherWaiter(detail::task_refs(tasks), false);
    co_return [&]<std::size_t... I>(std::index_sequence<I...>) {
        return std::tuple<detail::Stored<typename detail::GatherArg<As>::value>...>{
            detail::take_value<typename detail::GatherArg<As>::value, detail::GatherArg<As>::owned>(
                std::get<I>(tasks))...};
    }(std::index_sequence_for<As...>{});
}

template <class... As>
Coro<std::tuple<Outcome<typename detail::GatherArg<As>::value>...>> gather_settled(As... args) {
    std::tuple<Task<typename detail::GatherArg<As>::value>...> tasks{
        detail::GatherArg<As>::to_task(std::move(args))...};
    co_await detail::GatherWaiter(detail::task_refs(tasks), true);
    co_return [&]<std::size_t... I>(std::index_sequence<I...>) {
        return std::tuple<Outcome<typename detail::GatherArg<As>::value>...>{
            detail::take_outcome<typename detail::GatherArg<As>::value, detail::GatherArg<As>::owned>(
                std::get<I>(tasks))...};
    }(std::index_sequence_for<As...>{});
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
}  // namespace detail

/// The vector form: a vector of Coro<T> or Task<T> -> std::vector<T>.
template <class A>
Coro<std::vector<detail::Stored<typename detail::GatherArg<A>::value>>> gather(std::vector<A> args) {
    using T = typename detail::GatherArg<A>::value;
    auto tasks = detail::to_tasks(args);
    co_await detail::GatherWaiter(detail::task_refs(tasks), false);
    std::vector<detail::Stored<T>> out;
    out.reserve(tasks.size());
    for (auto& t : tasks) out.push_back(detail::take_value<T, detail::GatherArg<A>::owned>(t));
    co_return out;
}

template <class A>
Coro<std::vector<Outcome<typename detail::GatherArg<A>::value>>> gather_settled(std::vector<A> args) {
    using T = typename detail::GatherArg<A>::value;
    auto tasks = detail::to_tasks(args);
    co_await detail::GatherWaiter(detail::task_refs(tasks), true);
    std::vector<Outcome<T>> out;
    out.reserve(tasks.size());
    for (auto& t : tasks) out.push_back(detail::take_outcome<T, detail::GatherArg<A>::owned>(t));
    co_return out;
}

}  // namespace aio
