#pragma once
// One response's body: framed by BodyDecoder in place from the connection's buffer, handed out
// through `pending` (the bytes decoded and not read yet), then the connection goes back to the pool.

#include <optional>
#include <string>

#include "aio/core/clock.hpp"
#include "aio/core/coro.hpp"
#include "aio/http/content_decoder.hpp"
#include "aio/http/parser.hpp"
#include "http/client_connection.hpp"

namespace aio::http::detail {

class BodyReader {
public:
    BodyReader(Lease lease, BodyDecoder decoder, bool keep_alive, std::string url,
               std::optional<TimePoint> deadline, std::optional<Duration> sock_read,
               std::optional<ContentCoding> coding, bool upgraded = false);
    BodyReader(const BodyReader&) = delete;
    BodyReader& operator=(const BodyReader&) = delete;

    /// Decodes more of the body into `pending`: true if bytes were added, false at the end.
    Coro<bool> fill();
    /// Every remaining byte of the body is in `pending` and the connection was released.
    bool finished() const noexcept { return finished_; }
    /// Closes the connection (a body not read to its end).
    void abort() noexcept;
    /// Reads the rest and returns the connection to the pool, if the rest is at most `limit`
    /// bytes; closes it otherwise. For redirects.
    Coro<void> drain(std::size_t limit);
    /// A 101's connection, taken out of the pool for the new protocol (empty if already gone).
    Lease::Detached detach() noexcept;

    std::string pending;
    std::size_t pending_pos = 0;  // bytes of `pending` already read
    std::size_t available() const noexcept { return pending.size() - pending_pos; }
    std::string take(std::size_t n);

private:
    void finish() noexcept;
    [[noreturn]] void fail(const std::string& why);

    Lease lease_;
    BodyDecoder decoder_;
    std::optional<ContentDecoder> content_;  // gzip or deflate, when the body is sent so
    bool keep_alive_;
    bool upgraded_;  // a 101: the connection never goes back to the pool
    bool finished_ = false;
    bool failed_ = false;
    std::string url_;
    std::optional<TimePoint> deadline_;
    std::optional<Duration> sock_read_;
};

}  // namespace aio::http::detail
