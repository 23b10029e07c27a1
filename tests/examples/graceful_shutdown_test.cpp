// examples/graceful_shutdown: start it, wait for "ready", send a signal, check the clean exit and
// the order of what it printed.

#include <gtest/gtest.h>

#include <signal.h>

#include <string>

#include "aio/core/run.hpp"
#include "aio/process/subprocess.hpp"
#include "aio/time/wait_for.hpp"

using namespace std::chrono_literals;

namespace {

struct Outcome {
    int code = -1;
    std::string ready;
    std::string rest;
};

Outcome signal_example(int sig) {
    auto body = [](int sig) -> aio::Coro<Outcome> {
        aio::SubprocessOptions options{.stdout = aio::PIPE};
        auto proc = co_await aio::create_subprocess_exec(std::string(AIO_BIN_DIR) + "/example_graceful_shutdown", {},
                                                         options);
        Outcome o;
        o.ready = co_await aio::wait_for(proc.stdout->readline(), 30s);
        proc.send_signal(sig);
        auto [out, err] = co_await aio::wait_for(proc.communicate(), 30s);
        o.rest = out;
        o.code = *proc.returncode();
        co_return o;
    };
    return aio::run(body(sig));
}

const char* kAfterSignal =
    "shutdown: stopped accepting work\n"
    "publisher: cancelled, cleaning up\n"
    "consumer: cancelled, cleaning up\n";

}  // namespace

TEST(GracefulShutdownExample, SigtermStopsAcceptingCancelsTheJobsAndExitsCleanly) {
    Outcome o = signal_example(SIGTERM);
    EXPECT_EQ(o.ready.rfind("ready ", 0), 0u) << o.ready;
    EXPECT_EQ(o.code, 0);
    EXPECT_EQ(o.rest, std::string(kAfterSignal) +
                          "received Terminated\n"
                          "error collected: consumer: could not flush its buffer\n"
                          "accepting: no\n"
                          "tasks left: 0\n"
                          "clean exit\n");
}

TEST(GracefulShutdownExample, SigintAndSighupShutDownTheSameWay) {
    Outcome a = signal_example(SIGINT);
    EXPECT_EQ(a.code, 0);
    EXPECT_EQ(a.rest.rfind(kAfterSignal, 0), 0u) << a.rest;
    EXPECT_NE(a.rest.find("received Interrupt\n"), std::string::npos) << a.rest;

    Outcome h = signal_example(SIGHUP);
    EXPECT_EQ(h.code, 0);
    EXPECT_NE(h.rest.find("received Hangup\n"), std::string::npos) << h.rest;
    EXPECT_NE(h.rest.find("clean exit\n"), std::string::npos);
}
