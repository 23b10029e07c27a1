// ws_load: the WebSocket load generator of `make bench` (bench/ws_bench.py), a peer-neutral client
// written against the wire format only, so every server (aio, Node's ws, websockets, aiohttp) is
// driven by the same bytes.
//
//   ws_load --port P [--conns 64] [--size 64] [--duration 5] [--warmup 1]
//       closed loop: each connection sends one masked text frame of SIZE bytes (SIZE <= 125, so a
//       2-byte header), waits for the whole unmasked echo (checked byte for byte), sends the next.
//       Prints: conns=N size=S secs=T msgs=M msg_per_s=R p50_us=.. p99_us=.. client_cpu_pct=..
//   ws_load --port P --idle N [--hold 30]
//       opens N websockets, completes every handshake, prints `ready N` and holds them open until
//       stdin closes (or --hold seconds pass), then closes them: for the server's RSS per socket.
//
// No compression is offered, so the servers send plain frames. One thread, level-triggered epoll;
// the bench pins it to core 1. Loopback only; every phase is bounded in time.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

namespace {

uint64_t now_ns() {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return uint64_t(ts.tv_sec) * 1000000000ull + uint64_t(ts.tv_nsec);
}

double cpu_secs() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return double(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           double(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

[[noreturn]] void die(const char* what) {
    std::fprintf(stderr, "ws_load: %s: %s\n", what, errno ? std::strerror(errno) : "failed");
    std::exit(2);
}

[[noreturn]] void usage() {
    std::fprintf(stderr,
                 "usage: ws_load --port P [--conns 64] [--size 64] [--duration 5] [--warmup 1]\n"
                 "       ws_load --port P --idle N [--hold 30]\n");
    std::exit(2);
}

void raise_nofile() {
    rlimit rl{};
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

// Connects and completes the opening handshake (blocking, 5 s at most); returns the fd.
int open_websocket(const sockaddr_in& sa, int port) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) die("socket");
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    timeval tv{5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (connect(fd, reinterpret_cast<const sockaddr*>(&sa), sizeof sa) != 0) die("connect");
    std::string req = "GET / HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                      "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    if (write(fd, req.data(), req.size()) != ssize_t(req.size())) die("write handshake");
    // Read byte by byte up to the end of the head, so no frame byte is taken with it.
    std::string head;
    char ch;
    while (head.size() < 8192 && (head.size() < 4 || head.compare(head.size() - 4, 4, "\r\n\r\n") != 0)) {
        ssize_t n = read(fd, &ch, 1);
        if (n <= 0) die("read handshake");
        head.push_back(ch);
    }
    if (head.rfind("HTTP/1.1 101", 0) != 0 ||
        head.find("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=") == std::string::npos) {
        std::fprintf(stderr, "ws_load: bad handshake answer: %.200s\n", head.c_str());
        std::exit(3);
    }
    return fd;
}

struct Conn {
    int fd = -1;
    size_t got = 0;
    uint64_t sent_at = 0;
};

int run_idle(const sockaddr_in& sa, int port, int n, double hold) {
    std::vector<int> fds;
    fds.reserve(size_t(n));
    for (int i = 0; i < n; ++i) fds.push_back(open_websocket(sa, port));
    std::printf("ready %d\n", n);
    std::fflush(stdout);
    pollfd p{0, POLLIN, 0};
    const uint64_t end = now_ns() + uint64_t(hold * 1e9);
    while (now_ns() < end) {
        int r = poll(&p, 1, 100);
        if (r > 0) {
            char buf[64];
            if (read(0, buf, sizeof buf) <= 0) break;
        }
    }
    for (int fd : fds) close(fd);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    int port = 0, conns = 64, idle = 0;
    size_t size = 64;
    double duration = 5, warmup = 1, hold = 30;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto next = [&]() -> const char* {
            if (i + 1 >= argc) usage();
            return argv[++i];
        };
        if (a == "--port") port = std::atoi(next());
        else if (a == "--conns") conns = std::atoi(next());
        else if (a == "--size") size = size_t(std::atol(next()));
        else if (a == "--duration") duration = std::atof(next());
        else if (a == "--warmup") warmup = std::atof(next());
        else if (a == "--idle") idle = std::atoi(next());
        else if (a == "--hold") hold = std::atof(next());
        else usage();
    }
    if (port <= 0 || port > 65535 || conns <= 0 || size == 0 || size > 125 || idle < 0) usage();
    duration = std::min(duration, 600.0 - std::min(warmup, 600.0));
    hold = std::min(hold, 600.0);
    raise_nofile();

    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(uint16_t(port));
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    if (idle > 0) return run_idle(sa, port, idle, hold);

    std::string payload(size, 'x');
    for (size_t i = 0; i < size; ++i) payload[i] = char('a' + i % 26);
    const unsigned char key[4] = {0x37, 0xfa, 0x21, 0x3d};
    std::string frame;
    frame.push_back(char(0x81));
    frame.push_back(char(0x80 | size));
    frame.append(reinterpret_cast<const char*>(key), 4);
    for (size_t i = 0; i < size; ++i) frame.push_back(char(payload[i] ^ char(key[i % 4])));
    std::string expect;
    expect.push_back(char(0x81));
    expect.push_back(char(size));
    expect += payload;
    std::vector<char> in(expect.size());

    int ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0) die("epoll_create1");
    std::vector<Conn> cs(static_cast<size_t>(conns));
    for (int i = 0; i < conns; ++i) {
        int fd = open_websocket(sa, port);
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
        cs[size_t(i)].fd = fd;
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.u32 = uint32_t(i);
        if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) != 0) die("epoll_ctl");
    }

    auto send_one = [&](Conn& c) {
        c.sent_at = now_ns();
        size_t off = 0;
        while (off < frame.size()) {
            ssize_t n = write(c.fd, frame.data() + off, frame.size() - off);
            if (n > 0) off += size_t(n);
            else if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
            else die("write");
        }
        c.got = 0;
    };

    std::vector<uint32_t> lat;
    lat.reserve(1 << 22);
    const uint64_t t0 = now_ns();
    const uint64_t t_measure = t0 + uint64_t(warmup * 1e9);
    const uint64_t t_end = t_measure + uint64_t(duration * 1e9);
    bool measuring = warmup <= 0;
    double cpu0 = measuring ? cpu_secs() : 0;
    uint64_t m0 = measuring ? t0 : 0, msgs = 0;
    for (auto& c : cs) send_one(c);
    std::vector<epoll_event> evs(size_t(std::max(conns, 16)));
    for (;;) {
        int n = epoll_wait(ep, evs.data(), int(evs.size()), 100);
        if (n < 0) {
            if (errno == EINTR) continue;
            die("epoll_wait");
        }
        uint64_t t = now_ns();
        if (!measuring && t >= t_measure) {
            measuring = true;
            cpu0 = cpu_secs();
            m0 = t;
        }
        if (t >= t_end) break;
        for (int k = 0; k < n; ++k) {
            Conn& c = cs[evs[size_t(k)].data.u32];
            ssize_t r = read(c.fd, in.data() + c.got, expect.size() - c.got);
            if (r == 0) {
                std::fprintf(stderr, "ws_load: the server closed a connection\n");
                return 3;
            }
            if (r < 0) {
                if (errno == EAGAIN || errno == EINTR) continue;
                die("read");
            }
            if (std::memcmp(in.data() + c.got, expect.data() + c.got, size_t(r)) != 0) {
                std::fprintf(stderr, "ws_load: the echoed frame differs from the one expected\n");
                return 3;
            }
            c.got += size_t(r);
            if (c.got < expect.size()) continue;
            if (measuring) {
                ++msgs;
                lat.push_back(uint32_t(std::min<uint64_t>(now_ns() - c.sent_at, 0xffffffffu)));
            }
            send_one(c);
        }
    }
    const uint64_t t1 = now_ns();
    const double cpu1 = cpu_secs();
    for (auto& c : cs) close(c.fd);
    close(ep);
    double secs = measuring ? double(t1 - m0) / 1e9 : 0;
    std::sort(lat.begin(), lat.end());
    auto pct = [&](double p) {
        return lat.empty() ? 0.0 : lat[std::min(lat.size() - 1, size_t(p * double(lat.size())))] / 1000.0;
    };
    std::printf("conns=%d size=%zu secs=%.3f msgs=%llu msg_per_s=%.0f p50_us=%.1f p99_us=%.1f "
                "client_cpu_pct=%.0f\n",
                conns, size, secs, (unsigned long long)msgs, secs > 0 ? double(msgs) / secs : 0.0,
                pct(0.50), pct(0.99), secs > 0 ? 100.0 * (cpu1 - cpu0) / secs : 0.0);
    return 0;
}
