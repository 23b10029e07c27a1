#pragma once
/// aio::web::FrozenList — a list that refuses changes once frozen (aiohttp's FrozenList, what
/// `app.middlewares` and the lifecycle signals are): the application freezes its lists when it
/// starts, so a middleware or hook added later fails loudly instead of being ignored.
///
/// ```
/// app.middlewares.push_back(timing);     // fine before the app starts
/// app.freeze();
/// app.middlewares.push_back(timing);     // RuntimeError
/// ```

#include <cstddef>
#include <utility>
#include <vector>

#include "aio/core/exceptions.hpp"

namespace aio::web {

template <class T>
class FrozenList {
public:
    using value_type = T;
    using const_iterator = typename std::vector<T>::const_iterator;
    using const_reverse_iterator = typename std::vector<T>::const_reverse_iterator;

    /// Appends; RuntimeError once frozen.
    void push_back(T value) {
        check();
        items_.push_back(std::move(value));
    }
    /// Inserts before position `index` (aiohttp's `insert`); RuntimeError once frozen.
    void insert(std::size_t index, T value) {
        check();
        items_.insert(items_.begin() + static_cast<std::ptrdiff_t>(index < items_.size() ? index : items_.size()),
                      std::move(value));
    }
    /// RuntimeError once frozen.
    void clear() {
        check();
        items_.clear();
    }
    FrozenList& operator+=(T value) {
        push_back(std::move(value));
        return *this;
    }

    void freeze() noexcept { frozen_ = true; }
    bool frozen() const noexcept { return frozen_; }

    std::size_t size() const noexcept { return items_.size(); }
    bool empty() const noexcept { return items_.empty(); }
    const T& operator[](std::size_t i) const noexcept { return items_[i]; }
    const_iterator begin() const noexcept { return items_.begin(); }
    const_iterator end() const noexcept { return items_.end(); }
    const_reverse_iterator rbegin() const noexcept { return items_.rbegin(); }
    const_reverse_iterator rend() const noexcept { return items_.rend(); }

private:
    void check() const {
        if (frozen_) throw RuntimeError("Cannot modify frozen list.");
    }
    std::vector<T> items_;
    bool frozen_ = false;
};

}  // namespace aio::web
