// The WebSocket codec alone, no I/O: MessageReader's cost per small message (the ws_echo_c64
// workload's 64-byte text, masked as a client sends it) and its throughput on a 1 MiB masked
// frame, MessageWriter's cost per small message in each role, and permessage-deflate's.
//
//   build/release/bin/gbench_ws_codec [--benchmark_filter=Reader]

#include <benchmark/benchmark.h>

#include <string>

#include "aio/ws/message_reader.hpp"
#include "aio/ws/message_writer.hpp"

namespace {

using namespace aio::ws;

// `count` messages of `size` bytes as a client writes them (masked), in one buffer.
std::string client_wire(std::size_t size, std::size_t count, bool text, std::optional<DeflateParams> deflate = {}) {
    MessageWriter w({.role = Role::client, .deflate = deflate});
    std::string payload(size, 'a');
    for (std::size_t i = 0; i < size; ++i) payload[i] = static_cast<char>('a' + (i * 7) % 26);
    std::string out;
    for (std::size_t i = 0; i < count; ++i) text ? w.text(out, payload) : w.binary(out, payload);
    return out;
}

void ReaderSmallText(benchmark::State& state) {
    const std::string wire = client_wire(64, 1024, true);
    for (auto _ : state) {
        MessageReader reader({.role = Role::server});
        reader.feed(wire);
        while (auto m = reader.next()) benchmark::DoNotOptimize(m->data.data());
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * 1024);
}
BENCHMARK(ReaderSmallText);

void ReaderOneMiBMaskedBinary(benchmark::State& state) {
    const std::string wire = client_wire(1 << 20, 1, false);
    for (auto _ : state) {
        MessageReader reader({.role = Role::server});
        reader.feed(wire);
        auto m = reader.next();
        benchmark::DoNotOptimize(m->data.data());
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * (1 << 20));
}
BENCHMARK(ReaderOneMiBMaskedBinary);

void ReaderOneMiBMaskedText(benchmark::State& state) {
    const std::string wire = client_wire(1 << 20, 1, true);
    for (auto _ : state) {
        MessageReader reader({.role = Role::server});
        reader.feed(wire);
        auto m = reader.next();
        benchmark::DoNotOptimize(m->data.data());
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * (1 << 20));
}
BENCHMARK(ReaderOneMiBMaskedText);

void WriterSmallText(benchmark::State& state) {
    const Role role = state.range(0) ? Role::client : Role::server;
    MessageWriter w({.role = role});
    const std::string payload(64, 'a');
    std::string out;
    for (auto _ : state) {
        out.clear();
        w.text(out, payload);
        benchmark::DoNotOptimize(out.data());
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(WriterSmallText)->Arg(0)->Arg(1);

void DeflateRoundTripSmallText(benchmark::State& state) {
    MessageWriter w({.role = Role::client, .deflate = DeflateParams{}});
    MessageReader r({.role = Role::server, .deflate = DeflateParams{}});
    const std::string payload = "{\"type\":\"chat\",\"room\":\"lobby\",\"text\":\"hello, world\",\"n\":12345}";
    std::string out;
    for (auto _ : state) {
        out.clear();
        w.text(out, payload);
        r.feed(out);
        auto m = r.next();
        benchmark::DoNotOptimize(m->data.data());
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(DeflateRoundTripSmallText);

}  // namespace
