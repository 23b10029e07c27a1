// Content codings on zlib. Output is produced in bounded steps so the decoder's limit is checked
// before zlib is asked for more, never after a whole inflate.

#include "aio/http/content_decoder.hpp"
#include "http/ascii.hpp"

#include <zlib.h>

#include <algorithm>
#include <new>

namespace aio::http {

namespace {

constexpr std::size_t kStep = 16 * 1024;

using aio::http::ascii::lower;

bool iequal(std::string_view a, std::string_view b) noexcept {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                              [](char x, char y) { return lower(x) == lower(y); });
}

const char* zlib_message(const z_stream& z, int rc) noexcept {
    if (z.msg != nullptr) return z.msg;
    return rc == Z_NEED_DICT ? "a preset dictionary is needed" : zError(rc);
}

/// RFC 1950 2.2: CM 8, CINFO <= 7, and the header's check bits.
bool looks_like_zlib(unsigned char cmf, unsigned char flg) noexcept {
    return (cmf & 0x0f) == 8 && (cmf >> 4) <= 7 && ((cmf << 8) | flg) % 31 == 0;
}

void check_window_bits(int bits, int low) {
    if (bits < low || bits > 15) {
        throw ValueError("zlib window_bits must be in " + std::to_string(low) + "-15, not " +
                         std::to_string(bits));
    }
}

}  // namespace

std::optional<ContentCoding> content_coding_from_name(std::string_view name) noexcept {
    if (iequal(name, "gzip") || iequal(name, "x-gzip")) return ContentCoding::gzip;
    if (iequal(name, "deflate")) return ContentCoding::deflate;
    if (iequal(name, "identity")) return ContentCoding::identity;
    return std::nullopt;
}

struct ContentDecoder::State {
    ContentCoding coding;
    std::size_t max_size;
    int window_bits;
    z_stream z{};
    bool z_open = false;
    bool in_member = false;  // bytes of a stream (or gzip member) not yet complete were fed
    bool ended = false;      // a stream (or member) has ended and nothing followed yet
    bool broken = false;
    std::size_t produced = 0;
    std::string header;  // `deflate`'s first byte, held until the second decides zlib or raw

    ~State() {
        if (z_open) inflateEnd(&z);
    }

    void open(int bits) {
        z = z_stream{};
        const int rc = inflateInit2(&z, bits);
        if (rc == Z_MEM_ERROR) throw std::bad_alloc();
        if (rc != Z_OK) throw ContentEncodingError(std::string("zlib: ") + zlib_message(z, rc));
        z_open = true;
    }

    [[noreturn]] void fail(const std::string& why) {
        broken = true;
        throw ContentEncodingError("cannot decode " + name() + " content: " + why);
    }

    std::string name() const {
        switch (coding) {
            case ContentCoding::gzip:
                return "gzip";
            case ContentCoding::deflate:
                return "deflate";
            case ContentCoding::raw_deflate:
                return "raw deflate";
            case ContentCoding::identity:
                break;
        }
        return "identity";
    }

    void limit_exceeded() {
        broken = true;
        throw DecompressionLimitError("decoded " + name() + " content exceeds the limit of " +
                                      std::to_string(max_size) + " bytes");
    }

    /// How many bytes the next inflate may write: up to one more than the limit allows, so
    /// passing it is seen without inflating further.
    std::size_t allowance() const noexcept {
        const std::size_t left = max_size - produced;
        return left >= kStep ? kStep : left + 1;
    }

    /// One bounded inflate call; false when zlib could make no progress.
    bool inflate_step(std::string& out) {
        const std::size_t old = out.size();
        const std::size_t step = allowance();
        const uInt in_before = z.avail_in;
        out.resize(old + step);
        z.next_out = reinterpret_cast<Bytef*>(out.data() + old);
        z.avail_out = static_cast<uInt>(step);
        const int rc = inflate(&z, Z_NO_FLUSH);
        const std::size_t got = step - z.avail_out;
        out.resize(old + got);
        produced += got;
        if (produced > max_size) limit_exceeded();
        if (rc == Z_STREAM_END) {
            ended = true;
            in_member = false;
        } else if (rc == Z_MEM_ERROR) {
            broken = true;
            throw std::bad_alloc();
        } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
            fail(zlib_message(z, rc));
        }
        return got > 0 || z.avail_in != in_before || rc == Z_STREAM_END;
    }

    void inflate_into(std::string_view input, std::string& out) {
        constexpr std::size_t kMaxPiece = std::size_t{1} << 30;  // avail_in is 32 bits
        while (!input.empty()) {
            const std::string_view piece = input.substr(0, kMaxPiece);
            input.remove_prefix(piece.size());
            z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(piece.data()));
            z.avail_in = static_cast<uInt>(piece.size());
            while (z.avail_in > 0) {
                if (ended) {
                    if (coding != ContentCoding::gzip) fail("data after the end of the stream");
                    inflateReset(&z);  // another gzip member follows (RFC 1952 2.2)
                    ended = false;
                }
                in_member = true;
                if (!inflate_step(out)) fail("zlib made no progress");
            }
        }
        // Output zlib still holds for lack of room comes out now, within the limit.
        while (!ended && z.avail_out == 0 && inflate_step(out)) {
        }
    }
};

ContentDecoder::ContentDecoder(ContentCoding coding, std::size_t max_size, int window_bits)
    : state_(std::make_unique<State>()) {
    check_window_bits(window_bits, 8);
    state_->coding = coding;
    state_->max_size = max_size;
    state_->window_bits = window_bits;
    reset();
}

ContentDecoder::~ContentDecoder() = default;
ContentDecoder::ContentDecoder(ContentDecoder&&) noexcept = default;
ContentDecoder& ContentDecoder::operator=(ContentDecoder&&) noexcept = default;

void ContentDecoder::reset() {
    State& s = *state_;
    if (s.z_open) inflateEnd(&s.z);
    s.z_open = false;
    s.in_member = s.ended = s.broken = false;
    s.header.clear();
    s.produced = 0;
    switch (s.coding) {
        case ContentCoding::gzip:
            s.open(16 + 15);
            break;
        case ContentCoding::raw_deflate:
            s.open(-s.window_bits);
            break;
        case ContentCoding::deflate:  // opened once the first two bytes are seen
        case ContentCoding::identity:
            break;
    }
}

void ContentDecoder::feed(std::string_view input, std::string& out) {
    State& s = *state_;
    if (s.broken) throw ContentEncodingError("the " + s.name() + " decoder failed before");
    if (input.empty()) return;
    if (s.coding == ContentCoding::identity) {
        if (input.size() > s.max_size - s.produced) {
            out.append(input.substr(0, s.max_size - s.produced));
            s.produced = s.max_size;
            s.limit_exceeded();
        }
        s.produced += input.size();
        out.append(input);
        return;
    }
    if (s.coding == ContentCoding::deflate && !s.z_open) {
        s.in_member = true;
        if (s.header.size() + input.size() < 2) {
            s.header.append(input);
            return;
        }
        const char first = s.header.empty() ? input[0] : s.header[0];
        const char second = s.header.empty() ? input[1] : input[0];
        s.open(
            looks_like_zlib(static_cast<unsigned char>(first), static_cast<unsigned char>(second))
                ? 15
                : -15);
        const std::string held = std::move(s.header);
        s.header.clear();
        if (!held.empty()) s.inflate_into(held, out);
    }
    s.inflate_into(input, out);
}

std::string ContentDecoder::feed(std::string_view input) {
    std::string out;
    feed(input, out);
    return out;
}

void ContentDecoder::finish() {
    State& s = *state_;
    if (s.broken) throw ContentEncodingError("the " + s.name() + " decoder failed before");
    if (s.in_member) {
        s.broken = true;
        throw ContentEncodingError("cannot decode " + s.name() +
                                   " content: the stream is truncated");
    }
}

void ContentDecoder::restart_count() noexcept { state_->produced = 0; }

ContentCoding ContentDecoder::coding() const noexcept { return state_->coding; }

std::size_t ContentDecoder::output_size() const noexcept { return state_->produced; }

bool ContentDecoder::eof() const noexcept { return state_->ended; }

struct ContentEncoder::State {
    ContentCoding coding;
    int level;
    int window_bits;
    z_stream z{};
    bool z_open = false;
    bool finished = false;

    ~State() {
        if (z_open) deflateEnd(&z);
    }

    void open() {
        if (coding == ContentCoding::identity) return;
        int bits = window_bits;
        if (coding == ContentCoding::gzip) bits += 16;
        if (coding == ContentCoding::raw_deflate) bits = -bits;
        z = z_stream{};
        const int rc = deflateInit2(&z, level, Z_DEFLATED, bits, 8, Z_DEFAULT_STRATEGY);
        if (rc == Z_MEM_ERROR) throw std::bad_alloc();
        if (rc != Z_OK) throw ValueError(std::string("zlib: ") + zlib_message(z, rc));
        z_open = true;
    }

    void run(std::string_view input, int flush, std::string& out) {
        if (finished) throw InvalidStateError("ContentEncoder: the stream was finished");
        if (coding == ContentCoding::identity) {
            out.append(input);
            if (flush == Z_FINISH) finished = true;
            return;
        }
        constexpr std::size_t kMaxPiece = std::size_t{1} << 30;  // avail_in is 32 bits
        do {
            const std::string_view piece = input.substr(0, kMaxPiece);
            input.remove_prefix(piece.size());
            deflate_piece(piece, input.empty() ? flush : Z_NO_FLUSH, out);
        } while (!input.empty());
    }

    void deflate_piece(std::string_view input, int flush, std::string& out) {
        z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
        z.avail_in = static_cast<uInt>(input.size());
        for (;;) {
            const std::size_t old = out.size();
            const std::size_t room = std::max<std::size_t>(kStep, deflateBound(&z, z.avail_in));
            out.resize(old + room);
            z.next_out = reinterpret_cast<Bytef*>(out.data() + old);
            z.avail_out = static_cast<uInt>(room);
            const int rc = deflate(&z, flush);
            out.resize(old + (room - z.avail_out));
            if (rc == Z_STREAM_END) {
                finished = true;
                return;
            }
            if (rc != Z_OK && rc != Z_BUF_ERROR) {
                throw RuntimeError(std::string("zlib deflate: ") + zlib_message(z, rc));
            }
            // Done when zlib took all input and had room left (for a flush: nothing pending).
            if (z.avail_in == 0 && z.avail_out > 0) return;
        }
    }
};

ContentEncoder::ContentEncoder(ContentCoding coding, int level, int window_bits)
    : state_(std::make_unique<State>()) {
    check_window_bits(window_bits, 9);
    if (level < -1 || level > 9) {
        throw ValueError("zlib level must be -1 or 0-9, not " + std::to_string(level));
    }
    state_->coding = coding;
    state_->level = level;
    state_->window_bits = window_bits;
    state_->open();
}

ContentEncoder::~ContentEncoder() = default;
ContentEncoder::ContentEncoder(ContentEncoder&&) noexcept = default;
ContentEncoder& ContentEncoder::operator=(ContentEncoder&&) noexcept = default;

void ContentEncoder::compress(std::string_view input, std::string& out) {
    if (input.empty()) return;
    state_->run(input, Z_NO_FLUSH, out);
}

void ContentEncoder::flush(std::string& out) { state_->run({}, Z_SYNC_FLUSH, out); }

void ContentEncoder::finish(std::string& out) { state_->run({}, Z_FINISH, out); }

void ContentEncoder::reset() {
    State& s = *state_;
    s.finished = false;
    if (s.z_open) deflateReset(&s.z);
}

ContentCoding ContentEncoder::coding() const noexcept { return state_->coding; }

}  // namespace aio::http
