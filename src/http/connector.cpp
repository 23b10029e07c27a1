#include "aio/http/connector.hpp"

#include <deque>
#include <map>

#include "aio/core/exceptions.hpp"
#include "aio/http/client_errors.hpp"
#include "aio/http/url.hpp"
#include "aio/io/connection.hpp"
#include "aio/io/tls.hpp"
#include "aio/sync/semaphore.hpp"
#include "aio/time/timeout.hpp"
#include "http/client_connection.hpp"

namespace aio::http {

namespace detail {

namespace {
thread_local ConnectHook* t_connect_hook = nullptr;

std::optional<TimePoint> earliest(std::optional<TimePoint> a, std::optional<TimePoint> b) {
    if (!a) return b;
    if (!b) return a;
    return std::min(*a, *b);
}

std::optional<TimePoint> after(std::optional<Duration> d) {
    if (!d) return std::nullopt;
    return get_running_loop().time() + *d;
}
}  // namespace

ConnectHook* set_connect_hook(ConnectHook* hook) noexcept { return std::exchange(t_connect_hook, hook); }
ConnectHook* connect_hook() noexcept { return t_connect_hook; }

class ConnectorImpl : public std::enable_shared_from_this<ConnectorImpl> {
public:
    explicit ConnectorImpl(TCPConnectorOptions o)
        : options(std::move(o)), total(options.limit > 0 ? static_cast<std::int64_t>(options.limit) : 0) {}
    ~ConnectorImpl() { close(); }

    Coro<Lease> connect(const URL& url, const ConnectParams& params);
    void put_back(std::shared_ptr<Connection> conn, bool reusable) noexcept;
    /// The connection leaves the pool for good (an upgrade): its permits go back, it stays open.
    void forget(const Connection& conn) noexcept;
    void close() noexcept {
        closed = true;
        idle.clear();  // ~Connection closes each
        cleanup.cancel();
    }

    TCPConnectorOptions options;
    Semaphore total;
    std::map<std::string, std::unique_ptr<Semaphore>> per_host;
    // Most recently released last: the warmest connection is reused first.
    std::deque<std::shared_ptr<Connection>> idle;
    std::size_t made = 0;
    std::size_t acquired = 0;
    bool closed = false;
    TimerHandle cleanup;
    bool cleanup_armed = false;
    std::shared_ptr<SSLContext> default_ssl;
    std::shared_ptr<SSLContext> insecure_ssl;

private:
    std::shared_ptr<Connection> take_idle(const std::string& key);
    Coro<std::shared_ptr<Connection>> open(const URL& url, std::string key, const ConnectParams& params);
    std::shared_ptr<SSLContext> context_for(const ConnectParams& params);
    void arm_cleanup() noexcept;
    void purge() noexcept;
};

std::shared_ptr<Connection> ConnectorImpl::take_idle(const std::string& key) {
    TimePoint now = get_running_loop().time();
    for (auto it = idle.end(); it != idle.begin();) {
        --it;
        Connection& c = **it;
        if (c.key != key) continue;
        auto conn = std::move(*it);
        idle.erase(it);
        bool expired = options.keepalive_timeout && now - c.idle_since >= *options.keepalive_timeout;
        if (!expired && c.protocol->reusable()) return conn;
        // Closed by the server while idle, or idle too long: ~Connection closes it.
        it = idle.end();
    }
    return nullptr;
}

std::shared_ptr<SSLContext> ConnectorImpl::context_for(const ConnectParams& params) {
    if (params.ssl) return params.ssl;
    if (options.ssl) return options.ssl;
    if (!params.verify_ssl || !options.verify_ssl) {
        if (!insecure_ssl) {
            insecure_ssl = SSLContext::create_client_context();
            insecure_ssl->set_check_hostname(false);
            insecure_ssl->set_verify_mode(CERT_NONE);
        }
        return insecure_ssl;
    }
    if (!default_ssl) default_ssl = SSLContext::create_default_context();
    return default_ssl;
}

Coro<std::shared_ptr<Connection>> ConnectorImpl::open(const URL& url, std::string key, const ConnectParams& params) {
    auto conn = std::make_shared<Connection>();
    conn->key = std::move(key);
    std::string host(url.host());
    std::uint16_t port = url.port().value_or(80);
    bool tls = url.scheme() == "https";
    if (ConnectHook* hook = connect_hook()) {
        auto protocol = std::make_shared<ClientProtocol>();
        try {
            conn->transport = hook->open(url.origin(), protocol);
        } catch (const ClientError&) {
            throw;
        } catch (const std::exception&) {
            throw ClientConnectorError(host, port, tls, url.without_credentials().str(), std::current_exception());
        }
        conn->protocol = std::move(protocol);
        ++made;
        co_return conn;
    }
    ConnectOptions copts;
    copts.family = options.family;
    if (tls) copts.ssl = context_for(params);
    auto factory = [] { return std::make_shared<ClientProtocol>(); };
    std::optional<TimePoint> deadline = earliest(params.deadline, after(params.sock_connect));
    try {
        auto connecting = aio::create_connection(factory, host, port, copts);
        // Each co_await is a statement of its own: g++ 12 miscompiles co_await inside a
        // conditional expression (the result is destroyed twice).
        std::pair<std::shared_ptr<Transport>, std::shared_ptr<ClientProtocol>> made_pair;
        if (deadline) {
            auto r = co_await aio::timeout_at(deadline, std::move(connecting));
            made_pair = std::move(r);
        } else {
            auto r = co_await std::move(connecting);
            made_pair = std::move(r);
        }
        conn->transport = std::move(made_pair.first);
        conn->protocol = std::move(made_pair.second);
    } catch (const TimeoutError&) {
        throw;
    } catch (const OSError&) {
        throw ClientConnectorError(host, port, tls, url.without_credentials().str(), std::current_exception());
    }
    ++made;
    co_return conn;
}

Coro<Lease> ConnectorImpl::connect(const URL& url, const ConnectParams& params) {
    if (closed) throw ClientConnectionError("Connector is closed.", url.without_credentials().str());
    // A session dropped while this waits for a permit or a connection must not free the
    // semaphores that the guards below give back when the wait ends (it is cancelled at the
    // latest when the loop shuts down). Declared first, released last.
    std::shared_ptr<ConnectorImpl> self = shared_from_this();
    std::string key(url.scheme());
    key += "://";
    key += url.host_port();
    if (url.scheme() == "https") {
        // Connections made with different TLS settings are not interchangeable.
        key += params.ssl ? "|ctx" + std::to_string(reinterpret_cast<std::uintptr_t>(params.ssl.get()))
                          : (params.verify_ssl ? "|verify" : "|noverify");
    }
    std::optional<TimePoint> deadline = earliest(params.deadline, after(params.connect));
    // The permits: the total first, then the host's. Each guard gives its permit back if a later
    // step fails or is cancelled.
    SemaphoreGuard total_permit;
    if (options.limit > 0) {
        if (deadline) {
            auto permit = co_await aio::timeout_at(deadline, total.acquire());
            total_permit = std::move(permit);
        } else {
            auto permit = co_await total.acquire();
            total_permit = std::move(permit);
        }
    }
    SemaphoreGuard host_permit;
    if (options.limit_per_host > 0) {
        auto& slot = per_host[key];
        if (!slot) slot = std::make_unique<Semaphore>(static_cast<std::int64_t>(options.limit_per_host));
        Semaphore& host_sem = *slot;  // stays in the map while this waits (it is locked, or held)
        if (deadline) {
            auto permit = co_await aio::timeout_at(deadline, host_sem.acquire());
            host_permit = std::move(permit);
        } else {
            auto permit = co_await host_sem.acquire();
            host_permit = std::move(permit);
        }
    }
    if (closed) throw ClientConnectionError("Connector is closed.", url.without_credentials().str());
    std::shared_ptr<Connection> conn = take_idle(key);
    if (!conn) {
        ConnectParams p = params;
        p.deadline = deadline;
        conn = co_await open(url, key, p);
    }
    // The lease gives the permits back through put_back().
    total_permit.detach();
    host_permit.detach();
    ++acquired;
    co_return Lease(std::move(self), std::move(conn));
}

void ConnectorImpl::put_back(std::shared_ptr<Connection> conn, bool reusable) noexcept {
    forget(*conn);
    if (reusable && !closed && !options.force_close && conn->protocol->reusable()) {
        conn->protocol->drop_buffer();
        conn->reused = true;
        try {
            conn->idle_since = get_running_loop().time();
            idle.push_back(std::move(conn));
            arm_cleanup();
        } catch (...) {
            // Out of memory or no loop: the connection is closed, not pooled.
        }
        return;
    }
    conn->close();
}

void ConnectorImpl::forget(const Connection& conn) noexcept {
    --acquired;
    if (options.limit > 0) total.release();
    if (options.limit_per_host > 0) {
        auto it = per_host.find(conn.key);
        if (it != per_host.end()) {
            it->second->release();
            // A host nobody waits for and nobody uses costs nothing: a crawler's map stays small.
            if (!it->second->locked() && it->second->value() == static_cast<std::int64_t>(options.limit_per_host))
                per_host.erase(it);
        }
    }
}

void ConnectorImpl::arm_cleanup() noexcept {
    if (cleanup_armed || !options.keepalive_timeout) return;
    cleanup_armed = true;
    std::weak_ptr<ConnectorImpl> weak = weak_from_this();
    cleanup = get_running_loop().call_later(*options.keepalive_timeout, [weak] {
        if (auto self = weak.lock()) {
            self->cleanup_armed = false;
            self->purge();
        }
    });
}

void ConnectorImpl::purge() noexcept {
    TimePoint now = get_running_loop().time();
    std::erase_if(idle, [&](const std::shared_ptr<Connection>& c) {
        return now - c->idle_since >= *options.keepalive_timeout || !c->protocol->reusable();
    });
    if (!idle.empty()) arm_cleanup();
}

void Lease::release(bool reusable) noexcept {
    if (!conn_) return;
    auto pool = std::move(pool_);
    auto conn = std::move(conn_);
    if (pool) {
        pool->put_back(std::move(conn), reusable);
    } else {
        conn->close();
    }
}

Lease::Detached Lease::detach() noexcept {
    Detached out;
    if (!conn_) return out;
    auto pool = std::move(pool_);
    auto conn = std::move(conn_);
    if (pool) pool->forget(*conn);
    out.tail = std::string(conn->protocol->unread());
    out.transport = std::move(conn->transport);  // ~Connection has nothing left to close
    return out;
}

}  // namespace detail

TCPConnector::TCPConnector(TCPConnectorOptions options)
    : impl_(std::make_shared<detail::ConnectorImpl>(std::move(options))) {}

TCPConnector::~TCPConnector() { impl_->close(); }

void TCPConnector::close() noexcept { impl_->close(); }
bool TCPConnector::closed() const noexcept { return impl_->closed; }
std::size_t TCPConnector::limit() const noexcept { return impl_->options.limit; }
std::size_t TCPConnector::limit_per_host() const noexcept { return impl_->options.limit_per_host; }
std::size_t TCPConnector::connections_made() const noexcept { return impl_->made; }
std::size_t TCPConnector::idle_connections() const noexcept { return impl_->idle.size(); }
std::size_t TCPConnector::acquired_connections() const noexcept { return impl_->acquired; }

Coro<detail::Lease> TCPConnector::connect(const URL& url, const detail::ConnectParams& params) {
    return impl_->connect(url, params);
}

}  // namespace aio::http
