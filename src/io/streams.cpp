#include "aio/io/streams.hpp"

#include <algorithm>

#include "aio/core/os_errors.hpp"
#include "aio/core/task.hpp"
#include "aio/io/connection.hpp"
#include "aio/io/server.hpp"
#include "aio/time/sleep.hpp"
#include "io/stream_protocol.hpp"

namespace aio {

IncompleteReadError::IncompleteReadError(std::string partial, std::optional<std::size_t> expected)
    : std::runtime_error(std::to_string(partial.size()) + " bytes read on a total of " +
                         (expected ? std::to_string(*expected) : std::string("undefined")) + " expected bytes"),
      partial_(std::move(partial)),
      expected_(expected) {}

namespace detail {

// ---- the reader's state ---------------------------------------------------------------------

std::string StreamReaderState::take(std::size_t n) {
    std::string out;
    if (pos == 0 && n == buf.size()) {
        out.swap(buf);  // the whole buffer: hand it over without copying
    } else {
        out.assign(buf, pos, n);
        consume(n);
    }
    maybe_resume_transport();
    return out;
}

void StreamReaderState::consume(std::size_t n) noexcept {
    pos += n;
    if (pos == buf.size()) {
        buf.clear();
        pos = 0;
    } else if (pos > 4096 && pos * 2 > buf.size()) {
        buf.erase(0, pos);
        pos = 0;
    }
}

void StreamReaderState::wake_waiter() noexcept {
    if (waiter) waiter->wake();
}

void StreamReaderState::maybe_resume_transport() noexcept {
    if (paused && buffered() <= limit && transport) {
        paused = false;
        try {
            transport->resume_reading();
        } catch (...) {
        }
    }
}

void DataWaiter::await_suspend(std::coroutine_handle<> h) {
    // asyncio: "read() called while another coroutine is already waiting for incoming data".
    if (s_->waiter)
        throw RuntimeError(std::string(func_) + "() called while another task is already waiting for incoming data");
    if (s_->paused && s_->transport) {
        // The buffer is over the limit yet the reader wants more (e.g. readexactly(n) with a big n).
        s_->paused = false;
        s_->transport->resume_reading();
    }
    suspend_here(h);
    s_->waiter = this;
}

void DataWaiter::await_resume() {
    resume_check();
    if (cancelled_) throw task_->make_cancelled_error();
}

// ---- the protocol ---------------------------------------------------------------------------

StreamReaderProtocol::StreamReaderProtocol(std::optional<StreamReader> reader, ClientConnectedCallback* callback)
    : reader_(std::move(reader)), callback_(callback) {}

void StreamReaderProtocol::connection_made(Transport& t) {
    transport_ = &t;
    if (reader_) reader_->set_transport(&t);
    if (callback_) {
        StreamWriter writer(std::dynamic_pointer_cast<Transport>(t.shared_from_this()), shared_from_this(),
                            reader_);
        create_task(run_client(callback_, *reader_, std::move(writer)), "client_connected_cb");
    }
}

Coro<void> StreamReaderProtocol::run_client(ClientConnectedCallback* cb, StreamReader reader, StreamWriter writer) {
    std::exception_ptr failure;
    try {
        co_await (*cb)(reader, writer);
    } catch (const CancelledError&) {
        writer.transport()->abort();
        throw;
    } catch (...) {
        failure = std::current_exception();
    }
    if (failure) {
        ExceptionContext ctx;
        ctx.message = "Unhandled exception in client_connected_cb";
        ctx.exception = failure;
        get_running_loop().call_exception_handler(ctx);
        writer.transport()->close();
    }
}

void StreamReaderProtocol::connection_lost(std::exception_ptr exc) {
    lost_ = true;
    lost_exc_ = exc;
    if (reader_) {
        if (exc)
            reader_->set_exception(exc);
        else
            reader_->feed_eof();
        reader_->set_transport(nullptr);
    }
    for (auto& w : drain_waiters_)
        if (!w.done()) w.set_result();
    drain_waiters_.clear();
    for (auto& w : closed_waiters_)
        if (!w.done()) w.set_result();
    closed_waiters_.clear();
    transport_ = nullptr;
}

void StreamReaderProtocol::data_received(std::string_view data) {
    if (reader_) reader_->feed_data(data);
}

bool StreamReaderProtocol::eof_received() {
    if (reader_) reader_->feed_eof();
    return true;  // keep the writing side open: the reader decides when to close (asyncio)
}

void StreamReaderProtocol::resume_writing() {
    paused_ = false;
    for (auto& w : drain_waiters_)
        if (!w.done()) w.set_result();
    drain_waiters_.clear();
}

Coro<void> StreamReaderProtocol::drain_helper() {
    while (!lost_ && paused_) {
        auto fut = get_running_loop().create_future<void>();
        drain_waiters_.push_back(fut);
        co_await fut;
    }
    if (lost_) throw ConnectionResetError(ECONNRESET, "Connection lost");
}

Coro<void> StreamReaderProtocol::wait_closed() {
    if (!lost_) {
        auto fut = get_running_loop().create_future<void>();
        closed_waiters_.push_back(fut);
        co_await fut;
    }
    if (lost_exc_) std::rethrow_exception(lost_exc_);
}

StreamWriterState::~StreamWriterState() {
    // The last handle is gone: nobody can write or close any more, so close now (Python's
    // StreamWriter.__del__ does the same when the writer is collected).
    if (transport && !transport->is_closing()) {
        try {
            transport->close();
        } catch (...) {
        }
    }
}

}  // namespace detail

// ---- StreamReader -----------------------------------------------------------------------------

StreamReader::StreamReader(std::size_t limit) {
    if (limit == 0) throw ValueError("StreamReader limit must be > 0");
    s_ = std::make_shared<detail::StreamReaderState>(limit);
}

bool StreamReader::at_eof() const noexcept { return s_->eof && s_->buffered() == 0; }
std::exception_ptr StreamReader::exception() const noexcept { return s_->exc; }
std::size_t StreamReader::limit() const noexcept { return s_->limit; }
std::size_t StreamReader::buffered() const noexcept { return s_->buffered(); }

void StreamReader::feed_data(std::string_view data) {
    if (s_->eof) throw InvalidStateError("feed_data after feed_eof");
    if (data.empty()) return;
    s_->buf.append(data);
    s_->wake_waiter();
    if (s_->transport && !s_->paused && s_->buffered() > 2 * s_->limit) {
        try {
            s_->transport->pause_reading();
            s_->paused = true;
        } catch (...) {
            // a transport that cannot pause: keep buffering
        }
    }
}

void StreamReader::feed_eof() {
    s_->eof = true;
    s_->wake_waiter();
}

void StreamReader::set_exception(std::exception_ptr exc) {
    s_->exc = std::move(exc);
    s_->wake_waiter();
}

void StreamReader::set_transport(ReadTransport* transport) noexcept { s_->transport = transport; }

Coro<std::string> StreamReader::read(std::ptrdiff_t n) {
    auto s = s_;  // the handle may be a temporary: keep the state for the whole read
    if (s->exc) std::rethrow_exception(s->exc);
    if (n == 0) co_return std::string();
    if (n < 0) {
        while (!s->eof) {
            co_await detail::DataWaiter(*s, "read");
            if (s->exc) std::rethrow_exception(s->exc);
        }
        co_return s->take(s->buffered());
    }
    if (s->buffered() == 0 && !s->eof) {
        co_await detail::DataWaiter(*s, "read");
        if (s->exc && s->buffered() == 0) std::rethrow_exception(s->exc);
    }
    co_return s->take(std::min(static_cast<std::size_t>(n), s->buffered()));
}

Coro<std::string> StreamReader::readexactly(std::size_t n) {
    auto s = s_;
    if (s->exc) std::rethrow_exception(s->exc);
    if (n == 0) co_return std::string();
    while (s->buffered() < n) {
        if (s->eof) {
            std::string partial = s->take(s->buffered());
            throw IncompleteReadError(std::move(partial), n);
        }
        co_await detail::DataWaiter(*s, "readexactly");
        if (s->exc) std::rethrow_exception(s->exc);
    }
    co_return s->take(n);
}

Coro<std::string> StreamReader::readuntil(std::string separator) {
    auto s = s_;
    if (separator.empty()) throw ValueError("Separator should be at least one-byte string");
    if (s->exc) std::rethrow_exception(s->exc);
    const std::size_t seplen = separator.size();
    std::size_t offset = 0;
    for (;;) {
        std::string_view v = s->view();
        if (v.size() - offset >= seplen) {
            std::size_t idx = v.find(separator, offset);
            if (idx != std::string_view::npos) {
                if (idx + seplen > s->limit)  // asyncio compares the separator's start with the limit
                    throw LimitOverrunError("Separator is found, but chunk is longer than limit", idx);
                co_return s->take(idx + seplen);
            }
            offset = v.size() + 1 - seplen;
            if (offset > s->limit)
                throw LimitOverrunError("Separator is not found, and chunk exceed the limit", offset);
        }
        if (s->eof) {
            std::string chunk = s->take(s->buffered());
            throw IncompleteReadError(std::move(chunk), std::nullopt);
        }
        co_await detail::DataWaiter(*s, "readuntil");
        if (s->exc) std::rethrow_exception(s->exc);
    }
}

Coro<std::string> StreamReader::readline() {
    auto s = s_;
    std::optional<std::string> partial;
    std::optional<LimitOverrunError> overrun;
    try {
        co_return co_await readuntil("\n");
    } catch (const IncompleteReadError& e) {
        partial = e.partial();
    } catch (const LimitOverrunError& e) {
        overrun = e;
    }
    if (partial) co_return std::move(*partial);
    // Drop the overlong line (or everything, if its end is not here yet), as asyncio does.
    std::string_view v = s->view();
    if (v.substr(overrun->consumed()).starts_with('\n'))
        s->consume(overrun->consumed() + 1);
    else
        s->consume(v.size());
    s->maybe_resume_transport();
    throw ValueError(overrun->what());
}

// ---- StreamWriter -----------------------------------------------------------------------------

StreamWriter::StreamWriter(std::shared_ptr<Transport> transport,
                           std::shared_ptr<detail::StreamReaderProtocol> protocol, std::optional<StreamReader> reader)
    : s_(std::make_shared<detail::StreamWriterState>()) {
    s_->transport = std::move(transport);
    s_->protocol = std::move(protocol);
    s_->reader = std::move(reader);
}

void StreamWriter::write(std::string_view data) { s_->transport->write(data); }
void StreamWriter::writelines(std::span<const std::string_view> pieces) { s_->transport->writelines(pieces); }
void StreamWriter::write_eof() { s_->transport->write_eof(); }
bool StreamWriter::can_write_eof() const noexcept { return s_->transport->can_write_eof(); }
void StreamWriter::close() { s_->transport->close(); }
bool StreamWriter::is_closing() const noexcept { return s_->transport->is_closing(); }
std::any StreamWriter::get_extra_info(std::string_view name) const { return s_->transport->get_extra_info(name); }
std::shared_ptr<Transport> StreamWriter::transport() const { return s_->transport; }

Coro<void> StreamWriter::drain() {
    auto s = s_;
    if (s->reader) {
        if (auto exc = s->reader->exception()) std::rethrow_exception(exc);
    }
    if (s->transport->is_closing() && !s->protocol->connection_lost_seen()) {
        // Let connection_lost() run first, so a closed connection raises below instead of
        // drain() returning as if the bytes had gone out (asyncio does the same sleep(0)).
        co_await sleep(std::chrono::seconds(0));
    }
    co_await s->protocol->drain_helper();
}

Coro<void> StreamWriter::start_tls(std::shared_ptr<SSLContext> context, StartTlsOptions options) {
    auto s = s_;
    if (s->reader && s->reader->buffered() != 0)
        throw RuntimeError("start_tls() with unread data in the reader: it would be read as plain text");
    co_await drain();
    auto tls = co_await aio::start_tls(s->transport, s->protocol, std::move(context), options);
    s->transport = std::move(tls);
    s->protocol->replace_transport(s->transport.get());
}

Coro<void> StreamWriter::wait_closed() {
    auto s = s_;
    co_await s->protocol->wait_closed();
}

// ---- connecting and serving -----------------------------------------------------------------

namespace {

std::pair<StreamReader, StreamWriter> make_streams(std::shared_ptr<Transport> t,
                                                  std::shared_ptr<detail::StreamReaderProtocol> p,
                                                  StreamReader reader) {
    StreamWriter writer(std::move(t), std::move(p), reader);
    return {std::move(reader), std::move(writer)};
}

}  // namespace

Coro<std::pair<StreamReader, StreamWriter>> open_connection(std::string host, std::uint16_t port,
                                                            ConnectOptions opts) {
    StreamReader reader(opts.limit);
    // Named, not inline: see detail::erase_factory about g++ 12 and lambdas inside co_await.
    auto factory = [reader] { return std::make_shared<detail::StreamReaderProtocol>(reader); };
    auto [t, p] = co_await create_connection(std::move(factory), std::move(host), port, std::move(opts));
    co_return make_streams(std::move(t), std::move(p), std::move(reader));
}

Coro<std::pair<StreamReader, StreamWriter>> open_unix_connection(std::string path, ConnectOptions opts) {
    StreamReader reader(opts.limit);
    auto factory = [reader] { return std::make_shared<detail::StreamReaderProtocol>(reader); };
    auto [t, p] = co_await create_unix_connection(std::move(factory), std::move(path), std::move(opts));
    co_return make_streams(std::move(t), std::move(p), std::move(reader));
}

namespace {

// The callback lives as long as the server: the factory (owned by the server) owns it.
detail::ProtocolFactory stream_factory(ClientConnectedCallback cb, std::size_t limit) {
    auto shared_cb = std::make_shared<ClientConnectedCallback>(std::move(cb));
    return [shared_cb, limit]() -> std::shared_ptr<BaseProtocol> {
        auto p = std::make_shared<detail::StreamReaderProtocol>(StreamReader(limit), shared_cb.get());
        return p;
    };
}

}  // namespace

Coro<std::shared_ptr<Server>> start_server(ClientConnectedCallback client_connected_cb, std::string host,
                                           std::uint16_t port, ServerOptions opts) {
    if (!client_connected_cb) throw ValueError("start_server: empty client_connected_cb");
    auto factory = stream_factory(std::move(client_connected_cb), opts.limit);
    co_return co_await detail::create_server_impl(std::move(factory), std::move(host), port, std::move(opts));
}

Coro<std::shared_ptr<Server>> start_unix_server(ClientConnectedCallback client_connected_cb, std::string path,
                                                ServerOptions opts) {
    if (!client_connected_cb) throw ValueError("start_unix_server: empty client_connected_cb");
    auto factory = stream_factory(std::move(client_connected_cb), opts.limit);
    co_return co_await detail::create_unix_server_impl(std::move(factory), std::move(path), std::move(opts));
}

}  // namespace aio
