#!/usr/bin/env python3
"""The `http` workload of shared/BENCHMARKS.md: HTTP/1.1 keep-alive "Hello, World!" servers under
`wrk -t1 -c C` (C = 64, 256), the server pinned to core 0 and wrk to core 1; 1 s of warm-up, then
10 s measured (--quick: 2 s). Side by side: aio (example_http_hello), the raw C epoll server
(shared/peers/common/cbase_server.c), aiohttp, Node's http and Boost.Beast (when it builds).

Prints medians over the reps:
    http_c64 <runtime> <req/s> req/s      http_c256 ...      http_p99_c256 <runtime> <ms> ms
    http_cpu_c256 <runtime> <us> us/req   (server CPU from /proc/<pid>/stat over the measured run)
    http_idle_conn_mem aio <bytes> bytes/conn  (10,000 idle keep-alive connections after one
                                                request each, from a separate client process)
then the ratios against c-epoll; with --syscalls, syscalls per request (strace -c -f, c=64).

    bench/http_bench.py --bin-dir build/release/bin [--reps 3] [--quick] [--runtimes aio,c-epoll]
                        [--conns 64,256] [--syscalls] [--no-mem]
"""
import argparse
import os
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

from bench_procs import PEERS, PY, ROOT, build_peer_tool, free_port, proc_cpu_secs, rss_bytes, stop_server, strace_counts, wait_listening


def build_peers(out_dir):
    """cbase_server always; Beast if Boost's headers are there. Built into out_dir (a temp dir)."""
    built = {}
    cbase = build_peer_tool(out_dir, "cbase_server", ["gcc", "-O2"])
    built["c-epoll"] = [cbase, "http", "{port}"]
    beast_src = os.path.join(PEERS, "asio", "http_server.cpp")
    beast = os.path.join(out_dir, "beast_http_server")
    if os.path.exists(beast_src):
        r = subprocess.run(["g++", "-O2", "-std=c++20", beast_src, "-o", beast, "-pthread"],
                           capture_output=True, text=True)
        if r.returncode == 0:
            built["beast"] = [beast, "{port}"]
        else:
            print(f"# beast did not build: {r.stderr.strip()[:200]}", file=sys.stderr)
    return built


def runtimes(bin_dir, tmp):
    r = {"aio": [os.path.join(bin_dir, "example_http_hello"), "--port", "{port}"]}
    # web_c256: the same workload through web::Application, one route and one middleware.
    web = os.path.join(bin_dir, "web_bench_server")
    if os.path.exists(web):
        r["aio-web"] = [web, "--port", "{port}"]
    r.update(build_peers(tmp))
    if os.path.exists(PY) and subprocess.run([PY, "-c", "import aiohttp"], capture_output=True).returncode == 0:
        r["aiohttp"] = [PY, os.path.join(PEERS, "aiohttp", "server.py"), "{port}"]
    if shutil.which("node"):
        r["node"] = ["node", os.path.join(PEERS, "node", "http_server.js"), "{port}"]
    order = ["aio", "aio-web", "c-epoll", "aiohttp", "node", "beast"]
    return {k: r[k] for k in order if k in r}


def raise_nofile():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def start_server(argv, port):
    cmd = ["taskset", "-c", "0"] + [a.replace("{port}", str(port)) for a in argv]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, preexec_fn=raise_nofile)
    wait_listening(port, proc)
    return proc


def wrk(port, conns, duration):
    out = subprocess.run(["taskset", "-c", "1", "wrk", "-t1", f"-c{conns}", f"-d{max(1, round(duration))}s", "--latency",
                          f"http://127.0.0.1:{port}/"], capture_output=True, text=True, timeout=duration + 60)
    if out.returncode != 0:
        raise RuntimeError(out.stderr.strip()[:300])
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out.stdout).group(1))
    m = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", out.stdout)
    p99 = float(m.group(1)) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[m.group(2)] if m else float("nan")
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)|Socket errors: (.*)", out.stdout)
    if errors:
        print(f"# wrk reported: {errors.group(0)}", file=sys.stderr)
    return rate, p99


def one_run(argv, conns, duration, warmup):
    port = free_port()
    proc = start_server(argv, port)
    try:
        wrk(port, conns, warmup)
        c0 = proc_cpu_secs(proc.pid)
        t0 = time.monotonic()
        rate, p99 = wrk(port, conns, duration)
        wall = time.monotonic() - t0
        c1 = proc_cpu_secs(proc.pid)
    finally:
        stop_server(proc)
    reqs = rate * duration
    # wrk counts `duration` seconds; the CPU window is a little longer (start-up and teardown of
    # wrk's connections), so this slightly overstates the server's CPU per request, alike for all.
    del wall
    return rate, p99, (c1 - c0) * 1e6 / reqs if reqs else float("nan")


IDLE_CLIENT = r"""
import resource, socket, sys, time
port, n = int(sys.argv[1]), int(sys.argv[2])
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
socks = []
for i in range(n):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    socks.append(s)
for s in socks:
    got = b""
    while not got.endswith(b"Hello, World!"):
        got += s.recv(4096)
print("ready", flush=True)
sys.stdin.readline()
"""


def idle_conn_mem(argv, n=10000):
    port = free_port()
    proc = start_server(argv, port)
    try:
        # One request first: what the first request allocates once (buffers, caches) is not per
        # connection.
        with socket.create_connection(("127.0.0.1", port)) as s:
            s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            while s.recv(4096):
                pass
        time.sleep(0.2)
        before = rss_bytes(proc.pid)
        client = subprocess.Popen(["taskset", "-c", "1", PY, "-c", IDLE_CLIENT, str(port), str(n)],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        line = client.stdout.readline()
        if line.strip() != "ready":
            raise RuntimeError("idle client failed")
        time.sleep(0.5)  # the server's last responses are written; it is idle now
        after = rss_bytes(proc.pid)
        client.stdin.write("\n")
        client.stdin.flush()
        client.wait(timeout=30)
    finally:
        stop_server(proc)
    return (after - before) / n


def syscalls_per_req(argv, conns, duration):
    if not shutil.which("strace"):
        return None
    port = free_port()
    out = f"/tmp/aio-http-strace-{port}.txt"
    proc = start_server(argv, port)
    try:
        tracer = subprocess.Popen(["strace", "-c", "-f", "-o", out, "-p", str(proc.pid)],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.3)
        try:
            rate, _ = wrk(port, conns, duration)
        finally:
            tracer.send_signal(signal.SIGINT)
            tracer.wait(timeout=30)
    finally:
        stop_server(proc)
    reqs = rate * duration
    calls = strace_counts(out)
    return {k: v / reqs for k, v in calls.items() if v / reqs >= 0.01}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin-dir", default=os.path.join(ROOT, "build", "release", "bin"))
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--duration", type=float, default=10.0)
    ap.add_argument("--warmup", type=float, default=1.0)
    ap.add_argument("--conns", default="64,256")
    ap.add_argument("--runtimes", default="")
    ap.add_argument("--syscalls", action="store_true")
    ap.add_argument("--no-mem", action="store_true")
    ap.add_argument("--quick", action="store_true")
    a = ap.parse_args()
    if a.quick:
        a.reps, a.duration = 1, 2.0
    if not shutil.which("wrk"):
        print("http_bench: wrk is not installed; skipped")
        return
    if not os.path.exists(os.path.join(a.bin_dir, "example_http_hello")):
        sys.exit(f"http_bench: {a.bin_dir}/example_http_hello not built")
    tmp = tempfile.mkdtemp(prefix="aio-http-bench-")
    try:
        rts = runtimes(a.bin_dir, tmp)
        if a.runtimes:
            rts = {k: v for k, v in rts.items() if k in a.runtimes.split(",")}
        conns = [int(c) for c in a.conns.split(",")]
        rates, p99s, cpus = {}, {}, {}
        for rep in range(a.reps):  # interleaved, so drift on the shared machine hits all alike
            for name, argv in rts.items():
                for c in conns:
                    try:
                        rate, p99, cpu = one_run(argv, c, a.duration, a.warmup)
                    except Exception as e:
                        print(f"# {name} c={c}: {e}", file=sys.stderr)
                        continue
                    rates.setdefault((name, c), []).append(rate)
                    p99s.setdefault((name, c), []).append(p99)
                    cpus.setdefault((name, c), []).append(cpu)
                    print(f"# rep{rep} {name:8s} c={c:<4d} {rate:>9.0f} req/s  p99 {p99:6.2f} ms  "
                          f"{cpu:5.2f} us/req", file=sys.stderr)
        print()
        for c in conns:
            for name in rts:
                if (name, c) in rates:
                    print(f"http_c{c} {name} {statistics.median(rates[(name, c)]):.0f} req/s")
            for name in rts:
                if (name, c) in p99s:
                    print(f"http_p99_c{c} {name} {statistics.median(p99s[(name, c)]):.2f} ms")
            for name in rts:
                if (name, c) in cpus:
                    print(f"http_cpu_c{c} {name} {statistics.median(cpus[(name, c)]):.2f} us/req")
        if not a.no_mem and "aio" in rts:
            mems = [idle_conn_mem(rts["aio"]) for _ in range(1 if a.quick else 3)]
            print(f"http_idle_conn_mem aio {statistics.median(mems):.0f} bytes/conn")
        print("\n# ratios against the raw C epoll server (same run): req/s, server CPU per request")
        for c in conns:
            base_r, base_c = rates.get(("c-epoll", c)), cpus.get(("c-epoll", c))
            if not base_r:
                continue
            for name in rts:
                if name == "c-epoll" or (name, c) not in rates:
                    continue
                r = statistics.median(rates[(name, c)]) / statistics.median(base_r)
                u = statistics.median(cpus[(name, c)]) / statistics.median(base_c)
                print(f"http c={c:<4d} {name:8s} {r:5.2f}x c-epoll req/s   {u:5.2f}x its CPU/req")
        if ("aio-web", 256) in rates:
            web = statistics.median(rates[("aio-web", 256)])
            print(f"\nweb_c256 aio {web:.0f} req/s")
            for peer, bar in (("aio", 0.9), ("aiohttp", 7.0)):
                if (peer, 256) in rates:
                    r = web / statistics.median(rates[(peer, 256)])
                    print(f"# bar: web_c256 >= {bar}x {peer}'s: {'met' if r >= bar else 'NOT met'} ({r:.2f}x)")
        if a.syscalls:
            print("\n# syscalls per request at c=64 (strace -c -f on the server)")
            for name in ("aio", "c-epoll"):
                if name in rts:
                    s = syscalls_per_req(rts[name], 64, 2.0)
                    if s:
                        print(f"{name:8s} " + "  ".join(f"{k}={v:.2f}" for k, v in
                                                        sorted(s.items(), key=lambda kv: -kv[1])))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
