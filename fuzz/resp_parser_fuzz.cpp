// aio::redis::RespParser: no crash, no unbounded memory, the same replies (or the same error)
// whether the input comes whole, in two pieces or byte by byte, and every reply's strings within
// the bytes fed. The input's first two bytes choose the split point.

#include <string>
#include <vector>

#include "aio/redis/resp_parser.hpp"
#include "fuzz_check.hpp"

namespace {

struct Outcome {
    std::vector<aio::redis::Reply> replies;
    bool error = false;
    bool operator==(const Outcome&) const = default;
};

std::size_t bytes_in(const aio::redis::Reply& r) {
    std::size_t n = r.is_string() ? r.as_string().size() : 0;
    if (r.is_aggregate())
        for (const auto& e : r.as_array()) n += bytes_in(e);
    return n;
}

void drain(aio::redis::RespParser& p, Outcome& o) {
    if (o.error) return;
    try {
        while (auto r = p.next()) o.replies.push_back(std::move(*r));
    } catch (const aio::redis::ProtocolError&) {
        o.error = true;
    }
}

Outcome run(std::string_view input, std::size_t piece) {
    aio::redis::RespLimits limits;
    limits.max_bulk_length = 1 << 20;  // bounded memory under the fuzzer
    limits.max_depth = 16;
    aio::redis::RespParser p(limits);
    Outcome o;
    for (std::size_t at = 0; at < input.size(); at += piece) {
        p.feed(input.substr(at, piece));
        drain(p, o);
    }
    drain(p, o);
    return o;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    const std::size_t cut = (std::size_t(data[0]) << 8 | data[1]) % (size - 1) + 1;
    std::string_view input(reinterpret_cast<const char*>(data) + 2, size - 2);
    Outcome whole = run(input, input.size() + 1);
    std::size_t total = 0;
    for (const auto& r : whole.replies) total += bytes_in(r);
    FUZZ_CHECK(total <= input.size());
    FUZZ_CHECK(run(input, 1) == whole);
    FUZZ_CHECK(run(input, cut) == whole);
    return 0;
}
