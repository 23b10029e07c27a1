#pragma once
/// aio::SocketAddress — a socket address (IPv4, IPv6 or Unix), what asyncio hands around as a
/// `(host, port)` tuple or a path: `peername`, `sockname`, `datagram_received(data, addr)`.
///
/// ```
/// auto a = aio::SocketAddress::ip("127.0.0.1", 8080);
/// a.host();        // "127.0.0.1"
/// a.port();        // 8080
/// a.to_string();   // "127.0.0.1:8080" ("[::1]:8080" for IPv6, the path for Unix)
/// ```

#include <sys/socket.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace aio {

class SocketAddress {
public:
    /// An empty address (family AF_UNSPEC).
    SocketAddress() noexcept;
    /// Copies `len` bytes of `sa`.
    SocketAddress(const sockaddr* sa, socklen_t len) noexcept;

    /// A numeric IPv4 or IPv6 address ("127.0.0.1", "::1", "fe80::1%lo"); no name lookup.
    /// Throws ValueError if `host` is not a numeric address.
    static SocketAddress ip(std::string_view host, std::uint16_t port);
    /// The same, or nullopt instead of throwing.
    static std::optional<SocketAddress> parse_ip(std::string_view host, std::uint16_t port) noexcept;
    /// A Unix socket path; a leading '\0' makes it an abstract address. Throws ValueError if the
    /// path is too long for sockaddr_un.
    static SocketAddress unix_path(std::string_view path);

    int family() const noexcept { return storage_.ss_family; }
    bool is_ipv4() const noexcept { return family() == AF_INET; }
    bool is_ipv6() const noexcept { return family() == AF_INET6; }
    bool is_unix() const noexcept { return family() == AF_UNIX; }
    bool empty() const noexcept { return family() == AF_UNSPEC; }

    /// The numeric host ("127.0.0.1", "::1"); for Unix sockets, the path.
    std::string host() const;
    /// The port (0 for Unix sockets).
    std::uint16_t port() const noexcept;
    /// "host:port", "[v6host]:port", or the Unix path.
    std::string to_string() const;

    const sockaddr* data() const noexcept { return reinterpret_cast<const sockaddr*>(&storage_); }
    sockaddr* data() noexcept { return reinterpret_cast<sockaddr*>(&storage_); }
    socklen_t size() const noexcept { return len_; }
    /// For filling in by accept()/recvfrom(): the capacity, then set_size() with what came back.
    static constexpr socklen_t capacity() noexcept { return sizeof(sockaddr_storage); }
    void set_size(socklen_t len) noexcept { len_ = len; }

    friend bool operator==(const SocketAddress& a, const SocketAddress& b) noexcept;

private:
    sockaddr_storage storage_;
    socklen_t len_;
};

}  // namespace aio
