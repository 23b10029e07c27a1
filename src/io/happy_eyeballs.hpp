#pragma once
// Connecting to the first of several addresses, as asyncio's create_connection does: one after
// the other, or, with a delay, RFC 8305's "Happy Eyeballs" staggered race (asyncio's
// staggered.staggered_race): the next attempt starts when the delay passes or the previous
// attempt fails, whichever comes first; the first socket to connect wins and the others are
// cancelled and closed.

#include <exception>
#include <optional>
#include <vector>

#include "aio/core/clock.hpp"
#include "aio/core/coro.hpp"
#include "aio/io/address.hpp"
#include "sys/syscall.hpp"

namespace aio::io {

/// asyncio's _interleave_addrinfos: the addresses grouped by family in order of first
/// appearance, `first_family_count` of the first family first, then one of each family in turn.
std::vector<SocketAddress> interleave_addresses(const std::vector<SocketAddress>& addrs, int first_family_count);

/// A connected non-blocking stream socket to the first of `addrs` that accepts. Without `delay`
/// the addresses are tried in order; with it they race as above. Every failure is appended to
/// `errors` (in address order), whether or not another address then succeeds; if none connects,
/// the result is empty. Cancellation cancels and closes every attempt.
Coro<sys::Fd> connect_first(std::vector<SocketAddress> addrs, std::optional<Duration> delay,
                            std::optional<SocketAddress> local, std::vector<std::exception_ptr>& errors);

}  // namespace aio::io
