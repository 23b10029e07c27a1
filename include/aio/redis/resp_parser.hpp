#pragma once
/// aio::redis::RespParser — an incremental RESP2/RESP3 reader: feed it bytes as they arrive, in
/// any split, and take whole replies out (hiredis's redisReader, with RESP3).
///
/// ```
/// aio::redis::RespParser p;
/// p.feed("+OK\r\n:4");
/// auto a = p.next();   // "OK"
/// auto b = p.next();   // std::nullopt: ":4" needs its CRLF
/// p.feed("2\r\n");
/// auto c = p.next();   // (integer) 42
/// ```
/// Bounded: a bulk string over `max_bulk_length` (512 MiB, Redis's proto-max-bulk-len), an
/// aggregate over `max_aggregate_length` elements or nested deeper than `max_depth`, or a line
/// over `max_line_length` without its CRLF, is a ProtocolError, as is any malformed byte. After
/// a ProtocolError the stream is out of sync: the parser stays failed (each next() rethrows).
/// Attributes (`|`, RESP3) are read and dropped: the reply they annotate is returned.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "aio/redis/reply.hpp"

namespace aio::redis {

/// Malformed or over-limit RESP from the server; the connection cannot be used after it.
class ProtocolError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct RespLimits {
    std::int64_t max_bulk_length = 512LL * 1024 * 1024;
    std::int64_t max_aggregate_length = 1LL << 32;
    int max_depth = 64;
    std::size_t max_line_length = 64 * 1024;
};

class RespParser {
public:
    explicit RespParser(RespLimits limits = {}) noexcept : limits_(limits) {}

    /// Appends `data` to the bytes not yet parsed.
    void feed(std::string_view data);
    /// The next whole reply, or std::nullopt when more bytes are needed. Throws ProtocolError.
    std::optional<Reply> next();
    /// Bytes fed but not yet returned as replies.
    std::size_t buffered() const noexcept { return buf_.size() - pos_; }

private:
    enum class Status { done, need_more };
    Status parse(std::size_t& at, int depth, Reply& out);
    Status parse_line(std::size_t& at, std::string_view& line);
    [[noreturn]] void fail(const std::string& what);

    RespLimits limits_;
    std::string buf_;
    std::size_t pos_ = 0;
    // Bytes the unfinished reply needs at least: next() does not re-parse before they arrive,
    // so a large bulk string fed in small pieces is scanned once, not once per piece.
    std::size_t need_ = 0;
    std::string failed_;
};

}  // namespace aio::redis
