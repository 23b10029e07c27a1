#pragma once
// Compile-time half of aio's toolchain check (the configure-time half is cmake/AioToolchain.cmake,
// which runs cmake/aio_coawait_probe.cpp with the consumer's compiler).
//
// g++ 10, 11 and 12 destroy a temporary written inside a co_await expression twice when it is an
// aggregate with an owning member or a lambda with by-value captures (GCC PR 100611; measured with
// Debian 12's g++ 12.2: `co_await aio::task_group([name](aio::TaskGroup&) -> aio::Coro<void> {...})`
// with a std::string `name` aborts with "double free"). Such code is what aio's users write, and
// -Wall -Wextra say nothing, so the headers say it here. clang++ (14 and later) compiles these
// forms correctly. Define AIO_ACCEPT_GCC_COAWAIT_BUG to silence this once you follow the rule.

#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 10 && __GNUC__ <= 12 && \
    !defined(AIO_ACCEPT_GCC_COAWAIT_BUG)
#pragma GCC warning \
    "aio: g++ 10-12 destroy capturing lambdas and braced aggregates written inside co_await twice (GCC PR 100611), which crashes; build with clang++ (CXX=clang++, see aio's docs/toolchain.md), or name them before the co_await and define AIO_ACCEPT_GCC_COAWAIT_BUG"
#endif
