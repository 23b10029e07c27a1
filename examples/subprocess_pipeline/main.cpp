// Subprocesses: a child's output read line by line as it comes, one child piped into another,
// and communicate() feeding stdin while reading stdout.
//
//   example_subprocess_pipeline [N]        (N defaults to 5)
//
// Python, for comparison:
//   proc = await asyncio.create_subprocess_exec("seq", "1", str(n), stdout=PIPE)
//   async for line in proc.stdout:
//       print("seq:", line.decode().rstrip())
//   print("seq exited with", await proc.wait())
//
//   r, w = os.pipe()
//   producer = await asyncio.create_subprocess_exec("seq", "1", str(n * 10), stdout=w)
//   counter = await asyncio.create_subprocess_exec("grep", "-c", "1", stdin=r, stdout=PIPE)
//   os.close(r); os.close(w)
//   out, _ = await counter.communicate()
//
//   sorter = await asyncio.create_subprocess_exec("sort", "-r", stdin=PIPE, stdout=PIPE)
//   out, _ = await sorter.communicate(b"b\nc\na\n")

#include <fcntl.h>
#include <unistd.h>

#include <aio/aio.hpp>
#include <cerrno>
#include <iostream>
#include <string>

#include "common/args.hpp"

namespace {

aio::Coro<int> main_coro(int n) {
    // 1. Line by line, while the child runs.
    auto seq = co_await aio::create_subprocess_exec("seq", {"1", std::to_string(n)}, {.stdout = aio::PIPE});
    auto lines = aio::lines_of(*seq.stdout);
    while (auto line = co_await lines.next()) std::cout << "seq: " << *line << "\n";
    std::cout << "seq exited with " << co_await seq.wait() << "\n";

    // 2. A pipeline: seq's stdout is grep's stdin; only grep's output comes to us.
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw aio::OSError(errno, "pipe2");
    auto producer = co_await aio::create_subprocess_exec("seq", {"1", std::to_string(n * 10)},
                                                         {.stdout = aio::Stdio::from_fd(fds[1])});
    auto counter = co_await aio::create_subprocess_exec(
        "grep", {"-c", "1"}, {.stdin = aio::Stdio::from_fd(fds[0]), .stdout = aio::PIPE});
    ::close(fds[0]);  // the children hold their own copies
    ::close(fds[1]);
    auto [count, ignored] = co_await counter.communicate();
    co_await producer.wait();
    std::cout << "seq 1 " << n * 10 << " | grep -c 1: " << count;

    // 3. communicate(): stdin written while stdout is read, so no pipe can fill up.
    auto sorter = co_await aio::create_subprocess_exec("sort", {"-r"}, {.stdin = aio::PIPE, .stdout = aio::PIPE});
    auto [sorted, err] = co_await sorter.communicate("b\nc\na\n");
    std::cout << "sort -r:\n" << sorted;

    // 4. A program that does not exist: an exception here, not a child exiting 127.
    try {
        co_await aio::create_subprocess_exec("no-such-program-for-aio");
    } catch (const aio::FileNotFoundError&) {
        std::cout << "no-such-program-for-aio: FileNotFoundError\n";
    }
    co_return 0;
}

}  // namespace

int main(int argc, char** argv) {
    int n = 5;
    try {
        example::Args args(argc, argv);
        if (!args.done()) {
            args.next();
            n = args.operand_number("N", 1);
        }
        args.none("example_subprocess_pipeline [N]");
    } catch (const example::UsageError& e) {
        return example::usage_error(argv[0], e);
    }
    // Any failure (say `seq` is not found: PATH=/nonexistent) ends the program with one line on
    // stderr and exit status 1.
    return aio::run_main(argv[0], main_coro(n));
}
