#include "redis/connection.hpp"

#include <cerrno>
#include <exception>
#include <utility>

#include "aio/core/os_errors.hpp"
#include "aio/redis/client.hpp"
#include "aio/redis/command.hpp"
#include "aio/time/wait_for.hpp"

namespace aio::redis::detail {

namespace {

Coro<std::pair<StreamReader, StreamWriter>> open_stream(const ConnectionConfig& config) {
    if (!config.unix_path.empty()) {
        std::string path = config.unix_path;
        ConnectOptions opts;  // named: g++ 12 destroys an options temporary inside co_await twice
        co_return co_await open_unix_connection(std::move(path), std::move(opts));
    }
    std::string host = config.host;
    ConnectOptions opts;
    co_return co_await open_connection(std::move(host), config.port, std::move(opts));
}

Coro<std::unique_ptr<Connection>> open_and_handshake(const ConnectionConfig& config, const ClientOptions& options) {
    std::pair<StreamReader, StreamWriter> streams = co_await open_stream(config);
    // From here a failure closes the socket: the unique_ptr's destructor runs as it leaves.
    auto conn = std::make_unique<Connection>(std::move(streams.first), std::move(streams.second), config.describe());
    co_await conn->handshake(config, options);
    co_return conn;
}

}  // namespace

Coro<std::unique_ptr<Connection>> Connection::open(const ConnectionConfig& config, const ClientOptions& options) {
    const std::string where = "connecting to Redis at " + config.describe();
    try {
        auto opening = open_and_handshake(config, options);
        co_return co_await wait_for(std::move(opening), options.connect_timeout);
    } catch (const TimeoutError&) {
        throw TimeoutError(where + " timed out");
    } catch (const ReplyError&) {
        throw;
    } catch (const ProtocolError& e) {
        throw ProtocolError(where + ": " + e.what());
    } catch (const OSError& e) {
        // "connecting to Redis at 127.0.0.1:6390: Connection refused", in the family the OS picked.
        const int err = e.errno_code();
        if (err == ECONNREFUSED) throw ConnectionRefusedError(err, where);
        throw ConnectionError(err, where + (err ? "" : std::string(": ") + e.what()));
    }
}

Connection::Connection(StreamReader reader, StreamWriter writer, std::string peer)
    : reader_(std::move(reader)), writer_(std::move(writer)), peer_(std::move(peer)) {}

Connection::~Connection() { close(); }

void Connection::close() noexcept {
    if (closed_) return;
    closed_ = true;
    try {
        writer_.close();
    } catch (...) {  // closing twice or after the loop closed: nothing left to release
    }
}

void Connection::write(std::string_view bytes) {
    if (closed_ || writer_.is_closing()) throw ConnectionError(ENOTCONN, "Redis connection to " + peer_ + " is closed");
    writer_.write(bytes);
}

Coro<Reply> Connection::read_reply() {
    for (;;) {
        if (auto r = parser_.next()) co_return std::move(*r);
        std::string chunk = co_await reader_.read(64 * 1024);
        if (chunk.empty())
            throw ConnectionError(ECONNRESET, "Redis connection to " + peer_ + " closed by the server");
        parser_.feed(chunk);
    }
}

Coro<void> Connection::handshake(const ConnectionConfig& config, const ClientOptions& options) {
    int expected = 0;
    bool auth_first = false;
    if (options.protocol == 3) {
        CommandBuilder hello;
        hello.args("HELLO", 3);
        if (!config.password.empty())
            hello.args("AUTH", config.username.empty() ? std::string("default") : config.username, config.password);
        write(hello.finish());
        ++expected;
        auth_first = true;
    } else if (options.protocol != 2) {
        throw ValueError("ClientOptions::protocol must be 2 or 3, not " + std::to_string(options.protocol));
    } else if (!config.password.empty()) {
        std::string auth = config.username.empty() ? encode_command("AUTH", config.password)
                                                   : encode_command("AUTH", config.username, config.password);
        write(auth);
        ++expected;
        auth_first = true;
    }
    if (config.db != 0) {
        write(encode_command("SELECT", config.db));
        ++expected;
    }
    // Read every answer before judging, so that the stream is in step whatever failed.
    std::vector<Reply> replies;
    for (int i = 0; i < expected; ++i) replies.push_back(co_await read_reply());
    for (std::size_t i = 0; i < replies.size(); ++i) {
        if (!replies[i].is_error()) continue;
        if (i == 0 && auth_first) throw AuthenticationError(replies[i].as_string());
        throw ReplyError("SELECT " + std::to_string(config.db) + ": " + replies[i].as_string());
    }
}

}  // namespace aio::redis::detail
