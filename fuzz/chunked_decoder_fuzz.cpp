// BodyDecoder on a chunked body, with small limits so that they are reached: no crash, consumed
// within the input, data views inside it, and the same body and error whether the input comes
// whole or in two pieces.

#include <aio/http/parser.hpp>

#include "fuzz_check.hpp"

namespace {

struct Result {
    std::string body;
    bool done = false;
    aio::http::ParseError error = aio::http::ParseError::none;
    bool operator==(const Result&) const = default;
};

Result run(std::string_view input, std::size_t split) {
    aio::http::BodyDecoder::Options options;
    options.max_body_size = 4096;
    options.limits.max_chunk_extension = 64;
    options.limits.max_header_bytes = 256;
    aio::http::BodyDecoder body(aio::http::BodyKind::chunked, 0, options);
    Result r;
    std::string buffered;
    auto drain = [&] {
        while (!body.done() && !body.failed()) {
            const auto step = body.decode(buffered);
            FUZZ_CHECK(step.consumed <= buffered.size());
            FUZZ_CHECK(fuzz::inside(step.data, buffered));
            FUZZ_CHECK(step.data.size() <= step.consumed);
            r.body.append(step.data);
            buffered.erase(0, step.consumed);
            buffered.shrink_to_fit();  // the next call sees other memory
            if (step.consumed == 0) break;
        }
    };
    buffered.append(input.substr(0, split));
    drain();
    buffered.append(input.substr(split));
    drain();
    FUZZ_CHECK(body.received() == r.body.size());
    body.finish_eof();
    r.done = body.done();
    r.error = body.error();
    FUZZ_CHECK(r.done != body.failed());
    FUZZ_CHECK(r.body.size() <= options.max_body_size);
    return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
    const fuzz::Input in = fuzz::split_input(data, size);
    FUZZ_CHECK(run(in.bytes, in.bytes.size()) == run(in.bytes, in.split));
    return 0;
}
