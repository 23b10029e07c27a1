#pragma once
// The stream transport over one file descriptor: TCP and Unix sockets, socketpairs, pipes and
// character devices. asyncio's _SelectorSocketTransport and _UnixRead/WritePipeTransport in one
// class, since only the syscalls differ.
//
// The hot path: the fd stays registered (level-triggered) for reading while the protocol reads,
// so a request/response costs one read, one write and a share of epoll_wait; write() sends at once
// when nothing is buffered, and asks to hear of writability only while bytes wait.
//
// Lifetime: the transport keeps itself alive (self_) from start() until connection_lost() has
// been delivered; the fd is closed right after it. Stale events for a transport that is closing
// only find the flags set, never freed memory, because the self-reference is dropped by a
// callback that runs after the poll that could still carry them.

#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <string>

#include "aio/core/event_loop.hpp"
#include "aio/core/future.hpp"
#include "aio/io/transport.hpp"
#include "backend/backend.hpp"
#include "io/registration.hpp"
#include "sys/syscall.hpp"

namespace aio {
class Server;
}

namespace aio::io {

class FdTransport final : public Transport, public backend::IoWatcher {
public:
    enum class Kind : std::uint8_t { socket, read_pipe, write_pipe, duplex_pipe };

    FdTransport(EventLoop& loop, sys::Fd fd, std::shared_ptr<BaseProtocol> protocol, Kind kind);
    ~FdTransport() override;

    /// Calls connection_made() on the next iteration, then starts reading; sets `waiter` (if
    /// any) once connection_made() has returned, or fails it with what connection_made() threw.
    void start(std::optional<Future<void>> waiter = std::nullopt);

    // BaseTransport
    void close() override;
    bool is_closing() const noexcept override { return closing_; }
    std::any get_extra_info(std::string_view name) const override;
    std::shared_ptr<BaseProtocol> get_protocol() const override { return protocol_; }
    void set_protocol(std::shared_ptr<BaseProtocol> protocol) override;
    // ReadTransport
    bool is_reading() const noexcept override { return reading_ && !closing_; }
    void pause_reading() override;
    void resume_reading() override;
    // WriteTransport
    void write(std::string_view data) override;
    void writelines(std::span<const std::string_view> pieces) override;
    void write_eof() override;
    bool can_write_eof() const noexcept override { return kind_ != Kind::read_pipe; }
    void abort() override;
    std::size_t get_write_buffer_size() const noexcept override { return wbuf_.size() - wpos_; }
    void set_write_buffer_limits(std::size_t high, std::size_t low) override;
    std::pair<std::size_t, std::size_t> get_write_buffer_limits() const noexcept override {
        return {high_, low_};
    }

    /// loop.sendfile()'s native path: once the write buffer has drained, sends `count` bytes
    /// (to EOF if none) of the regular file `file_fd` from `offset` with sendfile(2), then sets
    /// the file's position after the last byte sent. write() raises RuntimeError meanwhile;
    /// close() and write_eof() wait for it as for buffered bytes. The future fails with
    /// SendfileNotAvailableError if sendfile(2) refused the first byte (the caller falls back).
    Future<std::size_t> start_sendfile(int file_fd, std::uint64_t offset, std::optional<std::size_t> count);

    int fd() const noexcept { return fd_.get(); }
    /// The server that accepted this connection: told when the connection is lost.
    void attach_server(Server* server) noexcept { server_ = server; }
    EventLoop& loop() const noexcept { return *loop_; }

    void on_io(backend::Event::Set events) noexcept override;

private:
    void read_ready() noexcept;
    void write_ready() noexcept;
    long send_bytes(const char* data, std::size_t n) noexcept;
    void update_watch() noexcept;
    void fatal_error(std::exception_ptr exc, const char* what) noexcept;
    void force_close(std::exception_ptr exc) noexcept;
    void schedule_connection_lost(std::exception_ptr exc) noexcept;
    void call_connection_lost(std::exception_ptr exc) noexcept;
    void maybe_pause_protocol() noexcept;
    void maybe_resume_protocol() noexcept;
    void report(const char* message, std::exception_ptr exc) noexcept;
    bool sendfile_step() noexcept;
    void finish_sendfile(std::exception_ptr exc) noexcept;
    bool can_read() const noexcept { return kind_ != Kind::write_pipe; }

    EventLoop* loop_;
    sys::Fd fd_;
    std::shared_ptr<BaseProtocol> protocol_;
    Protocol* stream_protocol_;  // protocol_ as a Protocol, or null (a write pipe's BaseProtocol)
    BufferedProtocol* buffered_protocol_;  // protocol_ as a BufferedProtocol: reads go into its buffer
    std::shared_ptr<BaseTransport> self_;
    Server* server_ = nullptr;
    std::string wbuf_;
    std::size_t wpos_ = 0;
    std::size_t high_ = 64 * 1024;
    std::size_t low_ = 16 * 1024;
    mutable SocketAddress peername_, sockname_;
    Registration reg_;
    unsigned writes_after_close_ = 0;
    Kind kind_;
    bool started_ = false;
    bool reading_ = true;
    bool eof_ = false;            // the peer's EOF was read
    bool closing_ = false;
    bool eof_pending_ = false;    // write_eof() called; shutdown once the buffer drains
    bool eof_written_ = false;
    bool protocol_paused_ = false;
    bool lost_scheduled_ = false;

    struct SendfileJob {
        int file;
        std::uint64_t start;   // offset of the first byte
        std::uint64_t offset;  // of the next byte
        std::optional<std::size_t> remaining;  // none: to EOF
        Future<std::size_t> done;
    };
    std::optional<SendfileJob> sendfile_;
};

}  // namespace aio::io
