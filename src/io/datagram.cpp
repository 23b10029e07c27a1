// The datagram transport (asyncio's _SelectorDatagramTransport): receives while readable,
// sends at once when nothing is queued, queues whole datagrams otherwise.

#include "aio/io/datagram.hpp"

#include <cerrno>
#include <deque>

#include "aio/core/future.hpp"
#include "aio/core/os_errors.hpp"
#include "io/fd_wait.hpp"
#include "io/registration.hpp"
#include "io/socket_ops.hpp"
#include "io/transport_start.hpp"
#include "sys/errors.hpp"

namespace aio {

namespace io {

namespace {

class DatagramFdTransport final : public DatagramTransport, public backend::IoWatcher {
public:
    DatagramFdTransport(EventLoop& loop, sys::Fd fd, std::shared_ptr<BaseProtocol> protocol,
                        std::optional<SocketAddress> remote)
        : loop_(&loop),
          fd_(std::move(fd)),
          protocol_(std::move(protocol)),
          dgram_(dynamic_cast<DatagramProtocol*>(protocol_.get())),
          remote_(std::move(remote)),
          reg_(loop, this) {}

    ~DatagramFdTransport() override { reg_.clear(fd_.get()); }

    void start(Future<void> waiter) {
        self_ = shared_from_this();
        auto closed_error = [] { return ConnectionAbortedError(ECONNABORTED, "endpoint closed"); };
        auto lose = [this](std::exception_ptr, bool) { force_close(nullptr); };
        auto ready = [this] { update_watch(); };
        connection_made_soon({*loop_, *this, protocol_, closing_, started_}, std::move(waiter),
                             closed_error, lose, ready);
    }

    void close() override {
        if (closing_) return;
        closing_ = true;
        update_watch();
        if (queue_.empty()) schedule_lost(nullptr);
    }
    bool is_closing() const noexcept override { return closing_; }
    std::any get_extra_info(std::string_view name) const override {
        if (!fd_) return {};
        if (name == "socket") return fd_.get();
        if (name == "sockname") return local_address(fd_.get());
        if (name == "peername") return remote_ ? std::any(*remote_) : std::any();
        return {};
    }
    std::shared_ptr<BaseProtocol> get_protocol() const override { return protocol_; }
    void set_protocol(std::shared_ptr<BaseProtocol> p) override {
        if (!p) throw ValueError("set_protocol(): null protocol");
        protocol_ = std::move(p);
        dgram_ = dynamic_cast<DatagramProtocol*>(protocol_.get());
    }

    void sendto(std::string_view data, const SocketAddress& addr) override {
        if (remote_ && !addr.empty() && !(addr == *remote_))
            throw ValueError("Invalid address: must be empty or " + remote_->to_string());
        if (!remote_ && addr.empty()) throw ValueError("sendto() needs an address on an unconnected endpoint");
        if (closing_ || lost_) return;
        if (queue_.empty()) {
            long n = send_one(data, addr);
            if (n >= 0) return;
            int err = static_cast<int>(-n);
            if (err != EAGAIN && err != EWOULDBLOCK) {
                error(err, "sendto");
                return;
            }
        }
        queue_.emplace_back(std::string(data), addr);
        queued_bytes_ += data.size();
        update_watch();
    }
    void abort() override { force_close(nullptr); }
    std::size_t get_write_buffer_size() const noexcept override { return queued_bytes_; }

    void on_io(backend::Event::Set events) noexcept override {
        using backend::Event;
        if (lost_) return;
        if (events & Event::writable) flush();
        if ((events & (Event::readable | Event::error)) && !closing_) receive();
    }

private:
    long send_one(std::string_view data, const SocketAddress& addr) noexcept {
        if (addr.empty() || remote_)
            return sys::retry_eintr([&] { return ::send(fd_.get(), data.data(), data.size(), MSG_NOSIGNAL); });
        return sys::retry_eintr(
            [&] { return ::sendto(fd_.get(), data.data(), data.size(), MSG_NOSIGNAL, addr.data(), addr.size()); });
    }

    void flush() noexcept {
        while (!queue_.empty()) {
            auto& [data, addr] = queue_.front();
            long n = send_one(data, addr);
            if (n < 0) {
                int err = static_cast<int>(-n);
                if (err == EAGAIN || err == EWOULDBLOCK) return;
                error(err, "sendto");
            }
            queued_bytes_ -= data.size();
            queue_.pop_front();
        }
        update_watch();
        if (closing_) schedule_lost(nullptr);
    }

    void receive() noexcept {
        static constexpr std::size_t kMax = 256 * 1024;
        thread_local std::unique_ptr<char[]> buf(new char[kMax]);
        // A bounded batch per wake-up: a flood on one endpoint cannot starve the loop.
        for (int i = 0; i < 64 && !closing_ && !lost_; ++i) {
            SocketAddress from;
            socklen_t len = SocketAddress::capacity();
            long n = sys::retry_eintr([&] { return ::recvfrom(fd_.get(), buf.get(), kMax, 0, from.data(), &len); });
            if (n < 0) {
                int err = static_cast<int>(-n);
                if (err == EAGAIN || err == EWOULDBLOCK) return;
                error(err, "recvfrom");
                continue;
            }
            from.set_size(len);
            if (remote_ && from.empty()) from = *remote_;
            try {
                if (dgram_) dgram_->datagram_received(std::string_view(buf.get(), static_cast<std::size_t>(n)), from);
            } catch (...) {
                ExceptionContext ctx;
                ctx.message = "protocol.datagram_received() failed";
                ctx.exception = std::current_exception();
                loop_->call_exception_handler(ctx);
                force_close(ctx.exception);
                return;
            }
        }
    }

    // asyncio hands OSErrors of a datagram socket to error_received() and keeps the endpoint open.
    void error(int err, const char* what) noexcept {
        auto exc = sys::make_os_error(err, what);
        try {
            if (dgram_) dgram_->error_received(exc);
        } catch (...) {
            ExceptionContext ctx;
            ctx.message = "protocol.error_received() failed";
            ctx.exception = std::current_exception();
            loop_->call_exception_handler(ctx);
        }
    }

    void update_watch() noexcept {
        if (lost_ || !started_) return;
        using backend::Interest;
        Interest::Set want = (closing_ ? Interest::none : Interest::readable) |
                             (queue_.empty() ? Interest::none : Interest::writable);
        try {
            reg_.set(fd_.get(), want);
        } catch (...) {
            ExceptionContext ctx;
            ctx.message = "cannot watch the datagram socket";
            ctx.exception = std::current_exception();
            loop_->call_exception_handler(ctx);
            force_close(ctx.exception);
        }
    }

    void force_close(std::exception_ptr exc) noexcept {
        queue_.clear();
        queued_bytes_ = 0;
        closing_ = true;
        schedule_lost(std::move(exc));
    }

    void schedule_lost(std::exception_ptr exc) noexcept {
        if (lost_) return;
        lost_ = true;
        reg_.clear(fd_.get());
        auto deliver = [this, exc] {
            auto keep = std::move(self_);
            if (started_) {
                try {
                    protocol_->connection_lost(exc);
                } catch (...) {
                    ExceptionContext ctx;
                    ctx.message = "protocol.connection_lost() failed";
                    ctx.exception = std::current_exception();
                    loop_->call_exception_handler(ctx);
                }
            }
            fd_.reset();
        };
        try {
            loop_->call_soon(deliver);
        } catch (...) {
            deliver();
        }
    }

    EventLoop* loop_;
    sys::Fd fd_;
    std::shared_ptr<BaseProtocol> protocol_;
    DatagramProtocol* dgram_;
    std::optional<SocketAddress> remote_;
    std::shared_ptr<BaseTransport> self_;
    std::deque<std::pair<std::string, SocketAddress>> queue_;
    std::size_t queued_bytes_ = 0;
    Registration reg_;
    bool started_ = false;
    bool closing_ = false;
    bool lost_ = false;
};

}  // namespace

}  // namespace io

namespace detail {

Coro<DatagramPair> create_datagram_endpoint_impl(ProtocolFactory factory, DatagramOptions opts) {
    int family = opts.family;
    if (opts.local_addr) family = opts.local_addr->family();
    if (opts.remote_addr) {
        if (opts.local_addr && opts.local_addr->family() != opts.remote_addr->family())
            throw ValueError("local_addr and remote_addr are of different families");
        family = opts.remote_addr->family();
    }
    if (family == AF_UNSPEC) throw ValueError("create_datagram_endpoint: give local_addr, remote_addr or family");
    sys::Fd fd = io::open_socket(family, SOCK_DGRAM);
    int one = 1;
    if (opts.reuse_port && ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) < 0)
        sys::raise_os_error(errno, "setsockopt(SO_REUSEPORT)");
    if (opts.allow_broadcast && ::setsockopt(fd.get(), SOL_SOCKET, SO_BROADCAST, &one, sizeof one) < 0)
        sys::raise_os_error(errno, "setsockopt(SO_BROADCAST)");
    if (opts.local_addr) io::bind_to(fd.get(), *opts.local_addr);
    if (opts.remote_addr && ::connect(fd.get(), opts.remote_addr->data(), opts.remote_addr->size()) < 0)
        sys::raise_os_error(errno, "connect(" + opts.remote_addr->to_string() + ")");
    EventLoop& loop = get_running_loop();
    auto protocol = factory();
    auto t = std::make_shared<io::DatagramFdTransport>(loop, std::move(fd), protocol, opts.remote_addr);
    auto waiter = loop.create_future<void>();
    t->start(waiter);
    co_await io::await_started(std::move(waiter), *t);
    co_return DatagramPair{std::move(t), std::move(protocol)};
}

}  // namespace detail
}  // namespace aio
