// The `echo` workload's aio server (shared/BENCHMARKS.md), in both styles, written as an asyncio
// user would write it (compare shared/peers/asyncio/echo_server.py):
//
//   echo_server PORT [--mode streams|protocol]
//
// streams : aio::start_server + StreamReader::read / StreamWriter::write + drain
// protocol: aio::create_server with a Protocol whose data_received writes back
// Binds 127.0.0.1 only; runs until SIGTERM or SIGINT, then closes the server and exits 0.

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "aio/aio.hpp"
#include "aio/io/signals.hpp"

namespace {

struct EchoProtocol : aio::Protocol {
    aio::Transport* transport = nullptr;
    void connection_made(aio::Transport& t) override { transport = &t; }
    void data_received(std::string_view data) override { transport->write(data); }
};

aio::Coro<void> handle_stream(aio::StreamReader reader, aio::StreamWriter writer) {
    try {
        for (;;) {
            std::string data = co_await reader.read(65536);
            if (data.empty()) break;
            writer.write(data);
            co_await writer.drain();
        }
    } catch (const aio::ConnectionError&) {
    }
    writer.close();
}

aio::Coro<int> serve(std::uint16_t port, bool streams) {
    std::shared_ptr<aio::Server> server;
    if (streams)
        server = co_await aio::start_server(handle_stream, "127.0.0.1", port, {.backlog = 4096});
    else
        server = co_await aio::create_server([] { return std::make_shared<EchoProtocol>(); }, "127.0.0.1", port,
                                             {.backlog = 4096});
    auto& loop = aio::get_running_loop();
    auto stop = loop.create_future<void>();
    for (int sig : {SIGTERM, SIGINT})
        aio::add_signal_handler(loop, sig, [stop]() mutable {
            if (!stop.done()) stop.set_result();
        });
    std::printf("serving on %s (%s)\n", server->sockets().at(0).to_string().c_str(), streams ? "streams" : "protocol");
    std::fflush(stdout);
    co_await stop;
    server->close();
    server->abort_clients();
    co_await server->wait_closed();
    co_return 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: echo_server PORT [--mode streams|protocol]\n");
        return 2;
    }
    int port = std::atoi(argv[1]);
    bool streams = true;
    for (int i = 2; i < argc; ++i) {
        if (std::strcmp(argv[i], "--mode") == 0 && i + 1 < argc) {
            std::string m = argv[++i];
            if (m != "streams" && m != "protocol") {
                std::fprintf(stderr, "echo_server: --mode must be streams or protocol\n");
                return 2;
            }
            streams = m == "streams";
        }
    }
    if (port < 0 || port > 65535) {
        std::fprintf(stderr, "echo_server: bad port %s\n", argv[1]);
        return 2;
    }
    return aio::run(serve(static_cast<std::uint16_t>(port), streams));
}
