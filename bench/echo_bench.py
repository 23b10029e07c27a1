#!/usr/bin/env python3
"""The `echo` workload of shared/BENCHMARKS.md: TCP echo servers under a closed-loop load of C
connections (C = 1, 16, 256) doing 64-byte ping-pong. Side by side in one run: aio (streams and
Protocol), the raw C epoll server, asyncio and uvloop (streams and protocol). The server runs on
core 0, the load generator (shared/peers/common/echo_load.cpp) on core 1.

Prints `echo_c<C> <runtime> <msg/s> msg/s` and `echo_cpu_c<C> <runtime> <us> us/msg` medians (server
CPU per message, from /proc/<pid>/stat), then ratios against c-epoll; with --syscalls, the server's
syscalls per message (strace -c -f) for aio and c-epoll.

    bench/echo_bench.py --bin-dir build/release/bin [--reps 3] [--duration 2] [--conns 1,16,256]
                        [--runtimes aio-streams,aio-protocol,c-epoll,...] [--syscalls] [--quick]
"""
import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time

from bench_procs import PEERS, PY, ROOT, build_peer_tool, free_port, proc_cpu_secs, stop_server, strace_counts, wait_listening


def build_tools(out_dir):
    """Builds echo_load and cbase_server from shared/peers/common (read-only there) into out_dir."""
    build_peer_tool(out_dir, "echo_load", ["g++", "-O2", "-std=c++17"])
    build_peer_tool(out_dir, "cbase_server", ["gcc", "-O2"])
    return out_dir


def runtimes(bin_dir, tools):
    aio = os.path.join(bin_dir, "echo_server")
    r = {
        "aio-streams": [aio, "{port}", "--mode", "streams"],
        "aio-protocol": [aio, "{port}", "--mode", "protocol"],
        "c-epoll": [os.path.join(tools, "cbase_server"), "echo", "{port}"],
    }
    if os.path.exists(PY):
        srv = os.path.join(PEERS, "asyncio", "echo_server.py")
        r["asyncio-streams"] = [PY, srv, "{port}", "--mode", "streams"]
        r["asyncio-protocol"] = [PY, srv, "{port}", "--mode", "protocol"]
        if subprocess.run([PY, "-c", "import uvloop"], capture_output=True).returncode == 0:
            r["uvloop-streams"] = [PY, srv, "{port}", "--mode", "streams", "--loop", "uvloop"]
            r["uvloop-protocol"] = [PY, srv, "{port}", "--mode", "protocol", "--loop", "uvloop"]
    return r


def start_server(argv, port, prefix=()):
    cmd = list(prefix) + ["taskset", "-c", "0"] + [a.replace("{port}", str(port)) for a in argv]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wait_listening(port, proc)
    return proc


def server_pid(proc):
    """The pid of the server itself (under taskset it is the same process after exec)."""
    return proc.pid


def load(tools, port, conns, duration, warmup):
    out = subprocess.run(["taskset", "-c", "1", os.path.join(tools, "echo_load"), "--port", str(port),
                          "--conns", str(conns), "--size", "64", "--duration", str(duration),
                          "--warmup", str(warmup)], capture_output=True, text=True,
                         timeout=duration + warmup + 60)
    if out.returncode != 0:
        raise RuntimeError(out.stderr.strip()[:300])
    return dict(kv.split("=", 1) for kv in out.stdout.split())


def one_run(argv, tools, conns, duration, warmup):
    port = free_port()
    proc = start_server(argv, port)
    try:
        # Server CPU is taken over the whole client run, warm-up included, divided by the
        # messages of the whole run (counted messages scaled by the run's full length).
        c0 = proc_cpu_secs(server_pid(proc))
        t0 = time.monotonic()
        r = load(tools, port, conns, duration, warmup)
        wall = time.monotonic() - t0
        c1 = proc_cpu_secs(server_pid(proc))
    finally:
        stop_server(proc)
    rate = float(r["msg_per_s"])
    msgs_whole_run = rate * wall
    return rate, (c1 - c0) * 1e6 / msgs_whole_run if msgs_whole_run else float("nan")


def syscalls_per_msg(argv, tools, conns, duration):
    """Attaches strace -c -f to a running server for one load run; returns syscalls per message."""
    if not shutil.which("strace"):
        return None
    port = free_port()
    out = f"/tmp/aio-echo-strace-{port}.txt"
    proc = start_server(argv, port)
    try:
        tracer = subprocess.Popen(["strace", "-c", "-f", "-o", out, "-p", str(server_pid(proc))],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.3)  # strace attaches asynchronously; the load must not start untraced
        try:
            r = load(tools, port, conns, duration, 0.0)
        finally:
            tracer.send_signal(signal.SIGINT)  # detach and write the summary
            tracer.wait(timeout=30)
    finally:
        stop_server(proc)
    msgs = float(r["msgs"]) if "msgs" in r else float(r["msg_per_s"]) * duration
    calls = strace_counts(out)
    return {k: v / msgs for k, v in calls.items() if v / msgs >= 0.01}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin-dir", default=os.path.join(ROOT, "build", "release", "bin"))
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--duration", type=float, default=2.0)
    ap.add_argument("--warmup", type=float, default=0.5)
    ap.add_argument("--conns", default="1,16,256")
    ap.add_argument("--runtimes", default="")
    ap.add_argument("--syscalls", action="store_true")
    ap.add_argument("--quick", action="store_true")
    a = ap.parse_args()
    if a.quick:
        a.reps, a.duration, a.warmup = 1, 1.0, 0.2
    if not os.path.exists(os.path.join(a.bin_dir, "echo_server")):
        sys.exit(f"echo_bench: {a.bin_dir}/echo_server not built")
    if not os.path.exists(os.path.join(PEERS, "common", "echo_load.cpp")):
        print(f"echo_bench: {PEERS}/common (the load generator and the raw C server) is not here; skipped")
        return
    tools = build_tools(os.path.join(os.path.dirname(os.path.abspath(a.bin_dir)), "bench-tools"))
    rts = runtimes(a.bin_dir, tools)
    if a.runtimes:
        want = a.runtimes.split(",")
        rts = {k: v for k, v in rts.items() if k in want}
    conns = [int(c) for c in a.conns.split(",")]
    rates, cpus = {}, {}
    for rep in range(a.reps):  # interleaved: drift on this shared machine hits every runtime alike
        for name, argv in rts.items():
            for c in conns:
                try:
                    rate, cpu = one_run(argv, tools, c, a.duration, a.warmup)
                except Exception as e:  # a peer that fails is reported, the rest go on
                    print(f"# {name} c={c}: {e}", file=sys.stderr)
                    continue
                rates.setdefault((name, c), []).append(rate)
                cpus.setdefault((name, c), []).append(cpu)
                print(f"# rep{rep} {name:16s} c={c:<4d} {rate:>9.0f} msg/s  {cpu:5.2f} us/msg", file=sys.stderr)
    print()
    for c in conns:
        for name in rts:
            if (name, c) in rates:
                print(f"echo_c{c} {name} {statistics.median(rates[(name, c)]):.0f} msg/s")
        for name in rts:
            if (name, c) in cpus:
                print(f"echo_cpu_c{c} {name} {statistics.median(cpus[(name, c)]):.2f} us/msg")
    print("\n# ratios against the raw C epoll server (same run): msg/s, server CPU per message")
    for c in conns:
        base_r = rates.get(("c-epoll", c))
        base_c = cpus.get(("c-epoll", c))
        if not base_r:
            continue
        for name in rts:
            if name == "c-epoll" or (name, c) not in rates:
                continue
            r = statistics.median(rates[(name, c)]) / statistics.median(base_r)
            u = statistics.median(cpus[(name, c)]) / statistics.median(base_c)
            print(f"echo c={c:<4d} {name:16s} {100 * r:6.1f}% of c-epoll msg/s   {u:5.2f}x its CPU/msg")
    if a.syscalls:
        print("\n# syscalls per message at c=16 (strace -c -f on the server)")
        for name in ("aio-streams", "aio-protocol", "c-epoll"):
            if name in rts:
                s = syscalls_per_msg(rts[name], tools, 16, 1.0)
                if s:
                    print(f"{name:14s} " + "  ".join(f"{k}={v:.2f}" for k, v in sorted(s.items(), key=lambda kv: -kv[1])))


if __name__ == "__main__":
    main()
