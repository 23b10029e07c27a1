#!/usr/bin/env python3
"""The `http_client_c64` workload: HTTP/1.1 keep-alive GETs from 64 concurrent requests against
the raw C server (shared/peers/common/cbase_server.c, `cbase_server http PORT`, a fixed
response), server on core 1 and client on core 0. Side by side in one run: aio's ClientSession
(bench/http_client_bench.cpp), `wrk -t1 -c64` (the ceiling: a C load generator), Node's http
client (shared/peers/node/http_client.js) and aiohttp's (shared/peers/aiohttp/client.py), each
skipped if it is not installed.

Prints `http_client_c64 <runtime> <req/s> req/s` medians over the reps, then each runtime's ratio
to wrk (the bar: aio >= 0.6x wrk).

    bench/http_client_bench.py --bin-dir build/release/bin [--reps 3] [--duration 3] [--quick]
"""
import argparse
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys

from bench_procs import PEERS, PY, ROOT, build_peer_tool, free_port, wait_listening
CONNS = 64


def build_server(out_dir):
    return build_peer_tool(out_dir, "cbase_server", ["gcc", "-O2"])


def clients(bin_dir, duration, warmup):
    c = {
        "aio": ["taskset", "-c", "0", os.path.join(bin_dir, "http_client_bench"), "{url}", "--conns", str(CONNS),
                "--duration", str(duration), "--warmup", str(warmup)],
    }
    if shutil.which("wrk"):
        c["wrk"] = ["taskset", "-c", "0", "wrk", "-t1", f"-c{CONNS}", f"-d{int(round(duration + warmup))}s", "{url}"]
    if shutil.which("node"):
        c["node"] = ["taskset", "-c", "0", "node", os.path.join(PEERS, "node", "http_client.js"), "{url}",
                     str(CONNS), str(duration), str(warmup)]
    if os.path.exists(PY) and subprocess.run([PY, "-c", "import aiohttp"], capture_output=True).returncode == 0:
        c["aiohttp"] = ["taskset", "-c", "0", PY, os.path.join(PEERS, "aiohttp", "client.py"), "{url}",
                        "--conns", str(CONNS), "--duration", str(duration), "--warmup", str(warmup)]
    return c


def rate_of(name, out):
    if name == "wrk":
        m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    else:
        m = re.search(r"req_per_s=([\d.]+)", out)
    if not m:
        raise RuntimeError(f"no rate in output: {out.strip()[:300]}")
    if name != "wrk":
        e = re.search(r"errors=(\d+)", out)
        if e and int(e.group(1)) > 0:
            raise RuntimeError(f"{e.group(1)} errors")
    return float(m.group(1))


def one_run(server, name, argv, duration, warmup):
    port = free_port()
    proc = subprocess.Popen(["taskset", "-c", "1", server, "http", str(port)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    try:
        wait_listening(port, proc)
        url = f"http://127.0.0.1:{port}/"
        cmd = [a.replace("{url}", url) for a in argv]
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + warmup + 60)
        if out.returncode != 0:
            raise RuntimeError((out.stderr or out.stdout).strip()[:300])
        return rate_of(name, out.stdout)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin-dir", default=os.path.join(ROOT, "build", "release", "bin"))
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--duration", type=float, default=3.0)
    ap.add_argument("--warmup", type=float, default=1.0)
    ap.add_argument("--runtimes", default="")
    ap.add_argument("--quick", action="store_true")
    a = ap.parse_args()
    if a.quick:
        a.reps, a.duration, a.warmup = 1, 1.0, 0.5
    if not os.path.exists(os.path.join(a.bin_dir, "http_client_bench")):
        sys.exit(f"http_client_bench: {a.bin_dir}/http_client_bench not built")
    if not os.path.exists(os.path.join(PEERS, "common", "cbase_server.c")):
        print(f"http_client_bench: {PEERS}/common/cbase_server.c is not here; skipped")
        return
    server = build_server(os.path.join(os.path.dirname(os.path.abspath(a.bin_dir)), "bench-tools"))
    cl = clients(a.bin_dir, a.duration, a.warmup)
    if a.runtimes:
        cl = {k: v for k, v in cl.items() if k in a.runtimes.split(",")}
    rates = {}
    for _ in range(a.reps):  # interleaved, so drift on a shared machine hits every client alike
        for name, argv in cl.items():
            try:
                rates.setdefault(name, []).append(one_run(server, name, argv, a.duration, a.warmup))
            except Exception as e:  # a peer that fails is reported; the rest go on
                print(f"# {name}: {e}", file=sys.stderr)
    med = {k: statistics.median(v) for k, v in rates.items() if v}
    for name, r in med.items():
        print(f"http_client_c64 {name} {r:.0f} req/s")
    if "wrk" in med:
        for name, r in med.items():
            if name != "wrk":
                print(f"http_client_c64_vs_wrk {name} {r / med['wrk']:.2f}x")
        if "aio" in med:
            ok = med["aio"] >= 0.6 * med["wrk"]
            print(f"# bar: aio >= 0.6x wrk: {'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    main()
