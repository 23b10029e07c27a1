#include "aio/io/dns.hpp"

#include <cerrno>

#include "aio/core/os_errors.hpp"
#include "aio/exec/to_thread.hpp"

namespace aio {

namespace {

std::vector<AddrInfo> resolve_blocking(const std::string& host, std::uint16_t port, int family, int type,
                                       int protocol, int flags) {
    addrinfo hints{};
    hints.ai_family = family;
    hints.ai_socktype = type;
    hints.ai_protocol = protocol;
    hints.ai_flags = flags;
    std::string service = std::to_string(port);
    addrinfo* res = nullptr;
    int rc = ::getaddrinfo(host.empty() ? nullptr : host.c_str(), service.c_str(), &hints, &res);
    int err = errno;  // before the message is built: EAI_SYSTEM's reason
    if (rc != 0) throw GaiError(rc, "getaddrinfo(" + (host.empty() ? std::string("<any>") : host) + ")", err);
    std::vector<AddrInfo> out;
    for (addrinfo* p = res; p; p = p->ai_next) {
        AddrInfo ai;
        ai.family = p->ai_family;
        ai.socktype = p->ai_socktype;
        ai.protocol = p->ai_protocol;
        if (p->ai_canonname) ai.canonname = p->ai_canonname;
        ai.addr = SocketAddress(p->ai_addr, p->ai_addrlen);
        out.push_back(std::move(ai));
    }
    ::freeaddrinfo(res);
    return out;
}

}  // namespace

Coro<std::vector<AddrInfo>> getaddrinfo(std::string host, std::uint16_t port, int family, int type,
                                        int protocol, int flags) {
    // A numeric address needs no resolver and no thread hop (asyncio's _ipaddr_info).
    if (!host.empty() && !(flags & AI_CANONNAME)) {
        if (auto a = SocketAddress::parse_ip(host, port); a && (family == AF_UNSPEC || family == a->family())) {
            std::vector<AddrInfo> out;
            auto add = [&](int st, int proto) {
                AddrInfo ai;
                ai.family = a->family();
                ai.socktype = st;
                ai.protocol = proto;
                ai.addr = *a;
                out.push_back(std::move(ai));
            };
            if (type != 0) {
                add(type, protocol);
            } else {
                add(SOCK_STREAM, IPPROTO_TCP);
                add(SOCK_DGRAM, IPPROTO_UDP);
            }
            co_return out;
        }
    }
    co_return co_await to_thread(resolve_blocking, host, port, family, type, protocol, flags);
}

Coro<std::pair<std::string, std::string>> getnameinfo(SocketAddress addr, int flags) {
    co_return co_await to_thread(
        [](SocketAddress a, int fl) {
            char host[NI_MAXHOST], serv[NI_MAXSERV];
            int rc = ::getnameinfo(a.data(), a.size(), host, sizeof host, serv, sizeof serv, fl);
            int err = errno;
            if (rc != 0) throw GaiError(rc, "getnameinfo(" + a.to_string() + ")", err);
            return std::make_pair(std::string(host), std::string(serv));
        },
        addr, flags);
}

}  // namespace aio
