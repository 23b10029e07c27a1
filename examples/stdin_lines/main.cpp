// Seed 001, "stdin as an async stream": standard input read line by line without blocking the
// loop, consumed as an async generator while another task keeps running.
//
//   some_command | example_stdin_lines
//   example_stdin_lines < file.txt          (a regular file works too)
//
// Prints each line numbered, with its length, then a summary. Meanwhile a ticker task counts
// loop iterations in which it ran, to show that reading stdin never blocks the loop.
//
// Python, for comparison (the seed's code):
//   async def stream_as_generator(loop, stream):
//       reader = asyncio.StreamReader(loop=loop)
//       reader_protocol = asyncio.StreamReaderProtocol(reader)
//       await loop.connect_read_pipe(lambda: reader_protocol, stream)
//       while True:
//           line = await reader.readline()
//           if not line:  # EOF.
//               break
//           yield line
//
//   async for line in stream_as_generator(loop, sys.stdin):
//       print(line)
//
// aio::stdin_lines() is that generator (lines come without their "\n"; the last line counts
// even without one). A stdin that cannot be read ends the program with one line on stderr and
// exit status 1 (aio::run_main): "example_stdin_lines: stdin is closed: Bad file descriptor"
// for `example_stdin_lines <&-`, "example_stdin_lines: stdin: Is a directory" for `< /`.

#include <aio/aio.hpp>
#include <iostream>
#include <string>

#include "common/args.hpp"

namespace {

aio::Coro<void> ticker(long* ticks) {
    for (;;) {
        co_await aio::sleep(std::chrono::milliseconds(1));
        ++*ticks;
    }
}

aio::Coro<int> main_coro() {
    long ticks = 0;
    auto background = aio::create_task(ticker(&ticks), "ticker");
    std::size_t count = 0, bytes = 0;
    auto lines = aio::stdin_lines();
    while (auto line = co_await lines.next()) {
        ++count;
        bytes += line->size();
        std::cout << count << ": " << *line << " (" << line->size() << ")\n";
    }
    background.cancel();
    std::cout << "lines: " << count << ", bytes: " << bytes << "\n";
    co_return 0;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        example::Args(argc, argv).none("example_stdin_lines");
    } catch (const example::UsageError& e) {
        return example::usage_error(argv[0], e);
    }
    return aio::run_main(argv[0], main_coro());
}
