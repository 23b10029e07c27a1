// Code written the way users write it: capturing lambdas and braced option structs inline inside
// co_await. g++ 10-12 destroy these temporaries twice (GCC PR 100611, docs/toolchain.md), so this
// file is built only with a compiler that the configure-time probe found correct (the default
// toolchain, clang); the asan preset runs it under AddressSanitizer, which turns a double
// destruction into a failure. Keep the shapes natural: never name a lambda or options first here.

#include <gtest/gtest.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "aio/aio.hpp"
#include "support/real_loop_fixture.hpp"

using namespace std::chrono_literals;

namespace {

class NaturalForms : public aio_test::RealLoopTest {
protected:
    // Long enough to live on the heap: a double destruction then frees twice.
    std::string heap_string(const char* what) { return std::string(what) + std::string(64, '.'); }
};

TEST_F(NaturalForms, an_inline_capturing_handler_given_to_start_server_serves_its_captures) {
    std::string prefix = heap_string("echo");
    auto reply = run([&]() -> aio::Coro<std::string> {
        auto server = co_await aio::start_server(
            [prefix](aio::StreamReader reader, aio::StreamWriter writer) -> aio::Coro<void> {
                std::string line = co_await reader.readline();
                writer.write(prefix + line);
                co_await writer.drain();
                writer.close();
            },
            "127.0.0.1", 0);
        auto port = server->sockets().at(0).port();
        auto [reader, writer] = co_await aio::open_connection("127.0.0.1", port);
        writer.write("hi\n");
        std::string got = co_await reader.readline();
        writer.close();
        co_await writer.wait_closed();
        server->close();
        co_await server->wait_closed();
        co_return got;
    }());
    EXPECT_EQ(reply, prefix + "hi\n");
}

TEST_F(NaturalForms, a_task_group_body_capturing_a_string_by_value_runs_once_and_frees_once) {
    std::string name = heap_string("group");
    std::vector<std::string> out;
    run([&]() -> aio::Coro<void> {
        co_await aio::task_group([name, &out](aio::TaskGroup& tg) -> aio::Coro<void> {
            tg.create_task([](std::vector<std::string>& o, std::string n) -> aio::Coro<void> {
                co_await aio::sleep(0s);
                o.push_back(n);
            }(out, name));
            out.push_back(name);
            co_return;
        });
    }());
    EXPECT_EQ(out, (std::vector<std::string>{name, name}));
}

TEST_F(NaturalForms, braced_subprocess_options_with_a_cwd_string_reach_the_child) {
    std::string dir = std::filesystem::temp_directory_path().string();
    auto out = run([&]() -> aio::Coro<std::string> {
        auto proc = co_await aio::create_subprocess_exec("pwd", {}, {.stdout = aio::PIPE, .cwd = dir + "/"});
        auto [stdout_data, stderr_data] = co_await proc.communicate();
        co_await proc.wait();
        co_return stdout_data;
    }());
    EXPECT_EQ(std::filesystem::canonical(out.substr(0, out.size() - 1)), std::filesystem::canonical(dir));
}

TEST_F(NaturalForms, braced_subprocess_options_with_an_environment_map_reach_the_child) {
    auto out = run([&]() -> aio::Coro<std::string> {
        auto proc = co_await aio::create_subprocess_shell(
            "echo $GREETING", {.stdout = aio::PIPE, .env = std::map<std::string, std::string>{
                                                         {"GREETING", heap_string("hello")}, {"PATH", "/usr/bin:/bin"}}});
        auto [stdout_data, stderr_data] = co_await proc.communicate();
        co_return stdout_data;
    }());
    EXPECT_EQ(out, heap_string("hello") + "\n");
}

TEST_F(NaturalForms, a_timeout_body_capturing_by_value_gets_its_value) {
    std::string word = heap_string("timeout");
    auto got = run([&]() -> aio::Coro<std::string> {
        co_return co_await aio::timeout(5s, [word](aio::Timeout&) -> aio::Coro<std::string> {
            co_await aio::sleep(1ms);
            co_return word;
        });
    }());
    EXPECT_EQ(got, word);
}

TEST_F(NaturalForms, run_in_executor_and_to_thread_with_capturing_lambdas_return_their_results) {
    std::string text = heap_string("thread");
    auto sizes = run([&]() -> aio::Coro<std::size_t> {
        std::size_t a = co_await aio::run_in_executor(nullptr, [text] { return text.size(); });
        std::size_t b = co_await aio::to_thread([text](std::size_t extra) { return text.size() + extra; }, 1);
        co_return a + b;
    }());
    EXPECT_EQ(sizes, 2 * text.size() + 1);
}

TEST_F(NaturalForms, wait_for_and_gather_over_capturing_coroutine_lambdas_called_inline) {
    std::string a = heap_string("a");
    auto joined = run([&]() -> aio::Coro<std::string> {
        auto make = [](std::string s) -> aio::Coro<std::string> {
            co_await aio::sleep(0s);
            co_return s;
        };
        auto [x, y] = co_await aio::gather(make(a), make(a + "b"));
        std::string z = co_await aio::wait_for(make(std::string(x)), 5s);
        co_return x + y + z;
    }());
    EXPECT_EQ(joined, a + a + "b" + a);
}

TEST_F(NaturalForms, braced_graceful_shutdown_options_with_a_signal_list_take_effect) {
    auto errors = run([&]() -> aio::Coro<std::size_t> {
        aio::GracefulShutdown shutdown({.signals = {SIGUSR2}, .grace = 5s});
        auto sleeper = aio::create_task([]() -> aio::Coro<void> { co_await aio::sleep(1h); }(), "sleeper");
        aio::get_running_loop().call_soon([] { ::kill(::getpid(), SIGUSR2); });
        co_await shutdown.wait();
        EXPECT_TRUE(sleeper.cancelled());
        co_return shutdown.errors().size();
    }());
    EXPECT_EQ(errors, 0u);
}

}  // namespace
