// create_subprocess_exec / create_subprocess_shell and Process with real programs.

#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <vector>

#include "aio/core/os_errors.hpp"
#include "aio/core/run.hpp"
#include "aio/process/subprocess.hpp"
#include "aio/tasks/gather.hpp"
#include "aio/time/sleep.hpp"
#include "aio/time/wait_for.hpp"
#include "subprocess_support.hpp"

using namespace std::chrono_literals;
using aio_process_test::SubprocessTest;

TEST_F(SubprocessTest, ReadsAChildsOutputLineByLine) {
    auto body = []() -> aio::Coro<void> {
        auto proc = co_await aio::create_subprocess_exec("seq", {"1", "1000"}, {.stdout = aio::PIPE});
        EXPECT_GT(proc.pid(), 0);
        EXPECT_FALSE(proc.stdin);
        EXPECT_FALSE(proc.stderr);
        int n = 0;
        for (;;) {
            std::string line = co_await aio::wait_for(proc.stdout->readline(), 10s);
            if (line.empty()) break;
            ++n;
            EXPECT_EQ(line, std::to_string(n) + "\n");
        }
        EXPECT_EQ(n, 1000);
        EXPECT_EQ(co_await aio::wait_for(proc.wait(), 10s), 0);
        EXPECT_EQ(proc.returncode(), 0);
    };
    run(body());
}

TEST_F(SubprocessTest, WaitReturnsTheExitStatusAndReturncodeKeepsIt) {
    auto body = []() -> aio::Coro<void> {
        auto proc = co_await aio::create_subprocess_shell("exit 3");
        EXPECT_EQ(co_await aio::wait_for(proc.wait(), 10s), 3);
        EXPECT_EQ(proc.returncode(), 3);
        EXPECT_EQ(co_await proc.wait(), 3);  // again, at once
    };
    run(body());
}

TEST_F(SubprocessTest, SeveralTasksCanWaitForOneChild) {
    auto body = []() -> aio::Coro<void> {
        auto proc = co_await aio::create_subprocess_exec("sh", {"-c", "read x; exit 5"}, {.stdin = aio::PIPE});
        auto [a, b] = co_await aio::wait_for(
            aio::gather(proc.wait(), [](aio::Process p) -> aio::Coro<int> {
                p.stdin->write("go\n");
                co_return co_await p.wait();
            }(proc)),
            10s);
        EXPECT_EQ(a, 5);
        EXPECT_EQ(b, 5);
    };
    run(body());
}

TEST_F(SubprocessTest, CommunicateMovesTenMegabytesBothWaysWithoutDeadlock) {
    auto body = []() -> aio::Coro<void> {
        std::string input;
        input.reserve(10 << 20);
        for (int i = 0; input.size() < (10u << 20); ++i) input += "line " + std::to_string(i) + "\n";
        // cat echoes everything while we are still writing: neither side may wait for the other.
        auto proc = co_await aio::create_subprocess_exec(
            "sh", {"-c", "cat; head -c 3000000 /dev/zero >&2"},
            {.stdin = aio::PIPE, .stdout = aio::PIPE, .stderr = aio::PIPE});
        auto [out, err] = co_await aio::wait_for(proc.communicate(input), 60s);
        EXPECT_EQ(out.size(), input.size());
        EXPECT_TRUE(out == input);
        EXPECT_EQ(err.size(), 3000000u);
        EXPECT_EQ(proc.returncode(), 0);
    };
    run(body());
}

TEST_F(SubprocessTest, CommunicateWithoutPipesJustWaits) {
    auto body = []() -> aio::Coro<void> {
        auto proc = co_await aio::create_subprocess_shell("exit 0", {.stdout = aio::DEVNULL});
        auto [out, err] = co_await aio::wait_for(proc.communicate("ignored"), 10s);
        EXPECT_EQ(out, "");
        EXPECT_EQ(err, "");
        EXPECT_EQ(proc.returncode(), 0);
    };
    run(body());
}

TEST_F(SubprocessTest, AChildThatExitsWithoutReadingItsInputIsNotAnError) {
    auto body = []() -> aio::Coro<void> {
        auto proc = co_await aio::create_subprocess_exec("true", {}, {.stdin = aio::PIPE});
        auto [out, err] = co_await aio::wait_for(proc.communicate(std::string(4 << 20, 'x')), 10s);
        EXPECT_EQ(proc.returncode(), 0);
    };
    run(body());
}

TEST_F(SubprocessTest, AChildKilledBySignalHasANegativeReturncode) {
    auto body = []() -> aio::Coro<void> {
        auto proc = co_await aio::create_subprocess_exec("cat", {}, {.stdin = aio::PIPE, .stdout = aio::PIPE});
        proc.kill();
        EXPECT_EQ(co_await aio::wait_for(proc.wait(), 10s), -SIGKILL);

        auto other = co_await aio::create_subprocess_exec("cat", {}, {.stdin = aio::PIPE});
        other.terminate();
        EXPECT_EQ(co_await aio::wait_for(other.wait(), 10s), -SIGTERM);
        EXPECT_EQ(other.returncode(), -SIGTERM);
    };
    run(body());
}

TEST_F(SubprocessTest, SendSignalIsQuietBeforeReapingAndProcessLookupErrorAfter) {
    auto body = []() -> aio::Coro<void> {
        auto proc = co_await aio::create_subprocess_exec("true");
        // Wait for the exit without reaping (WNOWAIT) and without letting the loop run.
        siginfo_t info{};
        EXPECT_EQ(::waitid(P_PID, static_cast<id_t>(proc.pid()), &info, WEXITED | WNOWAIT), 0);
        EXPECT_FALSE(proc.returncode());
        EXPECT_NO_THROW(proc.send_signal(SIGTERM));  // a zombie: no error, like Python
        EXPECT_EQ(co_await aio::wait_for(proc.wait(), 10s), 0);
        EXPECT_THROW(proc.send_signal(SIGTERM), aio::ProcessLookupError);
        EXPECT_THROW(proc.kill(), aio::ProcessLookupError);
    };
    run(body());
}

TEST_F(SubprocessTest, AMissingProgramIsFileNotFoundErrorInTheParent) {
    auto body = []() -> aio::Coro<void> {
        EXPECT_THROW(co_await aio::create_subprocess_exec("aio-no-such-program"), aio::FileNotFoundError);
        EXPECT_THROW(co_await aio::create_subprocess_exec("/no/such/dir/prog"), aio::FileNotFoundError);
        // Options holding strings are built before the co_await: g++ 12.2 destroys a std::string
        // inside an aggregate temporary of a co_await expression twice.
        aio::SubprocessOptions bad_cwd{.cwd = "/no/such/dir"};
        EXPECT_THROW(co_await aio::create_subprocess_exec("true", {}, bad_cwd), aio::FileNotFoundError);
        aio::SubprocessOptions bad_path{.env = std::map<std::string, std::string>{{"PATH", "/no/such/dir"}}};
        EXPECT_THROW(co_await aio::create_subprocess_exec("sh", {}, bad_path), aio::FileNotFoundError);
    };
    run(body());
}

TEST_F(SubprocessTest, ANonExecutableFileIsPermissionError) {
    char path[] = "/tmp/aio_not_exec_XXXXXX";
    int fd = ::mkstemp(path);
    ::close(fd);
    ::chmod(path, 0600);
    auto body = [&]() -> aio::Coro<void> {
        EXPECT_THROW(co_await aio::create_subprocess_exec(path), aio::PermissionError);
    };
    run(body());
    ::unlink(path);
}

TEST_F(SubprocessTest, BadArgumentsAreValueErrors) {
    auto body = []() -> aio::Coro<void> {
        EXPECT_THROW(co_await aio::create_subprocess_exec(""), aio::ValueError);
        EXPECT_THROW(co_await aio::create_subprocess_exec("echo", {std::string("a\0b", 3)}), aio::ValueError);
        EXPECT_THROW(co_await aio::create_subprocess_exec("true", {}, {.stdout = aio::STDOUT}), aio::ValueError);
    };
    run(body());
}

TEST_F(SubprocessTest, DevnullAndStderrToStdout) {
    auto body = []() -> aio::Coro<void> {
        auto proc = co_await aio::create_subprocess_shell(
            "cat; echo out; echo err >&2", {.stdin = aio::DEVNULL, .stdout = aio::PIPE, .stderr = aio::STDOUT});
        EXPECT_FALSE(proc.stderr);
        auto [out, err] = co_await aio::wait_for(proc.communicate(), 10s);
        EXPECT_EQ(out, "out\nerr\n");
        EXPECT_EQ(err, "");

        auto quiet = co_await aio::create_subprocess_shell("echo hidden; echo shown >&2",
                                                           {.stdout = aio::DEVNULL, .stderr = aio::PIPE});
        auto [o2, e2] = co_await aio::wait_for(quiet.communicate(), 10s);
        EXPECT_EQ(o2, "");
        EXPECT_EQ(e2, "shown\n");
    };
    run(body());
}

TEST_F(SubprocessTest, CwdAndEnvReachTheChild) {
    auto body = []() -> aio::Coro<void> {
        aio::SubprocessOptions options{
            .stdout = aio::PIPE,
            .cwd = "/tmp",
            .env = std::map<std::string, std::string>{{"FOO", "bar baz"}, {"PATH", "/usr/bin:/bin"}}};
        auto proc = co_await aio::create_subprocess_exec("sh", {"-c", "pwd; echo \"$FOO\"; echo \"${HOME:-unset}\""},
                                                          options);
        auto [out, err] = co_await aio::wait_for(proc.communicate(), 10s);
        EXPECT_EQ(out, "/tmp\nbar baz\nunset\n");
    };
    run(body());
}

TEST_F(SubprocessTest, TheChildInheritsOnlyItsStandardStreams) {
    auto body = []() -> aio::Coro<void> {
        // ls opens one descriptor of its own (3) to list the directory.
        auto proc = co_await aio::create_subprocess_exec("ls", {"/proc/self/fd"},
                                                          {.stdin = aio::PIPE, .stdout = aio::PIPE, .stderr = aio::PIPE});
        auto [out, err] = co_await aio::wait_for(proc.communicate(), 10s);
        EXPECT_EQ(out, "0\n1\n2\n3\n") << err;
    };
    run(body());
}

TEST_F(SubprocessTest, PassFdsKeepTheirNumbersInTheChildAndNoOtherDescriptorGoesAlong) {
    // Two descriptors without close-on-exec that are not passed, one below the passed one and one
    // above it: the child gets neither. The passed one is close-on-exec in the parent.
    const int stray_below = ::open("/dev/null", O_RDONLY);
    int fds[2];
    ASSERT_EQ(::pipe2(fds, O_CLOEXEC), 0);
    const int r = fds[0], w = fds[1];
    const int stray_above = ::open("/dev/null", O_RDONLY);
    ASSERT_LT(stray_below, w);
    ASSERT_GT(stray_above, w);
    auto body = [&]() -> aio::Coro<void> {
        std::string script = "echo passed >&" + std::to_string(w) + "; ls /proc/self/fd";
        aio::SubprocessOptions options{.stdout = aio::PIPE, .pass_fds = {w}};
        auto proc = co_await aio::create_subprocess_exec("sh", {"-c", script}, options);
        auto [out, err] = co_await aio::wait_for(proc.communicate(), 10s);
        EXPECT_EQ(proc.returncode(), 0) << err;
        // ls sees 0, 1, 2, the passed descriptor and one of its own.
        std::vector<std::string> listed;
        for (std::size_t at = 0, nl; (nl = out.find('\n', at)) != std::string::npos; at = nl + 1)
            listed.push_back(out.substr(at, nl - at));
        EXPECT_EQ(listed.size(), 5u) << out;
        auto has = [&](int fd) { return std::find(listed.begin(), listed.end(), std::to_string(fd)) != listed.end(); };
        EXPECT_TRUE(has(w)) << out;
        EXPECT_FALSE(has(stray_below)) << out;
        EXPECT_FALSE(has(stray_above)) << out;
    };
    run(body());
    ::close(w);
    char buf[32] = {};
    EXPECT_EQ(::read(r, buf, sizeof buf), 7);
    EXPECT_EQ(std::string(buf), "passed\n");
    ::close(r);
    ::close(stray_below);
    ::close(stray_above);
}

TEST_F(SubprocessTest, PassFdsThatAreNotOpenDescriptorsAreClearErrors) {
    auto body = []() -> aio::Coro<void> {
        aio::SubprocessOptions negative{.pass_fds = {-1}};
        EXPECT_THROW(co_await aio::create_subprocess_exec("true", {}, negative), aio::ValueError);
        aio::SubprocessOptions closed{.pass_fds = {987654}};
        EXPECT_THROW(co_await aio::create_subprocess_exec("true", {}, closed), aio::OSError);
    };
    run(body());
}

TEST_F(SubprocessTest, TheLastLineWithoutNewlineIsReadToo) {
    auto body = []() -> aio::Coro<void> {
        auto proc = co_await aio::create_subprocess_exec("printf", {"a\\nb"}, {.stdout = aio::PIPE});
        EXPECT_EQ(co_await proc.stdout->readline(), "a\n");
        EXPECT_EQ(co_await proc.stdout->readline(), "b");
        EXPECT_EQ(co_await proc.stdout->readline(), "");
        EXPECT_TRUE(proc.stdout->at_eof());
        EXPECT_EQ(co_await aio::wait_for(proc.wait(), 10s), 0);
    };
    run(body());
}

TEST_F(SubprocessTest, OneChildsOutputPipedIntoAnother) {
    auto body = []() -> aio::Coro<void> {
        int fds[2];
        EXPECT_EQ(::pipe2(fds, O_CLOEXEC), 0);
        auto producer = co_await aio::create_subprocess_exec("seq", {"1", "500"}, {.stdout = aio::Stdio::from_fd(fds[1])});
        auto consumer = co_await aio::create_subprocess_exec(
            "wc", {"-l"}, {.stdin = aio::Stdio::from_fd(fds[0]), .stdout = aio::PIPE});
        ::close(fds[0]);  // the children have their copies
        ::close(fds[1]);
        auto [out, err] = co_await aio::wait_for(consumer.communicate(), 10s);
        EXPECT_EQ(out, "500\n");
        EXPECT_EQ(co_await aio::wait_for(producer.wait(), 10s), 0);
    };
    run(body());
}

TEST_F(SubprocessTest, ManyChildrenAtOnce) {
    auto body = []() -> aio::Coro<void> {
        std::vector<aio::Coro<std::string>> runs;
        for (int i = 0; i < 20; ++i)
            runs.push_back([](int i) -> aio::Coro<std::string> {
                auto p = co_await aio::create_subprocess_exec("echo", {std::to_string(i)}, {.stdout = aio::PIPE});
                auto [out, err] = co_await p.communicate();
                co_return out;
            }(i));
        auto outs = co_await aio::wait_for(aio::gather(std::move(runs)), 30s);
        for (int i = 0; i < 20; ++i) EXPECT_EQ(outs[static_cast<std::size_t>(i)], std::to_string(i) + "\n");
    };
    run(body());
}

TEST_F(SubprocessTest, CancellingWaitLeavesNoWaiterAndTheChildIsStillReaped) {
    auto body = [&]() -> aio::Coro<void> {
        auto proc = co_await aio::create_subprocess_exec("cat", {}, {.stdin = aio::PIPE});
        EXPECT_THROW(co_await aio::wait_for(proc.wait(), 20ms), aio::TimeoutError);
        EXPECT_FALSE(proc.returncode());
        proc.stdin->close();  // cat sees EOF and exits
        EXPECT_EQ(co_await aio::wait_for(proc.wait(), 10s), 0);
    };
    run(body());
}

TEST_F(SubprocessTest, CancellingCommunicateLeaksNoDescriptor) {
    auto body = [&]() -> aio::Coro<void> {
        // The child never reads: the input does not fit the pipe, so communicate cannot finish.
        auto proc = co_await aio::create_subprocess_exec(
            "sh", {"-c", "exec sleep 100"}, {.stdin = aio::PIPE, .stdout = aio::PIPE, .stderr = aio::PIPE});
        EXPECT_THROW(co_await aio::wait_for(proc.communicate(std::string(4 << 20, 'x')), 50ms), aio::TimeoutError);
        proc.kill();
        EXPECT_EQ(co_await aio::wait_for(proc.wait(), 10s), -SIGKILL);
    };
    run(body());
    // The Process is gone: its pipes are closed (TearDown counts the descriptors).
}

TEST_F(SubprocessTest, ADroppedProcessIsReapedWhenItExits) {
    pid_t pid = 0;
    auto body = [&]() -> aio::Coro<void> {
        {
            auto proc = co_await aio::create_subprocess_exec("true");
            pid = proc.pid();
        }
        auto until_reaped = [&]() -> aio::Coro<void> {
            while (!aio_process_test::reaped(pid)) co_await aio::sleep(1ms);
        };
        co_await aio::wait_for(until_reaped(), 10s);
    };
    run(body());
    EXPECT_TRUE(aio_process_test::reaped(pid));
}

TEST(SubprocessRun, AioRunKillsAndReapsChildrenStillRunningAtShutdown) {
    pid_t pid = 0;
    auto body = [&]() -> aio::Coro<int> {
        auto proc = co_await aio::create_subprocess_exec("sleep", {"100"});
        pid = proc.pid();
        co_return 0;
    };
    EXPECT_EQ(aio::run(body()), 0);
    EXPECT_TRUE(aio_process_test::reaped(pid));
    EXPECT_EQ(::kill(pid, 0), -1);
}
