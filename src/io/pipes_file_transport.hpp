#pragma once
// Transports for descriptors that epoll refuses (regular files, /dev/null and other devices
// without poll support), so that connect_read_pipe / connect_write_pipe and stdin work with
// `prog < file` and `prog > file`.
//
// FileReadTransport: a task reads 64 KiB at a time in the default executor (the read blocks a
// worker thread, never the loop) and hands each chunk to data_received() on the loop thread. One
// read is in flight at a time; pause_reading() holds the next one back. The descriptor is shared
// with the job in flight, so close() never closes it under a running read().
//
// FileWriteTransport: write() writes through at once (a regular file never answers EAGAIN, so
// there is nothing to buffer); the buffer is always empty and pause_writing() never comes.
//
// Both keep themselves alive (self_) from start() until connection_lost() was delivered, as
// FdTransport does.

#include <memory>
#include <optional>

#include "aio/core/event_loop.hpp"
#include "aio/core/future.hpp"
#include "aio/core/task.hpp"
#include "aio/io/transport.hpp"
#include "aio/sync/event.hpp"
#include "sys/syscall.hpp"

namespace aio::io {

class FileReadTransport final : public Transport {
public:
    FileReadTransport(EventLoop& loop, sys::Fd fd, std::shared_ptr<BaseProtocol> protocol);

    /// connection_made() on the next iteration, then reading starts; sets `waiter` after
    /// connection_made() returned (or fails it with what it threw).
    void start(Future<void> waiter);

    void close() override;
    bool is_closing() const noexcept override { return closing_; }
    std::any get_extra_info(std::string_view name) const override;
    std::shared_ptr<BaseProtocol> get_protocol() const override { return protocol_; }
    void set_protocol(std::shared_ptr<BaseProtocol> protocol) override;
    bool is_reading() const noexcept override { return reading_ && !closing_; }
    void pause_reading() override;
    void resume_reading() override;
    // A read transport: writing is refused.
    void write(std::string_view data) override;
    void write_eof() override;
    bool can_write_eof() const noexcept override { return false; }
    void abort() override { close(); }
    std::size_t get_write_buffer_size() const noexcept override { return 0; }
    void set_write_buffer_limits(std::size_t high, std::size_t low) override;
    std::pair<std::size_t, std::size_t> get_write_buffer_limits() const noexcept override { return {0, 0}; }

private:
    static Coro<void> read_loop(std::shared_ptr<FileReadTransport> self);
    void lose(std::exception_ptr exc) noexcept;
    void report(const char* message, std::exception_ptr exc) noexcept;

    EventLoop* loop_;
    std::shared_ptr<sys::Fd> fd_;
    std::shared_ptr<BaseProtocol> protocol_;
    std::shared_ptr<FileReadTransport> self_;
    std::optional<Task<void>> reader_;
    Event resumed_;
    bool started_ = false;  // connection_made() ran: connection_lost() is due
    bool reading_ = true;
    bool closing_ = false;
    bool lost_ = false;
};

class FileWriteTransport final : public Transport {
public:
    FileWriteTransport(EventLoop& loop, sys::Fd fd, std::shared_ptr<BaseProtocol> protocol);

    void start(Future<void> waiter);

    void close() override;
    bool is_closing() const noexcept override { return closing_; }
    std::any get_extra_info(std::string_view name) const override;
    std::shared_ptr<BaseProtocol> get_protocol() const override { return protocol_; }
    void set_protocol(std::shared_ptr<BaseProtocol> protocol) override;
    // A write transport: there is nothing to read.
    bool is_reading() const noexcept override { return false; }
    void pause_reading() override {}
    void resume_reading() override {}
    void write(std::string_view data) override;
    void write_eof() override { close(); }
    bool can_write_eof() const noexcept override { return true; }
    void abort() override { close(); }
    std::size_t get_write_buffer_size() const noexcept override { return 0; }
    void set_write_buffer_limits(std::size_t high, std::size_t low) override;
    std::pair<std::size_t, std::size_t> get_write_buffer_limits() const noexcept override { return {high_, low_}; }

private:
    void lose(std::exception_ptr exc) noexcept;

    EventLoop* loop_;
    sys::Fd fd_;
    std::shared_ptr<BaseProtocol> protocol_;
    std::shared_ptr<FileWriteTransport> self_;
    std::size_t high_ = 64 * 1024, low_ = 16 * 1024;
    bool started_ = false;
    bool closing_ = false;
    bool lost_ = false;
};

}  // namespace aio::io
