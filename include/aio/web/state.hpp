#pragma once
/// Typed state for applications and requests (aiohttp's `AppKey` and `app[key]`): a key names a
/// slot and its type, so a lookup needs no cast and keys of different types never collide.
///
/// ```
/// const aio::web::AppKey<std::string> greeting{"greeting"};
/// app[greeting] = std::string("hello");      // sets (replaces any value)
/// std::string& g = app[greeting];            // reads; KeyError when not set
/// app[greeting].get() += "!";                // the same, spelled as a call
/// ```
///
/// A key's identity is the key object (and its copies), not its name: two keys both named
/// "db" are two slots, as two `AppKey("db", ...)` objects are in aiohttp. The name is for
/// error messages. Values may be move-only (a TaskGroup handle, a ClientSession).

#include <atomic>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>

namespace aio::web {

/// A missing key (Python's KeyError): a state key that was never set, a match_info name that
/// the route has not, a route name the router does not know.
class KeyError : public std::out_of_range {
public:
    using std::out_of_range::out_of_range;
};

namespace detail {
std::uint64_t next_state_key_id() noexcept;
[[noreturn]] void throw_missing_key(std::string_view kind, std::string_view name);
}  // namespace detail

/// A typed key. Define it once (a namespace-scope `const`, or a static member) and use it
/// everywhere the value is read or written.
template <class T>
class StateKey {
public:
    static_assert(!std::is_reference_v<T>, "a state key holds values: StateKey<T&> is not supported");
    using value_type = T;

    explicit StateKey(std::string name) : name_(std::move(name)), id_(detail::next_state_key_id()) {}

    const std::string& name() const noexcept { return name_; }
    std::uint64_t id() const noexcept { return id_; }

private:
    std::string name_;
    std::uint64_t id_;
};

/// A key of Application state (aiohttp's `web.AppKey`).
template <class T>
using AppKey = StateKey<T>;
/// A key of per-request state (`request[key]`, what middlewares hand on to handlers).
template <class T>
using RequestKey = StateKey<T>;

class StateMap;

/// What `map[key]` returns: assign to it to set the value, convert it to `T&` (or call get())
/// to read it, KeyError when it was never set.
template <class T>
class StateRef {
public:
    StateRef(StateMap& map, const StateKey<T>& key) noexcept : map_(map), key_(key) {}
    StateRef(const StateRef&) = delete;
    StateRef& operator=(const StateRef&) = delete;

    /// Sets the value; returns it. An earlier value is assigned to (references to it stay
    /// valid) when T is move-assignable, else replaced.
    T& operator=(T value);
    /// The value; KeyError when it was never set.
    T& get() const;
    operator T&() const { return get(); }
    T* operator->() const { return &get(); }

private:
    StateMap& map_;
    const StateKey<T>& key_;
};

/// The state slots of one application or request.
class StateMap {
public:
    StateMap() = default;
    StateMap(const StateMap&) = delete;
    StateMap& operator=(const StateMap&) = delete;
    StateMap(StateMap&&) noexcept = default;
    StateMap& operator=(StateMap&&) noexcept = default;

    template <class T>
    StateRef<T> operator[](const StateKey<T>& key) noexcept { return StateRef<T>(*this, key); }
    /// The value, KeyError when it was never set.
    template <class T>
    const T& operator[](const StateKey<T>& key) const {
        if (const T* v = get(key)) return *v;
        detail::throw_missing_key("state key", key.name());
    }
    /// The value, or nullptr when it was never set (aiohttp's `app.get(key)`).
    template <class T>
    T* get(const StateKey<T>& key) noexcept {
        auto it = slots_.find(key.id());
        return it == slots_.end() ? nullptr : static_cast<T*>(it->second.get());
    }
    template <class T>
    const T* get(const StateKey<T>& key) const noexcept {
        auto it = slots_.find(key.id());
        return it == slots_.end() ? nullptr : static_cast<const T*>(it->second.get());
    }
    /// Constructs the value in place from `args` (replacing an earlier one); returns it.
    template <class T, class... Args>
    T& emplace(const StateKey<T>& key, Args&&... args) {
        auto value = std::make_shared<T>(std::forward<Args>(args)...);
        T& ref = *value;
        slots_[key.id()] = std::move(value);
        return ref;
    }
    template <class T>
    bool contains(const StateKey<T>& key) const noexcept { return slots_.count(key.id()) != 0; }
    /// Removes the value (its destructor runs); returns whether there was one.
    template <class T>
    bool erase(const StateKey<T>& key) noexcept { return slots_.erase(key.id()) != 0; }
    std::size_t size() const noexcept { return slots_.size(); }
    bool empty() const noexcept { return slots_.empty(); }
    /// Destroys every value (in no particular order).
    void clear() noexcept { slots_.clear(); }

private:
    // shared_ptr<void> remembers the deleter of the real type, so no per-type table is needed.
    std::unordered_map<std::uint64_t, std::shared_ptr<void>> slots_;
};

template <class T>
T& StateRef<T>::operator=(T value) {
    if constexpr (std::is_move_assignable_v<T>) {
        if (T* v = map_.get(key_)) {
            *v = std::move(value);
            return *v;
        }
    }
    return map_.emplace(key_, std::move(value));
}

template <class T>
T& StateRef<T>::get() const {
    if (T* v = map_.get(key_)) return *v;
    detail::throw_missing_key("state key", key_.name());
}

}  // namespace aio::web
