#include "io/happy_eyeballs.hpp"

#include <sys/socket.h>

#include <deque>
#include <map>
#include <memory>

#include "aio/core/exceptions.hpp"
#include "aio/core/os_errors.hpp"
#include "aio/core/task.hpp"
#include "aio/sync/event.hpp"
#include "aio/time/wait_for.hpp"
#include "io/connect.hpp"

namespace aio::io {

std::vector<SocketAddress> interleave_addresses(const std::vector<SocketAddress>& addrs, int first_family_count) {
    std::vector<int> order;  // families, in order of first appearance
    std::map<int, std::deque<SocketAddress>> by_family;
    for (const auto& a : addrs) {
        auto& list = by_family[a.family()];
        if (list.empty()) order.push_back(a.family());
        list.push_back(a);
    }
    std::vector<SocketAddress> out;
    out.reserve(addrs.size());
    if (!order.empty()) {
        auto& first = by_family[order.front()];
        for (int i = 1; i < first_family_count && !first.empty(); ++i) {
            out.push_back(first.front());
            first.pop_front();
        }
    }
    while (out.size() < addrs.size()) {
        for (int family : order) {
            auto& list = by_family[family];
            if (list.empty()) continue;
            out.push_back(list.front());
            list.pop_front();
        }
    }
    return out;
}

namespace {

/// What the attempts of one race share.
struct Race {
    std::optional<sys::Fd> winner;
    std::vector<std::exception_ptr> errors;  // by address index; null where none
    std::size_t ended = 0;
    Event changed;  // an attempt ended
};

Coro<void> attempt(Race& race, SocketAddress addr, std::optional<SocketAddress> local, std::size_t index) {
    try {
        sys::Fd fd = co_await connect_socket(addr, SOCK_STREAM, local);
        if (!race.winner) race.winner = std::move(fd);  // a later winner's socket just closes
    } catch (const OSError&) {
        race.errors[index] = std::current_exception();
    }
    ++race.ended;
    race.changed.set();
}

Coro<sys::Fd> race_addresses(const std::vector<SocketAddress>& addrs, Duration delay,
                             const std::optional<SocketAddress>& local, std::vector<std::exception_ptr>& errors) {
    Race race;
    race.errors.resize(addrs.size());
    std::vector<Task<void>> attempts;
    std::exception_ptr failure;  // our own cancellation, say
    try {
        while (!race.winner && race.ended < addrs.size()) {
            if (attempts.size() < addrs.size()) {
                std::size_t i = attempts.size();
                attempts.push_back(create_task(attempt(race, addrs[i], local, i)));
            }
            race.changed.clear();
            if (race.winner || race.ended == addrs.size()) break;
            if (attempts.size() < addrs.size()) {
                // The next address starts when this delay passes or an attempt fails.
                try {
                    co_await wait_for(race.changed.wait(), delay);
                } catch (const TimeoutError&) {
                }
            } else {
                co_await race.changed.wait();
            }
        }
    } catch (...) {
        failure = std::current_exception();
    }
    // The losers: cancelled, and awaited so that their sockets are closed before we return.
    for (auto& t : attempts) t.cancel();
    for (auto& t : attempts) {
        try {
            co_await t;
        } catch (...) {
        }
    }
    for (auto& e : race.errors)
        if (e) errors.push_back(e);
    if (failure) std::rethrow_exception(failure);
    co_return race.winner ? std::move(*race.winner) : sys::Fd();
}

}  // namespace

Coro<sys::Fd> connect_first(std::vector<SocketAddress> addrs, std::optional<Duration> delay,
                            std::optional<SocketAddress> local, std::vector<std::exception_ptr>& errors) {
    if (delay && addrs.size() > 1) co_return co_await race_addresses(addrs, *delay, local, errors);
    for (const auto& addr : addrs) {
        try {
            co_return co_await connect_socket(addr, SOCK_STREAM, local);
        } catch (const OSError&) {
            errors.push_back(std::current_exception());
        }
    }
    co_return sys::Fd();
}

}  // namespace aio::io
