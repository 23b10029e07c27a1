#pragma once
/// aio::Outcome<T> — a value or an exception: what gather_settled returns per
/// child (asyncio's `gather(..., return_exceptions=True)`).

#include <exception>
#include <type_traits>
#include <utility>
#include <variant>

#include "aio/core/detail/result_awaiter.hpp"
#include "aio/core/exceptions.hpp"

namespace aio {

template <class T>
class Outcome {
public:
    using value_type = detail::Stored<T>;

    Outcome(std::exception_ptr e) : v_(std::in_place_index<1>, std::move(e)) {}
    template <class U = value_type>
    Outcome(std::in_place_t, U&& v) : v_(std::in_place_index<0>, std::forward<U>(v)) {}

    bool has_value() const noexcept { return v_.index() == 0; }
    bool has_exception() const noexcept { return v_.index() == 1; }
    /// True if the child was cancelled (its exception is a CancelledError).
    bool cancelled() const noexcept { return has_exception() && is_cancelled_error(std::get<1>(v_)); }
    /// The value; rethrows the exception if there is one.
    value_type& value() & {
        if (has_exception()) std::rethrow_exception(std::get<1>(v_));
        return std::get<0>(v_);
    }
    const value_type& value() const& {
        if (has_exception()) std::rethrow_exception(std::get<1>(v_));
        return std::get<0>(v_);
    }
    value_type&& value() && {
        if (has_exception()) std::rethrow_exception(std::get<1>(v_));
        return std::move(std::get<0>(v_));
    }
    /// The exception, or null.
    std::exception_ptr exception() const noexcept { return has_exception() ? std::get<1>(v_) : nullptr; }

private:
    std::variant<value_type, std::exception_ptr> v_;
};

}  // namespace aio
