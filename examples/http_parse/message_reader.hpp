#pragma once
// Reads a stream of HTTP/1.1 messages as a server (requests) or a client (responses) would, and
// turns each into one JSON object. The http_parse example prints them; the conformance corpus
// test compares them with its vectors, so both run this same code.
//
// Bytes are fed in pieces of any size; the reader keeps them in its own buffer (which moves as
// it grows: the parser must not keep views across calls), parses the head in place, decodes the
// body, and emits an object per message, or {"error": NAME} and stops at the first refusal.
// Strings in the JSON hold one code point per byte (U+0000 to U+00FF), so bytes that are not
// UTF-8 survive the trip.

#include <aio/http/parser.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace http_parse {

inline std::string latin1(std::string_view bytes) {
    std::string out;
    out.reserve(bytes.size());
    for (char c : bytes) {
        const auto b = static_cast<unsigned char>(c);
        if (b < 0x80) {
            out.push_back(c);
        } else {
            out.push_back(static_cast<char>(0xc0 | (b >> 6)));
            out.push_back(static_cast<char>(0x80 | (b & 0x3f)));
        }
    }
    return out;
}

inline const char* kind_name(aio::http::BodyKind k) {
    switch (k) {
        case aio::http::BodyKind::none:
            return "none";
        case aio::http::BodyKind::length:
            return "length";
        case aio::http::BodyKind::chunked:
            return "chunked";
        case aio::http::BodyKind::until_close:
            return "until_close";
    }
    return "?";
}

struct ReaderOptions {
    bool response = false;
    std::string request_method = "GET";  ///< responses: the method they answer
    aio::http::ParserLimits limits = {};
    std::uint64_t max_body_size = 0;
};

class MessageReader {
public:
    explicit MessageReader(ReaderOptions options)
        : options_(std::move(options)), request_(options_.limits), response_(options_.limits) {}

    /// Adds bytes and emits every message they complete.
    void feed(std::string_view bytes) {
        if (stopped_) return;
        buffer_.append(bytes);
        run();
    }
    /// The input ended: ends an until_close body, or reports a truncated message.
    void finish() {
        if (stopped_) return;
        if (in_body_) {
            body_.finish_eof();
            if (body_.failed()) return fail(name(body_.error()));
            emit_message();
        } else if (buffer_.find_first_not_of("\r\n") != std::string::npos) {
            fail("incomplete");  // the input ended inside a head: the driver's word, no ParseError
        }
        stopped_ = true;
    }

    const std::vector<nlohmann::json>& messages() const noexcept { return out_; }
    bool failed() const noexcept { return failed_; }

private:
    void run() {
        while (!stopped_) {
            if (!in_body_) {
                if (buffer_.empty()) return;
                const aio::http::ParseStatus s =
                    options_.response ? response_.parse(buffer_, options_.request_method)
                                      : request_.parse(buffer_);
                if (s == aio::http::ParseStatus::incomplete) return;
                if (s == aio::http::ParseStatus::error)
                    return fail(name(options_.response ? response_.error() : request_.error()));
                start_message();
                continue;
            }
            const aio::http::BodyDecoder::Step step = body_.decode(buffer_);
            if (body_.failed()) return fail(name(body_.error()));
            body_text_ += latin1(step.data);
            buffer_.erase(0, step.consumed);
            if (body_.done()) {
                emit_message();
                continue;
            }
            if (step.consumed == 0) return;
        }
    }

    void start_message() {
        const aio::http::MessageHead& head =
            options_.response ? static_cast<const aio::http::MessageHead&>(response_.head())
                              : request_.head();
        current_ = nlohmann::json::object();
        bool upgrade = false;
        if (options_.response) {
            current_["status"] = response_.head().status;
            current_["reason"] = latin1(response_.head().reason);
            upgrade = response_.head().upgrade;
        } else {
            current_["method"] = latin1(request_.head().method);
            current_["target"] = latin1(request_.head().target);
            upgrade = request_.head().upgrade;
            if (request_.head().expect_continue) current_["expect_continue"] = true;
        }
        current_["version"] =
            std::to_string(head.version_major) + "." + std::to_string(head.version_minor);
        nlohmann::json fields = nlohmann::json::array();
        for (const aio::http::HeaderField& f : head.headers)
            fields.push_back({latin1(f.name), latin1(f.value)});
        current_["headers"] = std::move(fields);
        current_["framing"] = kind_name(head.body);
        if (head.body == aio::http::BodyKind::length)
            current_["content_length"] = head.content_length;
        body_text_.clear();
        current_["keep_alive"] = head.keep_alive;
        current_["upgrade"] = upgrade;
        keep_alive_ = head.keep_alive;
        upgrade_ = upgrade;
        const std::size_t size = options_.response ? response_.head_size() : request_.head_size();
        aio::http::BodyDecoder::Options body_options;
        body_options.max_body_size = options_.max_body_size;
        body_options.limits = options_.limits;
        body_ = aio::http::BodyDecoder(head, body_options);
        buffer_.erase(0, size);  // the head's views die here; the JSON holds copies
        in_body_ = true;
        if (body_.failed()) fail(name(body_.error()));
    }

    void emit_message() {
        current_["body"] = body_text_;
        out_.push_back(std::move(current_));
        in_body_ = false;
        request_.reset();
        response_.reset();
        // After an upgrade the bytes are another protocol's; after a last message, nobody's.
        if (upgrade_ || !keep_alive_) stopped_ = true;
    }

    void fail(std::string_view error) {
        out_.push_back({{"error", std::string(error)}});
        failed_ = true;
        stopped_ = true;
    }

    ReaderOptions options_;
    aio::http::RequestParser request_;
    aio::http::ResponseParser response_;
    aio::http::BodyDecoder body_;
    std::string buffer_;
    std::string body_text_;
    nlohmann::json current_;
    std::vector<nlohmann::json> out_;
    bool in_body_ = false;
    bool keep_alive_ = true;
    bool upgrade_ = false;
    bool stopped_ = false;
    bool failed_ = false;
};

}  // namespace http_parse
