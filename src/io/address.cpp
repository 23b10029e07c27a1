#include "aio/io/address.hpp"

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/un.h>

#include <cstring>

#include "aio/core/exceptions.hpp"

namespace aio {

SocketAddress::SocketAddress() noexcept : storage_{}, len_(0) { storage_.ss_family = AF_UNSPEC; }

SocketAddress::SocketAddress(const sockaddr* sa, socklen_t len) noexcept : storage_{}, len_(0) {
    if (len > sizeof storage_) len = sizeof storage_;
    std::memcpy(&storage_, sa, len);
    len_ = len;
}

std::optional<SocketAddress> SocketAddress::parse_ip(std::string_view host,
                                                      std::uint16_t port) noexcept {
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    std::string h(host);
    SocketAddress a;
    sockaddr_in v4{};
    if (::inet_pton(AF_INET, h.c_str(), &v4.sin_addr) == 1) {
        v4.sin_family = AF_INET;
        v4.sin_port = htons(port);
        return SocketAddress(reinterpret_cast<sockaddr*>(&v4), sizeof v4);
    }
    sockaddr_in6 v6{};
    std::string scope;
    if (auto pct = h.find('%'); pct != std::string::npos) {
        scope = h.substr(pct + 1);
        h.resize(pct);
    }
    if (::inet_pton(AF_INET6, h.c_str(), &v6.sin6_addr) == 1) {
        v6.sin6_family = AF_INET6;
        v6.sin6_port = htons(port);
        if (!scope.empty()) {
            unsigned idx = ::if_nametoindex(scope.c_str());
            if (idx == 0) {
                char* end = nullptr;
                unsigned long n = std::strtoul(scope.c_str(), &end, 10);
                if (!end || *end != '\0') return std::nullopt;
                idx = static_cast<unsigned>(n);
            }
            v6.sin6_scope_id = idx;
        }
        return SocketAddress(reinterpret_cast<sockaddr*>(&v6), sizeof v6);
    }
    return std::nullopt;
}

SocketAddress SocketAddress::ip(std::string_view host, std::uint16_t port) {
    if (auto a = parse_ip(host, port)) return *a;
    throw ValueError("not a numeric IP address: '" + std::string(host) + "'");
}

SocketAddress SocketAddress::unix_path(std::string_view path) {
    sockaddr_un un{};
    if (path.empty()) throw ValueError("empty Unix socket path");
    if (path.size() >= sizeof un.sun_path)
        throw ValueError("Unix socket path too long (" + std::to_string(path.size()) + " bytes, at most " +
                         std::to_string(sizeof un.sun_path - 1) + ")");
    un.sun_family = AF_UNIX;
    std::memcpy(un.sun_path, path.data(), path.size());
    // An abstract address (leading NUL) is exactly as long as its name; a path ends at its NUL.
    socklen_t len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size() +
                                           (path.front() == '\0' ? 0 : 1));
    return SocketAddress(reinterpret_cast<sockaddr*>(&un), len);
}

std::string SocketAddress::host() const {
    char buf[INET6_ADDRSTRLEN + IF_NAMESIZE + 2] = {};
    switch (family()) {
        case AF_INET: {
            auto* v4 = reinterpret_cast<const sockaddr_in*>(&storage_);
            ::inet_ntop(AF_INET, &v4->sin_addr, buf, sizeof buf);
            return buf;
        }
        case AF_INET6: {
            auto* v6 = reinterpret_cast<const sockaddr_in6*>(&storage_);
            ::inet_ntop(AF_INET6, &v6->sin6_addr, buf, sizeof buf);
            std::string s = buf;
            if (v6->sin6_scope_id != 0) {
                char name[IF_NAMESIZE] = {};
                s += '%';
                s += ::if_indextoname(v6->sin6_scope_id, name) ? std::string(name)
                                                                : std::to_string(v6->sin6_scope_id);
            }
            return s;
        }
        case AF_UNIX: {
            auto* un = reinterpret_cast<const sockaddr_un*>(&storage_);
            auto off = offsetof(sockaddr_un, sun_path);
            if (len_ <= off) return {};  // unnamed (e.g. a socketpair end or an unbound client)
            std::size_t n = len_ - off;
            if (un->sun_path[0] != '\0') n = ::strnlen(un->sun_path, n);
            return std::string(un->sun_path, n);
        }
        default:
            return {};
    }
}

std::uint16_t SocketAddress::port() const noexcept {
    switch (family()) {
        case AF_INET:
            return ntohs(reinterpret_cast<const sockaddr_in*>(&storage_)->sin_port);
        case AF_INET6:
            return ntohs(reinterpret_cast<const sockaddr_in6*>(&storage_)->sin6_port);
        default:
            return 0;
    }
}

std::string SocketAddress::to_string() const {
    switch (family()) {
        case AF_INET:
            return host() + ":" + std::to_string(port());
        case AF_INET6: {
            // Appended, not "[" + host(): g++ 12 at -O3 warns falsely (-Wrestrict) on that form.
            std::string text = "[";
            text += host();
            text += "]:";
            text += std::to_string(port());
            return text;
        }
        case AF_UNIX:
            return host();
        default:
            return "<unspecified>";
    }
}

bool operator==(const SocketAddress& a, const SocketAddress& b) noexcept {
    return a.len_ == b.len_ && std::memcmp(&a.storage_, &b.storage_, a.len_) == 0;
}

}  // namespace aio
