// ResponseParser, answering GET, HEAD or CONNECT (the input's third byte), and the body after it:
// no crash, views inside the input (an unfolded value lives in the parser instead), and the same
// outcome whether the input comes whole or in two pieces.

#include "head_fuzz.hpp"

namespace {

fuzz::Outcome run(std::string_view input, std::size_t split, std::size_t body_split,
                  std::string_view method) {
    auto parse = [method](aio::http::ResponseParser& p, std::string_view buffer) {
        return p.parse(buffer, method);
    };
    auto record = [body_split](aio::http::ResponseParser& p, std::string_view buffer,
                               std::string_view input, fuzz::Outcome o) {
        o.error = p.error();
        FUZZ_CHECK((o.status == aio::http::ParseStatus::error) ==
                   (o.error != aio::http::ParseError::none));
        if (o.status != aio::http::ParseStatus::complete) return o;
        const aio::http::ResponseHead& h = p.head();
        o.head_size = p.head_size();
        FUZZ_CHECK(o.head_size <= buffer.size());
        FUZZ_CHECK(h.status >= 100 && h.status <= 999);
        FUZZ_CHECK(fuzz::inside(h.reason, buffer.substr(0, o.head_size)));
        for (const auto& f : h.headers) {
            FUZZ_CHECK(fuzz::inside(f.name, buffer.substr(0, o.head_size)));
            // A folded value was copied and unfolded; it is no view of the wire bytes.
            FUZZ_CHECK(fuzz::inside(f.value, buffer.substr(0, o.head_size)) ||
                       !fuzz::inside(f.value, buffer));
        }
        o.parts.push_back(std::to_string(h.status));
        o.parts.emplace_back(h.reason);
        o.parts.push_back(std::to_string(h.upgrade));
        fuzz::add_head(o, h);
        fuzz::decode_body(o, h, input.substr(o.head_size), body_split);
        return o;
    };
    return fuzz::run_head<aio::http::ResponseParser>(input, split, parse, record);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
    if (size < 3) return 0;
    static constexpr std::string_view methods[] = {"GET", "HEAD", "CONNECT"};
    const std::string_view method = methods[data[2] % 3];
    const fuzz::Input in = fuzz::split_input(data, size, 3);
    const fuzz::Outcome whole = run(in.bytes, in.bytes.size(), std::string_view::npos, method);
    const fuzz::Outcome pieces = run(in.bytes, in.split, in.split, method);
    FUZZ_CHECK(whole == pieces);
    return 0;
}
