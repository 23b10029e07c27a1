#pragma once
// The multipart body parser (RFC 2046 5.1.1): a pure state machine over bytes fed to it, with no
// I/O and no coroutine, so that MultipartReader drives it from the request body and the fuzzer
// (fuzz/multipart_parser_fuzz.cpp) drives it from a byte string, split anywhere.
//
// Invariant: `buf_[pos_, size)` holds the bytes fed but not yet consumed. While a part's body is
// read, at most `delimiter_.size() - 1` of them are held back (they may start the delimiter), so
// the memory held is bounded by one fed piece plus the delimiter, or by max_header_size in a head.

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace aio::web::detail {

class MultipartParser {
public:
    enum class Event {
        need_more,  ///< feed more bytes (or finish())
        headers,    ///< a part began: its head is in part_headers()
        data,       ///< bytes of the current part's body (in `data`)
        part_end,   ///< the current part ended
        done,       ///< the final boundary was read (the epilogue is dropped)
        error,      ///< malformed: see error_message(), error_status()
    };

    struct Limits {
        std::size_t max_parts;
        std::size_t max_header_size;
        std::size_t max_headers;
    };

    MultipartParser(std::string_view boundary, Limits limits);

    /// Adds bytes. Views from next() are invalid afterwards.
    void feed(std::string_view bytes);
    /// No more bytes will come.
    void finish() noexcept { finished_ = true; }
    /// The next event; `data` is set for Event::data (a view into the parser's buffer, valid until
    /// the next feed() or next()). Once done or error, it keeps returning that.
    /// At most `max_data` bytes come in one Event::data.
    Event next(std::string_view& data, std::size_t max_data = std::string_view::npos);

    const std::vector<std::pair<std::string, std::string>>& part_headers() const noexcept { return headers_; }
    const std::string& error_message() const noexcept { return error_; }
    /// 400 or 413.
    int error_status() const noexcept { return error_status_; }
    std::size_t parts() const noexcept { return parts_; }
    /// True once the final boundary was read.
    bool done() const noexcept { return state_ == State::done; }

private:
    enum class State { preamble, after_delimiter, head, body, done, error };
    Event fail(int status, std::string message);
    Event parse_head(std::string_view head);
    void consume(std::size_t n) noexcept { pos_ += n; }
    std::string_view pending() const noexcept { return std::string_view(buf_).substr(pos_); }

    std::string delimiter_;  // CRLF "--" boundary
    Limits limits_;
    std::string buf_;
    std::size_t pos_ = 0;
    State state_ = State::preamble;
    bool finished_ = false;
    std::size_t parts_ = 0;
    std::vector<std::pair<std::string, std::string>> headers_;
    std::string error_;
    int error_status_ = 400;
};

}  // namespace aio::web::detail
