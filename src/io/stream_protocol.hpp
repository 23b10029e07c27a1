#pragma once
// The insides of StreamReader/StreamWriter and asyncio's StreamReaderProtocol, which connects a
// transport to them. Pipes and subprocesses build their streams from these too.

#include <coroutine>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "aio/core/detail/task_base.hpp"
#include "aio/core/future.hpp"
#include "aio/io/streams.hpp"

namespace aio::detail {

class DataWaiter;

struct StreamReaderState {
    explicit StreamReaderState(std::size_t lim) : limit(lim) {}

    std::size_t buffered() const noexcept { return buf.size() - pos; }
    std::string_view view() const noexcept { return std::string_view(buf).substr(pos); }
    /// Removes and returns the first `n` buffered bytes (n <= buffered()).
    std::string take(std::size_t n);
    /// Drops the first `n` buffered bytes.
    void consume(std::size_t n) noexcept;
    void wake_waiter() noexcept;
    void maybe_resume_transport() noexcept;

    std::string buf;
    std::size_t pos = 0;  // bytes of buf already read
    std::size_t limit;
    std::exception_ptr exc;
    ReadTransport* transport = nullptr;
    DataWaiter* waiter = nullptr;
    bool eof = false;
    bool paused = false;
};

/// Suspends the reading task until data, EOF or an error arrives (asyncio's _wait_for_data).
class DataWaiter final : public SuspendPoint {
public:
    DataWaiter(StreamReaderState& s, const char* func) noexcept : s_(&s), func_(func) {}
    DataWaiter(const DataWaiter&) = delete;
    DataWaiter& operator=(const DataWaiter&) = delete;
    ~DataWaiter() {
        if (s_->waiter == this) s_->waiter = nullptr;
    }

    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> h);
    void await_resume();
    void wake() noexcept {
        s_->waiter = nullptr;
        task_->wake();
    }
    bool cancel_wait(const std::string&) noexcept override {
        s_->waiter = nullptr;
        cancelled_ = true;
        task_->wake();
        return true;
    }
    std::string describe_wait() const override { return std::string("StreamReader.") + func_; }

private:
    StreamReaderState* s_;
    const char* func_;
    bool cancelled_ = false;
};

/// asyncio's StreamReaderProtocol: feeds the reader, runs the server's callback, and carries
/// drain() and wait_closed() waiters.
class StreamReaderProtocol final : public Protocol,
                                   public std::enable_shared_from_this<StreamReaderProtocol> {
public:
    StreamReaderProtocol(std::optional<StreamReader> reader, ClientConnectedCallback* callback = nullptr);

    void connection_made(Transport& t) override;
    void connection_lost(std::exception_ptr exc) override;
    void data_received(std::string_view data) override;
    bool eof_received() override;
    void pause_writing() override { paused_ = true; }
    void resume_writing() override;

    /// The drain() logic: returns at once unless the transport paused writing.
    Coro<void> drain_helper();
    Coro<void> wait_closed();
    Transport* transport() const noexcept { return transport_; }
    /// After start_tls: read and write through the TLS transport from now on.
    void replace_transport(Transport* t) noexcept {
        transport_ = t;
        if (reader_) reader_->set_transport(t);
    }
    bool connection_lost_seen() const noexcept { return lost_; }

private:
    static Coro<void> run_client(ClientConnectedCallback* cb, StreamReader reader, StreamWriter writer);

    std::optional<StreamReader> reader_;
    ClientConnectedCallback* callback_;
    Transport* transport_ = nullptr;
    std::vector<Future<void>> drain_waiters_;
    std::vector<Future<void>> closed_waiters_;
    std::exception_ptr lost_exc_;
    bool paused_ = false;
    bool lost_ = false;
};

struct StreamWriterState {
    ~StreamWriterState();

    std::shared_ptr<Transport> transport;
    std::shared_ptr<StreamReaderProtocol> protocol;
    std::optional<StreamReader> reader;
};

}  // namespace aio::detail
