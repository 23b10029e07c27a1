#pragma once
// Runs an example program as a child of an aio program (aio's subprocesses driving aio's
// examples): stdin fed from a string, stdout collected, every run bounded.

#include <chrono>
#include <string>
#include <utility>

#include "aio/core/run.hpp"
#include "aio/process/subprocess.hpp"
#include "aio/time/wait_for.hpp"

namespace aio_examples_test {

struct ExampleOutput {
    int code = -1;  // the returncode (-N if killed by signal N)
    std::string out;
};

inline std::string example_path(const std::string& name) { return std::string(AIO_BIN_DIR) + "/example_" + name; }

inline ExampleOutput run_example_with_input(std::string name, aio::ProgramArgs args, std::string input = {}) {
    auto body = [](std::string name, aio::ProgramArgs args, std::string input) -> aio::Coro<ExampleOutput> {
        aio::SubprocessOptions options{.stdin = aio::PIPE, .stdout = aio::PIPE};
        auto proc = co_await aio::create_subprocess_exec(example_path(name), std::move(args), options);
        auto [out, err] = co_await aio::wait_for(proc.communicate(std::move(input)), std::chrono::seconds(60));
        co_return ExampleOutput{*proc.returncode(), out};
    };
    return aio::run(body(std::move(name), std::move(args), std::move(input)));
}

}  // namespace aio_examples_test
