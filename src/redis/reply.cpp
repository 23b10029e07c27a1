#include "aio/redis/reply.hpp"

#include <cmath>

namespace aio::redis {

std::string_view to_string(ReplyType t) noexcept {
    switch (t) {
        case ReplyType::nil: return "nil";
        case ReplyType::simple_string: return "simple_string";
        case ReplyType::error: return "error";
        case ReplyType::integer: return "integer";
        case ReplyType::bulk_string: return "bulk_string";
        case ReplyType::array: return "array";
        case ReplyType::boolean: return "boolean";
        case ReplyType::double_: return "double";
        case ReplyType::big_number: return "big_number";
        case ReplyType::verbatim_string: return "verbatim_string";
        case ReplyType::map: return "map";
        case ReplyType::set: return "set";
        case ReplyType::push: return "push";
    }
    return "?";
}

std::string_view ReplyError::code() const noexcept {
    std::string_view m(what());
    return m.substr(0, m.find(' '));
}

Reply Reply::string(ReplyType t, std::string s) {
    Reply r;
    r.type_ = t;
    r.str_ = std::move(s);
    return r;
}

Reply Reply::integer(std::int64_t v) {
    Reply r;
    r.type_ = ReplyType::integer;
    r.int_ = v;
    return r;
}

Reply Reply::boolean(bool v) {
    Reply r;
    r.type_ = ReplyType::boolean;
    r.int_ = v ? 1 : 0;
    return r;
}

Reply Reply::double_value(double v, std::string text) {
    Reply r;
    r.type_ = ReplyType::double_;
    r.double_ = v;
    r.str_ = std::move(text);
    return r;
}

Reply Reply::aggregate(ReplyType t, std::vector<Reply> elements) {
    Reply r;
    r.type_ = t;
    r.elements_ = std::move(elements);
    return r;
}

bool Reply::is_string() const noexcept {
    switch (type_) {
        case ReplyType::simple_string:
        case ReplyType::bulk_string:
        case ReplyType::verbatim_string:
        case ReplyType::big_number:
        case ReplyType::error:
        case ReplyType::double_: return true;
        default: return false;
    }
}

bool Reply::is_aggregate() const noexcept {
    return type_ == ReplyType::array || type_ == ReplyType::map || type_ == ReplyType::set ||
           type_ == ReplyType::push;
}

namespace {
[[noreturn]] void wrong(const char* want, ReplyType got) {
    throw ReplyTypeError(std::string("expected ") + want + " reply, got " + std::string(to_string(got)));
}
}  // namespace

const std::string& Reply::as_string() const {
    if (!is_string()) wrong("a string", type_);
    return str_;
}

std::int64_t Reply::as_int() const {
    if (type_ != ReplyType::integer && type_ != ReplyType::boolean) wrong("an integer", type_);
    return int_;
}

double Reply::as_double() const {
    if (type_ == ReplyType::integer) return static_cast<double>(int_);
    if (type_ != ReplyType::double_) wrong("a double", type_);
    return double_;
}

bool Reply::as_bool() const {
    if (type_ != ReplyType::integer && type_ != ReplyType::boolean) wrong("a boolean", type_);
    return int_ != 0;
}

const std::vector<Reply>& Reply::as_array() const {
    if (!is_aggregate()) wrong("an aggregate", type_);
    return elements_;
}

std::vector<Reply>& Reply::as_array() {
    if (!is_aggregate()) wrong("an aggregate", type_);
    return elements_;
}

std::string_view Reply::verbatim_format() const noexcept {
    if (type_ != ReplyType::verbatim_string) return {};
    return std::string_view(format_, 3);
}

Reply Reply::verbatim(std::string_view format, std::string text) {
    Reply r = string(ReplyType::verbatim_string, std::move(text));
    for (std::size_t i = 0; i < 3 && i < format.size(); ++i) r.format_[i] = format[i];
    return r;
}

const Reply& Reply::throw_if_error() const {
    if (type_ == ReplyType::error) throw ReplyError(str_);
    return *this;
}

std::string Reply::to_debug_string() const {
    switch (type_) {
        case ReplyType::nil: return "nil";
        case ReplyType::integer: return "(integer) " + std::to_string(int_);
        case ReplyType::boolean: return int_ ? "true" : "false";
        case ReplyType::error: return "(error) " + str_;
        case ReplyType::double_: return "(double) " + str_;
        case ReplyType::big_number: return "(big number) " + str_;
        case ReplyType::simple_string:
        case ReplyType::bulk_string:
        case ReplyType::verbatim_string: return "\"" + str_ + "\"";
        default: break;
    }
    std::string s = type_ == ReplyType::map ? "{" : type_ == ReplyType::set ? "~[" : type_ == ReplyType::push ? ">[" : "[";
    for (std::size_t i = 0; i < elements_.size(); ++i) {
        if (i) s += type_ == ReplyType::map && i % 2 ? ": " : ", ";
        s += elements_[i].to_debug_string();
    }
    return s + (type_ == ReplyType::map ? "}" : "]");
}

bool operator==(const Reply& a, const Reply& b) noexcept {
    if (a.type_ != b.type_) return false;
    if (a.type_ == ReplyType::double_) return a.str_ == b.str_;
    return a.int_ == b.int_ && a.str_ == b.str_ && a.elements_ == b.elements_ &&
           a.verbatim_format() == b.verbatim_format();
}

}  // namespace aio::redis
