// A TCP echo server and client, in both of asyncio's styles (streams and Protocol), with the
// graceful shutdown of seed 003: on SIGTERM, SIGINT or SIGHUP the server stops accepting, cancels
// every connection's task, waits for them, and exits 0.
//
//   example_tcp_echo server [--port 0] [--mode streams|protocol]
//   example_tcp_echo client --port P [--mode streams|protocol] LINE...
//
// The server prints "listening on HOST:PORT" once it accepts, "connection from HOST:PORT" per
// client, and "shut down (N connections were open)" when it is done; the client prints each echoed line.

#include <csignal>
#include <cstdio>
#include <string>
#include <vector>

#include "aio/aio.hpp"
#include "aio/io/signals.hpp"
#include "common/args.hpp"

namespace {

// ---- the streams style: async def handle(reader, writer) -------------------------------------

void say_connected(const std::any& peer) {
    std::printf("connection from %s\n", std::any_cast<aio::SocketAddress>(peer).to_string().c_str());
    std::fflush(stdout);
}

aio::Coro<void> handle(aio::StreamReader reader, aio::StreamWriter writer) {
    say_connected(writer.get_extra_info("peername"));
    for (;;) {
        std::string line = co_await reader.readline();  // CancelledError here at shutdown
        if (line.empty()) break;                          // the client closed
        writer.write(line);
        co_await writer.drain();
    }
    writer.close();
    co_await writer.wait_closed();
}

// ---- the Protocol style: class EchoProtocol(asyncio.Protocol) --------------------------------

struct EchoProtocol : aio::Protocol {
    aio::Transport* transport = nullptr;
    void connection_made(aio::Transport& t) override {
        transport = &t;
        say_connected(t.get_extra_info("peername"));
    }
    void data_received(std::string_view data) override { transport->write(data); }
};

aio::Coro<int> serve(std::uint16_t port, bool streams) {
    auto& loop = aio::get_running_loop();
    std::shared_ptr<aio::Server> server;
    if (streams)
        server = co_await aio::start_server(handle, "127.0.0.1", port);
    else
        server = co_await aio::create_server([] { return std::make_shared<EchoProtocol>(); }, "127.0.0.1", port);

    aio::Event stop;
    for (int sig : {SIGTERM, SIGINT, SIGHUP}) aio::add_signal_handler(loop, sig, [&stop] { stop.set(); });
    std::printf("listening on %s (%s)\n", server->sockets().at(0).to_string().c_str(),
                streams ? "streams" : "protocol");
    std::fflush(stdout);

    co_await stop.wait();
    // Graceful shutdown: stop accepting, cancel every other task, wait for them (errors
    // collected, not raised), close what is left.
    std::size_t open = server->active_connections();
    server->close();
    std::vector<aio::AnyTask> others;
    for (auto& t : aio::all_tasks())
        if (!(t == aio::current_task())) others.push_back(t);
    for (auto& t : others) t.cancel();
    for (auto& t : others) {
        try {
            co_await t;
        } catch (...) {  // cancelled, or failed: either way it is over
        }
    }
    server->close_clients();
    co_await server->wait_closed();
    std::printf("shut down (%zu connections were open)\n", open);
    co_return 0;
}

// ---- the client, both styles -------------------------------------------------------------------

struct LineClient : aio::Protocol {
    std::string received;
    aio::Event done;
    std::size_t expected = 0;
    void connection_made(aio::Transport&) override {}
    void data_received(std::string_view data) override {
        received.append(data);
        if (received.size() >= expected) done.set();
    }
    void connection_lost(std::exception_ptr) override { done.set(); }
};

aio::Coro<int> client(std::uint16_t port, bool streams, std::vector<std::string> lines) {
    if (streams) {
        auto [reader, writer] = co_await aio::open_connection("127.0.0.1", port);
        for (const auto& l : lines) {
            writer.write(l + "\n");
            co_await writer.drain();
            std::string echoed = co_await reader.readline();
            std::printf("echo: %s", echoed.c_str());
        }
        writer.close();
        co_await writer.wait_closed();
    } else {
        std::size_t total = 0;
        for (const auto& l : lines) total += l.size() + 1;
        auto factory = [total] {
            auto p = std::make_shared<LineClient>();
            p->expected = total;
            return p;
        };
        auto [transport, protocol] = co_await aio::create_connection(factory, "127.0.0.1", port);
        for (const auto& l : lines) transport->write(l + "\n");
        co_await protocol->done.wait();
        std::size_t pos = 0;
        while (pos < protocol->received.size()) {
            std::size_t nl = protocol->received.find('\n', pos);
            std::printf("echo: %s\n", protocol->received.substr(pos, nl - pos).c_str());
            pos = nl == std::string::npos ? protocol->received.size() : nl + 1;
        }
        transport->close();
    }
    co_return 0;
}

const char* const kUsage =
    "example_tcp_echo server [--port 0] [--mode streams|protocol] | "
    "example_tcp_echo client --port P [--mode streams|protocol] LINE...";

struct Options {
    bool server = true;
    std::uint16_t port = 0;
    bool streams = true;
    std::vector<std::string> lines;
};

Options parse(int argc, char** argv) {
    Options opt;
    example::Args args(argc, argv);
    if (args.done()) throw example::UsageError(std::string("server or client? (usage: ") + kUsage + ")");
    std::string role = args.next();
    if (role != "server" && role != "client") args.unknown(kUsage);
    opt.server = role == "server";
    while (!args.done()) {
        std::string a = args.next();
        if (a == "--port") {
            opt.port = static_cast<std::uint16_t>(args.number(0, 65535));
        } else if (a == "--mode") {
            std::string m = args.value();
            if (m != "streams" && m != "protocol")
                throw example::UsageError("--mode: expected streams or protocol, got '" + m + "'");
            opt.streams = m == "streams";
        } else if (a.rfind("--", 0) == 0 || opt.server) {
            args.unknown(kUsage);
        } else {
            opt.lines.push_back(a);
        }
    }
    if (!opt.server && opt.port == 0) throw example::UsageError("client: --port P is required (the server's port)");
    return opt;
}

}  // namespace

int main(int argc, char** argv) {
    Options opt;
    try {
        opt = parse(argc, argv);
    } catch (const example::UsageError& e) {
        return example::usage_error(argv[0], e);
    }
    // A failure (nothing listening at the port, the port taken) is one line on stderr, exit 1:
    // "example_tcp_echo: connect(127.0.0.1:1): Connection refused".
    if (opt.server) return aio::run_main(argv[0], serve(opt.port, opt.streams));
    return aio::run_main(argv[0], client(opt.port, opt.streams, opt.lines));
}
