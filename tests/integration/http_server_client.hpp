#pragma once
// What the http server tests share: a raw client on a real socket (it writes bytes exactly as
// given, so tests can send malformed requests and odd splits) that reads responses with a small
// strict reader of its own, and the fixture that starts an aio::http::Server on 127.0.0.1:0.

#include <gtest/gtest.h>

#include <cctype>
#include <map>
#include <string>

#include "aio/http/server.hpp"
#include "support/io_fixture.hpp"

namespace http_test {

using namespace std::chrono_literals;

struct RawResponse {
    int status = 0;
    std::string head;  // the status line and fields, as received
    std::map<std::string, std::string> fields;  // lower-case names; the last value wins
    std::string body;
    bool chunked = false;
    std::string field(const std::string& name) const {
        auto it = fields.find(name);
        return it == fields.end() ? std::string() : it->second;
    }
};

inline std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

class RawClient {
public:
    RawClient(aio::StreamReader r, aio::StreamWriter w) : reader(std::move(r)), writer(std::move(w)) {}

    static aio::Coro<RawClient> connect(std::uint16_t port) {
        auto [r, w] = co_await aio::open_connection("127.0.0.1", port);
        co_return RawClient(std::move(r), std::move(w));
    }

    aio::Coro<void> send(std::string bytes) {
        writer.write(bytes);
        co_await writer.drain();
    }

    /// One response; a HEAD's has no body whatever its fields say.
    aio::Coro<RawResponse> response(bool head_request = false) {
        RawResponse resp;
        for (;;) {
            resp = RawResponse{};
            resp.head = co_await aio::wait_for(reader.readuntil("\r\n\r\n"), 5s);
            resp.status = std::stoi(resp.head.substr(9, 3));
            std::size_t pos = resp.head.find("\r\n") + 2;
            while (pos < resp.head.size() - 2) {
                std::size_t end = resp.head.find("\r\n", pos);
                std::string line = resp.head.substr(pos, end - pos);
                std::size_t colon = line.find(':');
                std::string value = line.substr(colon + 1);
                while (!value.empty() && value.front() == ' ') value.erase(0, 1);
                resp.fields[lower(line.substr(0, colon))] = value;
                pos = end + 2;
            }
            if (resp.status != 100) break;  // an interim response: the real one follows
        }
        if (head_request || resp.status == 204 || resp.status == 304) co_return resp;
        if (lower(resp.field("transfer-encoding")) == "chunked") {
            resp.chunked = true;
            for (;;) {
                std::string size_line = co_await aio::wait_for(reader.readuntil("\r\n"), 5s);
                std::size_t n = std::stoul(size_line, nullptr, 16);
                if (n == 0) {
                    co_await aio::wait_for(reader.readexactly(2), 5s);
                    break;
                }
                resp.body += co_await aio::wait_for(reader.readexactly(n), 5s);
                co_await aio::wait_for(reader.readexactly(2), 5s);
            }
        } else if (!resp.field("content-length").empty()) {
            std::size_t n = std::stoul(resp.field("content-length"));
            resp.body = co_await aio::wait_for(reader.readexactly(n), 5s);
        } else {
            resp.body = co_await aio::wait_for(reader.read(), 5s);
        }
        co_return resp;
    }

    /// True if the server closed the connection (EOF or reset) within `limit`; what came before
    /// the end is dropped.
    aio::Coro<bool> closed_by_server(aio::Duration limit = std::chrono::seconds(3)) {
        try {
            auto until_eof = [this]() -> aio::Coro<void> {
                while (!(co_await reader.read(64 * 1024)).empty()) {
                }
            };
            co_await aio::wait_for(until_eof(), limit);
            co_return true;
        } catch (const aio::TimeoutError&) {
            co_return false;
        } catch (const aio::ConnectionError&) {
            co_return true;
        }
    }

    aio::Coro<void> close() {
        writer.close();
        try {
            co_await writer.wait_closed();
        } catch (const aio::ConnectionError&) {
        }
    }

    aio::StreamReader reader;
    aio::StreamWriter writer;
};

inline std::string get(std::string_view path, std::string_view extra = {}) {
    std::string r = "GET ";
    r.append(path);
    r.append(" HTTP/1.1\r\nHost: test\r\n");
    r.append(extra);
    r.append("\r\n");
    return r;
}

class HttpServerTest : public aio_io_test::IoTest {};

}  // namespace http_test
