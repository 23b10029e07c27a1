#pragma once
/// Traits for things that can be `co_await`ed.

#include <type_traits>
#include <utility>

namespace aio {

namespace detail {
template <class A>
concept HasMemberCoAwait = requires(A&& a) { std::forward<A>(a).operator co_await(); };

template <class A>
decltype(auto) get_awaiter(A&& a) {
    if constexpr (HasMemberCoAwait<A>)
        return std::forward<A>(a).operator co_await();
    else
        return std::forward<A>(a);
}
}  // namespace detail

/// True for types with await_ready/await_suspend/await_resume, directly or via
/// a member operator co_await.
template <class A>
concept Awaitable = requires(A&& a) {
    detail::get_awaiter(std::forward<A>(a)).await_ready();
    detail::get_awaiter(std::forward<A>(a)).await_resume();
};

/// The type `co_await std::declval<A>()` produces.
template <class A>
using await_result_t = decltype(detail::get_awaiter(std::declval<A>()).await_resume());

}  // namespace aio
