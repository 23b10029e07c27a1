// The multipart parser (src/web/multipart_parser.cpp): no crash, every event consistent, and the
// same parts, bytes and outcome whether the body comes whole, in two pieces, or with data events
// of at most 7 bytes. Each part's header values also go through the parameter parser
// (Content-Disposition, Content-Type) and the RFC 5987 decoder.
//
// Input: two bytes choosing the split point, one byte giving the boundary's length (1 to 16), the
// boundary, then the body.

#include "fuzz_check.hpp"
#include "web/header_params.hpp"
#include "web/multipart_parser.hpp"

#include <vector>

namespace {

using aio::web::detail::MultipartParser;
using Event = MultipartParser::Event;

struct Outcome {
    std::vector<std::string> parts;  // each: the head's lines, then the body
    bool done = false;
    int error = 0;
    friend bool operator==(const Outcome&, const Outcome&) = default;
};

Outcome run(std::string_view boundary, std::string_view body, std::size_t split, std::size_t max_data) {
    MultipartParser p(boundary, {64, 1024, 16});
    std::string_view pieces[2] = {body.substr(0, split), body.substr(split)};
    std::size_t next_piece = 0;
    Outcome out;
    bool in_part = false;
    for (int steps = 0;; ++steps) {
        FUZZ_CHECK(steps < 10'000'000);
        std::string_view data;
        switch (p.next(data, max_data)) {
        case Event::need_more:
            if (next_piece == 2) p.finish();
            else p.feed(pieces[next_piece++]);
            break;
        case Event::headers: {
            FUZZ_CHECK(!in_part);
            in_part = true;
            std::string head;
            for (const auto& [n, v] : p.part_headers()) {
                FUZZ_CHECK(!n.empty());
                head += n + ":" + v + "\n";
                aio::web::detail::HeaderValue hv = aio::web::detail::parse_header_params(v);
                for (const auto& [pn, pv] : hv.params) {
                    std::string decoded;
                    (void)aio::web::detail::decode_ext_value(pv, decoded);
                    FUZZ_CHECK(!pn.empty());
                }
            }
            out.parts.push_back(head + "\n");
            break;
        }
        case Event::data:
            FUZZ_CHECK(in_part);
            FUZZ_CHECK(!data.empty() && data.size() <= max_data);
            out.parts.back().append(data);
            break;
        case Event::part_end:
            FUZZ_CHECK(in_part);
            in_part = false;
            break;
        case Event::done:
            FUZZ_CHECK(!in_part);
            FUZZ_CHECK(p.done());
            out.done = true;
            return out;
        case Event::error:
            FUZZ_CHECK(p.error_status() == 400 || p.error_status() == 413);
            FUZZ_CHECK(!p.error_message().empty());
            out.error = p.error_status();
            out.parts.clear();  // what came before an error may differ with the split (413 vs 400 never does)
            return out;
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
    const fuzz::Input in = fuzz::split_input(data, size);
    if (in.bytes.empty()) return 0;
    const std::size_t blen = 1 + static_cast<unsigned char>(in.bytes[0]) % 16;
    if (in.bytes.size() < 1 + blen) return 0;
    const std::string_view boundary = in.bytes.substr(1, blen);
    const std::string_view body = in.bytes.substr(1 + blen);
    const std::size_t split = in.split % (body.size() + 1);
    const Outcome whole = run(boundary, body, body.size(), std::string_view::npos);
    FUZZ_CHECK(run(boundary, body, split, std::string_view::npos) == whole);
    FUZZ_CHECK(run(boundary, body, split, 7) == whole);
    return 0;
}
