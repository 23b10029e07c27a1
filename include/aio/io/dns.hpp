#pragma once
/// Name resolution without blocking the loop: asyncio's loop.getaddrinfo / getnameinfo. Numeric
/// addresses resolve at once; names go through the system's getaddrinfo on the loop's default
/// executor (as asyncio does), so /etc/hosts, nsswitch and the resolver all apply.
///
/// ```
/// for (const auto& ai : co_await aio::getaddrinfo("localhost", 8080, AF_UNSPEC, SOCK_STREAM))
///     std::cout << ai.addr.to_string() << '\n';   // [::1]:8080, 127.0.0.1:8080
/// ```

#include <netdb.h>
#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "aio/core/coro.hpp"
#include "aio/io/address.hpp"

namespace aio {

/// One result of getaddrinfo (Python's 5-tuple).
struct AddrInfo {
    int family = AF_UNSPEC;
    int socktype = 0;
    int protocol = 0;
    std::string canonname;
    SocketAddress addr;
};

/// Resolves `host` (a name, a numeric address, or empty for the wildcard/loopback as
/// getaddrinfo's AI_PASSIVE says) and `port`. Results come in the system's preferred order.
/// Throws GaiError when the name does not resolve (e.g. EAI_NONAME), with the name in the message.
Coro<std::vector<AddrInfo>> getaddrinfo(std::string host, std::uint16_t port, int family = AF_UNSPEC,
                                        int type = 0, int protocol = 0, int flags = 0);

/// The host and service names of `addr` (reverse lookup unless flags say NI_NUMERICHOST).
Coro<std::pair<std::string, std::string>> getnameinfo(SocketAddress addr, int flags = 0);

}  // namespace aio
