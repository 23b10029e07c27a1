// RequestParser and the body after it: no crash, views inside the input, head_size within it,
// and the same outcome whether the input comes whole or in two pieces.

#include "head_fuzz.hpp"

namespace {

fuzz::Outcome run(std::string_view input, std::size_t split, std::size_t body_split) {
    auto parse = [](aio::http::RequestParser& p, std::string_view buffer) {
        return p.parse(buffer);
    };
    auto record = [body_split](aio::http::RequestParser& p, std::string_view buffer,
                               std::string_view input, fuzz::Outcome o) {
        o.error = p.error();
        FUZZ_CHECK((o.status == aio::http::ParseStatus::error) ==
                   (o.error != aio::http::ParseError::none));
        if (o.status != aio::http::ParseStatus::complete) return o;
        const aio::http::RequestHead& h = p.head();
        o.head_size = p.head_size();
        FUZZ_CHECK(o.head_size <= buffer.size());
        FUZZ_CHECK(fuzz::inside(h.method, buffer.substr(0, o.head_size)));
        FUZZ_CHECK(fuzz::inside(h.target, buffer.substr(0, o.head_size)));
        for (const auto& f : h.headers) {
            FUZZ_CHECK(fuzz::inside(f.name, buffer.substr(0, o.head_size)));
            FUZZ_CHECK(fuzz::inside(f.value, buffer.substr(0, o.head_size)));
            FUZZ_CHECK(!f.name.empty());
        }
        FUZZ_CHECK(!h.method.empty() && !h.target.empty());
        o.parts.emplace_back(h.method);
        o.parts.emplace_back(h.target);
        o.parts.push_back(std::to_string(h.upgrade) + std::to_string(h.expect_continue));
        fuzz::add_head(o, h);
        fuzz::decode_body(o, h, input.substr(o.head_size), body_split);
        return o;
    };
    return fuzz::run_head<aio::http::RequestParser>(input, split, parse, record);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
    const fuzz::Input in = fuzz::split_input(data, size);
    const fuzz::Outcome whole = run(in.bytes, in.bytes.size(), std::string_view::npos);
    const fuzz::Outcome pieces = run(in.bytes, in.split, in.split);
    FUZZ_CHECK(whole == pieces);
    return 0;
}
