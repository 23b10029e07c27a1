#pragma once
// A loopback HTTP server for the client's tests: it parses each request with aio's RequestParser
// and answers with the raw bytes a handler returns, so a test can send well-formed, malformed,
// truncated or slow responses. It counts accepted connections and records the requests.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "aio/aio.hpp"
#include "aio/http/headers.hpp"
#include "aio/http/parser.hpp"

namespace aio_http_client_test {

using namespace std::chrono_literals;

struct SeenRequest {
    std::string method;
    std::string target;
    aio::http::Headers headers;
    std::string body;
    std::size_t connection = 0;  // which accepted connection carried it (1, 2, ...)
};

struct Reply {
    std::string bytes;                           // written as they are
    bool close_after = false;                    // close the connection once written
    std::chrono::milliseconds delay{0};          // wait this long before writing
    bool hang = false;                           // never answer
};

inline std::string response(int status, std::string_view reason, std::string_view body,
                            std::string_view extra_headers = "") {
    std::string s = "HTTP/1.1 " + std::to_string(status) + " " + std::string(reason) + "\r\n";
    s += extra_headers;
    s += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
    s += body;
    return s;
}

inline std::string ok(std::string_view body, std::string_view extra_headers = "") {
    return response(200, "OK", body, extra_headers);
}

class TestServer {
public:
    using Handler = std::function<Reply(const SeenRequest&)>;

    struct Conn : aio::Protocol {
        TestServer* server = nullptr;
        aio::Transport* t = nullptr;
        std::string buf;
        std::size_t id = 0;
        std::vector<aio::TimerHandle> timers;
        void connection_made(aio::Transport& tr) override {
            t = &tr;
            id = ++server->accepted;
            ++server->open;
            server->peak_open = std::max(server->peak_open, server->open);
        }
        void connection_lost(std::exception_ptr) override {
            --server->open;
            for (auto& h : timers) h.cancel();
            t = nullptr;
        }
        void data_received(std::string_view d) override {
            buf += d;
            for (;;) {
                aio::http::RequestParser parser;
                if (parser.parse(buf) != aio::http::ParseStatus::complete) return;
                const auto& head = parser.head();
                aio::http::BodyDecoder body(head);
                std::string_view rest = std::string_view(buf).substr(parser.head_size());
                std::string content;
                std::size_t used = parser.head_size();
                while (!body.done() && !body.failed()) {
                    auto step = body.decode(rest);
                    if (step.consumed == 0) return;  // the body is not all here yet
                    content += step.data;
                    rest.remove_prefix(step.consumed);
                    used += step.consumed;
                }
                SeenRequest r{std::string(head.method), std::string(head.target), {}, content, id};
                for (const auto& f : head.headers) r.headers.add(f.name, f.value);
                buf.erase(0, used);
                server->requests.push_back(r);
                Reply reply = server->handler(r);
                if (reply.hang) return;
                if (reply.delay.count() > 0) {
                    timers.push_back(aio::get_running_loop().call_later(reply.delay, [this, reply] { send(reply); }));
                } else {
                    send(reply);
                }
                if (!t) return;
            }
        }
        void send(const Reply& reply) {
            if (!t) return;
            t->write(reply.bytes);
            if (reply.close_after) t->close();
        }
    };

    explicit TestServer(Handler h) : handler(std::move(h)) {}

    /// Listens on a free loopback port (with TLS if `options.ssl` is set).
    aio::Coro<void> start(aio::ServerOptions options = {}) {
        auto factory = [this] {
            auto c = std::make_shared<Conn>();
            c->server = this;
            return c;
        };
        scheme_ = options.ssl ? "https" : "http";
        server_ = co_await aio::create_server(factory, "127.0.0.1", 0, options);
    }
    /// Closes the listener and every connection, and waits for them.
    aio::Coro<void> stop() {
        server_->close();
        server_->close_clients();
        co_await aio::wait_for(server_->wait_closed(), 5s);
    }
    std::uint16_t port() const { return server_->sockets().at(0).port(); }
    std::string url(std::string_view path = "/") const {
        return scheme_ + "://127.0.0.1:" + std::to_string(port()) + std::string(path);
    }

    Handler handler;
    std::vector<SeenRequest> requests;
    std::size_t accepted = 0;
    std::size_t open = 0;
    std::size_t peak_open = 0;

private:
    std::shared_ptr<aio::Server> server_;
    std::string scheme_ = "http";
};

}  // namespace aio_http_client_test
