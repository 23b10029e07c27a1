#pragma once
// One listening socket of a Server: accepts while readable, and backs off for a second when the
// process runs out of descriptors or memory instead of spinning on a listen queue it cannot drain.

#include <cstdint>

#include "aio/core/handle.hpp"
#include "aio/io/address.hpp"
#include "backend/backend.hpp"
#include "sys/syscall.hpp"

namespace aio {
class Server;
}

namespace aio::io {

class Listener final : public backend::IoWatcher {
public:
    Listener(Server& server, sys::Fd fd) noexcept : server_(&server), fd_(std::move(fd)) {}
    ~Listener();
    void start();
    void stop() noexcept;
    bool watching() const noexcept { return watching_; }
    SocketAddress address() const;
    int fd() const noexcept { return fd_.get(); }
    void on_io(backend::Event::Set events) noexcept override;

private:
    Server* server_;
    sys::Fd fd_;
    TimerHandle retry_;
    bool watching_ = false;
    bool backing_off_ = false;
};

}  // namespace aio::io
