#pragma once
/// aio::redis::Reply — one RESP2 or RESP3 reply, as the server sent it (redis-py hands back
/// Python values; C++ needs the variant).
///
/// ```
/// aio::redis::Reply r = co_await client.execute("LRANGE", "list", 0, -1);
/// for (const auto& item : r.as_array()) std::cout << item.as_string() << "\n";
/// ```
/// A map's (and an attribute-free push's) elements are kept flat, key then value, as RESP2
/// sends HGETALL: `as_array()` on a map gives `k1, v1, k2, v2, ...`.

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace aio::redis {

/// The RESP type a reply came as. `nil` covers RESP2's null bulk string and null array and
/// RESP3's `_`.
enum class ReplyType {
    nil,
    simple_string,
    error,
    integer,
    bulk_string,
    array,
    boolean,
    double_,
    big_number,
    verbatim_string,
    map,
    set,
    push,
};

/// The name of `t` ("bulk_string"), for messages.
std::string_view to_string(ReplyType t) noexcept;

/// A reply read as the wrong type: `as_int()` on a bulk string.
class ReplyTypeError : public std::logic_error {
public:
    using std::logic_error::logic_error;
};

/// An error reply (`-WRONGTYPE Operation against a key holding the wrong kind of value`),
/// raised by `Redis::execute` (redis-py's ResponseError). what() is the message without the `-`.
class ReplyError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
    /// The first word, Redis's error code: "WRONGTYPE", "ERR", "NOAUTH".
    std::string_view code() const noexcept;
};

class Reply {
public:
    Reply() = default;  // nil

    static Reply nil() { return Reply(); }
    static Reply string(ReplyType t, std::string s);
    static Reply integer(std::int64_t v);
    static Reply boolean(bool v);
    static Reply double_value(double v, std::string text);
    static Reply verbatim(std::string_view format, std::string text);
    static Reply aggregate(ReplyType t, std::vector<Reply> elements);

    ReplyType type() const noexcept { return type_; }
    bool is_nil() const noexcept { return type_ == ReplyType::nil; }
    bool is_error() const noexcept { return type_ == ReplyType::error; }
    bool is_string() const noexcept;     ///< simple, bulk, verbatim, big number, error
    bool is_aggregate() const noexcept;  ///< array, map, set, push

    /// The bytes of a string-like reply (simple, bulk, verbatim without its `txt:` prefix (see verbatim_format()),
    /// big number's digits, error's message, double's text). Throws ReplyTypeError otherwise.
    const std::string& as_string() const;
    /// An integer reply, or a boolean (0/1). Throws ReplyTypeError otherwise.
    std::int64_t as_int() const;
    /// A double reply (or an integer, widened). Throws ReplyTypeError otherwise.
    double as_double() const;
    /// A boolean reply, or an integer 0/1 (RESP2's answer to EXPIRE). Throws ReplyTypeError.
    bool as_bool() const;
    /// The elements of an array, set, push or map (flat). Throws ReplyTypeError otherwise.
    const std::vector<Reply>& as_array() const;
    std::vector<Reply>& as_array();
    /// The verbatim string's format ("txt", "mkd"); empty for other types.
    std::string_view verbatim_format() const noexcept;

    /// Throws ReplyError if this is an error reply; returns *this otherwise.
    const Reply& throw_if_error() const;

    /// A readable rendering for logs and test failures: `"OK"`, `(integer) 3`, `[ "a", nil ]`.
    std::string to_debug_string() const;

    friend bool operator==(const Reply& a, const Reply& b) noexcept;

private:
    ReplyType type_ = ReplyType::nil;
    std::int64_t int_ = 0;
    double double_ = 0;
    std::string str_;
    std::vector<Reply> elements_;
    char format_[3] = {};
};

}  // namespace aio::redis
