#pragma once
// The request and response fuzzers' common part: parse a head whole and in two pieces (through
// a buffer that moves between the calls), compare, then decode the body both ways and compare.

#include <aio/http/parser.hpp>
#include <memory>
#include <vector>

#include "fuzz_check.hpp"

namespace fuzz {

struct Outcome {
    aio::http::ParseStatus status = aio::http::ParseStatus::incomplete;
    aio::http::ParseError error = aio::http::ParseError::none;
    std::size_t head_size = 0;
    std::vector<std::string> parts;  // the head's fields, copied
    std::string body;
    bool body_done = false;
    aio::http::ParseError body_error = aio::http::ParseError::none;
    bool operator==(const Outcome&) const = default;
};

inline void add_head(Outcome& o, const aio::http::MessageHead& h) {
    o.parts.push_back(std::to_string(h.version_major) + "." + std::to_string(h.version_minor));
    for (const auto& f : h.headers) {
        o.parts.emplace_back(f.name);
        o.parts.emplace_back(f.value);
    }
    o.parts.push_back(std::to_string(static_cast<int>(h.body)) + ":" +
                      std::to_string(h.content_length) + ":" + std::to_string(h.keep_alive));
}

// Decodes the body after the head as a connection would: the unconsumed bytes stay buffered,
// new ones are appended, decode() runs until it needs more.
// `split` npos: the body comes whole.
inline void decode_body(Outcome& o, const aio::http::MessageHead& head, std::string_view rest,
                        std::size_t split) {
    split = split == std::string_view::npos ? rest.size() : split % (rest.size() + 1);
    aio::http::BodyDecoder::Options options;
    options.max_body_size = 1 << 20;
    aio::http::BodyDecoder body(head, options);
    std::string buffered;
    auto drain = [&] {
        while (!body.done() && !body.failed()) {
            const auto step = body.decode(buffered);
            FUZZ_CHECK(step.consumed <= buffered.size());
            FUZZ_CHECK(inside(step.data, buffered));
            o.body.append(step.data);
            buffered.erase(0, step.consumed);
            if (step.consumed == 0) break;
        }
    };
    buffered.append(rest.substr(0, split));
    drain();
    buffered.append(rest.substr(split));
    drain();
    body.finish_eof();
    o.body_done = body.done();
    o.body_error = body.error();
    FUZZ_CHECK(o.body_done != body.failed());
}

// `parse(parser, buffer)` runs one parse() call; `record(parser, buffer, input, outcome)` checks
// and records the head (views into `buffer`, the last one parsed; the body follows in `input`).
template <typename Parser, typename Parse, typename Record>
Outcome run_head(std::string_view input, std::size_t split, Parse parse, Record record) {
    Outcome o;
    Parser parser;
    // A heap copy per call, so that a view kept from the first call would point into freed memory.
    auto first = std::make_unique<std::string>(input.substr(0, split));
    o.status = parse(parser, std::string_view(*first));
    if (o.status == aio::http::ParseStatus::incomplete && split < input.size()) {
        std::string whole(input);
        first.reset();
        o.status = parse(parser, std::string_view(whole));
        return record(parser, std::string_view(whole), input, std::move(o));
    }
    return record(parser, std::string_view(*first), input, std::move(o));
}

}  // namespace fuzz
