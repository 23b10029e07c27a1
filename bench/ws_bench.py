#!/usr/bin/env python3
"""The WebSocket workloads of shared/BENCHMARKS.md, side by side in one run:

  ws_echo_c64   msg/s: 64 connections, each a closed loop of 64-byte text messages (ping-pong)
  ws_cpu_c64    server CPU µs per message in that run (/proc/<pid>/stat)
  ws_idle_mem   bytes of server RSS per open idle websocket, 10,000 open (aio only)

Servers (core 0): aio (example_ws_echo), Node's `ws`, python3-websockets, aiohttp; and, for the bar
"ws >= 0.8x aio's own TCP streams echo at c=64", aio's TCP streams echo (bench/echo_server.cpp)
under shared/peers' echo_load. The WebSocket client is bench/ws_load.cpp (core 1), the same bytes
for every server. Reps are interleaved so that drift on the shared machine hits all alike.

    bench/ws_bench.py --bin-dir build/release/bin [--reps 5] [--duration 5] [--runtimes aio,node-ws]
                      [--no-mem] [--quick]
"""
import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time

from bench_procs import PEERS, PY, ROOT, build_peer_tool, free_port, proc_cpu_secs, rss_bytes, stop_server, wait_listening

HERE = os.path.dirname(os.path.abspath(__file__))
WS_PEERS = os.path.join(HERE, "peers", "ws")


def node_modules(bin_dir):
    """npm's ws from tests/peers/node's lock file, installed into the build tree (npm ci) as the
    tests do; the NODE_PATH for the Node peer, or None when node or npm cannot provide it."""
    dest = os.path.join(os.path.dirname(os.path.abspath(bin_dir)), "peers", "node")
    if not os.path.exists(os.path.join(dest, "node_modules", "ws", "package.json")):
        if not shutil.which("npm"):
            return None
        os.makedirs(dest, exist_ok=True)
        src = os.path.join(ROOT, "tests", "peers", "node")
        for f in ("package.json", "package-lock.json"):
            shutil.copy(os.path.join(src, f), dest)
        r = subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=dest, capture_output=True, timeout=300)
        if r.returncode != 0:
            return None
    return os.path.join(dest, "node_modules")


def py_has(module):
    return os.path.exists(PY) and subprocess.run([PY, "-c", f"import {module}"], capture_output=True).returncode == 0


def runtimes(bin_dir):
    """name -> (server argv, load kind)."""
    r = {"aio": ([os.path.join(bin_dir, "example_ws_echo"), "serve", "--host", "127.0.0.1", "--port", "{port}",
                  "--no-compression"], "ws")}
    r["aio-tcp-streams"] = ([os.path.join(bin_dir, "echo_server"), "{port}", "--mode", "streams"], "tcp")
    modules = node_modules(bin_dir) if shutil.which("node") else None
    if modules:
        r["node-ws"] = (["env", f"NODE_PATH={modules}", "node", os.path.join(WS_PEERS, "ws_echo.js"), "{port}"], "ws")
    else:
        print("# node-ws skipped: no node, or npm ci of tests/peers/node failed", file=sys.stderr)
    if py_has("websockets"):
        r["websockets"] = ([PY, os.path.join(WS_PEERS, "websockets_echo.py"), "{port}"], "ws")
    if py_has("aiohttp"):
        r["aiohttp"] = ([PY, os.path.join(WS_PEERS, "aiohttp_echo.py"), "{port}"], "ws")
    return r


def raise_nofile():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def start_server(argv, port):
    cmd = ["taskset", "-c", "0"] + [a.replace("{port}", str(port)) for a in argv]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, preexec_fn=raise_nofile)
    wait_listening(port, proc)
    return proc


def load(bin_dir, tools, kind, port, conns, duration, warmup):
    if kind == "ws":
        argv = [os.path.join(bin_dir, "ws_load")]
    else:
        argv = [os.path.join(tools, "echo_load")]
    argv += ["--port", str(port), "--conns", str(conns), "--size", "64", "--duration", str(duration),
             "--warmup", str(warmup)]
    out = subprocess.run(["taskset", "-c", "1"] + argv, capture_output=True, text=True, timeout=duration + warmup + 60)
    if out.returncode != 0:
        raise RuntimeError(out.stderr.strip()[:300])
    return dict(kv.split("=", 1) for kv in out.stdout.split())


def one_run(bin_dir, tools, argv, kind, conns, duration, warmup):
    port = free_port()
    proc = start_server(argv, port)
    try:
        c0 = proc_cpu_secs(proc.pid)
        t0 = time.monotonic()
        r = load(bin_dir, tools, kind, port, conns, duration, warmup)
        wall = time.monotonic() - t0
        cpu = proc_cpu_secs(proc.pid) - c0
    finally:
        stop_server(proc)
    rate = float(r["msg_per_s"])
    msgs_whole_run = rate * wall  # the CPU window is the whole client run, warm-up included
    return rate, float(r["p99_us"]), cpu / msgs_whole_run * 1e6 if msgs_whole_run else 0.0


def idle_mem(bin_dir, argv, n):
    """Server RSS growth per websocket with n open and idle (after one connection warmed it up)."""
    port = free_port()
    proc = start_server(argv, port)
    try:
        warm = subprocess.Popen([os.path.join(bin_dir, "ws_load"), "--port", str(port), "--idle", "1", "--hold", "60"],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, preexec_fn=raise_nofile)
        warm.stdout.readline()
        base = rss_bytes(proc.pid)
        many = subprocess.Popen([os.path.join(bin_dir, "ws_load"), "--port", str(port), "--idle", str(n), "--hold", "120"],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, preexec_fn=raise_nofile)
        line = many.stdout.readline()
        if not line.startswith("ready"):
            raise RuntimeError(f"ws_load --idle {n}: {line!r}")
        time.sleep(0.5)  # let the server finish its last handshakes' bookkeeping before reading RSS
        grown = rss_bytes(proc.pid) - base
        for p in (many, warm):
            p.stdin.close()
            p.wait(timeout=30)
        return grown / n
    finally:
        stop_server(proc)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin-dir", default=os.path.join(ROOT, "build", "release", "bin"))
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--duration", type=float, default=5.0)
    ap.add_argument("--warmup", type=float, default=1.0)
    ap.add_argument("--conns", type=int, default=64)
    ap.add_argument("--idle", type=int, default=10000)
    ap.add_argument("--runtimes", default="")
    ap.add_argument("--no-mem", action="store_true")
    ap.add_argument("--quick", action="store_true")
    a = ap.parse_args()
    if a.quick:
        a.reps, a.duration, a.warmup, a.idle = 1, 1.0, 0.3, 1000
    tools = os.path.join(a.bin_dir, "..", "peer-tools")
    build_peer_tool(tools, "echo_load", ["g++", "-O2", "-std=c++17"])
    rts = runtimes(a.bin_dir)
    if a.runtimes:
        rts = {k: v for k, v in rts.items() if k in a.runtimes.split(",")}
    rates, p99s, cpus = {}, {}, {}
    for rep in range(a.reps):
        for name, (argv, kind) in rts.items():
            try:
                rate, p99, cpu = one_run(a.bin_dir, tools, argv, kind, a.conns, a.duration, a.warmup)
            except Exception as e:  # a peer that fails is reported and left out, the rest still run
                print(f"# {name}: {e}", file=sys.stderr)
                continue
            rates.setdefault(name, []).append(rate)
            p99s.setdefault(name, []).append(p99)
            cpus.setdefault(name, []).append(cpu)
            print(f"# rep{rep} {name:16s} {rate:>9.0f} msg/s  p99 {p99 / 1000:6.2f} ms  {cpu:5.2f} us/msg", file=sys.stderr)
    print()
    c = a.conns
    for name in rts:
        if name in rates:
            print(f"ws_echo_c{c} {name} {statistics.median(rates[name]):.0f} msg/s")
    for name in rts:
        if name in cpus:
            print(f"ws_cpu_c{c} {name} {statistics.median(cpus[name]):.2f} us/msg")
    for name in rts:
        if name in p99s:
            print(f"ws_p99_c{c} {name} {statistics.median(p99s[name]) / 1000:.2f} ms")
    if not a.no_mem and "aio" in rts:
        mems = [idle_mem(a.bin_dir, rts["aio"][0], a.idle) for _ in range(1 if a.quick else 3)]
        print(f"ws_idle_mem aio {statistics.median(mems):.0f} bytes/socket ({a.idle} open)")
    if "aio" in rates:
        aio = statistics.median(rates["aio"])
        print("\n# ratios (same run): aio's msg/s over each")
        for name in rates:
            if name != "aio":
                print(f"ws_echo_c{c} aio/{name} {aio / statistics.median(rates[name]):.2f}x")
        if "node-ws" in rates:
            r = aio / statistics.median(rates["node-ws"])
            print(f"# bar: aio >= 2x node-ws: {'met' if r >= 2 else 'NOT met'} ({r:.2f}x)")
        if "aio-tcp-streams" in rates:
            r = aio / statistics.median(rates["aio-tcp-streams"])
            print(f"# bar: aio >= 0.8x aio-tcp-streams: {'met' if r >= 0.8 else 'NOT met'} ({r:.2f}x)")


if __name__ == "__main__":
    main()
