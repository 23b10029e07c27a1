#include "http/client_body.hpp"

#include "aio/core/event_loop.hpp"
#include "aio/http/client_errors.hpp"

namespace aio::http::detail {

BodyReader::BodyReader(Lease lease, BodyDecoder decoder, bool keep_alive, std::string url,
                       std::optional<TimePoint> deadline, std::optional<Duration> sock_read,
                       std::optional<ContentCoding> coding, bool upgraded)
    : lease_(std::move(lease)),
      decoder_(std::move(decoder)),
      keep_alive_(keep_alive && !upgraded),
      upgraded_(upgraded),
      url_(std::move(url)),
      deadline_(deadline),
      sock_read_(sock_read) {
    if (coding && *coding != ContentCoding::identity && !decoder_.done())
        content_.emplace(*coding, ContentDecoder::kUnlimited);
    // A 101 has no body, but its connection is not done: it waits for detach() (or closes).
    if (decoder_.done() && !upgraded_) finish();
}

Lease::Detached BodyReader::detach() noexcept {
    finished_ = true;
    return lease_.detach();
}

std::string BodyReader::take(std::size_t n) {
    n = std::min(n, available());
    std::string out;
    if (pending_pos == 0 && n == pending.size()) {
        out = std::move(pending);
        pending.clear();
    } else {
        out.assign(pending, pending_pos, n);
        pending_pos += n;
        if (pending_pos == pending.size()) {
            pending.clear();
            pending_pos = 0;
        }
    }
    return out;
}

void BodyReader::finish() noexcept {
    finished_ = true;
    lease_.release(keep_alive_);
}

void BodyReader::abort() noexcept {
    if (!finished_) failed_ = true;
    lease_.release(false);
}

void BodyReader::fail(const std::string& why) {
    failed_ = true;
    lease_.release(false);
    throw ClientPayloadError(why, url_);
}

Coro<bool> BodyReader::fill() {
    if (finished_) co_return false;
    if (failed_ || !lease_) throw ClientConnectionError("Connection closed", url_);
    // A read cancelled or timed out half-way leaves the framing unknown: the guard closes the
    // connection unless the read completes.
    struct Guard {
        BodyReader* self;
        bool done = false;
        ~Guard() {
            if (!done) self->abort();
        }
    } guard{this};
    ClientProtocol& p = lease_.protocol();
    for (;;) {
        auto step = decoder_.decode(p.unread());
        if (decoder_.failed()) fail(std::string("Response payload is not valid: ") + std::string(name(decoder_.error())));
        std::size_t before = pending.size();
        if (!step.data.empty()) {
            if (content_) {
                try {
                    content_->feed(step.data, pending);
                } catch (const ContentEncodingError& e) {
                    fail(std::string("Can not decode content-encoding: ") + e.what());
                }
            } else {
                pending.append(step.data);
            }
        }
        bool got = pending.size() > before;
        p.consume(step.consumed);
        if (decoder_.done()) {
            if (content_) {
                try {
                    content_->finish();
                } catch (const ContentEncodingError& e) {
                    fail(std::string("Can not decode content-encoding: ") + e.what());
                }
            }
            guard.done = true;
            finish();
            co_return got;
        }
        if (got) {
            guard.done = true;
            co_return true;
        }
        if (step.consumed > 0) continue;
        if (p.at_eof()) {
            decoder_.finish_eof();
            if (decoder_.failed()) fail("Response payload is not completed");
            if (content_) {
                try {
                    content_->finish();
                } catch (const ContentEncodingError& e) {
                    fail(std::string("Can not decode content-encoding: ") + e.what());
                }
            }
            guard.done = true;
            finish();
            co_return false;
        }
        std::optional<TimePoint> when = deadline_;
        if (sock_read_) {
            TimePoint r = get_running_loop().time() + *sock_read_;
            if (!when || r < *when) when = r;
        }
        co_await p.wait_more(when);
    }
}

Coro<void> BodyReader::drain(std::size_t limit) {
    while (!finished_) {
        if (available() > limit) {
            abort();
            co_return;
        }
        bool more = co_await fill();
        if (!more) break;
    }
    pending.clear();
    pending_pos = 0;
}

}  // namespace aio::http::detail
