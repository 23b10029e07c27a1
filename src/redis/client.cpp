#include "aio/redis/client.hpp"

#include <cerrno>
#include <iostream>

#include "aio/core/os_errors.hpp"
#include "aio/time/wait_for.hpp"
#include "redis/client_core.hpp"

namespace aio::redis {

namespace detail {

namespace {

ConnectionError closed_error() { return ConnectionError(ENOTCONN, "the Redis client is closed"); }

// Delivers replies in order until the connection ends; then fails whatever still waits.
Coro<void> read_loop(std::shared_ptr<ClientCore> core, Connection* conn) {
    try {
        for (;;) {
            Reply r = co_await conn->read_reply();
            if (r.type() == ReplyType::push) continue;  // RESP3 out-of-band data (client tracking): not a reply
            if (core->pending.empty())
                throw ProtocolError("a reply from " + conn->peer() + " that no command is waiting for: " +
                                    r.to_debug_string());
            Future<Reply> f = std::move(core->pending.front());
            core->pending.pop_front();
            if (!f.done()) f.set_result(std::move(r));
        }
    } catch (const CancelledError&) {
        if (core->conn.get() == conn) core->fail_all(std::make_exception_ptr(closed_error()));
        throw;
    } catch (...) {
        if (core->conn.get() == conn) core->fail_all(std::current_exception());
    }
}

}  // namespace

void ClientCore::adopt(std::unique_ptr<Connection> c) {
    conn = std::move(c);
    auto loop = read_loop(shared_from_this(), conn.get());
    reader.emplace(create_task(std::move(loop), "aio.redis reader"));
}

Coro<void> ClientCore::ensure_connected() {
    if (closed) throw closed_error();
    if (conn) co_return;
    // One reconnect for all the commands that find the connection gone.
    auto guard = co_await connecting.acquire();
    if (!conn && !closed) {
        auto c = co_await Connection::open(config, options);
        if (closed) throw closed_error();
        adopt(std::move(c));
    }
    if (closed) throw closed_error();
}

Future<Reply> ClientCore::enqueue(std::string command) {
    Future<Reply> f;
    outbuf += command;
    pending.push_back(f);
    if (!flush_scheduled) {
        flush_scheduled = true;
        // One write for every command issued in this loop iteration.
        get_running_loop().call_soon([self = shared_from_this()] { self->flush(); });
    }
    return f;
}

void ClientCore::flush() noexcept {
    flush_scheduled = false;
    if (outbuf.empty()) return;
    std::string bytes = std::move(outbuf);
    outbuf.clear();
    if (!conn) return;  // fail_all already failed the futures these bytes belonged to
    try {
        conn->write(bytes);
    } catch (...) {
        fail_all(std::current_exception());
    }
}

void ClientCore::fail_all(std::exception_ptr error) noexcept {
    std::deque<Future<Reply>> waiting = std::move(pending);
    pending.clear();
    outbuf.clear();
    if (conn) {
        conn->close();
        // The reader task holds the raw pointer until it returns: keep the object alive until
        // the task is done with it.
        std::shared_ptr<Connection> dying(std::move(conn));
        if (reader && !reader->done()) reader->add_done_callback([dying](const Task<void>&) {});
    }
    for (auto& f : waiting)
        if (!f.done()) f.set_exception(error);
}

void ClientCore::close() noexcept {
    if (closed) return;
    closed = true;
    fail_all(std::make_exception_ptr(closed_error()));
    if (reader && !reader->done()) reader->cancel();
    idle_blocking.clear();
}

}  // namespace detail

Redis::Redis(std::shared_ptr<detail::ClientCore> core) noexcept : core_(std::move(core)) {}
Redis::Redis(Redis&&) noexcept = default;
Redis& Redis::operator=(Redis&& o) noexcept {
    if (this != &o) {
        if (core_) core_->close();
        core_ = std::move(o.core_);
    }
    return *this;
}
Redis::~Redis() {
    if (core_) core_->close();
}

Coro<Redis> Redis::connect(ConnectionConfig config, ClientOptions options) {
    auto core = std::make_shared<detail::ClientCore>(std::move(config), options);
    auto conn = co_await detail::Connection::open(core->config, core->options);
    core->adopt(std::move(conn));
    co_return Redis(std::move(core));
}

Coro<Redis> connect(std::string_view url, ClientOptions options) {
    return Redis::connect(ConnectionConfig::from_url(url), options);
}

Coro<Reply> Redis::execute_encoded(std::string command) {
    if (!core_) throw InvalidStateError("execute() on a moved-from Redis");
    std::shared_ptr<detail::ClientCore> core = core_;
    co_await core->ensure_connected();
    Future<Reply> f = core->enqueue(std::move(command));
    Reply r;
    if (core->options.command_timeout)
        r = co_await wait_for(f, core->options.command_timeout);
    else
        r = co_await f;
    r.throw_if_error();
    co_return r;
}

Coro<Reply> Redis::execute_blocking(std::string command, std::optional<Duration> timeout) {
    if (!core_) throw InvalidStateError("execute_blocking() on a moved-from Redis");
    std::shared_ptr<detail::ClientCore> core = core_;
    if (core->closed) throw detail::closed_error();
    SemaphoreGuard slot;  // held until the command's connection is back in the pool or closed
    if (core->options.max_blocking_connections > 0) {
        if (!core->blocking_slots)
            core->blocking_slots = std::make_unique<Semaphore>(static_cast<std::int64_t>(core->options.max_blocking_connections));
        auto permit = co_await core->blocking_slots->acquire();
        slot = std::move(permit);
        if (core->closed) throw detail::closed_error();
    }
    std::unique_ptr<detail::Connection> conn;
    if (!core->idle_blocking.empty()) {
        conn = std::move(core->idle_blocking.back());
        core->idle_blocking.pop_back();
    } else {
        conn = co_await detail::Connection::open(core->config, core->options);
    }
    // A connection goes back to the pool only after a whole exchange: one left mid-reply (a
    // timeout, a cancellation) is closed, so the next user never reads someone else's answer.
    conn->write(command);
    // The server answers a blocking command when its own timeout ends; ours waits that long
    // plus the command timeout (1 s without one) for the answer to arrive.
    std::optional<Duration> bound = timeout;
    if (bound) *bound += core->options.command_timeout.value_or(std::chrono::seconds(1));
    auto reading = conn->read_reply();
    Reply r = co_await wait_for(std::move(reading), bound);
    if (!core->closed && core->idle_blocking.size() < core->options.blocking_pool_size)
        core->idle_blocking.push_back(std::move(conn));
    r.throw_if_error();
    co_return r;
}

Coro<std::int64_t> Redis::int_command(std::string command) {
    Reply r = co_await execute_encoded(std::move(command));
    co_return r.as_int();
}

Coro<std::optional<std::string>> Redis::optional_string_command(std::string command) {
    Reply r = co_await execute_encoded(std::move(command));
    if (r.is_nil()) co_return std::nullopt;
    co_return r.as_string();
}

Coro<std::string> Redis::ping() {
    std::string command = encode_command("PING");
    Reply r = co_await execute_encoded(std::move(command));
    co_return r.as_string();
}

Coro<std::optional<std::string>> Redis::get(std::string_view key) {
    return optional_string_command(encode_command("GET", key));
}

Coro<bool> Redis::set(std::string_view key, std::string_view value, SetOptions options) {
    if (options.nx && options.xx) throw ValueError("SET: nx and xx together can never set");
    if (options.ex && options.px) throw ValueError("SET: ex and px together");
    CommandBuilder b;
    b.args("SET", key, value);
    if (options.ex) b.args("EX", static_cast<std::int64_t>(options.ex->count()));
    if (options.px) b.args("PX", static_cast<std::int64_t>(options.px->count()));
    if (options.nx) b.arg("NX");
    if (options.xx) b.arg("XX");
    if (options.keepttl) b.arg("KEEPTTL");
    std::string command = b.finish();
    Reply r = co_await execute_encoded(std::move(command));
    co_return !r.is_nil();
}

Coro<std::int64_t> Redis::incr(std::string_view key) { return int_command(encode_command("INCR", key)); }
Coro<std::int64_t> Redis::incrby(std::string_view key, std::int64_t by) {
    return int_command(encode_command("INCRBY", key, by));
}

Coro<bool> Redis::expire(std::string_view key, std::chrono::seconds ttl) {
    std::string command = encode_command("EXPIRE", key, static_cast<std::int64_t>(ttl.count()));
    Reply r = co_await execute_encoded(std::move(command));
    co_return r.as_bool();
}

Coro<std::int64_t> Redis::ttl(std::string_view key) { return int_command(encode_command("TTL", key)); }

Coro<std::int64_t> Redis::hset(std::string_view key, std::string_view field, std::string_view value) {
    return int_command(encode_command("HSET", key, field, value));
}

Coro<std::int64_t> Redis::hset(std::string_view key, FieldList mapping) {
    if (mapping.size() == 0) throw ValueError("HSET needs at least one field");
    CommandBuilder b;
    b.args("HSET", key);
    for (const auto& [f, v] : mapping) b.args(f, v);
    return int_command(b.finish());
}

Coro<std::optional<std::string>> Redis::hget(std::string_view key, std::string_view field) {
    return optional_string_command(encode_command("HGET", key, field));
}

namespace {
std::vector<std::pair<std::string, std::string>> pairs_of(const Reply& r) {
    const auto& flat = r.as_array();
    if (flat.size() % 2) throw ProtocolError("a field/value list of odd length " + std::to_string(flat.size()));
    std::vector<std::pair<std::string, std::string>> out;
    out.reserve(flat.size() / 2);
    for (std::size_t i = 0; i < flat.size(); i += 2) out.emplace_back(flat[i].as_string(), flat[i + 1].as_string());
    return out;
}

std::optional<std::pair<std::string, std::string>> popped(const Reply& r) {
    if (r.is_nil()) return std::nullopt;
    const auto& kv = r.as_array();
    if (kv.size() != 2) throw ProtocolError("BRPOP answered " + r.to_debug_string());
    return std::pair(kv[0].as_string(), kv[1].as_string());
}

std::optional<Duration> blocking_bound(std::chrono::duration<double> timeout) {
    if (timeout.count() <= 0) return std::nullopt;
    return std::chrono::duration_cast<Duration>(timeout);
}
}  // namespace

Coro<std::vector<std::pair<std::string, std::string>>> Redis::hgetall(std::string_view key) {
    std::string command = encode_command("HGETALL", key);
    Reply r = co_await execute_encoded(std::move(command));
    co_return pairs_of(r);
}

Coro<std::optional<std::pair<std::string, std::string>>> Redis::brpop(std::string_view key,
                                                                      std::chrono::duration<double> timeout) {
    std::vector<std::string> keys{std::string(key)};
    co_return co_await brpop(keys, timeout);
}

Coro<std::optional<std::pair<std::string, std::string>>> Redis::brpop(const std::vector<std::string>& keys,
                                                                      std::chrono::duration<double> timeout) {
    if (keys.empty()) throw ValueError("BRPOP needs at least one key");
    std::string command = encode_command("BRPOP", keys, timeout.count());
    Reply r = co_await execute_blocking(std::move(command), blocking_bound(timeout));
    co_return popped(r);
}

Coro<std::string> Redis::xadd(std::string_view stream, FieldList fields, std::string_view id) {
    if (fields.size() == 0) throw ValueError("XADD needs at least one field");
    CommandBuilder b;
    b.args("XADD", stream, id);
    for (const auto& [f, v] : fields) b.args(f, v);
    std::string command = b.finish();
    Reply r = co_await execute_encoded(std::move(command));
    co_return r.as_string();
}

Coro<bool> Redis::xgroup_create(std::string_view stream, std::string_view group, std::string_view id, bool mkstream) {
    CommandBuilder b;
    b.args("XGROUP", "CREATE", stream, group, id);
    if (mkstream) b.arg("MKSTREAM");
    std::string command = b.finish();
    try {
        co_await execute_encoded(std::move(command));
    } catch (const ReplyError& e) {
        if (e.code() == "BUSYGROUP") co_return false;
        throw;
    }
    co_return true;
}

Coro<std::vector<StreamEntry>> Redis::xreadgroup(std::string_view group, std::string_view consumer,
                                                 std::string_view stream, std::string_view id,
                                                 ReadGroupOptions options) {
    CommandBuilder b;
    b.args("XREADGROUP", "GROUP", group, consumer);
    if (options.count) b.args("COUNT", *options.count);
    if (options.block) b.args("BLOCK", static_cast<std::int64_t>(options.block->count()));
    if (options.noack) b.arg("NOACK");
    b.args("STREAMS", stream, id);
    std::string command = b.finish();
    Reply r;
    if (options.block) {
        std::optional<Duration> bound;
        if (options.block->count() > 0) bound = std::chrono::duration_cast<Duration>(*options.block);
        r = co_await execute_blocking(std::move(command), bound);
    } else {
        r = co_await execute_encoded(std::move(command));
    }
    std::vector<StreamEntry> out;
    if (r.is_nil()) co_return out;
    // RESP2: [[stream, [[id, [f, v, ...]], ...]]]; RESP3: {stream: [[id, [f, v ...]], ...]}.
    const auto& streams = r.as_array();
    const std::size_t step = r.type() == ReplyType::map ? 2 : 1;
    for (std::size_t i = 0; i < streams.size(); i += step) {
        const Reply& entries = step == 2 ? streams[i + 1] : streams[i].as_array().at(1);
        if (entries.is_nil()) continue;
        for (const auto& e : entries.as_array()) {
            const auto& parts = e.as_array();
            if (parts.size() != 2) throw ProtocolError("a stream entry of " + e.to_debug_string());
            StreamEntry entry;
            entry.id = parts[0].as_string();
            if (!parts[1].is_nil()) entry.fields = pairs_of(parts[1]);  // nil: deleted since delivered
            out.push_back(std::move(entry));
        }
    }
    co_return out;
}

Coro<std::int64_t> Redis::publish(std::string_view channel, std::string_view message) {
    return int_command(encode_command("PUBLISH", channel, message));
}

void Redis::set_reconnect_callback(std::function<void(const std::string&)> callback) {
    core_->on_reconnect = std::move(callback);
}

Coro<void> Redis::aclose() {
    if (!core_) co_return;
    std::shared_ptr<detail::ClientCore> core = core_;
    core->close();
    if (core->reader && !core->reader->done()) {
        try {
            co_await *core->reader;
        } catch (const CancelledError&) {
            // The reader ended by our cancel; a cancellation of this task itself arrives at its next await.
        }
    }
}

bool Redis::is_closed() const noexcept { return !core_ || core_->closed; }
const ConnectionConfig& Redis::config() const noexcept { return core_->config; }

}  // namespace aio::redis
